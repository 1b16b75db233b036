/**
 * Running commands on the target for a module: every call passes the task's become and
 * environment, so modules cannot forget them.
 */
import type { ExecOptions, ExecResult, ModuleContext } from '../types.ts';
import { fail } from './failure.ts';

/**
 * Run a /bin/sh command line on the task's host with the task's become and environment.
 * (-vvv echoes it through the connection pool's onCommand hook, like every command sent.)
 */
export function sh(ctx: ModuleContext, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return ctx.conn.exec(command, { become: ctx.become, env: ctx.env, ...opts });
}

/** Like `sh`, but a non-zero rc fails the task with `what: stderr` (and rc/stdout/stderr). */
export async function mustSh(ctx: ModuleContext, command: string, what: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await sh(ctx, command, opts);
  if (r.rc !== 0) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ');
    fail(`${what}: ${detail || `exit code ${r.rc}`}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
  return r;
}

/** Split command output into lines the way Ansible's stdout_lines does. */
export function lines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}
