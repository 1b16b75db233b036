/**
 * Shared by command, shell, script and raw: the creates/removes guards (checked in the plan,
 * one round trip) and running a command line with Ansible's result shape
 * (rc, stdout, stderr, *_lines, start, end, delta).
 */
import type { ExecResult, ModuleContext, ModuleResult, Plan } from '../types.ts';
import { quote } from './quote.ts';
import { sh, lines } from './remote.ts';

/** Arguments shared by command, shell and script. */
export const COMMAND_GUARD_ARGS = {
  chdir: { type: 'path', description: 'Change into this directory before running the command.' },
  creates: { type: 'path', description: 'A filename or glob pattern. If it already exists, the command is not run.' },
  removes: { type: 'path', description: 'A filename or glob pattern. If it does not exist, the command is not run.' },
} as const;

/** stdin arguments of command and shell. */
export const COMMAND_STDIN_ARGS = {
  stdin: { type: 'str', description: 'Set the stdin of the command directly to this value.' },
  stdin_add_newline: { type: 'bool', default: true, description: 'Append a newline to the stdin data.' },
  strip_empty_ends: { type: 'bool', default: true, description: 'Strip empty lines from the end of stdout/stderr in the result.' },
} as const;

/** Return values of command-like modules, for `tsplay doc`. */
export const COMMAND_RETURNS = {
  cmd: 'The command executed by the task.',
  rc: 'The command return code (0 means success).',
  stdout: 'The command standard output.',
  stderr: 'The command standard error.',
  stdout_lines: 'The command standard output split in lines.',
  stderr_lines: 'The command standard error split in lines.',
  start: 'The command execution start time.',
  end: 'The command execution end time.',
  delta: 'The command execution delta time.',
  msg: 'changed',
};

/** Quote a path but keep glob characters (* ? [ ]) active. */
export function globQuote(p: string): string {
  return p.replace(/[^A-Za-z0-9_\/.,:@%+=*?\[\]-]/g, (c) => (c === '\n' ? "'\n'" : `\\${c}`));
}

interface Guards {
  chdir?: string;
  creates?: string;
  removes?: string;
}

/**
 * Plan a command: when `creates` exists or `removes` is missing, the command is not run
 * (ok, not changed); otherwise it would run (changed, skipped in check mode).
 */
export async function planGuarded(args: Guards, ctx: ModuleContext, cmd: unknown): Promise<Plan> {
  if (!args.creates && !args.removes) return { changed: true, skipInCheck: true };
  const cd = args.chdir ? `cd ${quote(args.chdir)} 2>/dev/null; ` : '';
  const exists = (p: string) => `(for f in ${globQuote(p)}; do [ -e "$f" ] && exit 0; done; exit 1)`;
  const script = [
    args.creates ? `${exists(args.creates)} && echo creates` : '',
    args.removes ? `${exists(args.removes)} || echo removes` : '',
  ].filter(Boolean).join('; ');
  const r = await sh(ctx, `${cd}${script}; true`);
  const out = r.stdout;
  const skip = (why: string): Plan => ({
    changed: false,
    msg: `Did not run command since '${why}'`,
    result: { cmd, rc: 0, stdout: `skipped, since ${why}`, stderr: '', stdout_lines: [`skipped, since ${why}`], stderr_lines: [] },
  });
  if (args.creates && out.includes('creates')) return skip(`${args.creates} exists`);
  if (args.removes && out.includes('removes')) return skip(`${args.removes} does not exist`);
  return { changed: true, skipInCheck: true };
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

function delta(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${p(ms % 1000, 3)}000`;
}

export interface RunOptions {
  chdir?: string;
  stdin?: string;
  stdinAddNewline?: boolean;
  stripEmptyEnds?: boolean;
}

/** Run `exec` and shape its outcome as Ansible's command result (failed on rc != 0). */
export async function timedResult(cmd: unknown, exec: () => Promise<ExecResult>, stripEmptyEnds = true): Promise<ModuleResult> {
  const started = new Date();
  const r = await exec();
  const ended = new Date();
  const strip = (s: string) => (stripEmptyEnds === false ? s : s.replace(/\n+$/, ''));
  const stdout = strip(r.stdout);
  const stderr = strip(r.stderr);
  const res: ModuleResult = {
    changed: true,
    cmd,
    rc: r.rc,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: stamp(started),
    end: stamp(ended),
    delta: delta(ended.getTime() - started.getTime()),
    msg: '',
  };
  if (r.rc !== 0) {
    res.failed = true;
    res.msg = 'non-zero return code';
  }
  return res;
}

/** Run a shell command line; the result has Ansible's command result keys, failed on rc != 0. */
export function runCommandLine(ctx: ModuleContext, line: string, cmd: unknown, opts: RunOptions = {}): Promise<ModuleResult> {
  const stdin = opts.stdin !== undefined ? opts.stdin + (opts.stdinAddNewline === false ? '' : '\n') : undefined;
  const full = opts.chdir ? `cd ${quote(opts.chdir)} || exit 1\n${line}` : line;
  return timedResult(cmd, () => sh(ctx, full, stdin !== undefined ? { stdin } : {}), opts.stripEmptyEnds);
}
