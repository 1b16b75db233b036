/**
 * A port of Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI
 * inventory uses to split a host line into the host pattern and its `key=value` variables.
 */
import { TsplayError } from '../types.ts';

const WS = ' \t\r\n';

/**
 * Split one line the way `shlex.split(line, comments=True)` does: whitespace separates tokens,
 * '...' is literal, "..." allows \" and \\ escapes, a backslash outside quotes escapes the next
 * character, and `#` outside quotes starts a comment. Throws TsplayError on an unclosed quote
 * ("No closing quotation") or a trailing backslash ("No escaped character").
 */
export function shlexSplit(line: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false; // a token has started (possibly an empty quoted one)
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (WS.includes(c)) {
      if (inToken) tokens.push(token);
      token = '';
      inToken = false;
      i++;
    } else if (c === '#') {
      break; // comment to the end of the line
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new TsplayError('No escaped character');
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new TsplayError('No closing quotation');
      token += line.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new TsplayError('No closing quotation');
        const d = line[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          if (i + 1 >= line.length) throw new TsplayError('No escaped character');
          const e = line[i + 1];
          token += e === '"' || e === '\\' ? e : '\\' + e;
          i += 2;
          continue;
        }
        token += d;
        i++;
      }
      inToken = true;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) tokens.push(token);
  return tokens;
}
