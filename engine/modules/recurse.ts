/**
 * Recursive attributes (file state=directory recurse=yes): ONE `find` that prints the first
 * path whose owner, group or mode differs, and the chown -R/chmod -R that fixes them.
 */
import { formatMode } from './mode.ts';
import { quote } from './quote.ts';

export interface RecurseWant {
  mode?: number | string;
  owner?: string;
  group?: string;
}

function modeTests(mode: number | string): string[] {
  if (typeof mode === 'number') return [`! -perm ${formatMode(mode)}`];
  const tests: string[] = [];
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=])(.*)$/.exec(clause);
    if (!m) continue;
    const who = m[1] || 'a';
    if (m[2] === '+') tests.push(`! -perm -${who}+${m[3].replace(/X/g, '')}`);
    else if (m[2] === '-') tests.push(`-perm /${who}+${m[3].replace(/X/g, '')}`);
    else tests.push('-true'); // '=' cannot be tested cheaply: always applied
  }
  return tests.filter((t) => !/[-+/][ugoa]*\+$/.test(t));
}

/** A find command printing one path below `path` that needs a change ('' output: none). */
export function recurseCheckCommand(path: string, want: RecurseWant): string | undefined {
  const tests: string[] = [];
  if (want.owner) tests.push(/^\d+$/.test(want.owner) ? `! -uid ${want.owner}` : `! -user ${quote(want.owner)}`);
  if (want.group) tests.push(/^\d+$/.test(want.group) ? `! -gid ${want.group}` : `! -group ${quote(want.group)}`);
  if (want.mode !== undefined) tests.push(...modeTests(want.mode));
  if (!tests.length) return undefined;
  return `find ${quote(path)} -mindepth 1 \\( ${tests.join(' -o ')} \\) -print -quit`;
}

/** chown -R / chmod -R applying the wanted attributes below `path`. */
export function recurseApplyCommand(path: string, want: RecurseWant): string {
  const cmds: string[] = [];
  if (want.owner || want.group) cmds.push(`chown -R ${quote(`${want.owner ?? ''}${want.group ? ':' + want.group : ''}`)} -- ${quote(path)}`);
  if (want.mode !== undefined) cmds.push(`chmod -R ${typeof want.mode === 'number' ? formatMode(want.mode) : quote(want.mode)} -- ${quote(path)}`);
  return cmds.join(' && ');
}
