/**
 * Jinja and Ansible tests (`x is defined`, `result is failed`, `v is version('1.24', '>=')`, ...).
 */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { ExprError } from './errors.ts';
import { toBool } from './filters/core.ts';
import { pyRegex } from './pyre.ts';
import { defineTests } from './registry.ts';
import { Undefined, asStr, isDict, pyCmp, pyEq, pyIn, pyIter, pyStr, toInt, truthy, typeName } from './values.ts';

function result(v: unknown, name: string): Record<string, unknown> {
  if (!isDict(v)) throw new ExprError(`The '${name}' test expects a dictionary, got ${typeName(v)}`);
  return v;
}

const failed = (v: unknown) => truthy(result(v, 'failed').failed ?? false);
const changed = (v: unknown) => {
  const r = result(v, 'changed');
  if (!('changed' in r) && Array.isArray(r.results) && isDict(r.results[0])) return r.results.some((x) => isDict(x) && truthy(x.changed ?? false));
  return truthy(r.changed ?? false);
};
const skipped = (v: unknown) => truthy(result(v, 'skipped').skipped ?? false);
const finished = (v: unknown) => truthy(result(v, 'finished').finished ?? true);
const unreachable = (v: unknown) => truthy(result(v, 'unreachable').unreachable ?? false);

/** LooseVersion components: numbers and letter runs. */
function looseParts(v: string): (number | string)[] {
  return (v.toLowerCase().match(/\d+|[a-z]+/g) ?? []).map((x) => (/^\d+$/.test(x) ? parseInt(x, 10) : x));
}

/** Compare two version strings the LooseVersion way: -1, 0, 1. */
export function compareVersions(a: string, b: string): number {
  const x = looseParts(a);
  const y = looseParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (i >= x.length) return -1;
    if (i >= y.length) return 1;
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (typeof p === typeof q) return p < q ? -1 : 1;
    return typeof p === 'number' ? -1 : 1;
  }
  return 0;
}

const VERSION_OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0, '=': (c) => c === 0, eq: (c) => c === 0,
  '!=': (c) => c !== 0, '<>': (c) => c !== 0, ne: (c) => c !== 0,
  '<': (c) => c < 0, lt: (c) => c < 0, '<=': (c) => c <= 0, le: (c) => c <= 0,
  '>': (c) => c > 0, gt: (c) => c > 0, '>=': (c) => c >= 0, ge: (c) => c >= 0,
};

function version(v: unknown, a: unknown[], kw: Record<string, unknown>): boolean {
  const other = a[0] ?? kw.version;
  if (other === undefined) throw new ExprError('version test: a version to compare to is required');
  const op = pyStr(a[1] ?? kw.operator ?? '==');
  const f = VERSION_OPS[op];
  if (!f) throw new ExprError(`version test: invalid operator '${op}'`);
  return f(compareVersions(pyStr(v), pyStr(other)));
}

function re(v: unknown, a: unknown[], kw: Record<string, unknown>, mode: 'match' | 'search' | 'fullmatch'): boolean {
  const s = asStr(v);
  if (s === undefined) return false;
  const o = { ignorecase: toBool(kw.ignorecase ?? a[1] ?? false), multiline: toBool(kw.multiline ?? a[2] ?? false) };
  const src = pyStr(a[0] ?? kw.pattern ?? '');
  if (mode === 'search') return pyRegex(src, o).test(s);
  const rx = pyRegex(mode === 'fullmatch' ? `(?:${src})$(?![\\s\\S])` : src, { ...o, sticky: true });
  rx.lastIndex = 0;
  const r = rx.test(s);
  rx.lastIndex = 0;
  return r;
}

function path(v: unknown): string {
  const s = asStr(v);
  if (s === undefined) throw new ExprError(`path test expects a string, got ${typeName(v)}`);
  return s;
}

function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExprError(`${what} expects a number, got ${typeName(v)}`);
}

const cmp = (op: string, f: (c: number) => boolean) => (v: unknown, a: unknown[]) => f(pyCmp(v, a[0], op));

defineTests({
  defined: { undefinedOk: true, fn: (v) => !(v instanceof Undefined) },
  undefined: { undefinedOk: true, fn: (v) => v instanceof Undefined },
  none: (v) => v === null || v === undefined,
  true: (v) => v === true,
  false: (v) => v === false,
  boolean: (v) => typeof v === 'boolean',
  string: (v) => asStr(v) !== undefined,
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  nan: (v) => typeof v === 'number' && Number.isNaN(v),
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || asStr(v) !== undefined || isDict(v),
  iterable: (v) => Array.isArray(v) || asStr(v) !== undefined || isDict(v),
  list: (v) => Array.isArray(v),
  callable: () => false,
  sameas: (v, a) => v === a[0] || (v === null && a[0] === null),
  escaped: () => false,
  lower: (v) => asStr(v) !== undefined && asStr(v) === asStr(v)!.toLowerCase(),
  upper: (v) => asStr(v) !== undefined && asStr(v) === asStr(v)!.toUpperCase(),
  truthy: (v, a, kw) => (toBool(kw.convert_bool ?? a[0] ?? false) && asStr(v) !== undefined ? toBool(v) : truthy(v)),
  falsy: (v, a, kw) => !(toBool(kw.convert_bool ?? a[0] ?? false) && asStr(v) !== undefined ? toBool(v) : truthy(v)),
  failed, failure: failed,
  succeeded: (v) => !failed(v), success: (v) => !failed(v), successful: (v) => !failed(v),
  changed, change: changed,
  skipped, skip: skipped,
  finished, finish: finished,
  unreachable, reachable: (v) => !unreachable(v),
  match: (v, a, kw) => re(v, a, kw, 'match'),
  search: (v, a, kw) => re(v, a, kw, 'search'),
  regex: (v, a, kw) => re(v, a, kw, (pyStr(kw.match_type ?? a[3] ?? 'search') as any) || 'search'),
  in: (v, a) => pyIn(v, a[0]),
  contains: (v, a) => pyIn(a[0], v),
  version, version_compare: version,
  subset: (v, a) => pyIter(v).every((x) => pyIter(a[0]).some((y) => pyEq(x, y))),
  superset: (v, a) => pyIter(a[0]).every((x) => pyIter(v).some((y) => pyEq(x, y))),
  eq: (v, a) => pyEq(v, a[0]), equalto: (v, a) => pyEq(v, a[0]), '==': (v, a) => pyEq(v, a[0]),
  ne: (v, a) => !pyEq(v, a[0]), '!=': (v, a) => !pyEq(v, a[0]),
  lt: cmp('<', (c) => c < 0), lessthan: cmp('<', (c) => c < 0), '<': cmp('<', (c) => c < 0),
  le: cmp('<=', (c) => c <= 0), '<=': cmp('<=', (c) => c <= 0),
  gt: cmp('>', (c) => c > 0), greaterthan: cmp('>', (c) => c > 0), '>': cmp('>', (c) => c > 0),
  ge: cmp('>=', (c) => c >= 0), '>=': cmp('>=', (c) => c >= 0),
  divisibleby: (v, a) => {
    const d = num(a[0], 'divisibleby');
    if (d === 0) throw new ExprError('divisibleby: division by zero');
    return num(v, 'divisibleby') % d === 0;
  },
  even: (v) => toInt(v, 'even') % 2 === 0,
  odd: (v) => Math.abs(toInt(v, 'odd') % 2) === 1,
  abs: (v) => path(v).startsWith('/'),
  exists: (v) => existsSync(path(v)),
  file: (v) => {
    try {
      return statSync(path(v)).isFile();
    } catch {
      return false;
    }
  },
  directory: (v) => {
    try {
      return statSync(path(v)).isDirectory();
    } catch {
      return false;
    }
  },
  link: (v) => {
    try {
      return lstatSync(path(v)).isSymbolicLink();
    } catch {
      return false;
    }
  },
  any: (v) => pyIter(v).some(truthy),
  all: (v) => pyIter(v).every(truthy),
});
