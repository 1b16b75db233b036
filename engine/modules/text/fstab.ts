/** /etc/fstab editing as ansible.posix.mount does it, plus swap-line handling (pure). */
import type { EditResult } from './lineinfile.ts';

export interface FstabEntry {
  src: string;
  name: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

/** fstab escapes spaces etc. as octal (\040). */
export function fstabEscape(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function fields(line: string): string[] | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  const f = t.split(/\s+/);
  return f.length >= 3 ? f : undefined;
}

/** Whether an fstab line is the entry for `name` (for swap entries named 'none', src must match too). */
function isEntry(f: string[], name: string, src?: string): boolean {
  if (f[1] !== fstabEscape(name)) return false;
  if (src !== undefined && (f[1] === 'none' || f[1] === 'swap') && f[2] === 'swap' && f[0] !== fstabEscape(src)) return false;
  return true;
}

/** Add or update the entry for e.name. */
export function setFstabEntry(text: string, e: FstabEntry): EditResult {
  const want = [fstabEscape(e.src), fstabEscape(e.name), e.fstype, e.opts, e.dump, e.passno];
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let found = false;
  let changed = false;
  const out = lines.map((line) => {
    const f = fields(line);
    if (found || !f || !isEntry(f, e.name, e.src)) return line;
    found = true;
    const cur = [f[0], f[1], f[2], f[3] ?? 'defaults', f[4] ?? '0', f[5] ?? '0'];
    if (cur.join(' ') === want.join(' ')) return line;
    changed = true;
    return want.join(' ') + '\n';
  });
  if (!found) {
    if (out.length && !out[out.length - 1].endsWith('\n')) out[out.length - 1] += '\n';
    out.push(want.join(' ') + '\n');
    changed = true;
  }
  return { text: out.join(''), changed, msg: changed ? (found ? 'fstab entry updated' : 'fstab entry added') : '' };
}

/** Remove the entry (entries) for `name`. */
export function unsetFstabEntry(text: string, name: string, src?: string): EditResult {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let found = 0;
  const out = lines.filter((line) => {
    const f = fields(line);
    if (f && isEntry(f, name, src)) {
      found++;
      return false;
    }
    return true;
  });
  return { text: out.join(''), changed: found > 0, msg: found ? 'fstab entry removed' : '', found };
}

/** Comment out (`#`) or remove every active swap line (fstype swap). */
export function disableSwapLines(text: string, how: 'comment' | 'remove'): EditResult {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let found = 0;
  const out: string[] = [];
  for (const line of lines) {
    const f = fields(line);
    if (f && f[2] === 'swap') {
      found++;
      if (how === 'comment') out.push(`# ${line}`);
      continue;
    }
    out.push(line);
  }
  return { text: out.join(''), changed: found > 0, msg: found ? `${found} swap line(s) ${how === 'comment' ? 'commented out' : 'removed'}` : '', found };
}
