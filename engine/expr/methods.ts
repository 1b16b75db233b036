/**
 * Method calls Ansible users write on values: `'a,b'.split(',')`, `name.startswith('k8s')`,
 * `d.items()`, `d.get('k', 'x')`, `l.index(x)`. Only the methods listed here exist; nothing
 * reaches JavaScript objects or prototypes. Methods that mutate (append, update) are not offered.
 */
import { ExprError } from './errors.ts';
import { braceFormat } from './format.ts';
import { pyCapitalize, pyRsplit, pySplit, pyStrip, pyTitle } from './pystr.ts';
import { asStr, hasOwn, isDict, objDesc, pyEq, pyStr, pyRepr, toInt, typeName } from './values.ts';

type Method<T> = (self: T, args: unknown[], kw: Record<string, unknown>) => unknown;

function strArg(v: unknown, what: string): string {
  const s = asStr(v);
  if (s === undefined) throw new ExprError(`${what} must be str, not ${typeName(v)}`);
  return s;
}
function optStr(v: unknown, what: string): string | null {
  return v === undefined || v === null ? null : strArg(v, what);
}
function affixes(v: unknown, what: string): string[] {
  return Array.isArray(v) ? v.map((x) => strArg(x, what)) : [strArg(v, what)];
}
function range(s: string, args: unknown[]): [number, number] {
  const n = s.length;
  const norm = (v: unknown, d: number) => {
    if (v === undefined || v === null) return d;
    let i = toInt(v, 'index');
    if (i < 0) i += n;
    return Math.max(0, Math.min(n, i));
  };
  return [norm(args[1], 0), norm(args[2], n)];
}

const strMethods: Record<string, Method<string>> = {
  split: (s, a, kw) => pySplit(s, optStr(a[0] ?? kw.sep, 'sep'), a[1] !== undefined || kw.maxsplit !== undefined ? toInt(a[1] ?? kw.maxsplit, 'maxsplit') : -1),
  rsplit: (s, a, kw) => pyRsplit(s, optStr(a[0] ?? kw.sep, 'sep'), a[1] !== undefined || kw.maxsplit !== undefined ? toInt(a[1] ?? kw.maxsplit, 'maxsplit') : -1),
  splitlines: (s, a) => {
    const lines = s.split(/\r\n|\r|\n/);
    if (a[0]) {
      const m = s.match(/[^\r\n]*(\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
      return m;
    }
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  },
  strip: (s, a) => pyStrip(s, optStr(a[0], 'chars')),
  lstrip: (s, a) => pyStrip(s, optStr(a[0], 'chars'), 'left'),
  rstrip: (s, a) => pyStrip(s, optStr(a[0], 'chars'), 'right'),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  capitalize: (s) => pyCapitalize(s),
  title: (s) => pyTitle(s),
  swapcase: (s) => Array.from(s).map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  startswith: (s, a) => {
    const [b, e] = range(s, a);
    return affixes(a[0], 'startswith arg').some((p) => s.slice(b, e).startsWith(p));
  },
  endswith: (s, a) => {
    const [b, e] = range(s, a);
    return affixes(a[0], 'endswith arg').some((p) => s.slice(b, e).endsWith(p));
  },
  replace: (s, a) => {
    const old = strArg(a[0], 'replace old');
    const neu = strArg(a[1], 'replace new');
    const count = a[2] === undefined ? -1 : toInt(a[2], 'replace count');
    if (count < 0) return s.split(old).join(neu);
    const parts = s.split(old);
    if (parts.length - 1 <= count) return parts.join(neu);
    return parts.slice(0, count + 1).join(neu) + old + parts.slice(count + 1).join(old);
  },
  find: (s, a) => {
    const [b, e] = range(s, a);
    const i = s.slice(b, e).indexOf(strArg(a[0], 'find arg'));
    return i < 0 ? -1 : i + b;
  },
  rfind: (s, a) => {
    const [b, e] = range(s, a);
    const i = s.slice(b, e).lastIndexOf(strArg(a[0], 'rfind arg'));
    return i < 0 ? -1 : i + b;
  },
  index: (s, a) => {
    const i = s.indexOf(strArg(a[0], 'index arg'));
    if (i < 0) throw new ExprError('substring not found');
    return i;
  },
  count: (s, a) => {
    const sub = strArg(a[0], 'count arg');
    return sub === '' ? s.length + 1 : s.split(sub).length - 1;
  },
  join: (s, a) => {
    if (!Array.isArray(a[0])) throw new ExprError(`can only join an iterable of strings, not ${typeName(a[0])}`);
    return a[0].map((x) => strArg(x, 'sequence item')).join(s);
  },
  format: (s, a, kw) => braceFormat(s, a, kw),
  zfill: (s, a) => {
    const w = toInt(a[0], 'zfill width');
    if (s.length >= w) return s;
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + s.slice(sign.length).padStart(w - sign.length, '0');
  },
  center: (s, a) => {
    const w = Math.min(toInt(a[0], 'width'), 100000);
    const f = a[1] === undefined ? ' ' : strArg(a[1], 'fillchar');
    if (s.length >= w) return s;
    const left = Math.floor((w - s.length) / 2);
    return f.repeat(left) + s + f.repeat(w - s.length - left);
  },
  ljust: (s, a) => s.padEnd(Math.min(toInt(a[0], 'width'), 100000), a[1] === undefined ? ' ' : strArg(a[1], 'fillchar')),
  rjust: (s, a) => s.padStart(Math.min(toInt(a[0], 'width'), 100000), a[1] === undefined ? ' ' : strArg(a[1], 'fillchar')),
  partition: (s, a) => {
    const sep = strArg(a[0], 'sep');
    const i = s.indexOf(sep);
    return i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  rpartition: (s, a) => {
    const sep = strArg(a[0], 'sep');
    const i = s.lastIndexOf(sep);
    return i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  isdigit: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\d+$/.test(s),
  isdecimal: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\d]+$/u.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  isidentifier: (s) => /^[A-Za-z_]\w*$/.test(s),
  encode: (s) => s,
  decode: (s) => s,
};

const listMethods: Record<string, Method<unknown[]>> = {
  index: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i < 0) throw new ExprError(`${pyRepr(a[0])} is not in list`);
    return i;
  },
  count: (l, a) => l.filter((x) => pyEq(x, a[0])).length,
  copy: (l) => l.slice(),
};

const dictMethods: Record<string, Method<Record<string, unknown>>> = {
  items: (d) => Object.keys(d).map((k) => [k, d[k] === undefined ? null : d[k]]),
  keys: (d) => Object.keys(d),
  values: (d) => Object.keys(d).map((k) => (d[k] === undefined ? null : d[k])),
  get: (d, a) => {
    const k = typeof a[0] === 'string' ? a[0] : a[0] === undefined ? undefined : pyStr(a[0]);
    return k !== undefined && hasOwn(d, k) ? d[k] : a[1] === undefined ? null : a[1];
  },
  copy: (d) => ({ ...d }),
};

/** Call `target.name(args)`; throws ExprError naming the type when the method does not exist. */
export function callMethod(target: unknown, name: string, args: unknown[], kw: Record<string, unknown>): unknown {
  const s = asStr(target);
  let table: Record<string, Method<any>> | undefined;
  let self: unknown = target;
  if (s !== undefined) {
    table = strMethods;
    self = s;
  } else if (Array.isArray(target)) table = listMethods;
  else if (isDict(target)) table = dictMethods;
  if (!table || !hasOwn(table, name)) throw new ExprError(`${objDesc(target)} has no attribute '${name}'`);
  return table[name](self, args, kw);
}
