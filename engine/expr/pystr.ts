/**
 * Python str helpers shared by methods and filters: split, strip, title, capitalize.
 */
import { ExprError } from './errors.ts';

const WS = ' \t\n\r\x0b\x0c';

/** Python str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep?: string | null, maxsplit = -1): string[] {
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let i = 0;
    const n = s.length;
    while (i < n) {
      while (i < n && WS.includes(s[i])) i++;
      if (i >= n) break;
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(s.slice(i).replace(/[ \t\n\r\x0b\x0c]+$/, ''));
        return out;
      }
      let j = i;
      while (j < n && !WS.includes(s[j])) j++;
      out.push(s.slice(i, j));
      i = j;
    }
    return out;
  }
  if (sep === '') throw new ExprError('empty separator');
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

/** Python str.rsplit(sep=None, maxsplit=-1). */
export function pyRsplit(s: string, sep?: string | null, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  if (sep === undefined || sep === null) {
    const words = pySplit(s);
    if (words.length <= maxsplit + 1) return words;
    // keep the original spacing of the head
    let rest = s.replace(/[ \t\n\r\x0b\x0c]+$/, '');
    const tail: string[] = [];
    for (let k = 0; k < maxsplit; k++) {
      const m = /[ \t\n\r\x0b\x0c]+(\S+)$/.exec(rest);
      if (!m) break;
      tail.unshift(m[1]);
      rest = rest.slice(0, m.index);
    }
    return [rest.replace(/^[ \t\n\r\x0b\x0c]+/, ''), ...tail];
  }
  if (sep === '') throw new ExprError('empty separator');
  const parts = s.split(sep);
  if (parts.length <= maxsplit + 1) return parts;
  const cut = parts.length - maxsplit;
  return [parts.slice(0, cut).join(sep), ...parts.slice(cut)];
}

function esc(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** Python str.strip/lstrip/rstrip(chars=None). */
export function pyStrip(s: string, chars: string | null | undefined, side: 'both' | 'left' | 'right' = 'both'): string {
  const set = chars === undefined || chars === null ? '\\s' : esc(chars);
  if (set === '') return s;
  let r = s;
  if (side !== 'right') r = r.replace(new RegExp(`^[${set}]+`), '');
  if (side !== 'left') r = r.replace(new RegExp(`[${set}]+$`), '');
  return r;
}

/** Python str.capitalize(). */
export function pyCapitalize(s: string): string {
  return s.length ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
}

/** Jinja's title filter / Python str.title(). */
export function pyTitle(s: string): string {
  return s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, a, b) => a + b.toUpperCase());
}
