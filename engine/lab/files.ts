/**
 * The files `tsplay lab up` writes for users and tools: the INI inventory (group `lab`),
 * an ssh_config, a known_hosts with the hosts' real keys, and each host's /etc/hosts.
 */
import { writeFileSync, renameSync } from 'node:fs';
import type { LabNames } from './naming.ts';

/** One host as the files describe it. */
export interface HostEntry {
  name: string;
  ip: string;
  /** "type base64" host key lines */
  keys: string[];
}

/** Write `path` atomically (temp file + rename). */
export function writeAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/** /etc/hosts for every host of the lab. */
export function etcHosts(hosts: { name: string; ip: string }[], self: string): string {
  return ['127.0.0.1 localhost', `127.0.1.1 ${self}`, '::1 localhost ip6-localhost ip6-loopback', ...hosts.map((h) => `${h.ip} ${h.name}`), ''].join('\n');
}

/** The INI inventory text. */
export function inventoryText(l: LabNames, hosts: HostEntry[], subnet: string, vip: string): string {
  return [
    `# tsplay lab '${l.name}' (written by tsplay lab up; removed by tsplay lab down)`,
    '[lab]',
    ...hosts.map((h) => `${h.name} ansible_host=${h.ip} ansible_user=root ansible_ssh_private_key_file=${l.keyPath}`),
    '',
    '[lab:vars]',
    `lab_subnet=${subnet}`,
    `lab_vip=${vip}`,
    'ansible_python_interpreter=/usr/bin/python3',
    `ansible_ssh_common_args='-o UserKnownHostsFile=${l.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    '',
  ].join('\n');
}

/** known_hosts lines: every key of every host, keyed by both its name and its IP. */
export function knownHostsText(hosts: HostEntry[]): string {
  return hosts.flatMap((h) => h.keys.map((k) => `${h.name},${h.ip} ${k}`)).join('\n') + '\n';
}

/** ssh_config text: `ssh -F PATH hN` logs in as root with the lab key and strict host-key checking. */
export function sshConfigText(l: LabNames, hosts: HostEntry[]): string {
  return hosts.map((h) => [
    `Host ${h.name}`,
    `  HostName ${h.ip}`,
    '  User root',
    `  IdentityFile ${l.keyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${l.knownHostsPath}`,
    '  StrictHostKeyChecking yes',
    '  LogLevel ERROR',
    '',
  ].join('\n')).join('\n');
}
