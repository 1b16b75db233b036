/**
 * String filters: case, replace, trim, split, join, regex_*, quote, indent, base64, paths,
 * format, strftime, urlsplit, comment-free basics.
 */
import { posix } from 'node:path';
import { ExprError } from '../errors.ts';
import { percentFormat } from '../format.ts';
import { expandTemplate, pyEscape, pyRegex } from '../pyre.ts';
import { pyCapitalize, pySplit, pyStrip, pyTitle } from '../pystr.ts';
import { defineFilters } from '../registry.ts';
import { Undefined, asStr, pyIter, pyStr, toInt, toStr, typeName } from '../values.ts';
import { toBool } from './core.ts';

function str(v: unknown, what: string): string {
  const s = asStr(v);
  if (s !== undefined) return s;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return pyStr(v);
  throw new ExprError(`${what} expects a string, got ${typeName(v)}`);
}

function reOpts(a: unknown[], kw: Record<string, unknown>, from: number) {
  return { ignorecase: toBool(kw.ignorecase ?? a[from] ?? false), multiline: toBool(kw.multiline ?? a[from + 1] ?? false) };
}

/** Python shlex.quote. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, `'"'"'`) + "'";
}

/** Jinja's indent(width=4, first=False, blank=False). */
export function indentText(s: string, width: unknown = 4, first = false, blank = false): string {
  const pad = typeof width === 'string' ? width : ' '.repeat(Math.max(0, Math.min(toInt(width, 'indent width'), 10000)));
  const nl = '\n';
  let lines = s.split(nl);
  const out = lines.map((l, i) => {
    if (i === 0 && !first) return l;
    if (!blank && l.trim() === '') return l;
    return pad + l;
  });
  lines = out;
  return lines.join(nl);
}

const B64_RE = /^[A-Za-z0-9+/=\s_-]*$/;

function strftime(fmt: string, d: Date, utc: boolean): string {
  const g = (local: () => number, u: () => number) => (utc ? u() : local());
  const Y = g(() => d.getFullYear(), () => d.getUTCFullYear());
  const m = g(() => d.getMonth(), () => d.getUTCMonth());
  const D = g(() => d.getDate(), () => d.getUTCDate());
  const H = g(() => d.getHours(), () => d.getUTCHours());
  const M = g(() => d.getMinutes(), () => d.getUTCMinutes());
  const S = g(() => d.getSeconds(), () => d.getUTCSeconds());
  const wd = g(() => d.getDay(), () => d.getUTCDay());
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  const start = utc ? Date.UTC(Y, 0, 1) : new Date(Y, 0, 1).getTime();
  const doy = Math.floor((d.getTime() - start) / 86400000) + 1;
  const off = utc ? 0 : -d.getTimezoneOffset();
  return fmt.replace(/%([a-zA-Z%])/g, (all, c) => {
    switch (c) {
      case 'Y': return String(Y);
      case 'y': return p2(Y % 100);
      case 'm': return p2(m + 1);
      case 'd': return p2(D);
      case 'H': return p2(H);
      case 'I': return p2(H % 12 || 12);
      case 'p': return H < 12 ? 'AM' : 'PM';
      case 'M': return p2(M);
      case 'S': return p2(S);
      case 'j': return String(doy).padStart(3, '0');
      case 'a': return days[wd].slice(0, 3);
      case 'A': return days[wd];
      case 'b': return months[m].slice(0, 3);
      case 'B': return months[m];
      case 'w': return String(wd);
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'z': return (off >= 0 ? '+' : '-') + p2(Math.floor(Math.abs(off) / 60)) + p2(Math.abs(off) % 60);
      case 'Z': return utc ? 'UTC' : '';
      case 'F': return `${Y}-${p2(m + 1)}-${p2(D)}`;
      case 'T': return `${p2(H)}:${p2(M)}:${p2(S)}`;
      case '%': return '%';
    }
    return all;
  });
}

defineFilters({
  upper: (v) => str(v, 'upper').toUpperCase(),
  lower: (v) => str(v, 'lower').toLowerCase(),
  capitalize: (v) => pyCapitalize(str(v, 'capitalize')),
  title: (v) => pyTitle(str(v, 'title')),
  replace: (v, a) => {
    const s = str(v, 'replace');
    const old = toStr(a[0]);
    const neu = toStr(a[1] ?? '');
    if (a[2] === undefined || a[2] === null) return s.split(old).join(neu);
    const n = toInt(a[2], 'replace count');
    const parts = s.split(old);
    if (parts.length - 1 <= n) return parts.join(neu);
    return parts.slice(0, n + 1).join(neu) + old + parts.slice(n + 1).join(old);
  },
  trim: (v, a) => pyStrip(str(v, 'trim'), a[0] === undefined ? null : toStr(a[0])),
  split: (v, a) => pySplit(str(v, 'split'), a[0] === undefined || a[0] === null ? null : toStr(a[0]), a[1] === undefined ? -1 : toInt(a[1], 'maxsplit')),
  join: (v, a, kw, cc) => {
    if (typeof v === 'string') return Array.from(v).join(toStr(a[0] ?? kw.d ?? ''));
    let items = pyIter(v);
    const attr = kw.attribute ?? a[1];
    if (attr !== undefined && attr !== null) items = items.map((x) => cc.attr(x, attr as string));
    return items.map((x) => {
      if (x instanceof Undefined) throw new ExprError(x.hint);
      return pyStr(x);
    }).join(toStr(a[0] ?? kw.d ?? ''));
  },
  center: (v, a) => {
    const s = str(v, 'center');
    const w = Math.min(toInt(a[0] ?? 80, 'width'), 100000);
    if (s.length >= w) return s;
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  },
  truncate: (v, a, kw) => {
    const s = str(v, 'truncate');
    const len = toInt(a[0] ?? kw.length ?? 255, 'length');
    const killwords = toBool(a[1] ?? kw.killwords ?? false);
    const end = toStr(a[2] ?? kw.end ?? '...');
    const leeway = toInt(a[3] ?? kw.leeway ?? 5, 'leeway');
    if (s.length <= len + leeway) return s;
    if (killwords) return s.slice(0, Math.max(0, len - end.length)) + end;
    const head = s.slice(0, Math.max(0, len - end.length));
    const i = head.lastIndexOf(' ');
    return (i >= 0 ? head.slice(0, i) : head) + end;
  },
  wordcount: (v) => pySplit(str(v, 'wordcount')).length,
  regex_replace: (v, a, kw) => {
    const s = str(v, 'regex_replace');
    const re = pyRegex(toStr(a[0] ?? kw.pattern ?? ''), { ...reOpts(a, kw, 2), global: true });
    const tpl = toStr(a[1] ?? kw.replacement ?? '');
    const count = toInt(a[4] ?? kw.count ?? 0, 'count');
    let n = 0;
    return s.replace(re, (...m: any[]) => {
      if (count > 0 && n >= count) return m[0];
      n++;
      const last = m[m.length - 1];
      const groups = typeof last === 'object' ? last : undefined;
      const arr = m.slice(0, typeof last === 'object' ? m.length - 3 : m.length - 2);
      return expandTemplate(tpl, arr, groups);
    });
  },
  regex_search: (v, a, kw) => {
    const s = str(v, 'regex_search');
    const re = pyRegex(toStr(a[0] ?? kw.pattern ?? ''), { ignorecase: toBool(kw.ignorecase ?? false), multiline: toBool(kw.multiline ?? false) });
    const m = re.exec(s);
    const refs = a.slice(1).map((x) => toStr(x));
    if (!refs.length) return m ? m[0] : null;
    if (!m) return null;
    return refs.map((r) => {
      const g = /^\\g<([^>]+)>$/.exec(r);
      if (g) return /^\d+$/.test(g[1]) ? m[parseInt(g[1], 10)] ?? null : m.groups?.[g[1]] ?? null;
      const d = /^\\(\d+)$/.exec(r);
      if (d) return m[parseInt(d[1], 10)] ?? null;
      throw new ExprError(`regex_search: unknown group reference '${r}'`);
    });
  },
  regex_findall: (v, a, kw) => {
    const s = str(v, 'regex_findall');
    const re = pyRegex(toStr(a[0] ?? kw.pattern ?? ''), { ...reOpts(a, kw, 1), global: true });
    const out: unknown[] = [];
    for (const m of s.matchAll(re)) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((x) => x ?? ''));
      if (out.length > 1_000_000) throw new ExprError('regex_findall: too many matches');
    }
    return out;
  },
  regex_escape: (v) => pyEscape(str(v, 'regex_escape')),
  quote: (v) => shellQuote(str(v ?? '', 'quote')),
  indent: (v, a, kw) => indentText(str(v, 'indent'), a[0] ?? kw.width ?? 4, toBool(a[1] ?? kw.first ?? false), toBool(a[2] ?? kw.blank ?? false)),
  comment: (v) => str(v, 'comment').split('\n').map((l) => (l ? '# ' + l : '#')).join('\n'),
  b64encode: (v) => Buffer.from(str(v, 'b64encode'), 'utf8').toString('base64'),
  b64decode: (v) => {
    const s = str(v, 'b64decode');
    if (!B64_RE.test(s)) throw new ExprError('b64decode: input is not base64');
    return Buffer.from(s, 'base64').toString('utf8');
  },
  urlencode: (v) => encodeURIComponent(toStr(v)).replace(/%2F/g, '/'),
  basename: (v) => {
    const s = str(v, 'basename');
    return s.slice(s.lastIndexOf('/') + 1);
  },
  dirname: (v) => {
    const s = str(v, 'dirname');
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  splitext: (v) => {
    const s = str(v, 'splitext');
    const base = posix.basename(s);
    const ext = base.startsWith('.') && base.indexOf('.', 1) < 0 ? '' : posix.extname(base);
    return [s.slice(0, s.length - ext.length), ext];
  },
  expanduser: (v) => str(v, 'expanduser').replace(/^~(?=\/|$)/, process.env.HOME ?? '~'),
  realpath: (v) => posix.resolve(str(v, 'realpath')),
  relpath: (v, a) => posix.relative(toStr(a[0] ?? '.'), str(v, 'relpath')),
  path_join: (v) => {
    const parts = Array.isArray(v) ? v.map((x) => toStr(x)) : [str(v, 'path_join')];
    let out = '';
    for (const p of parts) out = p.startsWith('/') ? p : out === '' || out.endsWith('/') ? out + p : out + '/' + p;
    return out;
  },
  format: (v, a, kw) => percentFormat(str(v, 'format'), Object.keys(kw).length ? kw : a),
  strftime: (v, a) => {
    const fmt = str(v, 'strftime');
    const secs = a[0] === undefined || a[0] === null ? Date.now() / 1000 : Number(a[0]);
    if (!Number.isFinite(secs)) throw new ExprError('strftime: invalid seconds');
    return strftime(fmt, new Date(secs * 1000), toBool(a[1] ?? false));
  },
  urlsplit: (v, a) => {
    const s = str(v, 'urlsplit');
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new ExprError(`urlsplit: not a URL: '${s}'`);
    }
    const parts: Record<string, unknown> = {
      scheme: u.protocol.replace(/:$/, ''), netloc: u.host ? (u.username ? `${u.username}${u.password ? ':' + u.password : ''}@` : '') + u.host : '',
      hostname: u.hostname || null, port: u.port ? parseInt(u.port, 10) : null, path: u.pathname, query: u.search.replace(/^\?/, ''),
      fragment: u.hash.replace(/^#/, ''), username: u.username || null, password: u.password || null,
    };
    if (a[0] === undefined) return parts;
    const k = toStr(a[0]);
    if (!(k in parts)) throw new ExprError(`urlsplit: unknown URL component '${k}'`);
    return parts[k];
  },
  escape: (v) => toStr(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  e: (v, a, kw, cc) => cc.filter('escape', v),
});
