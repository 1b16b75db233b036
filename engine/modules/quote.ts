/** POSIX shell quoting for values sent to remote /bin/sh command lines. */

/** Quote one word for /bin/sh: safe words stay bare, everything else is single-quoted. */
export function quote(word: string | number): string {
  const s = String(word);
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quote every word and join them with spaces (an argv as a command line). */
export function quoteArgv(argv: readonly (string | number)[]): string {
  return argv.map(quote).join(' ');
}

/**
 * Split a command line into words the way Python's shlex.split does (Ansible's `command`):
 * single and double quotes, backslash escapes, no expansion.
 */
export function shlexSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      cur += line.slice(i + 1, end);
      has = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) i++;
        cur += line[i++];
      }
      if (i >= line.length) throw new Error('No closing quotation');
      has = true;
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      has = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      i++;
    } else {
      cur += c;
      has = true;
      i++;
    }
  }
  if (has) out.push(cur);
  return out;
}
