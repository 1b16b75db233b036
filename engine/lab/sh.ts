/**
 * Small process helpers for the lab: run a program (never a shell unless asked), collect its
 * output, and turn failures into one-line TsplayErrors.
 */
import { spawn } from 'node:child_process';
import { TsplayError } from '../types.ts';

/** Outcome of one program run. */
export interface RunOutput {
  rc: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOpts {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** Called with each complete output line (stdout and stderr) as it arrives. */
  onLine?: (line: string) => void;
}

/** Run `cmd args...`; resolves with rc/stdout/stderr (never rejects for a non-zero exit). */
export function run(cmd: string, args: string[], opts: RunOpts = {}): Promise<RunOutput> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    let pend = '';
    const feed = (s: string) => {
      if (!opts.onLine) return;
      pend += s;
      const lines = pend.split('\n');
      pend = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l);
    };
    child.stdout.on('data', (d: Buffer) => { const s = d.toString(); stdout += s; feed(s); });
    child.stderr.on('data', (d: Buffer) => { const s = d.toString(); stderr += s; feed(s); });
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ rc: 127, stdout, stderr: stderr + e.message });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ rc: code ?? (signal ? 128 + 9 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Run and throw a one-line TsplayError (with `what` and the last stderr line) on failure. */
export async function must(cmd: string, args: string[], what: string, opts: RunOpts = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.rc !== 0) {
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
    throw new TsplayError(`lab: ${what} failed (${cmd} exit ${r.rc}): ${tail}`);
  }
  return r.stdout;
}

/** `ip ARGS...`, ignoring failures (for teardown of things that may not exist). */
export async function ipQuiet(...args: string[]): Promise<boolean> {
  return (await run('ip', args)).rc === 0;
}

/** Sleep for `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
