/**
 * The lab's orchestration: up (idempotent, grows, clears stale leftovers), down, info, status,
 * and running a command inside a host without ssh (nsenter).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TsplayError, OptionsError } from '../types.ts';
import { cacheReady, ensureCache, type LabCache, type Progress } from './cache.ts';
import { etcHosts, inventoryText, knownHostsText, sshConfigText, writeAtomic, type HostEntry } from './files.ts';
import { LAUNCHER, bootHost, cleanupHost, hostAlive, hostIndexes, hostKeys, hostPids, stopHosts, waitForSsh } from './host.ts';
import { withLock } from './lock.ts';
import { unmountUnder } from './mounts.ts';
import { MAX_HOSTS, STATE_ROOT, bridgeIp, hostIp, hostNames, labNames, pickPrefix, vipIp, type LabNames } from './naming.ts';
import { deleteBridge, ensureBridge, linksWithPrefix, netnsWithPrefix, prefixesInUse } from './net.ts';
import { preflight } from './preflight.ts';
import { raiseLimits } from './limits.ts';
import { cgroupPids, cgroupRoots, removeCgroupTree } from './procs.ts';
import { must, run, sleep } from './sh.ts';

/** What is recorded in STATE_ROOT/NAME/lab.json. */
interface LabState {
  name: string;
  tag: string;
  prefix: string;
  subnet: string;
  vip: string;
  bridge: string;
  cacheDir: string;
  rootfs: string;
  aptRepo: string;
  rpmRepo: string;
}

/** One host of a running lab. */
export interface LabHost {
  name: string;
  ip: string;
  /** network namespace name (`ip netns exec NETNS ...`) */
  netns: string;
  /** PID (machine view) of the host's PID 1, for `nsenter -t PID -a`; 0 when not running */
  leaderPid: number;
  running: boolean;
}

/** Everything callers need to use a lab. */
export interface LabInfo {
  name: string;
  /** e.g. 198.19.37.0/24 */
  subnet: string;
  /** an address of the subnet reserved for a virtual IP */
  vip: string;
  /** machine-side bridge name (its address is .1 of the subnet) */
  bridge: string;
  inventoryPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  keyPath: string;
  hosts: LabHost[];
}

/** Options of {@link labUp}. */
export interface LabUpOptions {
  name?: string;
  hosts: number;
  onProgress?: Progress;
}

const lockPath = (name: string) => join(STATE_ROOT, '.locks', `${name}.lock`);

function readState(l: LabNames): LabState | undefined {
  try {
    return JSON.parse(readFileSync(l.stateFile, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Subnet prefixes recorded by every other lab. */
function otherLabsPrefixes(self: string): Set<string> {
  const out = new Set<string>();
  try {
    for (const n of readdirSync(STATE_ROOT)) {
      if (n === self || n.startsWith('.')) continue;
      try { out.add((JSON.parse(readFileSync(join(STATE_ROOT, n, 'lab.json'), 'utf8')) as LabState).prefix); } catch { /* not a lab */ }
    }
  } catch { /* none */ }
  return out;
}

/** Pick a subnet (under the machine-wide allocation lock) and record the new lab. */
async function createState(l: LabNames, cache: LabCache): Promise<LabState> {
  return withLock(join(STATE_ROOT, '.locks', 'alloc.lock'), async () => {
    const taken = otherLabsPrefixes(l.name);
    for (const p of await prefixesInUse()) taken.add(p);
    for (const n of readdirSync(STATE_ROOT)) {
      const other = readStateOf(n);
      if (other && other.name !== l.name && other.tag === l.tag) throw new TsplayError(`lab: names '${l.name}' and '${n}' hash to the same tag ${l.tag}; pick another name`);
    }
    const prefix = pickPrefix(l.name, taken);
    const st: LabState = {
      name: l.name, tag: l.tag, prefix, subnet: `${prefix}.0/24`, vip: vipIp(prefix), bridge: l.bridge,
      cacheDir: cache.dir, rootfs: cache.rootfs, aptRepo: cache.aptRepo, rpmRepo: cache.rpmRepo,
    };
    mkdirSync(l.hostsDir, { recursive: true });
    writeAtomic(l.stateFile, JSON.stringify(st, null, 2) + '\n');
    return st;
  });
}

function readStateOf(dirName: string): LabState | undefined {
  if (dirName.startsWith('.')) return undefined;
  try { return JSON.parse(readFileSync(join(STATE_ROOT, dirName, 'lab.json'), 'utf8')) as LabState; } catch { return undefined; }
}

/** Host numbers that exist in any form: host dirs, netns, veths, cgroup dirs. */
async function leftoverIndexes(l: LabNames): Promise<number[]> {
  const idx = new Set(hostIndexes(l));
  for (const n of await netnsWithPrefix(`tsp-${l.tag}-h`)) idx.add(Number(n.slice(`tsp-${l.tag}-h`.length)));
  for (const n of await linksWithPrefix(`tsv${l.tag}h`)) idx.add(Number(n.slice(`tsv${l.tag}h`.length)));
  for (const r of cgroupRoots()) {
    try { for (const n of readdirSync(join(r, l.cgroup))) if (/^h\d+$/.test(n)) idx.add(Number(n.slice(1))); } catch { /* none */ }
  }
  return [...idx].filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
}

/** Remove every trace of a lab (processes, mounts, netns, veths, bridge, cgroups, files). Returns leftovers. */
async function teardown(l: LabNames, graceMs: number, keepFiles = false): Promise<string[]> {
  const idx = await leftoverIndexes(l);
  await stopHosts(l, idx, graceMs);
  for (const i of idx) await cleanupHost(l, i);
  await deleteBridge(l.bridge);
  for (const r of cgroupRoots()) removeCgroupTree(join(r, l.cgroup));
  const stuck = await unmountUnder(l.dir);
  if (!keepFiles && !stuck.length && existsSync(l.dir)) await run('rm', ['-rf', '--one-file-system', l.dir]);
  return leftovers(l);
}

/** Anything of the lab still present on the machine (empty when clean). */
export async function leftovers(l: LabNames): Promise<string[]> {
  const out: string[] = [];
  for (const n of await netnsWithPrefix(`tsp-${l.tag}-`)) out.push(`netns ${n}`);
  for (const n of await linksWithPrefix(`tsv${l.tag}`)) out.push(`veth ${n}`);
  if (existsSync(`/sys/class/net/${l.bridge}`)) out.push(`bridge ${l.bridge}`);
  for (const r of cgroupRoots()) {
    const d = join(r, l.cgroup);
    if (existsSync(d)) out.push(`cgroup ${d}`);
    for (const p of cgroupPids(d)) out.push(`process ${p}`);
  }
  const { mountsUnder } = await import('./mounts.ts');
  for (const m of mountsUnder(l.dir)) out.push(`mount ${m}`);
  return out;
}

/**
 * Boot (or grow, or repair) lab `name` to at least `hosts` hosts h1..hN and return its info.
 * Idempotent: running hosts are kept; dead ones (stale leftovers) are cleared and booted again.
 */
export async function labUp(opts: LabUpOptions): Promise<LabInfo> {
  const name = opts.name ?? 'default';
  const progress = opts.onProgress ?? (() => undefined);
  const l = labNames(name);
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > MAX_HOSTS) throw new OptionsError(`lab: host count must be 1..${MAX_HOSTS}, got ${opts.hosts}`);
  preflight(!cacheReady());
  const cache = await ensureCache(progress);
  return withLock(lockPath(name), async () => {
    let st = readState(l);
    const alive = hostIndexes(l).filter((i) => hostAlive(l, i));
    if (!alive.length) {
      const idx = await leftoverIndexes(l);
      if (idx.length || existsSync(`/sys/class/net/${l.bridge}`)) progress(`clearing stale leftovers of lab ${name}`);
      const left = await teardown(l, 0, true);
      if (left.length) throw new TsplayError(`lab: cannot clear stale leftovers of lab ${name}: ${left.join(', ')}`);
      if (st && st.cacheDir !== cache.dir) st = undefined; // recipe changed: start from the new cache
    } else {
      for (const i of (await leftoverIndexes(l)).filter((i) => !alive.includes(i))) {
        progress(`clearing stale leftovers of ${name}/h${i}`);
        await stopHosts(l, [i], 0);
        await cleanupHost(l, i);
      }
    }
    if (!st) {
      rmSync(l.dir, { recursive: true, force: true });
      st = await createState(l, cache);
    }
    const useCache: LabCache = { ...cache, dir: st.cacheDir, rootfs: st.rootfs, aptRepo: st.aptRepo, rpmRepo: st.rpmRepo };
    if (!existsSync(l.keyPath)) await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `tsplay-lab-${name}`, '-f', l.keyPath], 'ssh-keygen');
    const pub = readFileSync(`${l.keyPath}.pub`, 'utf8');
    writeFileSync(l.launcherPath, LAUNCHER, { mode: 0o755 });
    for (const note of raiseLimits()) progress(note);
    await ensureBridge(l.bridge, bridgeIp(st.prefix));

    const n = Math.max(opts.hosts, ...alive);
    const all = Array.from({ length: n }, (_, k) => ({ name: `h${k + 1}`, ip: hostIp(st!.prefix, k + 1) }));
    const toBoot = all.map((_, k) => k + 1).filter((i) => !alive.includes(i));
    if (alive.length) progress(`lab ${name}: ${alive.length} host(s) already running${toBoot.length ? `, adding ${toBoot.map((i) => `h${i}`).join(' ')}` : ''}`);
    // refresh /etc/hosts of running hosts when the host list grew
    if (toBoot.length) for (const i of alive) writeFileSync(join(hostNames(l, i).merged, 'etc/hosts'), etcHosts(all, `h${i}`));
    const t0 = Date.now();
    if (toBoot.length) progress(`booting ${toBoot.map((i) => `h${i}`).join(' ')} in ${st.subnet}`);
    // set hosts up 8 at a time (netns, overlay, launcher), then wait for all of them together
    for (let k = 0; k < toBoot.length; k += 8) {
      await Promise.all(toBoot.slice(k, k + 8).map((i) =>
        bootHost({ l, i, ip: hostIp(st!.prefix, i), cache: useCache, etcHosts: etcHosts(all, `h${i}`), authorizedKey: pub })));
    }
    try {
      await Promise.all(toBoot.map((i) => waitForSsh(l, i, hostIp(st!.prefix, i))));
    } catch (e) {
      for (const i of toBoot) { await stopHosts(l, [i], 0).catch(() => undefined); await cleanupHost(l, i).catch(() => undefined); }
      if (!alive.length) await teardown(l, 0).catch(() => undefined);
      throw e;
    }
    if (toBoot.length) progress(`${toBoot.length} host(s) answered ssh in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const entries: HostEntry[] = all.map((h, k) => ({ ...h, keys: hostKeys(l, k + 1) }));
    const noKeys = entries.filter((e) => !e.keys.length);
    if (noKeys.length) throw new TsplayError(`lab: no SSH host keys found on ${noKeys.map((e) => e.name).join(', ')}`);
    writeAtomic(l.knownHostsPath, knownHostsText(entries));
    writeAtomic(l.sshConfigPath, sshConfigText(l, entries));
    writeAtomic(l.inventoryPath, inventoryText(l, entries, st.subnet, st.vip));
    // prove the files work: a real login with the lab key and strict host-key checking (3 tries: a busy machine is slow)
    await Promise.all(toBoot.map(async (i) => {
      let r = { rc: 1, stdout: '', stderr: '' };
      for (let attempt = 0; attempt < 3 && r.rc !== 0; attempt++) {
        if (attempt) await sleep(1000);
        r = await run('ssh', ['-F', l.sshConfigPath, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', `h${i}`, 'true'], { timeoutMs: 40_000 });
      }
      if (r.rc !== 0) throw new TsplayError(`lab: ssh to h${i} with the lab key and known_hosts failed: ${r.stderr.trim().split('\n').pop()}`);
    }));
    return info(l, st);
  }, (pid) => progress(`waiting for process ${pid}, which holds lab ${name}`));
}

function info(l: LabNames, st: LabState): LabInfo {
  return {
    name: l.name, subnet: st.subnet, vip: st.vip, bridge: st.bridge,
    inventoryPath: l.inventoryPath, knownHostsPath: l.knownHostsPath, sshConfigPath: l.sshConfigPath, keyPath: l.keyPath,
    hosts: hostIndexes(l).map((i) => {
      const h = hostNames(l, i);
      const p = hostPids(l, i);
      return { name: h.host, ip: hostIp(st.prefix, i), netns: h.netns, leaderPid: p.leader ?? 0, running: !!(p.launcher && p.nspawn && p.leader) };
    }),
  };
}

/** Info of an existing lab; throws when it has never been brought up. */
export function labInfo(name = 'default'): LabInfo {
  const l = labNames(name);
  const st = readState(l);
  if (!st) throw new TsplayError(`lab: no lab named '${name}' (run: tsplay lab up --name ${name})`);
  return info(l, st);
}

/** Take lab `name` down: power hosts off, remove everything it created. Returns false when it did not exist. */
export async function labDown(name = 'default', onProgress: Progress = () => undefined): Promise<boolean> {
  const l = labNames(name);
  preflight(false);
  return withLock(lockPath(name), async () => {
    const existed = existsSync(l.dir) || (await leftovers(l)).length > 0;
    if (!existed) return false;
    const n = hostIndexes(l).length;
    if (n) onProgress(`powering off ${n} host(s) of lab ${name}`);
    const left = await teardown(l, 20_000);
    if (left.length) throw new TsplayError(`lab: leftovers of lab ${name} after down: ${left.join(', ')}`);
    return true;
  });
}

/** Per-host state and memory of a lab. */
export interface LabHostStatus extends LabHost {
  /** proportional set size of all the host's processes, bytes */
  pssBytes: number;
  processes: number;
}

/** Sum of Pss over `pids` (bytes). */
export function pssOf(pids: number[]): number {
  let kb = 0;
  for (const p of pids) {
    try { kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return kb * 1024;
}

/** Hosts of a lab with running state and memory (PSS of every process in the host's cgroup). */
export function labStatus(name = 'default'): { info: LabInfo; hosts: LabHostStatus[] } {
  const l = labNames(name);
  const i0 = labInfo(name);
  const unified = cgroupRoots().slice(-1)[0];
  const hosts = i0.hosts.map((h) => {
    const pids = cgroupPids(join(unified, l.cgroup, h.name));
    return { ...h, pssBytes: pssOf(pids), processes: pids.length };
  });
  return { info: i0, hosts };
}

/** Names of every lab with recorded state on this machine. */
export function labNamesOnMachine(): string[] {
  try { return readdirSync(STATE_ROOT).filter((n) => readStateOf(n)); } catch { return []; }
}

/**
 * Run a /bin/sh command line inside a lab host without ssh (nsenter into all its namespaces).
 * For tests that inject faults (stop sshd, take a link down). Never rejects for a non-zero rc.
 */
export async function labExec(name: string, host: string, command: string, opts: { timeoutMs?: number; input?: string } = {}) {
  const h = labInfo(name).hosts.find((x) => x.name === host);
  if (!h) throw new TsplayError(`lab: no host ${host} in lab ${name}`);
  if (!h.leaderPid) throw new TsplayError(`lab: host ${host} of lab ${name} is not running`);
  return run('nsenter', ['-t', String(h.leaderPid), '-a', '--', '/usr/bin/env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LC_ALL=C', '/bin/sh', '-c', command], opts);
}

