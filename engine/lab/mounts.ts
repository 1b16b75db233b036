/**
 * Mount-table helpers: list mounts under a directory (from /proc/self/mountinfo) and unmount
 * them deepest first, so nothing under a lab or cache directory is ever deleted through a mount.
 */
import { readFileSync } from 'node:fs';
import { run } from './sh.ts';

/** Decode the octal escapes (\040 ...) of a mountinfo path. */
function unescape(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points equal to or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const d = dir.replace(/\/+$/, '');
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = unescape(mp);
    if (p === d || p.startsWith(d + '/')) out.push(p);
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Unmount everything at or below `dir` (lazy unmount as the fallback). Returns what stays mounted. */
export async function unmountUnder(dir: string): Promise<string[]> {
  for (let pass = 0; pass < 3; pass++) {
    const ms = mountsUnder(dir);
    if (!ms.length) return [];
    for (const m of ms) {
      if ((await run('umount', [m])).rc !== 0) await run('umount', ['-l', m]);
    }
  }
  return mountsUnder(dir);
}
