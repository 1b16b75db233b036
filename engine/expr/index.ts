/**
 * tsplay's expressions and `{{ }}` strings (Ansible/Jinja syntax), parsed by the nunjucks
 * parser and evaluated by our own safe interpreter (evaluator.ts). This is the API the
 * executor and modules call.
 */
import { UnsafeText } from '../yaml.ts';
import { TsplayError } from '../types.ts';
import { type Ctx, type ExprOptions, makeCtx, newRun, withTaintSink } from './context.ts';
import { ExprError } from './errors.ts';
import { applyFilter, applyTest, ev, hasMarkers, need, deep, renderIn } from './evaluator.ts';
import { parseExpression, shortSrc } from './parse.ts';
import { isDict, truthy, asStr, OMIT, setKey } from './values.ts';
import './filters/index.ts';
import './tests.ts';
import './lookups.ts';

export type { ExprOptions } from './context.ts';
export { VARS_SCOPE, markUnsafe } from './context.ts';
export { OMIT, isOmit, Undefined } from './values.ts';
export { ExprError } from './errors.ts';
export { setVaultDecryptor, revealVault } from './evaluator.ts';
export { registerFilter, registerTest, filters as filterRegistry, tests as testRegistry } from './registry.ts';
export { pyStr, pyEq, pyCmp, truthy } from './values.ts';

function mkCtx(vars: Record<string, unknown>, opts: ExprOptions | undefined, src: string): Ctx {
  return makeCtx(vars ?? {}, opts ?? {}, src, newRun());
}

/** Convert anything unexpected into a TsplayError (flagged `internal` so tests can catch bugs). */
function fail(e: unknown, src: string, opts?: ExprOptions): never {
  if (e instanceof TsplayError) {
    if (!e.pos && opts?.pos) (e as any).pos = opts.pos;
    throw e;
  }
  const x = new ExprError(`error while templating "${shortSrc(src)}": ${(e as any)?.message ?? e}`, opts?.pos);
  x.internal = !(e instanceof RangeError); // RangeError: stack overflow / invalid length on huge input
  throw x;
}

/**
 * Run `fn` (synchronous templating calls) and report whether any of them read unsafe data
 * (registered results, facts, `!unsafe` values), as Ansible's templar marks such results
 * unsafe (set_fact keeps them from being templated again).
 */
export function trackUnsafe<T>(fn: () => T): { value: T; unsafe: boolean } {
  const sink = { unsafe: false };
  const value = withTaintSink(sink, fn);
  return { value, unsafe: sink.unsafe };
}

/** True when `s` is a string containing `{{`, `{%` or `{#`. */
export function isTemplated(s: unknown): boolean {
  return typeof s === 'string' && hasMarkers(s);
}

/** Evaluate a bare expression (`when:`, `failed_when`, `that:` items, `until`). */
export function evaluate(expr: string, vars: Record<string, unknown>, opts?: ExprOptions): unknown {
  try {
    const node = parseExpression(String(expr), opts?.pos);
    const ctx = mkCtx(vars, opts, expr);
    const v = need(ev(node, ctx), ctx);
    return v === OMIT ? v : deep(v, ctx);
  } catch (e) {
    fail(e, String(expr), opts);
  }
}

/**
 * Truthiness of a condition: booleans as-is, strings evaluated as expressions. A condition
 * written as `{{ x }}` is rendered first and its result evaluated, as Ansible does. A list of
 * conditions is true when all are.
 */
export function evalCondition(cond: unknown, vars: Record<string, unknown>, opts?: ExprOptions): boolean {
  if (typeof cond === 'boolean') return cond;
  if (cond === null || cond === undefined) return true;
  if (typeof cond === 'number') return cond !== 0;
  if (Array.isArray(cond)) return cond.every((c) => evalCondition(c, vars, opts));
  const s = asStr(cond);
  if (s === undefined) return truthy(cond);
  const t = s.trim();
  if (t === '') return true;
  if (hasMarkers(t)) {
    const r = renderString(t, vars, opts);
    if (typeof r !== 'string') return truthy(r);
    if (r.trim() === '') return false;
    return truthy(evaluate(r.trim(), vars, opts));
  }
  return truthy(evaluate(t, vars, opts));
}

/**
 * Render a string with `{{ }}` / `{% %}`. A string that is exactly one `{{ expr }}` returns the
 * native value (list, dict, number, bool, null, OMIT). Other strings return strings. Strings
 * without template markers are returned unchanged (no parse).
 */
export function renderString(s: string, vars: Record<string, unknown>, opts?: ExprOptions): unknown {
  if (typeof s !== 'string' || !hasMarkers(s)) return s;
  try {
    return renderIn(s, mkCtx(vars, opts, s));
  } catch (e) {
    fail(e, s, opts);
  }
}

/** Recursively template a value (dicts, lists, strings; dict keys too). UnsafeText stays as it is. */
export function templateValue(v: unknown, vars: Record<string, unknown>, opts?: ExprOptions): unknown {
  if (typeof v === 'string') return hasMarkers(v) ? renderString(v, vars, opts) : v;
  if (v instanceof UnsafeText) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const r = templateValue(v[i], vars, opts);
      if (r !== v[i]) (out ??= v.slice())[i] = r;
    }
    return out ?? v;
  }
  if (isDict(v)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(v)) {
      const nk = hasMarkers(k) ? String(renderString(k, vars, opts)) : k;
      const r = templateValue(v[k], vars, opts);
      if (nk !== k || r !== v[k]) {
        if (!out) {
          out = {};
          for (const k2 of Object.keys(v)) {
            if (k2 === k) break;
            setKey(out, k2, v[k2]);
          }
        }
      }
      if (out) setKey(out, nk, r);
    }
    return out ?? v;
  }
  return v;
}

/**
 * Evaluate an expression with extra local names on top of `vars` (used by the handlebars `x`
 * helper for `this`, `item`, `index`, `key`).
 */
export function evaluateWith(expr: string, vars: Record<string, unknown>, locals: Record<string, unknown>, opts?: ExprOptions): unknown {
  try {
    const node = parseExpression(String(expr), opts?.pos);
    const ctx = mkCtx(vars, opts, expr);
    ctx.frames.push(new Map(Object.entries(locals)));
    const v = need(ev(node, ctx), ctx);
    return v === OMIT ? v : deep(v, ctx);
  } catch (e) {
    fail(e, String(expr), opts);
  }
}

/** Apply a filter outside an expression (handlebars helpers). `input` undefined means Undefined. */
export function callFilter(name: string, input: unknown, args: unknown[], kw: Record<string, unknown>, vars: Record<string, unknown>, opts?: ExprOptions): unknown {
  try {
    const ctx = mkCtx(vars, opts, name);
    return need(applyFilter(name, input, args, kw, ctx), ctx);
  } catch (e) {
    fail(e, name, opts);
  }
}

/** Apply a test outside an expression (handlebars helpers). */
export function callTest(name: string, input: unknown, args: unknown[], kw: Record<string, unknown>, vars: Record<string, unknown>, opts?: ExprOptions): boolean {
  try {
    return applyTest(name, input, args, kw, mkCtx(vars, opts, name));
  } catch (e) {
    fail(e, name, opts);
  }
}
