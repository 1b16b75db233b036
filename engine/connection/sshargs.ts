/**
 * Parse the OpenSSH command-line options that Ansible users put into
 * `ansible_ssh_common_args` / `ansible_ssh_extra_args`: `-o Key=Value`, `-oKey=Value`,
 * `-o "Key Value"`, `-J jump`, `-p port`, `-l user`, `-i file`, `-F file`. First value wins.
 */

/** Split a command-line string the way a POSIX shell would (quotes and backslashes). */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      const end = j === -1 ? s.length : j;
      cur += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) i++;
        cur += s[i++];
      }
      i++;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Options found on an ssh command line: lowercase option name -> values (in order). */
export interface SshArgOptions {
  options: Map<string, string[]>;
  /** Arguments not understood (reported as warnings by the caller). */
  ignored: string[];
}

const FLAG_TO_OPTION: Record<string, string> = { '-J': 'proxyjump', '-p': 'port', '-l': 'user', '-i': 'identityfile', '-F': 'configfile' };

/** Parse one or more ssh argument strings (common args first, then extra args). */
export function parseSshArgs(...argStrings: (string | undefined)[]): SshArgOptions {
  const options = new Map<string, string[]>();
  const ignored: string[] = [];
  const add = (k: string, v: string) => {
    const key = k.toLowerCase();
    if (!options.has(key)) options.set(key, []);
    options.get(key)!.push(v);
  };
  for (const s of argStrings) {
    if (!s) continue;
    const words = shellSplit(s);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      let optText: string | undefined;
      if (w === '-o') optText = words[++i];
      else if (w.startsWith('-o') && w.length > 2) optText = w.slice(2);
      else if (FLAG_TO_OPTION[w.slice(0, 2)] && w.length >= 2) {
        const v = w.length > 2 ? w.slice(2) : words[++i];
        if (v !== undefined) add(FLAG_TO_OPTION[w.slice(0, 2)], v);
        continue;
      } else {
        ignored.push(w);
        continue;
      }
      if (optText === undefined) continue;
      const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(optText);
      if (m) add(m[1], m[2].trim());
      else ignored.push(`-o ${optText}`);
    }
  }
  return { options, ignored };
}

/** First value of an option (lowercase name), if any. */
export function firstOpt(o: SshArgOptions, key: string): string | undefined {
  return o.options.get(key.toLowerCase())?.[0];
}
