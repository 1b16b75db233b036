/**
 * The safe tree-walking interpreter for nunjucks ASTs with Python/Jinja semantics.
 * No JavaScript eval, no nunjucks compiler; attribute access reads own properties of plain
 * dicts/lists/strings only, so prototypes (`__proto__`, `constructor`) are unreachable.
 */
import { UnsafeText, VaultText } from '../yaml.ts';
import { ParseError, TsplayError, UndefinedVariableError } from '../types.ts';
import { type Ctx, makeCtx, NO_TEMPLATE, MAX_DEPTH, MAX_STEPS, MAX_STRING, VARS_SCOPE } from './context.ts';
import { ExprError, undefinedError } from './errors.ts';
import { callMethod } from './methods.ts';
import { parseExpression, parseTemplate, type Node } from './parse.ts';
import { bareName, type CallCtx, filters, lookups, tests } from './registry.ts';
import {
  OMIT, Undefined, asStr, setKey, hasOwn, isDict, objDesc, pyCmp, pyEq, pyIn, pyIter, pyRepr, pyStr, toInt, truthy, typeName,
} from './values.ts';
import { percentFormat } from './format.ts';

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

function step(ctx: Ctx): void {
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

function sliceOf(obj: unknown, start: unknown, stop: unknown, stepv: unknown, ctx: Ctx): unknown {
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

function lookupVar(name: string, ctx: Ctx): unknown {
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

/* ------------------------------------------------------------------ calls */

/** The CallCtx given to filters/tests/lookups (a class: no closures on the hot path). */
class Calls implements CallCtx {
  constructor(public readonly ctx: Ctx) {}
  filter(name: string, input: unknown, args: unknown[] = [], kw: Record<string, unknown> = {}): unknown {
    return applyFilter(name, input, args, kw, this.ctx);
  }
  test(name: string, input: unknown, args: unknown[] = [], kw: Record<string, unknown> = {}): boolean {
    return applyTest(name, input, args, kw, this.ctx);
  }
  item(obj: unknown, key: unknown): unknown {
    return getItem(obj, key, this.ctx, pyStr(key));
  }
  attr(obj: unknown, path: string | number): unknown {
    if (typeof path === 'string' && !path.includes('.') && (isDict(obj) || !/^-?\d+$/.test(path))) return getItem(obj, path, this.ctx, path);
    let cur = obj;
    const parts = typeof path === 'number' ? [path] : String(path).split('.');
    for (const p of parts) {
      const k = typeof p === 'string' && /^-?\d+$/.test(p) && !isDict(cur) ? parseInt(p, 10) : p;
      cur = getItem(cur, k, this.ctx, String(path));
      if (cur instanceof Undefined) return cur;
    }
    return cur;
  }
}

function callCtx(ctx: Ctx): CallCtx {
  return (ctx.calls ??= new Calls(ctx));
}

/** Apply a filter by name (collection prefixes accepted). */
export function applyFilter(name: string, input: unknown, args: unknown[], kw: Record<string, unknown>, ctx: Ctx): unknown {
  const def = filters.get(name) ?? filters.get(bareName(name));
  if (!def) throw new ExprError(`no filter named '${name}' (in "${ctx.src}")`, ctx.opts.pos);
  if (!def.undefinedOk) input = deep(need(input, ctx), ctx);
  try {
    const out = def.fn(input, args, kw, callCtx(ctx));
    return out !== input ? produced(out, ctx) : out;
  } catch (e) {
    throw located(e, ctx, `filter '${name}'`);
  }
}

/** Apply a test by name (collection prefixes accepted). */
export function applyTest(name: string, input: unknown, args: unknown[], kw: Record<string, unknown>, ctx: Ctx): boolean {
  const def = tests.get(name) ?? tests.get(bareName(name));
  if (!def) throw new ExprError(`no test named '${name}' (in "${ctx.src}")`, ctx.opts.pos);
  if (!def.undefinedOk) input = deep(need(input, ctx), ctx);
  try {
    return def.fn(input, args, kw, callCtx(ctx));
  } catch (e) {
    throw located(e, ctx, `test '${name}'`);
  }
}

/** Give an error from a filter/test the position and expression; wrap unexpected JS errors. */
function located(e: unknown, ctx: Ctx, what: string): TsplayError {
  if (e instanceof TsplayError) {
    if (!e.pos && ctx.opts.pos) {
      const msg = e.message.includes('(in "') ? e.message : `${e.message} (in "${ctx.src}")`;
      const c = e instanceof ExprError ? new ExprError(msg, ctx.opts.pos) : e;
      if (c !== e) return c;
    }
    return e;
  }
  const x = new ExprError(`${what} failed: ${(e as any)?.message ?? e} (in "${ctx.src}")`, ctx.opts.pos);
  x.internal = !(e instanceof RangeError || e instanceof SyntaxError);
  return x;
}

function evalArgs(nodes: Node[], ctx: Ctx, allowUndefined = false): { args: unknown[]; kw: Record<string, unknown> } {
  const args: unknown[] = [];
  const kw: Record<string, unknown> = Object.create(null);
  for (const a of nodes) {
    if (a.typename === 'KeywordArgs') {
      for (const p of a.children) {
        const v = ev(p.value, ctx);
        kw[p.key.value] = allowUndefined && v instanceof Undefined ? v : deep(need(v, ctx), ctx);
      }
    } else {
      const v = ev(a, ctx);
      args.push(allowUndefined && v instanceof Undefined ? v : deep(need(v, ctx), ctx));
    }
  }
  return { args, kw };
}

/** The name of a test on the right of `is`. */
function testName(n: Node): string | undefined {
  if (n.typename === 'Symbol') return n.value;
  if (n.typename === 'Literal') return n.value === null ? 'none' : n.value === true ? 'true' : n.value === false ? 'false' : undefined;
  if (n.typename === 'LookupVal') {
    const base = testName(n.target);
    return base && n.val.typename === 'Literal' ? `${base}.${n.val.value}` : undefined;
  }
  return undefined;
}

const MAX_RANGE = 1_000_000;

function callGlobal(name: string, args: unknown[], kw: Record<string, unknown>, ctx: Ctx): unknown {
  switch (name) {
    case 'range': {
      const ints = args.map((a) => toInt(a, 'range()'));
      let [a, b, s] = ints.length === 1 ? [0, ints[0], 1] : [ints[0], ints[1], ints[2] ?? 1];
      if (ints.length < 1 || ints.length > 3) throw new ExprError(`range expected 1 to 3 arguments, got ${ints.length}`);
      if (s === 0) throw new ExprError('range() arg 3 must not be zero');
      const count = Math.max(0, Math.ceil((b - a) / s));
      if (count > MAX_RANGE) throw new ExprError(`range() too large (${count} items; the limit is ${MAX_RANGE})`);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(a + i * s);
      return out;
    }
    case 'lookup':
    case 'query':
    case 'q': {
      if (args.length < 1) throw new ExprError(`${name}() needs a plugin name`);
      const plugin = String(args[0]);
      const fn = lookups.get(plugin) ?? lookups.get(bareName(plugin));
      if (!fn) throw new ExprError(`lookup plugin '${plugin}' not found`);
      const { wantlist, errors, ...rest } = kw as any;
      let res: unknown[];
      try {
        res = fn(args.slice(1), rest, callCtx(ctx));
      } catch (e) {
        if (errors === 'ignore') return name === 'lookup' && !wantlist ? null : [];
        throw located(e, ctx, `lookup('${plugin}')`);
      }
      if (name !== 'lookup' || wantlist) return res;
      return res.length === 1 ? res[0] : res.map((x) => pyStr(x)).join(',');
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const a of args) {
        const items = isDict(a) ? Object.entries(a) : pyIter(a);
        for (const it of items) {
          if (!Array.isArray(it) || it.length !== 2) throw new ExprError('dict() needs key/value pairs');
          setKey(out, pyStr(it[0]), it[1]);
        }
      }
      for (const k of Object.keys(kw)) setKey(out, k, kw[k]);
      return out;
    }
    case 'zip':
      return applyFilter('zip', args[0], args.slice(1), kw, ctx);
    case 'now': {
      const d = new Date();
      return kw.fmt ? applyFilter('strftime', String(kw.fmt), [Math.floor(d.getTime() / 1000), !!kw.utc], {}, ctx) : d.toISOString().replace('T', ' ').replace('Z', '');
    }
    case 'undef':
      return new Undefined('undef', args.length ? pyStr(args[0]) : 'undefined value');
  }
  throw new ExprError(`'${name}' is not a function`);
}

/* ------------------------------------------------------------------ arithmetic */

function num(v: unknown, op: string, other: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`unsupported operand type(s) for ${op}: '${typeName(v)}' and '${typeName(other)}'`);
}

function checkLen(n: number): void {
  if (n > MAX_STRING) throw new ExprError(`result too large (${n} items/characters)`);
}

function binop(t: string, a: unknown, b: unknown): unknown {
  if (a instanceof UnsafeText) a = a.text;
  if (b instanceof UnsafeText) b = b.text;
  switch (t) {
    case 'Add':
      if (typeof a === 'string' && typeof b === 'string') {
        checkLen(a.length + b.length);
        return a + b;
      }
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (typeof a === 'string' || typeof b === 'string' || Array.isArray(a) || Array.isArray(b)) {
        throw new ExprError(`unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`);
      }
      return num(a, '+', b) + num(b, '+', a);
    case 'Sub':
      return num(a, '-', b) - num(b, '-', a);
    case 'Mul': {
      const rep = (x: string | unknown[], n: unknown): unknown => {
        const k = Math.max(0, toInt(n, 'sequence repeat'));
        checkLen(x.length * k);
        if (typeof x === 'string') return x.repeat(k);
        const out: unknown[] = [];
        for (let i = 0; i < k; i++) out.push(...x);
        return out;
      };
      if ((typeof a === 'string' || Array.isArray(a)) && (typeof b === 'number' || typeof b === 'boolean')) return rep(a, b);
      if ((typeof b === 'string' || Array.isArray(b)) && (typeof a === 'number' || typeof a === 'boolean')) return rep(b, a);
      return num(a, '*', b) * num(b, '*', a);
    }
    case 'Div': {
      const x = num(a, '/', b);
      const y = num(b, '/', a);
      if (y === 0) throw new ExprError('division by zero');
      return x / y;
    }
    case 'FloorDiv': {
      const x = num(a, '//', b);
      const y = num(b, '//', a);
      if (y === 0) throw new ExprError('integer division or modulo by zero');
      return Math.floor(x / y);
    }
    case 'Mod': {
      if (typeof a === 'string') return percentFormat(a, b);
      const x = num(a, '%', b);
      const y = num(b, '%', a);
      if (y === 0) throw new ExprError('integer division or modulo by zero');
      return ((x % y) + y) % y;
    }
    case 'Pow':
      return Math.pow(num(a, '**', b), num(b, '**', a));
  }
  throw new ExprError(`unknown operator ${t}`);
}

/* ------------------------------------------------------------------ the walker */

/** Evaluate an expression node to a value (may return Undefined for missing lookups). */
export function ev(n: Node, ctx: Ctx): unknown {
  if (!n || typeof n.typename !== 'string') throw new ParseError(`invalid expression: "${ctx.src}"`, ctx.opts.pos);
  step(ctx);
  switch (n.typename) {
    case 'Literal':
      if (n.value instanceof RegExp) throw new ParseError(`regular expression literals (r/.../) are not supported; use a string (in "${ctx.src}")`, ctx.opts.pos);
      return n.value === undefined ? null : n.value;
    case 'Symbol':
      return lookupVar(n.value, ctx);
    case 'LookupVal': {
      const target = ev(n.target, ctx);
      if (n.val.typename === 'Slice') {
        const s = n.val;
        const opt = (x: Node | null) => (x ? need(ev(x, ctx), ctx) : null);
        return produced(sliceOf(need(target, ctx), opt(s.start), opt(s.stop), opt(s.step), ctx), ctx);
      }
      const key = need(ev(n.val, ctx), ctx);
      return getItem(target, key, ctx, pathText(n));
    }
    case 'Group':
      if (n.children.length === 1) return ev(n.children[0], ctx);
      return produced(n.children.map((c: Node) => need(ev(c, ctx), ctx)), ctx);
    case 'Array':
      return produced(n.children.map((c: Node) => need(ev(c, ctx), ctx)), ctx);
    case 'Dict': {
      const out: Record<string, unknown> = {};
      for (const p of n.children) {
        const k = p.key.typename === 'Symbol' ? need(lookupVar(p.key.value, ctx), ctx) : need(ev(p.key, ctx), ctx);
        const ks = asStr(k) ?? (typeof k === 'number' || typeof k === 'boolean' || k === null ? pyStr(k) : undefined);
        if (ks === undefined) throw new ExprError(`unhashable type: '${typeName(k)}'`, ctx.opts.pos);
        setKey(out, ks, need(ev(p.value, ctx), ctx));
      }
      return produced(out, ctx);
    }
    case 'InlineIf':
      if (truthy(need(ev(n.cond, ctx), ctx))) return ev(n.body, ctx);
      return n.else_ ? ev(n.else_, ctx) : '';
    case 'Or': {
      const a = need(ev(n.left, ctx), ctx);
      return truthy(a) ? a : ev(n.right, ctx);
    }
    case 'And': {
      const a = need(ev(n.left, ctx), ctx);
      return truthy(a) ? ev(n.right, ctx) : a;
    }
    case 'Not':
      return !truthy(need(ev(n.target, ctx), ctx));
    case 'In':
      return pyIn(deep(need(ev(n.left, ctx), ctx), ctx), deep(need(ev(n.right, ctx), ctx), ctx));
    case 'Is': {
      const name = testName(n.right.typename === 'FunCall' ? n.right.name : n.right);
      if (!name) throw new ParseError(`invalid test after 'is' (in "${ctx.src}")`, ctx.opts.pos);
      const left = ev(n.left, ctx);
      const { args, kw } = n.right.typename === 'FunCall' ? evalArgs(n.right.args.children, ctx) : { args: [], kw: {} };
      return applyTest(name, left, args, kw, ctx);
    }
    case 'Compare': {
      let left = deep(need(ev(n.expr, ctx), ctx), ctx);
      for (const op of n.ops) {
        const right = deep(need(ev(op.expr, ctx), ctx), ctx);
        let r: boolean;
        switch (op.type) {
          case '==': case '===': r = pyEq(left, right); break;
          case '!=': case '!==': r = !pyEq(left, right); break;
          case '<': r = pyCmp(left, right, '<') < 0; break;
          case '>': r = pyCmp(left, right, '>') > 0; break;
          case '<=': r = pyCmp(left, right, '<=') <= 0; break;
          case '>=': r = pyCmp(left, right, '>=') >= 0; break;
          default: throw new ParseError(`unknown comparison '${op.type}' (in "${ctx.src}")`, ctx.opts.pos);
        }
        if (!r) return false;
        left = right;
      }
      return true;
    }
    case 'Add': case 'Sub': case 'Mul': case 'Div': case 'FloorDiv': case 'Mod': case 'Pow': {
      const a = deep(need(ev(n.left, ctx), ctx), ctx);
      const b = deep(need(ev(n.right, ctx), ctx), ctx);
      try {
        return produced(binop(n.typename, a, b), ctx);
      } catch (e) {
        throw located(e, ctx, 'operator');
      }
    }
    case 'Concat': {
      const s = pyStr(deep(need(ev(n.left, ctx), ctx), ctx)) + pyStr(deep(need(ev(n.right, ctx), ctx), ctx));
      checkLen(s.length);
      return s;
    }
    case 'Neg': {
      const v = need(ev(n.target, ctx), ctx);
      return -num(v, 'unary -', v);
    }
    case 'Pos': {
      const v = need(ev(n.target, ctx), ctx);
      return +num(v, 'unary +', v);
    }
    case 'Filter': {
      const name: string = n.name.value;
      const def = filters.get(name) ?? filters.get(bareName(name));
      const [inputNode, ...rest] = n.args.children as Node[];
      const input = ev(inputNode, ctx);
      const { args, kw } = evalArgs(rest, ctx, !!def?.undefinedOk);
      return applyFilter(name, input, args, kw, ctx);
    }
    case 'FunCall': {
      const callee = n.name as Node;
      if (callee.typename === 'Symbol') {
        const { args, kw } = evalArgs(n.args.children, ctx);
        try {
          return produced(callGlobal(callee.value, args, kw, ctx), ctx);
        } catch (e) {
          throw located(e, ctx, `${callee.value}()`);
        }
      }
      if (callee.typename === 'LookupVal' && callee.val.typename === 'Literal' && typeof callee.val.value === 'string') {
        const target = deep(need(ev(callee.target, ctx), ctx), ctx);
        const { args, kw } = evalArgs(n.args.children, ctx);
        try {
          const out = callMethod(target, callee.val.value, args, kw);
          return out !== target ? produced(out, ctx) : out;
        } catch (e) {
          throw located(e, ctx, `${callee.val.value}()`);
        }
      }
      throw new ExprError(`this expression is not callable (in "${ctx.src}")`, ctx.opts.pos);
    }
    case 'KeywordArgs':
      throw new ParseError(`keyword arguments outside a call (in "${ctx.src}")`, ctx.opts.pos);
  }
  throw new ParseError(`unsupported syntax (${n.typename}) (in "${ctx.src}")`, ctx.opts.pos);
}

/* ------------------------------------------------------------------ statements */

/** Output finalization: None renders as '', Undefined is an error, everything else str(). */
function outStr(v: unknown, ctx: Ctx): string {
  v = need(v, ctx);
  if (v === null || v === undefined) return '';
  return pyStr(deep(v, ctx));
}

function setLocal(ctx: Ctx, name: string, v: unknown): void {
  if (ctx.frames.length === 0) ctx.frames.push(new Map());
  ctx.frames[ctx.frames.length - 1].set(name, v);
}

function bindTarget(target: Node, v: unknown, ctx: Ctx): void {
  if (target.typename === 'Symbol') return setLocal(ctx, target.value, v);
  if (target.typename === 'Array') {
    const items = Array.isArray(v) ? v : pyIter(v);
    if (items.length !== target.children.length) {
      throw new ExprError(`cannot unpack ${items.length} values into ${target.children.length} names (in "${ctx.src}")`, ctx.opts.pos);
    }
    target.children.forEach((t: Node, i: number) => bindTarget(t, items[i], ctx));
    return;
  }
  throw new ParseError(`cannot assign to ${target.typename} (in "${ctx.src}")`, ctx.opts.pos);
}

function execNodes(list: Node[], ctx: Ctx, out: string[]): void {
  for (const n of list) execNode(n, ctx, out);
}

function execNode(n: Node, ctx: Ctx, out: string[]): void {
  if (!n || typeof n.typename !== 'string') throw new ParseError(`invalid template: "${ctx.src}"`, ctx.opts.pos);
  step(ctx);
  switch (n.typename) {
    case 'Root':
    case 'NodeList':
      return execNodes(n.children, ctx, out);
    case 'Output':
      for (const c of n.children) out.push(c.typename === 'TemplateData' ? String(c.value) : outStr(ev(c, ctx), ctx));
      return;
    case 'TemplateData':
      out.push(String(n.value));
      return;
    case 'If':
      if (truthy(need(ev(n.cond, ctx), ctx))) execNode(n.body, ctx, out);
      else if (n.else_) execNode(n.else_, ctx, out);
      return;
    case 'For': {
      const seq = deep(need(ev(n.arr, ctx), ctx), ctx);
      let items: unknown[];
      if (isDict(seq) && n.name.typename === 'Array' && n.name.children.length === 2) items = Object.entries(seq);
      else items = pyIter(seq);
      if (items.length === 0) {
        if (n.else_) execNode(n.else_, ctx, out);
        return;
      }
      const frame = new Map<string, unknown>();
      ctx.frames.push(frame);
      try {
        const len = items.length;
        items.forEach((it, i) => {
          frame.set('loop', {
            index: i + 1, index0: i, revindex: len - i, revindex0: len - i - 1, first: i === 0, last: i === len - 1, length: len,
            previtem: i > 0 ? items[i - 1] : null, nextitem: i < len - 1 ? items[i + 1] : null,
          });
          bindTarget(n.name, it, ctx);
          execNode(n.body, ctx, out);
        });
      } finally {
        ctx.frames.pop();
      }
      return;
    }
    case 'Set': {
      let v: unknown;
      if (n.value) v = need(ev(n.value, ctx), ctx);
      else {
        const buf: string[] = [];
        execNode(n.body, ctx, buf);
        v = buf.join('');
      }
      for (const t of n.targets) bindTarget(t, v, ctx);
      return;
    }
    case 'Capture':
      return execNode(n.body, ctx, out);
  }
  throw new ParseError(`unsupported template tag '${n.typename.toLowerCase()}' (in "${ctx.src}"); tsplay supports if, for and set`, ctx.opts.pos);
}

/** The single expression of a root that is exactly `{{ expr }}`, else undefined. */
export function singleExpr(root: Node): Node | undefined {
  const k = root.children;
  if (k.length !== 1 || k[0].typename !== 'Output' || k[0].children.length !== 1) return undefined;
  const e = k[0].children[0];
  return e.typename === 'TemplateData' ? undefined : e;
}

/** Render a template string in a context: native value for a lone `{{ expr }}`, else a string. */
export function renderIn(s: string, ctx: Ctx): unknown {
  const root = parseTemplate(s, ctx.opts.pos);
  const only = singleExpr(root);
  if (only) {
    const v = need(ev(only, ctx), ctx);
    return v === OMIT ? v : deep(v, ctx);
  }
  const out: string[] = [];
  execNode(root, ctx, out);
  const r = out.join('');
  checkLen(r.length);
  return literalResult(r, ctx);
}

const LITERAL_NODES = new Set(['Literal', 'Array', 'Dict', 'Pair', 'Group', 'Neg', 'Pos']);

function isLiteralTree(n: Node | null | undefined): boolean {
  if (!n) return true;
  if (n.typename === 'Symbol') return n.value === 'True' || n.value === 'False' || n.value === 'None';
  if (!LITERAL_NODES.has(n.typename)) return false;
  if (n.typename === 'Literal') return !(n.value instanceof RegExp);
  if (n.typename === 'Pair') return isLiteralTree(n.key) && isLiteralTree(n.value);
  if (n.typename === 'Neg' || n.typename === 'Pos') return isLiteralTree(n.target);
  return n.children.every((c: Node) => isLiteralTree(c));
}

/**
 * Ansible 2.14 turns a rendered string that looks like a list, dict or bool into that value
 * (`"[ '{{ a }}', '{{ b }}' ]"` is a list). Only Python literals are converted.
 */
function literalResult(r: string, ctx: Ctx): unknown {
  const t = r.trim();
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (!((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) || hasMarkers(t)) return r;
  let node: Node;
  try {
    node = parseExpression(t);
  } catch {
    return r;
  }
  if (!isLiteralTree(node)) return r;
  try {
    return produced(ev(node, makeCtx({}, ctx.opts, t, ctx.run)), ctx);
  } catch {
    return r;
  }
}
