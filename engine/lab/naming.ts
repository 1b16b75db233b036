/**
 * Everything derived from a lab's name: paths, interface names (<= 15 chars), netns names,
 * cgroup dirs, and the /24 subnet inside 198.18.0.0/15 (never 198.18.0.0/24, which the shared
 * recipe uses for quick experiments). Pure functions, unit-testable.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { OptionsError } from '../types.ts';

/** Root of all per-lab state (one directory per lab name). */
export const STATE_ROOT = process.env.TSPLAY_LAB_STATE ?? '/var/lib/tsplay/lab';
/** Machine-wide cache (rootfs, offline repos), one subdirectory per recipe version. */
export const CACHE_ROOT = process.env.TSPLAY_LAB_CACHE ?? '/var/cache/tsplay';
/** Most hosts one lab can hold (addresses .11 .. .210; .250 is the VIP). */
export const MAX_HOSTS = 200;

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Throw an OptionsError unless `name` is a valid lab name. */
export function checkLabName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new OptionsError(`lab: invalid lab name '${name}' (use 1-32 chars: a-z 0-9 _ -, starting with a letter or digit)`);
  }
}

/** 7 hex chars of sha256(name): the short id used in interface names. */
export function labTag(name: string): string {
  return createHash('sha256').update(`tsplay-lab:${name}`).digest('hex').slice(0, 7);
}

/** Names and paths of one lab. */
export interface LabNames {
  name: string;
  tag: string;
  dir: string;
  stateFile: string;
  hostsDir: string;
  keyPath: string;
  inventoryPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  launcherPath: string;
  bridge: string;
  /** cgroup directory name (same in the name=systemd and unified hierarchies). */
  cgroup: string;
}

/** Derive every name and path of lab `name`. */
export function labNames(name: string): LabNames {
  checkLabName(name);
  const tag = labTag(name);
  const dir = join(STATE_ROOT, name);
  return {
    name,
    tag,
    dir,
    stateFile: join(dir, 'lab.json'),
    hostsDir: join(dir, 'hosts'),
    keyPath: join(dir, 'id_ed25519'),
    inventoryPath: join(dir, 'inventory.ini'),
    knownHostsPath: join(dir, 'known_hosts'),
    sshConfigPath: join(dir, 'ssh_config'),
    launcherPath: join(dir, 'launch.sh'),
    bridge: `tsb${tag}`,
    cgroup: `tsplay-lab-${name}`,
  };
}

/** Names of host number `i` (1-based) of a lab. */
export function hostNames(l: LabNames, i: number) {
  const host = `h${i}`;
  const dir = join(l.hostsDir, host);
  return {
    host,
    dir,
    netns: `tsp-${l.tag}-${host}`,
    /** machine-side end of the veth pair (the host side is eth0 inside the netns) */
    veth: `tsv${l.tag}${host}`,
    /** systemd-nspawn machine name: unique machine-wide (nspawn keeps /run state per name) */
    machine: `tsplay-${l.tag}-${host}`,
    merged: join(dir, 'merged'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    consoleLog: join(dir, 'console.log'),
    launcherPidFile: join(dir, 'launcher.pid'),
    nspawnPidFile: join(dir, 'nspawn.pid'),
  };
}

/** All /24 prefixes a lab may use, as "A.B.C": 198.18.1 .. 198.18.255, 198.19.0 .. 198.19.254. */
export function candidatePrefixes(): string[] {
  const out: string[] = [];
  for (let c = 1; c <= 255; c++) out.push(`198.18.${c}`);
  for (let c = 0; c <= 254; c++) out.push(`198.19.${c}`);
  return out;
}

/**
 * Pick the /24 prefix for `name`: hash the name to a start index, then probe forward past
 * prefixes in `taken` (other labs' recorded subnets, addresses already on the machine).
 */
export function pickPrefix(name: string, taken: Set<string>): string {
  const all = candidatePrefixes();
  const start = parseInt(createHash('sha256').update(`subnet:${name}`).digest('hex').slice(0, 8), 16) % all.length;
  for (let k = 0; k < all.length; k++) {
    const p = all[(start + k) % all.length];
    if (!taken.has(p)) return p;
  }
  throw new OptionsError('lab: no free /24 left in 198.18.0.0/15 (take some labs down)');
}

/** Address of host `i` in a lab prefix (h1 = .11). */
export const hostIp = (prefix: string, i: number) => `${prefix}.${10 + i}`;
/** The bridge (machine-side) address of a lab. */
export const bridgeIp = (prefix: string) => `${prefix}.1`;
/** The address reserved for a virtual IP (keepalived and such). */
export const vipIp = (prefix: string) => `${prefix}.250`;
