/**
 * Calling filters, tests, lookups and global functions (range, lookup/query, dict, ...), and the
 * CallCtx they receive.
 */
import { TsplayError } from '../types.ts';
import type { Ctx } from './context.ts';
import { ExprError } from './errors.ts';
import { bareName, type CallCtx, filters, lookups, tests } from './registry.ts';
import { deep, getItem, need, produced } from './resolve.ts';
import { Undefined, isDict, pyIter, pyStr, setKey, toInt } from './values.ts';

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
export function located(e: unknown, ctx: Ctx, what: string): TsplayError {
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

const MAX_RANGE = 1_000_000;

export function callGlobal(name: string, args: unknown[], kw: Record<string, unknown>, ctx: Ctx): unknown {
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

