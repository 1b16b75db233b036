/**
 * List and dict filters: map, select/reject(attr), sort, unique and set operations, combine,
 * dict2items/items2dict, flatten, zip, product, min/max/sum, extract, subelements, groupby.
 */
import { ExprError } from '../errors.ts';
import { type CallCtx, defineFilters } from '../registry.ts';
import { Undefined, asStr, isDict, setKey, pyCmp, pyEq, pyIter, pyRepr, pyStr, toInt, truthy, typeName } from '../values.ts';
import { toBool } from './core.ts';

/** A hashable key for Python-equal values (True == 1, dict key order ignored). */
export function keyOf(v: unknown): string {
  if (typeof v === 'boolean') return 'n:' + (v ? 1 : 0);
  if (typeof v === 'number') return 'n:' + v;
  const s = asStr(v);
  if (s !== undefined) return 's:' + s;
  if (v === null || v === undefined) return 'z:';
  if (Array.isArray(v)) return 'l:[' + v.map(keyOf).join(',') + ']';
  if (isDict(v)) return 'd:{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + keyOf(v[k])).join(',') + '}';
  return 'o:' + pyRepr(v);
}

function uniq(items: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const x of items) {
    const k = keyOf(x);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(x);
    }
  }
  return out;
}

function list(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' || isDict(v)) return pyIter(v);
  throw new ExprError(`${what} expects a list, got ${typeName(v)}`);
}

function dict(v: unknown, what: string): Record<string, unknown> {
  if (!isDict(v)) throw new ExprError(`${what} expects a dict, got ${typeName(v)}`);
  return v;
}

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  const s = asStr(v);
  return s !== undefined && !caseSensitive ? s.toLowerCase() : v;
}

function attrOf(cc: CallCtx, x: unknown, attr: unknown, dflt?: unknown): unknown {
  if (attr === undefined || attr === null) return x;
  const v = cc.attr(x, attr as string);
  if (v instanceof Undefined) {
    if (dflt !== undefined) return dflt;
    throw new ExprError(v.hint);
  }
  return v;
}

function testArgs(a: unknown[], from: number): [string | undefined, unknown[]] {
  return [a[from] === undefined ? undefined : pyStr(a[from]), a.slice(from + 1)];
}

function selectImpl(v: unknown, a: unknown[], cc: CallCtx, keep: boolean, byAttr: boolean): unknown[] {
  const items = list(v, byAttr ? 'selectattr' : 'select');
  const attr = byAttr ? pyStr(a[0]) : undefined;
  const [test, targs] = testArgs(a, byAttr ? 1 : 0);
  return items.filter((x) => {
    const val = byAttr ? cc.attr(x, attr as string) : x;
    let r: boolean;
    if (test === undefined) {
      if (val instanceof Undefined) throw new ExprError(val.hint);
      r = truthy(val);
    } else r = cc.test(test, val, targs);
    return r === keep;
  });
}

function mergeDicts(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const k of Object.keys(b)) {
    const x = out[k];
    const y = b[k];
    if (recursive && isDict(x) && isDict(y)) setKey(out, k, mergeDicts(x, y, true, listMerge));
    else if (Object.prototype.hasOwnProperty.call(out, k) && Array.isArray(x) && Array.isArray(y)) {
      switch (listMerge) {
        case 'replace': out[k] = y; break;
        case 'keep': break;
        case 'append': out[k] = [...x, ...y]; break;
        case 'prepend': out[k] = [...y, ...x]; break;
        case 'append_rp': out[k] = [...x.filter((e) => !y.some((f) => pyEq(e, f))), ...y]; break;
        case 'prepend_rp': out[k] = [...y, ...x.filter((e) => !y.some((f) => pyEq(e, f)))]; break;
        default: throw new ExprError(`combine: unknown list_merge '${listMerge}'`);
      }
    } else setKey(out, k, y);
  }
  return out;
}

function flatten(v: unknown[], levels: number | undefined, skipNulls: boolean, depth = 0): unknown[] {
  const out: unknown[] = [];
  for (const x of v) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === undefined || depth < levels)) out.push(...flatten(x, levels, skipNulls, depth + 1));
    else out.push(x);
  }
  return out;
}

function minmax(v: unknown, kw: Record<string, unknown>, cc: CallCtx, sign: number): unknown {
  const items = list(v, sign < 0 ? 'min' : 'max');
  if (!items.length) return new Undefined(sign < 0 ? 'min' : 'max', 'No aggregated item, sequence was empty.');
  const cs = toBool(kw.case_sensitive ?? false);
  let best = items[0];
  for (const x of items.slice(1)) {
    const c = pyCmp(sortKey(attrOf(cc, x, kw.attribute), cs), sortKey(attrOf(cc, best, kw.attribute), cs), '<');
    if (c * sign > 0) best = x;
  }
  return best;
}

/** A small deterministic PRNG (mulberry32) seeded from a string, for random(seed=...). */
function seeded(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 3432918353), (h = (h << 13) | (h >>> 19));
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rng(kw: Record<string, unknown>): () => number {
  return kw.seed === undefined || kw.seed === null ? Math.random : seeded(pyStr(kw.seed));
}

defineFilters({
  random: (v, a, kw) => {
    const r = rng(kw);
    if (typeof v === 'number') {
      const start = toInt(kw.start ?? 0, 'start');
      const step = toInt(kw.step ?? a[1] ?? 1, 'step');
      const end = toInt(v, 'random end');
      const n = Math.ceil((end - start) / step);
      if (n <= 0) throw new ExprError('random: empty range');
      return start + Math.floor(r() * n) * step;
    }
    const items = list(v, 'random');
    if (!items.length) throw new ExprError('random: empty sequence');
    return items[Math.floor(r() * items.length)];
  },
  shuffle: (v, _a, kw) => {
    const items = list(v, 'shuffle').slice();
    const r = rng(kw);
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  },
  map: (v, a, kw, cc) => {
    const items = list(v, 'map');
    if (kw.attribute !== undefined) {
      return items.map((x) => attrOf(cc, x, kw.attribute, kw.default));
    }
    if (a.length === 0) throw new ExprError('map: needs a filter name or attribute=');
    const name = pyStr(a[0]);
    return items.map((x) => cc.filter(name, x, a.slice(1), kw));
  },
  select: (v, a, _kw, cc) => selectImpl(v, a, cc, true, false),
  reject: (v, a, _kw, cc) => selectImpl(v, a, cc, false, false),
  selectattr: (v, a, _kw, cc) => selectImpl(v, a, cc, true, true),
  rejectattr: (v, a, _kw, cc) => selectImpl(v, a, cc, false, true),
  sort: (v, a, kw, cc) => {
    const items = list(v, 'sort').slice();
    const reverse = toBool(a[0] ?? kw.reverse ?? false);
    const cs = toBool(a[1] ?? kw.case_sensitive ?? false);
    const attr = a[2] ?? kw.attribute;
    const keys = new Map<unknown, unknown>();
    const keyFor = (x: unknown) => {
      if (!keys.has(x)) keys.set(x, sortKey(attrOf(cc, x, attr), cs));
      return keys.get(x);
    };
    const attrs = attr === undefined ? [undefined] : pyStr(attr).split(',').map((s) => s.trim());
    if (attrs.length > 1) {
      items.sort((x, y) => {
        for (const at of attrs) {
          const c = pyCmp(sortKey(attrOf(cc, x, at), cs), sortKey(attrOf(cc, y, at), cs), '<');
          if (c) return c;
        }
        return 0;
      });
    } else items.sort((x, y) => pyCmp(keyFor(x), keyFor(y), '<'));
    return reverse ? items.reverse() : items;
  },
  dictsort: (v, a, kw) => {
    const d = dict(v, 'dictsort');
    const cs = toBool(a[0] ?? kw.case_sensitive ?? false);
    const byValue = pyStr(a[1] ?? kw.by ?? 'key') === 'value';
    const reverse = toBool(a[2] ?? kw.reverse ?? false);
    const pairs = Object.keys(d).map((k) => [k, d[k]] as [string, unknown]);
    pairs.sort((x, y) => pyCmp(sortKey(byValue ? x[1] : x[0], cs), sortKey(byValue ? y[1] : y[0], cs), '<'));
    return reverse ? pairs.reverse() : pairs;
  },
  groupby: (v, a, kw, cc) => {
    const items = list(v, 'groupby');
    const attr = a[0] ?? kw.attribute;
    const groups = new Map<string, [unknown, unknown[]]>();
    for (const x of items) {
      const k = attrOf(cc, x, attr, kw.default);
      const key = keyOf(k);
      if (!groups.has(key)) groups.set(key, [k, []]);
      groups.get(key)![1].push(x);
    }
    return [...groups.values()].sort((x, y) => pyCmp(x[0], y[0], '<'));
  },
  reverse: (v) => {
    const s = asStr(v);
    if (s !== undefined) return Array.from(s).reverse().join('');
    return list(v, 'reverse').slice().reverse();
  },
  unique: (v, _a, kw, cc) => {
    const items = list(v, 'unique');
    if (kw.attribute === undefined) return uniq(items);
    const seen = new Set<string>();
    return items.filter((x) => {
      const k = keyOf(attrOf(cc, x, kw.attribute));
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  },
  union: (v, a) => uniq([...list(v, 'union'), ...list(a[0], 'union')]),
  intersect: (v, a) => {
    const b = new Set(list(a[0], 'intersect').map(keyOf));
    return uniq(list(v, 'intersect').filter((x) => b.has(keyOf(x))));
  },
  difference: (v, a) => {
    const b = new Set(list(a[0], 'difference').map(keyOf));
    return uniq(list(v, 'difference').filter((x) => !b.has(keyOf(x))));
  },
  symmetric_difference: (v, a) => {
    const x = list(v, 'symmetric_difference');
    const y = list(a[0], 'symmetric_difference');
    const kx = new Set(x.map(keyOf));
    const ky = new Set(y.map(keyOf));
    return uniq([...x.filter((e) => !ky.has(keyOf(e))), ...y.filter((e) => !kx.has(keyOf(e)))]);
  },
  min: (v, _a, kw, cc) => minmax(v, kw, cc, -1),
  max: (v, _a, kw, cc) => minmax(v, kw, cc, 1),
  sum: (v, a, kw, cc) => {
    const items = list(v, 'sum').map((x) => attrOf(cc, x, kw.attribute ?? a[0]));
    let acc: unknown = kw.start ?? a[1] ?? 0;
    for (const x of items) {
      if (Array.isArray(acc) && Array.isArray(x)) acc = [...acc, ...x];
      else if ((typeof acc === 'number' || typeof acc === 'boolean') && (typeof x === 'number' || typeof x === 'boolean')) acc = Number(acc) + Number(x);
      else throw new ExprError(`sum: unsupported operand type(s) for +: '${typeName(acc)}' and '${typeName(x)}'`);
    }
    return acc;
  },
  flatten: (v, a, kw) => {
    const levels = a[0] ?? kw.levels;
    return flatten(list(v, 'flatten'), levels === undefined || levels === null ? undefined : toInt(levels, 'levels'), toBool(kw.skip_nulls ?? a[1] ?? true));
  },
  zip: (v, a) => {
    const ls = [list(v, 'zip'), ...a.map((x) => list(x, 'zip'))];
    const n = Math.min(...ls.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => ls.map((l) => l[i]));
  },
  zip_longest: (v, a, kw) => {
    const ls = [list(v, 'zip_longest'), ...a.map((x) => list(x, 'zip_longest'))];
    const n = Math.max(...ls.map((l) => l.length));
    const fill = kw.fillvalue ?? null;
    return Array.from({ length: n }, (_, i) => ls.map((l) => (i < l.length ? l[i] : fill)));
  },
  product: (v, a, kw) => {
    const base = [list(v, 'product'), ...a.map((x) => list(x, 'product'))];
    const rep = toInt(kw.repeat ?? 1, 'repeat');
    const ls: unknown[][] = [];
    for (let r = 0; r < rep; r++) ls.push(...base);
    let out: unknown[][] = [[]];
    for (const l of ls) {
      const next: unknown[][] = [];
      for (const p of out) for (const x of l) next.push([...p, x]);
      if (next.length > 1_000_000) throw new ExprError('product: result too large');
      out = next;
    }
    return out;
  },
  batch: (v, a) => {
    const items = list(v, 'batch');
    const n = toInt(a[0], 'batch size');
    if (n <= 0) throw new ExprError('batch: size must be positive');
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    if (a.length > 1 && out.length && out[out.length - 1].length < n) while (out[out.length - 1].length < n) out[out.length - 1].push(a[1]);
    return out;
  },
  combine: (v, a, kw) => {
    const recursive = toBool(kw.recursive ?? false);
    const lm = pyStr(kw.list_merge ?? 'replace');
    const all = [...(Array.isArray(v) ? v : [v]), ...a.flatMap((x) => (Array.isArray(x) ? x : [x]))];
    let out: Record<string, unknown> = {};
    for (const d of all) out = mergeDicts(out, dict(d, 'combine'), recursive, lm);
    return out;
  },
  dict2items: (v, a, kw) => {
    const d = dict(v, 'dict2items');
    const kn = pyStr(kw.key_name ?? a[0] ?? 'key');
    const vn = pyStr(kw.value_name ?? a[1] ?? 'value');
    return Object.keys(d).map((k) => ({ [kn]: k, [vn]: d[k] }));
  },
  items2dict: (v, a, kw) => {
    const kn = pyStr(kw.key_name ?? a[0] ?? 'key');
    const vn = pyStr(kw.value_name ?? a[1] ?? 'value');
    const out: Record<string, unknown> = {};
    for (const it of list(v, 'items2dict')) {
      const d = dict(it, 'items2dict item');
      if (!(kn in d) || !(vn in d)) throw new ExprError(`items2dict: item ${pyRepr(d)} has no '${kn}' or '${vn}' key`);
      setKey(out, pyStr(d[kn]), d[vn]);
    }
    return out;
  },
  extract: (v, a, _kw, cc) => {
    let cur = cc.attr(a[0], typeof v === 'number' ? v : pyStr(v));
    const more = a[1] === undefined ? [] : Array.isArray(a[1]) ? a[1] : [a[1]];
    for (const k of more) {
      if (cur instanceof Undefined) break;
      cur = cc.attr(cur, typeof k === 'number' ? k : pyStr(k));
    }
    return cur;
  },
  subelements: (v, a, kw, cc) => {
    const items = isDict(v) ? Object.values(v) : list(v, 'subelements');
    const path = pyStr(a[0]);
    const skip = isDict(a[1]) ? toBool((a[1] as any).skip_missing) : toBool(a[1] ?? kw.skip_missing ?? false);
    const out: unknown[] = [];
    for (const it of items) {
      const sub = cc.attr(it, path);
      if (sub instanceof Undefined) {
        if (skip) continue;
        throw new ExprError(`subelements: could not find '${path}' key in iterated item ${pyRepr(it)}`);
      }
      if (!Array.isArray(sub)) throw new ExprError(`subelements: the key '${path}' should point to a list, got ${pyRepr(sub)}`);
      for (const s of sub) out.push([it, s]);
    }
    return out;
  },
});
