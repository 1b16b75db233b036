/**
 * Python `re` compatibility for patterns users copy from Ansible: named groups `(?P<n>...)`,
 * `(?P=n)` backreferences, inline flags `(?i)` at the start, and Python's replacement
 * templates (`\1`, `\g<1>`, `\g<name>`, `\n`). Pure.
 */

/** Compile a Python-style regex into a JS RegExp (with extra `flags`). Throws a clear message. */
export function pyRegex(pattern: string, flags = ''): RegExp {
  let p = pattern;
  let f = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const c of inline[1]) if ('ims'.includes(c) && !f.includes(c)) f += c;
  }
  p = p.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>');
  p = p.replace(/\\A/g, '^').replace(/\\Z/g, '$');
  try {
    return new RegExp(p, f);
  } catch (e) {
    throw new Error(`invalid regular expression '${pattern}': ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', f: '\f', v: '\v' };

/** Expand a Python replacement template against a match (Python's match.expand). */
export function pyExpand(template: string, m: RegExpExecArray | RegExpMatchArray): string {
  return template.replace(/\\(?:g<([^>]+)>|(\d{1,2})|(.))/g, (whole, g: string | undefined, num: string | undefined, ch: string | undefined) => {
    if (g !== undefined) {
      const v = /^\d+$/.test(g) ? m[Number(g)] : m.groups?.[g];
      return v ?? '';
    }
    if (num !== undefined) return m[Number(num)] ?? '';
    if (ch !== undefined && ch in ESC) return ESC[ch];
    return whole;
  });
}

/** Split text into lines keeping their endings (Python's readlines()). */
export function splitLinesKeep(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** A line without its trailing \r\n / \n (Python's rstrip('\r\n')). */
export function stripEol(line: string): string {
  return line.replace(/[\r\n]+$/, '');
}
