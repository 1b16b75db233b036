/**
 * Reading variables: lazy rendering of template strings found in the variables (with cycle
 * detection and per-host scopes), vault and unsafe values, `obj.key` / `obj[key]` / slices on
 * plain data (own properties only), and the deep resolution of lists/dicts.
 */
import { UnsafeText, VaultText } from '../yaml.ts';
import { UndefinedVariableError } from '../types.ts';
import { type Ctx, makeCtx, NO_TEMPLATE, MAX_DEPTH, MAX_STEPS, VARS_SCOPE } from './context.ts';
import { ExprError, undefinedError } from './errors.ts';
import type { Node } from './parse.ts';
import { renderIn } from './render.ts';
import { OMIT, Undefined, asStr, hasOwn, isDict, objDesc, pyRepr, pyStr, setKey, toInt, typeName } from './values.ts';

let vaultDecryptor: ((v: VaultText) => string) | undefined;

/** Install the function that decrypts `!vault` values when a template reads them. */
export function setVaultDecryptor(fn: ((v: VaultText) => string) | undefined): void {
  vaultDecryptor = fn;
}

/** Decrypt a `!vault` value with the installed decryptor (ExprError when none is installed). */
export function revealVault(v: VaultText, name = 'value'): string {
  if (!vaultDecryptor) throw new ExprError(`cannot use vaulted variable '${name}': no vault password given`);
  return vaultDecryptor(v);
}

/** True when a string contains template markers (`{{`, `{%` or `{#`). */
export function hasMarkers(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

/** Throw the right error if `v` is Undefined; otherwise return it. */
export function need<T>(v: T, ctx: Ctx): Exclude<T, Undefined> {
  if (v instanceof Undefined) throw undefinedError(v.name, v.hint, ctx.src, ctx.opts.pos);
  return v as Exclude<T, Undefined>;
}

export function step(ctx: Ctx): void {
  if (++ctx.run.steps > MAX_STEPS) throw new ExprError(`template is too expensive to evaluate (more than ${MAX_STEPS} steps): "${ctx.src}"`, ctx.opts.pos);
}

/* ------------------------------------------------------------------ lazy variables */

/** The variables a child of `container` renders against. */
function scopeFor(container: unknown, ctx: Ctx): Record<string, unknown> {
  if (container !== null && typeof container === 'object') {
    const s = (container as any)[VARS_SCOPE] ?? ctx.run.scopeOf.get(container as object);
    if (s) return s;
  }
  return ctx.vars;
}

/** Render a template string found inside the variables (lazy, with cycle detection). */
function renderVarString(s: string, scope: Record<string, unknown>, ctx: Ctx, name: string): unknown {
  const stack = ctx.run.resolving;
  for (const r of stack) {
    if (r.src === s && r.vars === scope) {
      throw new ExprError(`recursive loop detected in template for '${r.name}' (in "${ctx.src}")`, ctx.opts.pos);
    }
  }
  if (stack.length >= MAX_DEPTH) throw new ExprError(`variables nested more than ${MAX_DEPTH} deep while templating '${name}'`, ctx.opts.pos);
  stack.push({ src: s, vars: scope, name });
  try {
    const sub: Ctx = makeCtx(scope, ctx.opts, s, ctx.run);
    return renderIn(s, sub);
  } finally {
    stack.pop();
  }
}

/**
 * Resolve one value read from the variables: vault, unsafe text, lazy template strings.
 * A variable whose template uses an undefined variable becomes Undefined (as in Ansible), so
 * `| default()` and `is defined` still work on it; any other use reports the inner variable.
 */
export function resolveLeaf(v: unknown, scope: Record<string, unknown>, ctx: Ctx, name: string): unknown {
  // Reading unsafe data (registered results, facts, !unsafe) taints the result (Ansible's AnsibleContext.unsafe).
  if (ctx.run.taint && (scope === NO_TEMPLATE || v instanceof UnsafeText || (v !== null && typeof v === 'object' && (v as any)[VARS_SCOPE] === NO_TEMPLATE))) ctx.run.taint.unsafe = true;
  if (typeof v === 'string') {
    if (scope === NO_TEMPLATE || !hasMarkers(v)) return v;
    try {
      return renderVarString(v, scope, ctx, name);
    } catch (e) {
      if (e instanceof UndefinedVariableError) return new Undefined(e.variable, `${e.message.replace(/ \(in "[^]*"\)$/, '')} (in variable '${name}')`);
      throw e;
    }
  }
  if (v instanceof UnsafeText) return v.text;
  if (v instanceof VaultText) {
    if (!vaultDecryptor) throw new ExprError(`cannot use vaulted variable '${name}': no vault password given`, ctx.opts.pos);
    return vaultDecryptor(v);
  }
  if (v === undefined) return null;
  return v;
}

/**
 * A container built by the evaluation (a literal, a filter's result): its strings are final,
 * but it may hold containers read from the variables (`[cfg]`), which still need resolving.
 */
function deepProduced(v: object, ctx: Ctx, depth: number): unknown {
  if (depth > 200) throw new ExprError('data nested too deep', ctx.opts.pos);
  let out: any = v;
  const fix = Array.isArray(v) ? v.keys() : Object.keys(v).values();
  for (const k of fix as Iterable<any>) {
    const x = (v as any)[k];
    if (x === null || typeof x !== 'object' || ctx.run.deep.get(x) === x) continue;
    const r = deep(x, ctx, depth + 1);
    if (r !== x) {
      if (out === v) out = Array.isArray(v) ? v.slice() : { ...v };
      if (Array.isArray(out)) out[k] = r;
      else setKey(out, k, r);
    }
  }
  if (out !== v) ctx.run.deep.set(out, out);
  return out;
}

/** Mark a container the evaluation built: its strings are final values, never templated again. */
export function produced<T>(v: T, ctx: Ctx): T {
  if (v !== null && typeof v === 'object') ctx.run.deep.set(v as object, v);
  return v;
}

function deepChild(x: unknown, scope: Record<string, unknown>, ctx: Ctx, depth: number): unknown {
  if (typeof x === 'string') return scope !== NO_TEMPLATE && hasMarkers(x) ? resolveLeaf(x, scope, ctx, '?') : x;
  if (x !== null && typeof x === 'object') {
    if (scope !== ctx.vars && !ctx.run.scopeOf.has(x)) ctx.run.scopeOf.set(x, scope);
    return deep(x, ctx, depth + 1);
  }
  return x === undefined ? null : x;
}

/** Resolve every template string inside a list/dict (memoized per evaluation). */
export function deep(v: unknown, ctx: Ctx, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? v : v === undefined ? null : v;
  if (v instanceof Undefined) return need(v, ctx);
  if (v instanceof UnsafeText || v instanceof VaultText) return resolveLeaf(v, ctx.vars, ctx, '?');
  if (!Array.isArray(v) && !isDict(v)) return v;
  // another host's variables (hostvars[h]) nested in what we walk are resolved on access instead
  const own = (v as any)[VARS_SCOPE];
  if (own === NO_TEMPLATE) return v;
  if (depth > 0 && own) return v;
  const memo = ctx.run.deep.get(v);
  if (memo !== undefined) return memo === v ? deepProduced(v, ctx, depth) : memo;
  if (depth > 200) throw new ExprError('data nested too deep', ctx.opts.pos);
  step(ctx);
  const scope = scopeFor(v, ctx);
  let out: any = v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = deepChild(v[i], scope, ctx, depth);
      if (r !== v[i]) {
        if (out === v) out = v.slice();
        out[i] = r;
      }
    }
  } else {
    for (const k of Object.keys(v)) {
      const r = deepChild((v as any)[k], scope, ctx, depth);
      if (r !== (v as any)[k]) {
        if (out === v) out = { ...v };
        setKey(out, k, r);
      }
    }
  }
  ctx.run.deep.set(v, out);
  if (out !== v) ctx.run.deep.set(out, out);
  return out;
}

/* ------------------------------------------------------------------ lookups */

/** The text of a variable path for messages: `foo.bar`, `groups['k8s-master'][0]`. */
export function pathText(n: Node): string {
  if (n.typename === 'Symbol') return n.value;
  if (n.typename === 'LookupVal') {
    const base = pathText(n.target);
    const v = n.val;
    if (v.typename === 'Literal' && typeof v.value === 'string' && /^[A-Za-z_]\w*$/.test(v.value)) return `${base}.${v.value}`;
    if (v.typename === 'Literal') return `${base}[${pyRepr(v.value)}]`;
    if (v.typename === 'Symbol') return `${base}[${v.value}]`;
    return `${base}[...]`;
  }
  return '(expression)';
}

/** Jinja's `obj.key` / `obj[key]` on plain values. Returns Undefined when missing. */
export function getItem(obj: unknown, key: unknown, ctx: Ctx, name: string): unknown {
  if (obj instanceof Undefined) return obj;
  if (obj instanceof UnsafeText) obj = obj.text;
  if (isDict(obj)) {
    const k = typeof key === 'string' ? key : typeof key === 'number' || typeof key === 'boolean' ? pyStr(key) : undefined;
    if (k === undefined || !hasOwn(obj, k)) return new Undefined(name, `${objDesc(obj)} has no attribute ${pyRepr(key)}`);
    const scope = scopeFor(obj, ctx);
    const child = obj[k];
    if (child !== null && typeof child === 'object' && scope !== ctx.vars && !ctx.run.scopeOf.has(child)) ctx.run.scopeOf.set(child, scope);
    return resolveLeaf(child, scope, ctx, name);
  }
  if (Array.isArray(obj) || typeof obj === 'string') {
    let i: number | undefined;
    if (typeof key === 'number' && Number.isInteger(key)) i = key;
    else if (typeof key === 'boolean') i = key ? 1 : 0;
    if (i === undefined) return new Undefined(name, `${objDesc(obj)} has no attribute ${pyRepr(key)}`);
    const len = Array.isArray(obj) ? obj.length : obj.length;
    const j = i < 0 ? len + i : i;
    if (j < 0 || j >= len) return new Undefined(name, `${typeName(obj)} object has no element ${i}`);
    if (typeof obj === 'string') return Array.from(obj)[j] ?? obj[j];
    const scope = scopeFor(obj, ctx);
    const child = obj[j];
    if (child !== null && typeof child === 'object' && scope !== ctx.vars && !ctx.run.scopeOf.has(child)) ctx.run.scopeOf.set(child, scope);
    return resolveLeaf(child, scope, ctx, name);
  }
  return new Undefined(name, `${objDesc(obj)} has no attribute ${pyRepr(key)}`);
}

export function sliceOf(obj: unknown, start: unknown, stop: unknown, stepv: unknown, ctx: Ctx): unknown {
  const s = asStr(obj);
  const arr: unknown[] = s !== undefined ? Array.from(s) : Array.isArray(obj) ? obj : (need(obj, ctx), null as any);
  if (!arr) throw new ExprError(`'${typeName(obj)}' object is not subscriptable`, ctx.opts.pos);
  const n = arr.length;
  const st = stepv === null ? 1 : toInt(stepv, 'slice step');
  if (st === 0) throw new ExprError('slice step cannot be zero', ctx.opts.pos);
  const norm = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    let i = toInt(v, 'slice index');
    if (i < 0) i += n;
    return Math.max(lo, Math.min(hi, i));
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, n);
    const b = norm(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(arr[i]);
  } else {
    const a = norm(start, n - 1, -1, n - 1);
    const b = norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(arr[i]);
  }
  if (s !== undefined) return out.join('');
  return out.map((x) => resolveLeaf(x, scopeFor(obj, ctx), ctx, '?'));
}

export function lookupVar(name: string, ctx: Ctx): unknown {
  for (let i = ctx.frames.length - 1; i >= 0; i--) {
    const f = ctx.frames[i];
    if (f.has(name)) return f.get(name);
  }
  const vars = ctx.vars;
  if (hasOwn(vars, name)) return resolveLeaf(vars[name], vars, ctx, name);
  switch (name) {
    case 'omit': return OMIT;
    case 'True': case 'true': return true;
    case 'False': case 'false': return false;
    case 'None': case 'none': return null;
    case 'vars': return vars;
  }
  return new Undefined(name, `'${name}' is undefined`);
}

