/**
 * Python regular expressions on JavaScript's engine: converts the common Python-only syntax
 * (`(?P<name>...)`, `(?P=name)`, inline `(?i)` flags, `\A`, `\Z`) and Python replacement
 * templates (`\1`, `\g<name>`). Bad patterns become ExprErrors.
 */
import { ExprError } from './errors.ts';

const cache = new Map<string, RegExp>();

/** Compile a Python pattern. `flags` are JS flags ('i', 'm', 's'); 'g' is added when `global`. */
export function pyRegex(pattern: string, opts: { ignorecase?: boolean; multiline?: boolean; global?: boolean; sticky?: boolean } = {}): RegExp {
  let flags = '';
  let p = pattern;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  if (opts.ignorecase && !flags.includes('i')) flags += 'i';
  if (opts.multiline && !flags.includes('m')) flags += 'm';
  if (opts.global) flags += 'g';
  if (opts.sticky) flags += 'y';
  const key = flags + '\0' + p;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  const js = p
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$(?![\\s\\S])');
  let re: RegExp;
  try {
    re = new RegExp(js, flags);
  } catch (e: any) {
    throw new ExprError(`invalid regular expression '${pattern}': ${String(e.message).replace(/^Invalid regular expression: /, '')}`);
  }
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

/** Expand a Python replacement template (`\1`, `\g<1>`, `\g<name>`, `\n`) for one match. */
export function expandTemplate(tpl: string, m: RegExpExecArray | string[], groups?: Record<string, string | undefined>): string {
  return tpl.replace(/\\(g<([^>]+)>|(\d{1,2})|n|t|r|\\|.)/g, (all, _x, g, d) => {
    if (g !== undefined) {
      if (/^\d+$/.test(g)) return m[parseInt(g, 10)] ?? '';
      if (!groups || !(g in groups)) throw new ExprError(`unknown group name '${g}' in replacement`);
      return groups[g] ?? '';
    }
    if (d !== undefined) {
      const i = parseInt(d, 10);
      if (i >= m.length) throw new ExprError(`invalid group reference ${i}`);
      return m[i] ?? '';
    }
    if (all === '\\n') return '\n';
    if (all === '\\t') return '\t';
    if (all === '\\r') return '\r';
    if (all === '\\\\') return '\\';
    return all;
  });
}

/** Python re.escape. */
export function pyEscape(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, (c) => (c.charCodeAt(0) > 127 ? c : '\\' + c));
}
