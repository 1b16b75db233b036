/**
 * A machine-wide lock file: created with O_EXCL and holding "PID STARTTIME". A lock whose
 * process is gone (or whose PID was reused: start time differs) is stale and taken over.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { TsplayError } from '../types.ts';
import { sleep } from './sh.ts';

/** Start time (clock ticks since boot) of a process, or undefined when it does not exist. */
export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" of the command name; starttime is field 22 (index 19 after it)
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function holder(path: string): { pid: number; start: string } | undefined {
  try {
    const [pid, start] = readFileSync(path, 'utf8').trim().split(/\s+/);
    return { pid: Number(pid), start };
  } catch {
    return undefined;
  }
}

/**
 * Run `fn` while holding the lock file `path`. Waits (calling `onWait` once) while another live
 * process holds it, up to `timeoutMs`.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, onWait?: (pid: number) => void, timeoutMs = 15 * 60_000): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const me = `${process.pid} ${procStartTime(process.pid)}\n`;
  const t0 = Date.now();
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const h = holder(path);
      if (h === undefined) { await sleep(100); continue; } // being written right now
      const alive = !Number.isNaN(h.pid) && procStartTime(h.pid) === h.start;
      if (!alive) {
        // re-read right before removing, so a lock taken over meanwhile by a live process stays
        const again = holder(path);
        if (again && again.pid === h.pid && again.start === h.start) {
          try { unlinkSync(path); } catch { /* someone else took it over */ }
        }
        continue;
      }
      if (!told) { onWait?.(h.pid); told = true; }
      if (Date.now() - t0 > timeoutMs) throw new TsplayError(`lab: timed out waiting for lock ${path} held by pid ${h.pid}`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(path, 'utf8') === me) unlinkSync(path);
    } catch { /* already gone */ }
  }
}
