/**
 * One lab host: an overlayfs copy of the cached rootfs booted by `systemd-nspawn --boot` in its
 * own network namespace and cgroup, kept alive by a small detached launcher script (which
 * restarts nspawn after `systemctl reboot` and turns SIGTERM into a clean poweroff).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, chmodSync, existsSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { TsplayError } from '../types.ts';
import type { LabCache } from './cache.ts';
import { HOST_APT_REPO, HOST_RPM_REPO } from './recipe.ts';
import { STATE_ROOT, hostNames, type LabNames } from './naming.ts';
import { createHostNet, deleteHostNet } from './net.ts';
import { cgroupRoots, containerLeader, isOurs, killCgroup, readPid, removeCgroupTree, signal, waitGone } from './procs.ts';
import { unmountUnder } from './mounts.ts';
import { must, run, sleep } from './sh.ts';

/** The launcher: puts itself in the host's cgroup, runs nspawn, restarts it on reboot (exit 133). */
export const LAUNCHER = `#!/bin/bash
# tsplay lab host launcher (written by tsplay lab up). Args: CGROUP_REL HOST_DIR -- nspawn args
cg=$1; d=$2; shift 3
for root in ${'$'}{TSPLAY_CGROUP_ROOTS}; do echo $$ > "$root/$cg/cgroup.procs"; done
stop=0; np=
trap 'stop=1; [ -n "$np" ] && kill -TERM $np 2>/dev/null' TERM INT
while :; do
  systemd-nspawn "$@" & np=$!
  echo $np > "$d/nspawn.pid"
  rc=0; wait $np || rc=$?
  while kill -0 $np 2>/dev/null; do rc=0; wait $np || rc=$?; done
  if [ $stop = 0 ] && [ $rc = 133 ]; then echo "=== tsplay launcher: reboot $(date +%T)"; continue; fi
  echo "=== tsplay launcher: nspawn exited rc=$rc"; break
done
`;

/** Live PIDs of a host: its launcher, nspawn and container PID 1 (each verified, or undefined). */
export interface HostPids {
  launcher?: number;
  nspawn?: number;
  leader?: number;
}

/** Find a host's live processes, each checked by command line against this lab's paths. */
export function hostPids(l: LabNames, i: number): HostPids {
  const h = hostNames(l, i);
  const lp = readPid(h.launcherPidFile);
  const np = readPid(h.nspawnPidFile);
  const launcher = isOurs(lp, l.launcherPath, `${h.dir} `) ? lp : undefined;
  const nspawn = isOurs(np, 'systemd-nspawn', `-D ${h.merged} `) ? np : undefined;
  const leader = nspawn ? containerLeader(nspawn) : undefined;
  return { launcher, nspawn, leader };
}

/** True when the host's launcher and nspawn are both running. */
export function hostAlive(l: LabNames, i: number): boolean {
  const p = hostPids(l, i);
  return p.launcher !== undefined && p.nspawn !== undefined;
}

/** Host numbers that have a directory under the lab's hosts/ dir. */
export function hostIndexes(l: LabNames): number[] {
  try {
    return readdirSync(l.hostsDir).map((n) => /^h(\d+)$/.exec(n)?.[1]).filter((x): x is string => !!x).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

const uuidOf = (s: string) => createHash('md5').update(s).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/** Everything bootHost needs to know about the lab. */
export interface BootSpec {
  l: LabNames;
  i: number;
  ip: string;
  cache: LabCache;
  etcHosts: string;
  authorizedKey: string;
}

/** Set up and start host `i` (netns, overlay, per-host files, cgroup, detached launcher). */
export async function bootHost(s: BootSpec): Promise<void> {
  const { l, i, cache } = s;
  const h = hostNames(l, i);
  for (const d of [h.upper, h.work, h.merged]) mkdirSync(d, { recursive: true });
  await createHostNet(h.netns, h.veth, l.bridge, s.ip);
  await must('mount', ['-t', 'overlay', `tsplay-${l.tag}-${h.host}`, '-o', `lowerdir=${cache.rootfs},upperdir=${h.upper},workdir=${h.work}`, h.merged], `mounting the overlay of ${h.host}`);
  writeFileSync(join(h.merged, 'etc/hostname'), `${h.host}\n`);
  writeFileSync(join(h.merged, 'etc/hosts'), s.etcHosts);
  mkdirSync(join(h.merged, 'root/.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(h.merged, 'root/.ssh/authorized_keys'), s.authorizedKey);
  chmodSync(join(h.merged, 'root/.ssh/authorized_keys'), 0o600);
  const cgRel = `${l.cgroup}/${h.host}`;
  const roots = cgroupRoots();
  for (const r of roots) mkdirSync(join(r, cgRel), { recursive: true });
  const args = [
    '--quiet', '--boot', '-D', h.merged, '-M', h.machine, `--hostname=${h.host}`, `--uuid=${uuidOf(`tsplay-lab:${l.name}:${h.host}`)}`,
    `--bind-ro=${cache.aptRepo}:${HOST_APT_REPO}`, `--bind-ro=${cache.rpmRepo}:${HOST_RPM_REPO}`,
    '--register=no', '--keep-unit', '--capability=CAP_NET_ADMIN', `--network-namespace-path=/run/netns/${h.netns}`,
    '--resolv-conf=off', '--link-journal=no', '--timezone=off', '--console=read-only',
  ];
  const log = openSync(h.consoleLog, 'a');
  const child = spawn('/bin/bash', [l.launcherPath, cgRel, h.dir, '--', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, SYSTEMD_NSPAWN_API_VFS_WRITABLE: 'network', TSPLAY_CGROUP_ROOTS: roots.join(' ') },
  });
  closeSync(log);
  if (!child.pid) throw new TsplayError(`lab: could not start the launcher of ${h.host}`);
  writeFileSync(h.launcherPidFile, `${child.pid}\n`);
  child.unref();
}

/** Last `n` lines of a host's console log. */
export function consoleTail(l: LabNames, i: number, n = 20): string {
  try {
    return readFileSync(hostNames(l, i).consoleLog, 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no console log)';
  }
}

/** Resolve when `ip:22` sends an SSH banner. */
function sshBanner(ip: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: ip, port: 22 });
    let buf = '';
    const done = (v: boolean) => { sock.destroy(); resolve(v); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('data', (d) => { buf += d.toString(); if (buf.includes('SSH-')) done(true); });
    sock.on('error', () => done(false));
    sock.on('close', () => resolve(false));
  });
}

/** Wait until host `i` answers ssh; throw the boot-failure error (console tail + log path) otherwise. */
export async function waitForSsh(l: LabNames, i: number, ip: string, timeoutMs = 120_000): Promise<void> {
  const h = hostNames(l, i);
  const t0 = Date.now();
  for (;;) {
    if (await sshBanner(ip, 2000)) return;
    const p = hostPids(l, i);
    const dead = p.launcher === undefined;
    if (dead || Date.now() - t0 > timeoutMs) {
      const why = dead ? 'its systemd-nspawn exited' : `no ssh answer within ${Math.round(timeoutMs / 1000)} s`;
      // keep the log where the failed host's cleanup will not delete it
      const kept = join(STATE_ROOT, '.logs', `${l.name}-${h.host}.console.log`);
      mkdirSync(dirname(kept), { recursive: true });
      try { copyFileSync(h.consoleLog, kept); } catch { /* no log */ }
      throw new TsplayError(`lab: host ${h.host} (${ip}) failed to boot: ${why}; last 20 console lines:\n${consoleTail(l, i)}\nfull log: ${kept}`);
    }
    await sleep(150);
  }
}

/** The host's public SSH host keys as "type base64" lines (read through its overlay). */
export function hostKeys(l: LabNames, i: number): string[] {
  const dir = join(hostNames(l, i).merged, 'etc/ssh');
  const out: string[] = [];
  for (const t of ['ed25519', 'ecdsa', 'rsa']) {
    try {
      const [type, key] = readFileSync(join(dir, `ssh_host_${t}_key.pub`), 'utf8').trim().split(/\s+/);
      if (type && key) out.push(`${type} ${key}`);
    } catch { /* that type not generated */ }
  }
  return out;
}

/** Ask every running host in `idx` to power off (SIGTERM to its launcher), then make sure all are gone. */
export async function stopHosts(l: LabNames, idx: number[], graceMs: number): Promise<void> {
  const pids = idx.map((i) => hostPids(l, i));
  for (const p of pids) if (p.launcher) signal(p.launcher, 'SIGTERM');
  if (graceMs > 0) await waitGone(pids.flatMap((p) => [p.launcher, p.nspawn].filter((x): x is number => !!x)), graceMs);
  for (const p of idx.map((i) => hostPids(l, i))) {
    if (p.nspawn) signal(p.nspawn, 'SIGKILL');
    if (p.launcher) signal(p.launcher, 'SIGKILL');
  }
  const roots = cgroupRoots();
  const left = await killCgroup(idx.flatMap((i) => roots.map((r) => join(r, l.cgroup, `h${i}`))));
  if (left.length) throw new TsplayError(`lab: processes ${left.join(' ')} of lab ${l.name} survived SIGKILL`);
}

/** Remove a stopped host's mounts, netns, veth, nspawn runtime dir, cgroup dirs and files. */
export async function cleanupHost(l: LabNames, i: number): Promise<void> {
  const h = hostNames(l, i);
  const left = await unmountUnder(h.dir);
  await deleteHostNet(h.netns, h.veth);
  rmSync(`/run/systemd/nspawn/propagate/${h.machine}`, { recursive: true, force: true });
  for (const r of cgroupRoots()) removeCgroupTree(join(r, l.cgroup, h.host));
  if (left.length) throw new TsplayError(`lab: cannot unmount ${left.join(', ')}`);
  if (existsSync(h.dir)) await run('rm', ['-rf', '--one-file-system', h.dir]);
}
