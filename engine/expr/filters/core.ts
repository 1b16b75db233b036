/**
 * Core filters: default, mandatory, type conversions (bool, int, float, string, list),
 * length, first/last, ternary, type_debug, attr, math (abs, round, log, pow, root).
 */
import { ExprError } from '../errors.ts';
import { defineFilters } from '../registry.ts';
import { Undefined, asStr, isDict, pyIter, pyLen, pyStr, truthy, typeName } from '../values.ts';

/** Python int() of a value, or `dflt` when it does not convert (Jinja's int filter). */
export function toIntLoose(v: unknown, dflt: unknown = 0, base = 10): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : dflt;
  const s = asStr(v);
  if (s !== undefined) {
    const t = s.trim().replace(/_/g, '');
    if (base === 10 && /^[-+]?\d+$/.test(t)) return parseInt(t, 10);
    if (base !== 10) {
      const body = t.replace(/^0[xob]/i, '');
      const n = parseInt(body, base);
      if (!Number.isNaN(n) && /^[0-9a-z]+$/i.test(body)) return n;
      return dflt;
    }
    if (/^0x[0-9a-f]+$/i.test(t)) return dflt;
    const f = Number(t);
    if (t !== '' && Number.isFinite(f) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Math.trunc(f);
  }
  return dflt;
}

/** Python float() of a value, or `dflt`. */
export function toFloatLoose(v: unknown, dflt: unknown = 0): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  const s = asStr(v);
  if (s !== undefined) {
    const t = s.trim().toLowerCase();
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return Number(t);
    if (/^[-+]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^[-+]?nan$/.test(t)) return NaN;
  }
  return dflt;
}

/** Ansible's bool filter. */
export function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  if (typeof v === 'number') return v === 1;
  const s = asStr(v);
  if (s !== undefined) return ['yes', 'on', '1', 'true', 'y', 't'].includes(s.trim().toLowerCase());
  return false;
}

function roundHalfEven(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  const y = x * f;
  const r = Math.round(y);
  const diff = Math.abs(y - Math.trunc(y));
  const v = Math.abs(diff - 0.5) < 1e-9 ? (Math.trunc(y) % 2 === 0 ? Math.trunc(y) : Math.trunc(y) + Math.sign(y)) : r;
  return v / f;
}

function numArg(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`${what}: expected a number, got ${typeName(v)}`);
}

defineFilters({
  default: {
    undefinedOk: true,
    fn: (v, a) => {
      const dflt = a.length ? a[0] : '';
      if (v instanceof Undefined) return dflt;
      if (a[1] === true && !truthy(v)) return dflt;
      return v;
    },
  },
  d: { undefinedOk: true, fn: (v, a, kw, cc) => cc.filter('default', v, a, kw) },
  mandatory: {
    undefinedOk: true,
    fn: (v, a) => {
      if (v instanceof Undefined) throw new ExprError(a[0] !== undefined ? pyStr(a[0]) : `Mandatory variable '${v.name}' not defined.`);
      return v;
    },
  },
  bool: (v) => toBool(v),
  int: (v, a, kw) => toIntLoose(v, a[0] ?? kw.default ?? 0, Number(a[1] ?? kw.base ?? 10)),
  float: (v, a, kw) => toFloatLoose(v, a[0] ?? kw.default ?? 0),
  string: (v) => pyStr(v),
  list: (v) => (Array.isArray(v) ? v : pyIter(v)),
  length: (v) => pyLen(v),
  count: (v) => pyLen(v),
  first: (v) => {
    const it = pyIter(v);
    return it.length ? it[0] : new Undefined('first', 'No first item, sequence was empty.');
  },
  last: (v) => {
    const it = pyIter(v);
    return it.length ? it[it.length - 1] : new Undefined('last', 'No last item, sequence was empty.');
  },
  ternary: (v, a) => (v === null && a.length > 2 ? a[2] : truthy(v) ? a[0] : a[1]),
  type_debug: (v) => typeName(v),
  attr: (v, a, _kw, cc) => cc.attr(v, pyStr(a[0])),
  identity: (v) => v,
  safe: (v) => v,
  abs: (v) => Math.abs(numArg(v, 'abs')),
  round: (v, a, kw) => {
    const x = numArg(v, 'round');
    const p = Number(a[0] ?? kw.precision ?? 0);
    const method = String(a[1] ?? kw.method ?? 'common');
    const f = Math.pow(10, p);
    if (method === 'ceil') return Math.ceil(x * f) / f;
    if (method === 'floor') return Math.floor(x * f) / f;
    return roundHalfEven(x, p);
  },
  log: (v, a) => (a.length ? Math.log(numArg(v, 'log')) / Math.log(numArg(a[0], 'log base')) : Math.log(numArg(v, 'log'))),
  pow: (v, a) => Math.pow(numArg(v, 'pow'), numArg(a[0], 'pow exponent')),
  root: (v, a) => {
    const b = a.length ? numArg(a[0], 'root base') : 2;
    return b === 2 ? Math.sqrt(numArg(v, 'root')) : Math.pow(numArg(v, 'root'), 1 / b);
  },
  items: (v) => {
    if (v === null) return [];
    if (!isDict(v)) throw new ExprError(`items: expected a dict, got ${typeName(v)}`);
    return Object.keys(v).map((k) => [k, v[k]]);
  },
});
