/**
 * RPM package state for dnf/yum: installed packages (rpm -qa with a format), available
 * packages (`dnf|yum list --showduplicates available`), local .rpm headers, installed groups;
 * spec matching (name, name.arch, name-version[-release][.arch], globs) and rpmvercmp.
 * Parsers are pure (unit tested).
 */
import { quote } from '../quote.ts';
import { globRe } from './common.ts';

/** One package NEVRA. */
export interface Rpm {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  repo?: string;
}

const MARK = '==TSPLAY-RPM==';
const QF = `%{NAME}\\t%|EPOCH?{%{EPOCH}}:{0}|\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n`;

/** `version-release` with `epoch:` when non-zero (what dnf prints). */
export function evr(p: Rpm): string {
  return `${p.epoch && p.epoch !== '0' ? p.epoch + ':' : ''}${p.version}-${p.release}`;
}

/** `name-[epoch:]version-release.arch` */
export function nevra(p: Rpm): string {
  return `${p.name}-${evr(p)}.${p.arch}`;
}

/** rpm's rpmvercmp: compare two version (or release) strings; -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const sep = /[^A-Za-z0-9~^]/;
  while (i < a.length || j < b.length) {
    while (i < a.length && sep.test(a[i])) i++;
    while (j < b.length && sep.test(b[j])) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const num = /[0-9]/.test(a[i]);
    const re = num ? /[0-9]/ : /[A-Za-z]/;
    const si = i;
    const sj = j;
    while (i < a.length && re.test(a[i])) i++;
    while (j < b.length && re.test(b[j])) j++;
    let sa = a.slice(si, i);
    let sb = b.slice(sj, j);
    if (sb === '') return num ? 1 : -1;
    if (num) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compare two packages' epoch:version-release. */
export function evrCompare(a: Rpm, b: Rpm): number {
  const e = Number(a.epoch || 0) - Number(b.epoch || 0);
  if (e !== 0) return e > 0 ? 1 : -1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** True when a dnf spec (name, name.arch, name-ver, name-ver-rel[.arch], epoch forms, globs) names `p`. */
export function specMatches(spec: string, p: Rpm): boolean {
  const e = p.epoch && p.epoch !== '0' ? `${p.epoch}:` : '';
  const forms = [
    p.name,
    `${p.name}.${p.arch}`,
    `${p.name}-${p.version}`,
    `${p.name}-${e}${p.version}`,
    `${p.name}-${p.version}-${p.release}`,
    `${p.name}-${e}${p.version}-${p.release}`,
    `${p.name}-${p.version}-${p.release}.${p.arch}`,
    `${p.name}-${e}${p.version}-${p.release}.${p.arch}`,
    `${p.name}-${p.epoch || 0}:${p.version}-${p.release}.${p.arch}`,
  ];
  if (!/[*?[]/.test(spec)) return forms.includes(spec);
  const re = globRe(spec);
  return forms.some((f) => re.test(f));
}

/** Parse rpm -q/-qa/-qp output printed with the QF format; other lines are ignored. */
export function parseRpmQuery(out: string): Rpm[] {
  const res: Rpm[] = [];
  for (const line of out.split('\n')) {
    const f = line.split('\t');
    if (f.length !== 5 || !f[0]) continue;
    res.push({ name: f[0], epoch: f[1], version: f[2], release: f[3], arch: f[4] });
  }
  return res;
}

/**
 * Parse `dnf|yum list` output: `name.arch  [epoch:]version-release  repo` rows (dnf/yum wrap a
 * long name onto its own line: the row continues on the next line). Headers are skipped.
 */
export function parseYumList(out: string): Rpm[] {
  const toks: string[] = [];
  const res: Rpm[] = [];
  for (const line of out.split('\n')) {
    if (/^(Available|Installed|Last metadata|Extra|Upgraded|Obsoleting|Error|Updated|Repository)\b/i.test(line.trim()) || line.trim() === '') continue;
    toks.push(...line.trim().split(/\s+/));
    while (toks.length >= 3) {
      const [na, ver, repo] = toks.splice(0, 3);
      const dot = na.lastIndexOf('.');
      const m = /^(?:(\d+):)?(.+)-([^-]+)$/.exec(ver);
      if (dot <= 0 || !m) continue;
      res.push({ name: na.slice(0, dot), arch: na.slice(dot + 1), epoch: m[1] ?? '0', version: m[2], release: m[3], repo: repo.replace(/^@/, '') });
    }
  }
  return res;
}

/** dnf/yum options common to every call: repos, gpg check, conf file, installroot. */
export interface RpmOpts {
  enablerepo?: string[];
  disablerepo?: string[];
  disable_gpg_check?: boolean;
  conf_file?: string;
  installroot?: string;
  releasever?: string;
  exclude?: string[];
}

/** The option words for dnf/yum (already shell-quoted). */
export function rpmOptWords(o: RpmOpts): string[] {
  const w: string[] = [];
  for (const r of o.disablerepo ?? []) w.push(quote(`--disablerepo=${r}`));
  for (const r of o.enablerepo ?? []) w.push(quote(`--enablerepo=${r}`));
  if (o.disable_gpg_check) w.push('--nogpgcheck');
  if (o.conf_file) w.push(quote(`--config=${o.conf_file}`));
  if (o.installroot && o.installroot !== '/') w.push(quote(`--installroot=${o.installroot}`));
  if (o.releasever) w.push(quote(`--releasever=${o.releasever}`));
  for (const x of o.exclude ?? []) w.push(quote(`--exclude=${x}`));
  return w;
}

/** What one read of the RPM side returns. */
export interface RpmRead {
  /** 'dnf', 'yum' or undefined when neither is installed. */
  tool?: 'dnf' | 'yum';
  installed: Rpm[];
  /** Per local .rpm file: its header, or undefined when the file is missing/unreadable. */
  files: (Rpm | undefined)[];
  /** Raw `group list --installed` output (only when groups were asked for). */
  groups: string;
}

/** The ONE read command: tool, installed packages, local .rpm headers, installed groups. */
export function rpmReadScript(files: string[], groups: boolean, o: RpmOpts): string {
  const root = o.installroot && o.installroot !== '/' ? ` --root ${quote(o.installroot)}` : '';
  return [
    `if command -v dnf >/dev/null 2>&1; then P=dnf; elif command -v yum >/dev/null 2>&1; then P=yum; else P=none; fi; echo "$P"`,
    `echo '${MARK}'`,
    `rpm -qa${root} --qf '${QF}'`,
    `echo '${MARK}'`,
    ...files.map((f) => `rpm -qp --qf '${QF}' ${quote(f)} 2>/dev/null || echo -`),
    `echo '${MARK}'`,
    groups ? `[ "$P" = none ] || LC_ALL=C "$P" -q ${rpmOptWords(o).join(' ')} group list --installed -v 2>/dev/null` : ':',
  ].join('\n');
}

/** Parse the output of rpmReadScript. */
export function parseRpmRead(out: string): RpmRead {
  const [tool = '', inst = '', files = '', groups = ''] = out.split(MARK + '\n');
  const t = tool.trim();
  return {
    tool: t === 'dnf' || t === 'yum' ? t : undefined,
    installed: parseRpmQuery(inst),
    files: files
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (l === '-' ? undefined : parseRpmQuery(l)[0])),
    groups,
  };
}

/** True when `group` (name or id, without '@') appears in `group list --installed -v` output. */
export function groupInstalled(group: string, listing: string): boolean {
  const g = group.toLowerCase();
  for (const line of listing.split('\n')) {
    const m = /^\s+(.+?)(?:\s+\(([^)]+)\))?\s*$/.exec(line);
    if (m && (m[1].toLowerCase() === g || m[2]?.toLowerCase() === g)) return true;
  }
  return false;
}
