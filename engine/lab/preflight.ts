/**
 * Checks before the lab touches the machine: Linux, root, the programs it needs (with the
 * exact apt-get line to install them), and the Debian mirror the rootfs is built from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TsplayError } from '../types.ts';

/** Programs the lab runs, and the Debian package that ships each. */
const TOOLS: [string, string][] = [
  ['systemd-nspawn', 'systemd-container'],
  ['ip', 'iproute2'],
  ['nsenter', 'util-linux'],
  ['ssh', 'openssh-client'],
  ['ssh-keygen', 'openssh-client'],
  ['tar', 'tar'],
];
/** Needed only to build the cache (rootfs and repositories). */
const BUILD_TOOLS: [string, string][] = [
  ['debootstrap', 'debootstrap'],
  ['apt-ftparchive', 'apt-utils'],
  ['rpmbuild', 'rpm'],
  ['createrepo_c', 'createrepo-c'],
];

function onPath(cmd: string): boolean {
  for (const d of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    if (existsSync(join(d, cmd))) return true;
  }
  return false;
}

/** Throw a one-line error unless this is Linux, we are root, and the run-time tools exist. */
export function preflight(needBuild: boolean): void {
  if (process.platform !== 'linux') throw new TsplayError(`lab: needs Linux (systemd-nspawn, network namespaces); this is ${process.platform}`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new TsplayError('lab: must run as root (it creates network namespaces, bridges, mounts and containers); try: sudo tsplay lab ...');
  }
  if (!existsSync('/sys/fs/cgroup/unified') && !existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    throw new TsplayError('lab: no cgroup hierarchy found under /sys/fs/cgroup');
  }
  const tools = needBuild ? TOOLS.concat(BUILD_TOOLS) : TOOLS;
  const missing = tools.filter(([cmd]) => !onPath(cmd));
  if (missing.length) {
    const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
    throw new TsplayError(`lab: missing ${missing.map(([c]) => c).join(', ')}; install with: apt-get install -y ${pkgs}`);
  }
}

/** The machine's configured Debian mirror: TSPLAY_LAB_MIRROR, else the first deb822 `URIs:`, else sources.list. */
export function debianMirror(): string {
  if (process.env.TSPLAY_LAB_MIRROR) return process.env.TSPLAY_LAB_MIRROR;
  try {
    const m = /^URIs:\s*(\S+)/m.exec(readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8'));
    if (m) return m[1];
  } catch { /* not deb822 */ }
  try {
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(readFileSync('/etc/apt/sources.list', 'utf8'));
    if (m) return m[1];
  } catch { /* none */ }
  throw new TsplayError('lab: no Debian mirror configured (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list); set TSPLAY_LAB_MIRROR=URL');
}

/** The Debian suite of the lab hosts: TSPLAY_LAB_SUITE, else bookworm (the recipe is written for it). */
export function debianSuite(): string {
  return process.env.TSPLAY_LAB_SUITE ?? 'bookworm';
}

/** Throw a one-line error unless `${mirror}/dists/${suite}/Release` answers within 15 s. */
export async function checkMirror(mirror: string, suite: string): Promise<void> {
  const url = `${mirror.replace(/\/$/, '')}/dists/${suite}/Release`;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    throw new TsplayError(`lab: Debian mirror unreachable: ${url}: ${(e as Error).message} (set TSPLAY_LAB_MIRROR to a reachable mirror)`);
  }
}
