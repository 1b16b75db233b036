/**
 * Shell-style wildcards as Python's fnmatch.translate understands them (what Ansible uses for
 * host patterns): `*` any run, `?` one character, `[abc]`, `[a-z]`, `[!abc]`; an unclosed `[`
 * is literal. Matching is case-sensitive and anchored at both ends.
 */

const escapeRe = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Translate a glob to a JavaScript RegExp source (anchored). */
export function globToRegExpSource(pat: string): string {
  let out = '';
  let i = 0;
  const n = pat.length;
  const lastClose = pat.lastIndexOf(']'); // a `[` after the last `]` is literal (keeps this linear)
  while (i < n) {
    const c = pat[i++];
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      j = j <= lastClose ? pat.indexOf(']', j) : -1;
      if (j < 0) {
        out += '\\[';
        continue;
      }
      let stuff = pat.slice(i, j);
      i = j + 1;
      let negate = false;
      if (stuff.startsWith('!')) {
        negate = true;
        stuff = stuff.slice(1);
      }
      if (!stuff) {
        out += negate ? '.' : '(?!)';
        continue;
      }
      let cls = '';
      for (let k = 0; k < stuff.length; k++) {
        const a = stuff[k];
        if (stuff[k + 1] === '-' && k + 2 < stuff.length) {
          const b = stuff[k + 2];
          if (a <= b) cls += escapeRe(a) + '-' + escapeRe(b);
          k += 2;
        } else cls += escapeRe(a);
      }
      out += cls ? `[${negate ? '^' : ''}${cls}]` : negate ? '.' : '(?!)';
    } else {
      out += escapeRe(c);
    }
  }
  return `^(?:${out})$`;
}

/**
 * Compile a glob. Throws SyntaxError when the engine cannot compile it (e.g. a pattern too large);
 * the regexp is exercised once here, because V8 compiles lazily and would otherwise throw later.
 */
export function globToRegExp(pat: string): RegExp {
  const re = new RegExp(globToRegExpSource(pat), 's');
  re.test('');
  return re;
}
