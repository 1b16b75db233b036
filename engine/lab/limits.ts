/**
 * Machine-wide kernel limits that many booted hosts need. Every lab host's systemd (and its
 * journald, logind, dbus...) holds several inotify instances, all counted against root's
 * single per-user limit (default 128: about 16 hosts machine-wide). Only ever raised, never lowered.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** [sysctl path, minimum value] pairs the lab ensures. */
export const LIMITS: [string, number][] = [
  ['/proc/sys/fs/inotify/max_user_instances', 8192],
  ['/proc/sys/fs/inotify/max_user_watches', 524288],
];

/** Raise each limit in LIMITS to at least its minimum; returns a note per change. */
export function raiseLimits(limits: [string, number][] = LIMITS): string[] {
  const notes: string[] = [];
  for (const [path, min] of limits) {
    try {
      const cur = Number(readFileSync(path, 'utf8').trim());
      if (cur < min) {
        writeFileSync(path, `${min}\n`);
        notes.push(`raised ${path.replace(/^\/proc\/sys\//, '').replace(/\//g, '.')} from ${cur} to ${min} (lab hosts' systemd needs them)`);
      }
    } catch { /* not writable here: hosts may fail to boot, and the boot error shows why */ }
  }
  return notes;
}
