/** Reading users and groups with getent (pure parsers + a marked multi-query script). */
import { quote } from './quote.ts';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Parse one passwd line (`name:x:uid:gid:gecos:home:shell`). */
export function parsePasswd(line: string): PasswdEntry | undefined {
  const f = line.trim().split(':');
  if (f.length < 7) return undefined;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f[6] };
}

/** Parse one group line (`name:x:gid:m1,m2`). */
export function parseGroup(line: string): GroupEntry | undefined {
  const f = line.trim().split(':');
  if (f.length < 3) return undefined;
  return { name: f[0], gid: Number(f[2]), members: f[3] ? f[3].split(',').filter(Boolean) : [] };
}

/** A script printing `TAG <getent output>` lines for several queries (missing entries print nothing). */
export function getentScript(queries: { tag: string; db: 'passwd' | 'group' | 'shadow'; key: string }[]): string {
  return queries.map((q) => `getent ${q.db} ${quote(q.key)} | sed 's/^/${q.tag} /'`).join('; ') + '; true';
}

/** Lines of a getentScript output for one tag. */
export function tagged(out: string, tag: string): string[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith(tag + ' '))
    .map((l) => l.slice(tag.length + 1));
}
