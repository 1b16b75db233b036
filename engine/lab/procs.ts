/**
 * Process checks for the lab: a PID counts as the lab's only when its command line proves it
 * (launcher script path, nspawn's -D directory) or it sits in the lab's own cgroup directory.
 */
import { readFileSync, readdirSync, existsSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './sh.ts';

/** The cgroup hierarchies the lab puts hosts in (hybrid v1+v2 or pure v2 layouts). */
export function cgroupRoots(): string[] {
  if (existsSync('/sys/fs/cgroup/unified')) return ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter((p) => existsSync(p));
  return ['/sys/fs/cgroup'];
}

/** Command line of a process (NUL-separated args joined by spaces), or undefined if gone. */
export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** Read a PID file; undefined when absent or garbage. */
export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive, not a zombie, and its command line contains every `needles` item. */
export function isOurs(pid: number | undefined, ...needles: string[]): pid is number {
  if (pid === undefined) return false;
  const c = cmdline(pid);
  if (!c) return false;
  try {
    if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return false;
  } catch { return false; }
  return needles.every((n) => c.includes(n));
}

/** Every PID in a cgroup directory and its descendants. */
export function cgroupPids(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l.trim()) out.push(Number(l));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch { /* vanished */ }
  };
  walk(dir);
  return [...new Set(out)];
}

/** Send `sig` to a PID, ignoring "no such process". */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* gone */ }
}

/** SIGKILL every process in the cgroup dirs (they are the lab's by construction) until none is left. */
export async function killCgroup(dirs: string[], timeoutMs = 10_000): Promise<number[]> {
  const t0 = Date.now();
  for (;;) {
    const pids = dirs.flatMap(cgroupPids);
    if (!pids.length) return [];
    if (Date.now() - t0 > timeoutMs) return pids;
    for (const p of pids) signal(p, 'SIGKILL');
    await sleep(100);
  }
}

/** rmdir a cgroup directory tree depth-first (cgroup dirs only go when empty). Returns true when gone. */
export function removeCgroupTree(dir: string): boolean {
  const walk = (d: string) => {
    try {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
      rmdirSync(d);
    } catch { /* busy or gone */ }
  };
  walk(dir);
  try { statSync(dir); return false; } catch { return true; }
}

/** Wait until none of `pids` is alive (or the timeout passes). */
export async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (pids.some((p) => cmdline(p) !== undefined) && Date.now() - t0 < timeoutMs) await sleep(100);
}

/** The PID (machine view) of PID 1 inside the container started by systemd-nspawn `nspawnPid`. */
export function containerLeader(nspawnPid: number): number | undefined {
  try {
    for (const t of readdirSync(`/proc/${nspawnPid}/task`)) {
      const kids = readFileSync(`/proc/${nspawnPid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const k of kids) {
        const st = readFileSync(`/proc/${k}/status`, 'utf8');
        const ns = /^NSpid:\s+(.*)$/m.exec(st)?.[1].trim().split(/\s+/);
        if (ns && ns.length > 1 && ns[ns.length - 1] === '1') return k;
      }
    }
  } catch { /* gone */ }
  return undefined;
}
