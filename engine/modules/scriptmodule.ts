/**
 * Script modules in any language (Ansible's contract): an executable `library/NAME` runs on the
 * target with ONE argument, the path of a JSON file holding the task's arguments, and prints a
 * JSON result (`changed`, `failed`, `msg`, ...) on stdout. Check mode runs the script with
 * `_ansible_check_mode: true` only when the file declares `supports_check_mode`; otherwise the
 * task is skipped in check mode, as Ansible does.
 */
import { readFileSync } from 'node:fs';
import type { ModuleDef, ModuleResult, ModuleContext } from '../types.ts';
import { runTransferred } from './transfer.ts';

/** A ModuleDef that accepts any arguments (script modules declare no schema). */
export interface OpenModuleDef extends ModuleDef {
  acceptAnyArgs: true;
}

/** Parse a script module's stdout into a result, Ansible-style. */
export function parseScriptResult(name: string, rc: number, stdout: string, stderr: string): ModuleResult {
  const text = stdout.trim();
  const start = text.indexOf('{');
  let parsed: unknown;
  if (start >= 0) {
    try {
      parsed = JSON.parse(text.slice(start));
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const why = stderr.trim() || text || `exit code ${rc}`;
    return { changed: false, failed: true, rc, stdout, stderr, msg: `module ${name} did not print a JSON result (rc=${rc}): ${why.split('\n').slice(-3).join(' ')}` };
  }
  const r = parsed as Record<string, unknown>;
  const res: ModuleResult = { ...r, changed: r.changed === true || r.changed === 'true' };
  if (r.failed === true || r.failed === 'true' || (rc !== 0 && r.failed === undefined)) {
    res.failed = true;
    if (res.msg === undefined) res.msg = `module ${name} failed (rc=${rc})`;
  } else delete res.failed;
  if (r.skipped === true) res.skipped = true;
  return res;
}

/** Wrap an executable file as a ModuleDef following Ansible's JSON-args contract. */
export function scriptModule(name: string, file: string): OpenModuleDef {
  const content = readFileSync(file);
  const supportsCheck = /supports_check_mode\s*[=:]\s*["']?(true|yes|True)/.test(content.toString('utf8'));
  async function run(args: Record<string, unknown>, ctx: ModuleContext, check: boolean): Promise<ModuleResult> {
    const json = JSON.stringify({ ...args, _ansible_check_mode: check, _ansible_diff: ctx.diff, _ansible_module_name: name });
    const r = await runTransferred(ctx, name, content, { files: { 'args.json': json }, argv: ['$DIR/args.json'] });
    return parseScriptResult(name, r.rc, r.stdout, r.stderr);
  }
  return {
    name,
    acceptAnyArgs: true,
    doc: {
      short: `script module ${file}`,
      description: 'An executable following Ansible\'s module contract (JSON args file, JSON result on stdout).',
      check: supportsCheck ? 'full' : 'none',
      diff: false,
    },
    args: {},
    async plan(args, ctx) {
      if (ctx.check && supportsCheck) {
        const res = await run(args, ctx, true);
        if (res.failed) return { changed: false, failed: true, msg: String(res.msg), result: res };
        return { changed: res.changed, result: res };
      }
      return { changed: true, skipInCheck: !supportsCheck };
    },
    async apply(args, _plan, ctx) {
      return run(args, ctx, false);
    },
  };
}
