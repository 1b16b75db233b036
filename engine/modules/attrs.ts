/**
 * Planning a path's mode/owner/group: compare what is there with what the task wants, produce
 * the steps, the diff values and ONE shell fragment that fixes them (chown before chmod, as
 * chown may clear setuid bits). Shared by copy, template, file and the line editors.
 */
import { desiredMode, formatMode, parseModeArg } from './mode.ts';
import { quote } from './quote.ts';
import type { RemoteFile } from './remotefile.ts';
import { fail } from './failure.ts';

/** The attribute arguments common to file-writing modules (Ansible's add_file_common_args). */
export const FILE_ATTR_ARGS = {
  mode: { type: 'raw', description: "Permissions: an octal string ('0644') or symbolic mode ('u=rw,g=r,o=r'). Quote octal modes in YAML." },
  owner: { type: 'str', description: 'Name (or uid) of the user that should own the path.' },
  group: { type: 'str', description: 'Name (or gid) of the group that should own the path.' },
} as const;

export interface AttrWant {
  mode?: unknown;
  owner?: string;
  group?: string;
}

export interface AttrPlan {
  changed: boolean;
  steps: string[];
  before: Record<string, string>;
  after: Record<string, string>;
  /** Shell fragment applying the changes to `path` ('' when none). */
  command: string;
  /** The mode the path will have (numeric), when known. */
  mode?: number;
}

/** Parse a task's `mode` argument, failing the task with a clear message when invalid. */
export function modeArg(mode: unknown): number | string | undefined {
  if (mode === undefined || mode === null || mode === '') return undefined;
  try {
    return parseModeArg(mode);
  } catch (e) {
    return fail(String(e));
  }
}

function sameOwner(want: string, name: string | undefined, id: number | undefined): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/**
 * Plan attributes of `path` given its current state (`cur`, undefined when it will be created
 * by the module; then `createdMode` is the mode it is created with).
 */
export function planAttrs(path: string, cur: RemoteFile | undefined, want: AttrWant, isDir: boolean, createdMode?: number): AttrPlan {
  const steps: string[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  const cmds: string[] = [];
  const exists = cur?.exists ?? false;
  const m = modeArg(want.mode);
  let finalMode = exists ? cur!.mode : createdMode;
  if (m !== undefined) {
    const base = exists ? cur!.mode! : (createdMode ?? (isDir ? 0o755 : 0o644));
    const target = desiredMode(m, base, isDir);
    finalMode = target;
    if (!exists || (cur!.mode! & 0o7777) !== target) {
      if (exists) before.mode = formatMode(cur!.mode!);
      after.mode = formatMode(target);
      steps.push(`set mode of ${path} to ${formatMode(target)}`);
      cmds.push(`chmod ${formatMode(target)} -- ${quote(path)}`);
    }
  }
  const own: string[] = [];
  if (want.owner !== undefined && want.owner !== null && want.owner !== '' && !(exists && sameOwner(want.owner, cur!.owner, cur!.uid))) {
    if (exists) before.owner = cur!.owner!;
    after.owner = want.owner;
    steps.push(`set owner of ${path} to ${want.owner}`);
    own.push(want.owner);
  }
  let grp = '';
  if (want.group !== undefined && want.group !== null && want.group !== '' && !(exists && sameOwner(want.group, cur!.group, cur!.gid))) {
    if (exists) before.group = cur!.group!;
    after.group = want.group;
    steps.push(`set group of ${path} to ${want.group}`);
    grp = want.group;
  }
  if (own.length || grp) cmds.unshift(`chown -h ${quote(`${own[0] ?? ''}${grp ? ':' + grp : ''}`)} -- ${quote(path)}`);
  return { changed: steps.length > 0, steps, before, after, command: cmds.join(' && '), mode: finalMode };
}
