/**
 * Python string formatting: `'%s-%d' % (a, b)` (printf style) and `'{}-{name}'.format(...)`.
 */
import { ExprError } from './errors.ts';
import { hasOwn, isDict, pyRepr, pyStr, typeName } from './values.ts';

function fmtNum(conv: string, v: unknown, flags: string, width: number | undefined, prec: number | undefined): string {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : NaN;
  if (Number.isNaN(n)) throw new ExprError(`%${conv} format: a number is required, not ${typeName(v)}`);
  let s: string;
  switch (conv) {
    case 'd': case 'i': case 'u': s = String(Math.trunc(n)); break;
    case 'f': case 'F': s = n.toFixed(Math.min(prec ?? 6, 100)); break;
    case 'e': case 'E': s = n.toExponential(Math.min(prec ?? 6, 100)).replace(/e([+-])(\d)$/, 'e$10$2'); if (conv === 'E') s = s.toUpperCase(); break;
    case 'g': case 'G': s = String(Number(n.toPrecision(Math.min(Math.max(prec || 6, 1), 100)))); break;
    case 'x': s = Math.trunc(n).toString(16); break;
    case 'X': s = Math.trunc(n).toString(16).toUpperCase(); break;
    case 'o': s = Math.trunc(n).toString(8); break;
    default: throw new ExprError(`unsupported format character '${conv}'`);
  }
  if (flags.includes('+') && n >= 0) s = '+' + s;
  if (width !== undefined && flags.includes('0') && !flags.includes('-') && s.length < width) {
    const neg = s[0] === '-' || s[0] === '+';
    s = neg ? s[0] + s.slice(1).padStart(width - 1, '0') : s.padStart(width, '0');
  }
  return s;
}

const MAX_WIDTH = 10000;

/** `fmt % args` with Python's printf-style conversions (%s %r %d %i %f %x %o %e %g %%). */
export function percentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  const dict = isDict(args) ? args : undefined;
  let i = 0;
  const out = fmt.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdiufFeEgGxXor%])/g, (_m, _k, key, flags, w, p, conv) => {
    if (conv === '%') return '%';
    let v: unknown;
    if (key !== undefined) {
      if (!dict || !hasOwn(dict, key)) throw new ExprError(`format requires a mapping with key '${key}'`);
      v = dict[key];
    } else {
      if (i >= list.length) throw new ExprError('not enough arguments for format string');
      v = list[i++];
    }
    const width = w === undefined || w === '*' ? undefined : Math.min(parseInt(w, 10), MAX_WIDTH);
    const prec = p === undefined ? undefined : parseInt(p, 10);
    let s = conv === 's' ? pyStr(v) : conv === 'r' ? pyRepr(v) : fmtNum(conv, v, flags, width, prec);
    if ((conv === 's' || conv === 'r') && prec !== undefined) s = s.slice(0, prec);
    if (width !== undefined && s.length < width) s = flags.includes('-') ? s.padEnd(width) : s.padStart(width);
    return s;
  });
  if (!dict && Array.isArray(args) && i < list.length) throw new ExprError('not all arguments converted during string formatting');
  return out;
}

/** `'{} {0} {name}'.format(*args, **kw)` (simple fields, `{:>10}`-style specs for width/fill). */
export function braceFormat(fmt: string, args: unknown[], kw: Record<string, unknown>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rs])?(?::([^{}]*))?\}/g, (m, field, spec) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    let v: unknown;
    const [head, ...path] = (field as string).split('.');
    if (head === '') v = args[auto++];
    else if (/^\d+$/.test(head)) v = args[parseInt(head, 10)];
    else if (hasOwn(kw, head)) v = kw[head];
    else throw new ExprError(`format(): no argument named '${head}'`);
    for (const p of path) v = isDict(v) && hasOwn(v, p) ? v[p] : undefined;
    if (v === undefined) throw new ExprError(`format(): replacement index ${field || auto - 1} out of range`);
    let s: string;
    const sm = /^(?:(.)?([<>^]))?([+-])?(0)?(\d+)?(?:\.(\d+))?([sdfx%])?$/.exec(spec ?? '');
    if (spec && !sm) throw new ExprError(`format(): unsupported format spec '${spec}'`);
    const [, fill = ' ', align, , zero, width, prec, type] = sm ?? [];
    if (type === 'f' || (prec !== undefined && typeof v === 'number')) s = Number(v).toFixed(Math.min(prec ? parseInt(prec, 10) : 6, 100));
    else if (type === 'x') s = Math.trunc(Number(v)).toString(16);
    else if (type === 'd') s = String(Math.trunc(Number(v)));
    else s = pyStr(v);
    const w = width ? Math.min(parseInt(width, 10), MAX_WIDTH) : 0;
    if (s.length < w) {
      const a = align ?? (typeof v === 'number' ? '>' : '<');
      const f = zero && !align ? '0' : fill;
      if (a === '<') s = s + f.repeat(w - s.length);
      else if (a === '>') s = f.repeat(w - s.length) + s;
      else {
        const left = Math.floor((w - s.length) / 2);
        s = f.repeat(left) + s + f.repeat(w - s.length - left);
      }
    }
    return s;
  });
}
