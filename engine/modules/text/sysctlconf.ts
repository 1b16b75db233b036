/** sysctl.conf handling ported from ansible.posix.sysctl (pure): values, token compare, fix_lines. */

/** Ansible normalises boolean-looking values to 1/0. */
export function normalizeSysctlValue(v: string): string {
  const s = v.trim();
  if (/^(yes|on|true)$/i.test(s)) return '1';
  if (/^(no|off|false)$/i.test(s)) return '0';
  return s;
}

/** Values are equal when their whitespace-separated tokens are ('4096 87380' == '4096\t87380'). */
export function sysctlValuesEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}

/** The value of `key` in a sysctl.conf text (last assignment wins), or undefined. */
export function sysctlFileValue(text: string, key: string): string | undefined {
  let v: string | undefined;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';') || !t.includes('=')) continue;
    const i = t.indexOf('=');
    if (t.slice(0, i).trim() === key) v = t.slice(i + 1).trim();
  }
  return v;
}

/** Ansible's fix_lines: normalise `k = v` lines to `k=v`, drop duplicates, set/remove `key`. */
export function fixSysctlLines(text: string, key: string, value: string | undefined, state: 'present' | 'absent'): string {
  const out: string[] = [];
  const seen = new Set<string>();
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';') || !t.includes('=')) {
      out.push(line.endsWith('\n') ? line : line + '\n');
      continue;
    }
    const i = t.indexOf('=');
    const k = t.slice(0, i).trim();
    const v = t.slice(i + 1).trim();
    if (seen.has(k)) continue;
    seen.add(k);
    if (k === key) {
      if (state === 'present') out.push(`${k}=${value}\n`);
    } else out.push(`${k}=${v}\n`);
  }
  if (!seen.has(key) && state === 'present') out.push(`${key}=${value}\n`);
  return out.join('');
}

/** /proc/sys path of a key (dots are separators; a key with '/' swaps '.' and '/'). */
export function procPath(key: string): string {
  const k = key.includes('/') ? key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.')) : key.replace(/\./g, '/');
  return `/proc/sys/${k}`;
}
