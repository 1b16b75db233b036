/**
 * Run one engine as a child process and measure it: wall time (monotonic clock around the
 * child) and peak RSS — GNU time's %M (the `time` package, /usr/bin/time -v family), i.e. the
 * largest resident set of any single process of the child's tree (for tsplay: the one node
 * process; for ansible-playbook: its biggest worker or the controller process).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
