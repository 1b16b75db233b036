/** The pure part of the find module: parsing `find -printf` rows and Ansible's filters. */

export interface FoundFile {
  path: string;
  type: string;
  mode: string;
  pw_name: string;
  gr_name: string;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  atime: number;
  ctime: number;
  inode: number;
  nlink: number;
  isdir: boolean;
  isreg: boolean;
  islnk: boolean;
}

/** -printf format matching parseFindRow. */
export const FIND_PRINTF = '%p\\t%y\\t%m\\t%u\\t%g\\t%U\\t%G\\t%s\\t%T@\\t%A@\\t%C@\\t%i\\t%n\\n';

/** Parse one row printed with FIND_PRINTF. */
export function parseFindRow(row: string): FoundFile | undefined {
  const f = row.split('\t');
  if (f.length < 13) return undefined;
  return {
    path: f[0],
    type: f[1],
    mode: f[2].padStart(4, '0'),
    pw_name: f[3],
    gr_name: f[4],
    uid: Number(f[5]),
    gid: Number(f[6]),
    size: Number(f[7]),
    mtime: Number(f[8]),
    atime: Number(f[9]),
    ctime: Number(f[10]),
    inode: Number(f[11]),
    nlink: Number(f[12]),
    isdir: f[1] === 'd',
    isreg: f[1] === 'f',
    islnk: f[1] === 'l',
  };
}

/** Python fnmatch pattern -> RegExp (*, ?, [seq], [!seq]). */
export function fnmatchRe(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = pat.indexOf(']', i + 2);
      if (j < 0) re += '\\[';
      else {
        let body = pat.slice(i + 1, j);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Ansible's age filter: '2d' = at least 2 days old; '-2d' = younger than 2 days. */
export function ageMatches(age: string, mtime: number, now: number): boolean {
  const m = /^(-?\d+)([smhdw]?)$/i.exec(age.trim());
  if (!m) throw new Error(`failed to process age ${age}`);
  const secs = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()];
  const fileAge = now - mtime;
  return secs >= 0 ? fileAge >= secs : fileAge <= Math.abs(secs);
}

/** Ansible's size filter: '10m' = at least 10 MiB; '-10m' = at most 10 MiB. */
export function sizeMatches(size: string, bytes: number): boolean {
  const m = /^(-?\d+)([bkmgt]?)$/i.exec(size.trim());
  if (!m) throw new Error(`failed to process size ${size}`);
  const lim = Number(m[1]) * SIZES[(m[2] || 'b').toLowerCase()];
  return lim >= 0 ? bytes >= lim : bytes <= Math.abs(lim);
}

export interface FindFilters {
  patterns: string[];
  excludes: string[];
  use_regex: boolean;
  hidden: boolean;
  file_type: string;
  age?: string;
  size?: string;
  age_stamp: 'mtime' | 'atime' | 'ctime';
}

/** Whether a found entry passes the name/type/age/size filters (contains is applied remotely). */
export function passes(f: FoundFile, o: FindFilters, now: number): boolean {
  const base = f.path.split('/').pop() ?? '';
  if (!o.hidden && base.startsWith('.')) return false;
  const want = { file: 'f', directory: 'd', link: 'l' }[o.file_type];
  if (o.file_type !== 'any' && f.type !== want) return false;
  const match = (pats: string[]) => pats.some((p) => (o.use_regex ? new RegExp(p).test(base) : fnmatchRe(p).test(base)));
  if (o.patterns.length && !match(o.patterns)) return false;
  if (o.excludes.length && match(o.excludes)) return false;
  if (o.age !== undefined && !ageMatches(o.age, f[o.age_stamp], now)) return false;
  if (o.size !== undefined && f.isreg && !sizeMatches(o.size, f.size)) return false;
  return true;
}
