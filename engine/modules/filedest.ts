/**
 * Writing one controller-made file to a destination (copy content/src file, template): the
 * shared argument set, the "dest is a directory -> dest/basename(src)" rule, plan and apply.
 */
import { posix } from 'node:path';
import type { ModuleContext, ModuleResult, Plan } from '../types.ts';
import { FILE_ATTR_ARGS } from './attrs.ts';
import { fail } from './failure.ts';
import { applyWrite, fileResult, planWrite, readDest, type WriteState } from './filewrite.ts';

/** Arguments shared by copy and template. */
export const WRITE_ARGS = {
  dest: { type: 'path', required: true, description: 'Remote absolute path where the file should be written. If it is a directory, the file is written inside it under the source name.' },
  backup: { type: 'bool', default: false, description: 'Create a backup file including the timestamp so you can get the original back.' },
  force: { type: 'bool', default: true, aliases: ['thirsty'], description: 'If false, the file is only written when dest does not exist.' },
  validate: { type: 'str', description: "Command validating the new file before it is moved into place; '%s' is its path (e.g. 'visudo -cf %s')." },
  ...FILE_ATTR_ARGS,
} as const;

/** Return values shared by copy and template. */
export const WRITE_RETURNS = {
  dest: 'Destination file/path.',
  checksum: 'sha1 checksum of the file after running.',
  size: 'Size of the target, after execution.',
  mode: 'Permissions of the target, after execution.',
  owner: 'Owner of the file, after execution.',
  group: 'Group of the file, after execution.',
  state: "State of the target, after execution ('file').",
  backup_file: 'Name of the backup file created (when backup=yes and the file changed).',
  src: 'Source file used for the copy on the target machine.',
};

/** Plan writing `content` to args.dest (or inside it when it is a directory). */
export async function planFileTo(ctx: ModuleContext, args: Record<string, any>, content: Buffer, srcBase: string | undefined, afterHeader?: string): Promise<Plan<WriteState>> {
  let dest = String(args.dest);
  if (dest.endsWith('/')) {
    if (!srcBase) fail('can not use content with a dir as dest');
    dest = posix.join(dest, srcBase);
  }
  let cur = await readDest(ctx, dest, 'diff');
  if (cur.exists && cur.type === 'directory') {
    if (!srcBase) fail('can not use content with a dir as dest');
    dest = posix.join(dest, srcBase);
    cur = await readDest(ctx, dest, 'diff');
  }
  const want = { dest, content, force: args.force, backup: args.backup, validate: args.validate, mode: args.mode, owner: args.owner, group: args.group, afterHeader };
  const p = planWrite(want, cur, ctx.diff);
  return { changed: p.changed, steps: p.steps, diff: p.diff, state: p.state, result: fileResult(p.state, false) };
}

/** Apply a plan made by planFileTo. */
export function applyFileTo(ctx: ModuleContext, plan: Plan<WriteState>, extra: Record<string, unknown> = {}): Promise<ModuleResult> {
  return applyWrite(ctx, plan.state!).then((r) => ({ ...r, ...extra }));
}
