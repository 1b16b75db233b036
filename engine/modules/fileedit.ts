/**
 * The shared plan/apply of the in-place editors (lineinfile, blockinfile, replace): read the
 * file with its content in ONE command, run the module's pure transform, then write it through
 * the common file writer (backup, validate, attributes, diff).
 */
import type { ModuleContext, ModuleResult, Plan } from '../types.ts';
import { FILE_ATTR_ARGS } from './attrs.ts';
import { fail } from './failure.ts';
import { applyWrite, planWrite, readDest, type WriteState } from './filewrite.ts';
import type { EditResult } from './text/lineinfile.ts';

/** Arguments shared by lineinfile, blockinfile and replace. */
export const EDIT_ARGS = {
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'], description: 'The file to modify.' },
  backup: { type: 'bool', default: false, description: 'Create a backup file including the timestamp information.' },
  validate: { type: 'str', description: "Validation command run on the new file before it replaces the original; '%s' is its path." },
  ...FILE_ATTR_ARGS,
} as const;

export interface EditSpec {
  /** Transform the current content (undefined: the file does not exist). */
  transform(text: string | undefined): EditResult;
  /** Create the file (and its directory) when missing. */
  create: boolean;
  /** Message when the file is missing and may not be created. */
  missingMsg: string;
  /** Result when the file is missing and nothing is to be done (state=absent). */
  missingOk?: string;
}

/** Plan an in-place edit of args.path. */
export async function planEdit(ctx: ModuleContext, args: Record<string, any>, spec: EditSpec): Promise<Plan<WriteState>> {
  const path = String(args.path);
  const cur = await readDest(ctx, path, 'always', true);
  if (cur.exists && cur.type === 'directory') fail(`Path ${path} is a directory !`, { rc: 256 });
  if (!cur.exists) {
    if (spec.missingOk !== undefined) return { changed: false, msg: spec.missingOk };
    if (!spec.create) fail(spec.missingMsg, { rc: 257 });
  }
  const before = cur.exists ? (cur.content ?? Buffer.alloc(0)).toString('utf8') : undefined;
  let edit: EditResult;
  try {
    edit = spec.transform(before);
  } catch (e) {
    return fail((e as Error).message);
  }
  const content = edit.changed ? Buffer.from(edit.text) : (cur.content ?? Buffer.from(edit.text));
  const p = planWrite({ dest: path, content, backup: args.backup, validate: args.validate, mode: args.mode, owner: args.owner, group: args.group, makeParent: true }, cur, ctx.diff);
  let msg = edit.msg;
  if (!edit.changed && p.changed && cur.exists) msg = 'ownership, perms or SE linux context changed';
  else if (edit.changed && p.state.attrs.changed) msg += ' and ownership, perms or SE linux context changed';
  const extra: Record<string, unknown> = edit.found !== undefined ? { found: edit.found } : {};
  return { changed: p.changed, steps: [...(edit.msg ? [`${path}: ${edit.msg}`] : []), ...p.steps.filter((s) => !/content|create/.test(s))], diff: p.diff, state: p.state, msg, result: extra };
}

/** Apply a plan made by planEdit. */
export async function applyEdit(ctx: ModuleContext, plan: Plan<WriteState>): Promise<ModuleResult> {
  const r = await applyWrite(ctx, plan.state!);
  const out: ModuleResult = { changed: true, msg: plan.msg ?? '', ...plan.result };
  if (r.backup_file) out.backup_file = out.backup = r.backup_file;
  return out;
}
