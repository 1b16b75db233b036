/**
 * What the package modules (apt, dnf/yum, package) share: state names, name lists, the
 * package diff and the result keys.
 */
import type { FileDiff } from '../../types.ts';

/** Ansible's state words mapped to the two directions plus latest. */
export type PkgWant = 'present' | 'absent' | 'latest';

/** present/installed -> present, absent/removed -> absent, latest -> latest. */
export function normState(state: string | undefined): PkgWant {
  if (state === 'absent' || state === 'removed') return 'absent';
  if (state === 'latest') return 'latest';
  return 'present';
}

/** Package names from a list argument: trimmed, empty entries dropped, duplicates removed. */
export function normNames(names: unknown): string[] {
  const list = Array.isArray(names) ? names : names === undefined || names === null ? [] : [names];
  const out: string[] = [];
  for (const n of list.flatMap((x) => String(x).split(','))) {
    const t = n.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** One line per package: `name version` (or `name (absent)`), sorted, for the diff. */
function render(pkgs: Record<string, string | undefined>): string {
  return Object.keys(pkgs)
    .sort()
    .map((n) => (pkgs[n] === undefined ? `${n} (absent)\n` : `${n} ${pkgs[n]}\n`))
    .join('');
}

/** The --diff pair of the packages a task touches: installed versions before and after. */
export function pkgDiff(before: Record<string, string | undefined>, after: Record<string, string | undefined>): FileDiff {
  return { before: render(before), after: render(after), beforeHeader: 'packages (before)', afterHeader: 'packages (after)' };
}

/** Steps and result keys of a package plan: what to install, upgrade and remove. */
export interface PkgChanges {
  install: string[];
  upgrade: string[];
  remove: string[];
}

/** Human-readable steps for check mode / -v. */
export function pkgSteps(c: PkgChanges): string[] {
  return [
    ...(c.install.length ? [`install ${c.install.join(', ')}`] : []),
    ...(c.upgrade.length ? [`upgrade ${c.upgrade.join(', ')}`] : []),
    ...(c.remove.length ? [`remove ${c.remove.join(', ')}`] : []),
  ];
}

/** A clear message naming the packages no repository offers. */
export function missingMsg(missing: string[]): string {
  return missing.length === 1 ? `No package matching '${missing[0]}' is available` : `No package matching ${missing.map((m) => `'${m}'`).join(', ')} is available`;
}

/** Glob (`*`, `?`, `[...]`) to an anchored RegExp, for package name patterns. */
export function globRe(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}
