/**
 * Run one engine as a child process and measure it: wall time (monotonic clock around the
 * child) and peak RSS — GNU time's %M (the `time` package, /usr/bin/time -v family), i.e. the
 * largest resident set of any single process of the child's tree (for tsplay: the one node
 * process; for ansible-playbook: its biggest worker or the controller process). tsplay's figure
 * is then raised to its connection keeper's peak (keeperPeakKb) when that is larger.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A measured child run. */
export interface Measured {
  wallMs: number;
  /** peak RSS in KiB (GNU time %M) */
  rssKb: number;
  code: number;
  /** last 4 KB of stdout+stderr, for error messages */
  tail: string;
}

export const GNU_TIME = '/usr/bin/time';

/** True when GNU time is installed. */
export function haveGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Run `cmd args` with `env` added, measured. Never rejects for a non-zero exit. */
export function measured(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-bench-time-'));
  const out = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(GNU_TIME, ['-f', '%M', '-o', out, cmd, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString('utf8')).slice(-4096);
    };
    c.stdout.on('data', keep);
    c.stderr.on('data', keep);
    c.on('error', reject);
    c.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKb = 0;
      try {
        const lines = readFileSync(out, 'utf8').trim().split('\n');
        rssKb = Number(lines[lines.length - 1]) || 0;
      } catch { /* no figure */ }
      rmSync(dir, { recursive: true, force: true });
      resolve({ wallMs, rssKb, code: code ?? 1, tail });
    });
  });
}

/**
 * The connection keepers tsplay left running under `tsplayHome` (pids from $TSPLAY_HOME/cp/*.pid):
 * tsplay keeps its ssh connections in a detached keeper process between runs (like Ansible's
 * ControlPersist master processes), outside the process tree GNU time measures.
 */
export function keeperPids(tsplayHome: string): number[] {
  const dir = join(tsplayHome, 'cp');
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.pid')) continue;
    try {
      const pid = Number(readFileSync(join(dir, f), 'utf8').trim());
      if (pid > 1) pids.push(pid);
    } catch { /* gone meanwhile */ }
  }
  return pids;
}

/** The largest peak RSS (VmHWM, KiB) of the keepers running under `tsplayHome` (0 when none). */
export function keeperPeakKb(tsplayHome: string): number {
  let max = 0;
  for (const pid of keeperPids(tsplayHome)) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) max = Math.max(max, Number(m[1]));
    } catch { /* exited */ }
  }
  return max;
}

/** Stop the keepers running under `tsplayHome` (only those pids; waits up to 3 s for them to exit). */
export async function stopKeepers(tsplayHome: string): Promise<void> {
  const pids = keeperPids(tsplayHome);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch { /* already gone */ }
  }
  for (let i = 0; i < 30 && pids.some(isRunning); i++) await new Promise((r) => setTimeout(r, 100));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
