/**
 * The ONE path for modules that write a whole file (copy, template, lineinfile, blockinfile,
 * replace): plan content + attributes against the remote file (checksum compare), report a
 * diff, then write atomically with conn.putFile (optionally via a temp file for `validate`
 * and `backup`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileDiff, ModuleContext, ModuleResult } from '../types.ts';
import { planAttrs, type AttrPlan, type AttrWant } from './attrs.ts';
import { contentDiff, attrDiff } from './diff.ts';
import { fail } from './failure.ts';
import { formatMode } from './mode.ts';
import { quote } from './quote.ts';
import { mustSh } from './remote.ts';
import { readRemoteFiles, type RemoteFile } from './remotefile.ts';
import { MAX_DIFF_BYTES } from './diff.ts';

/**
 * Read a destination file (content when `content` is 'always', or within the diff limit when
 * diff is on) and check its directory exists, in ONE round trip. With `makeParent`, a missing
 * directory is allowed (the caller creates it).
 */
export async function readDest(ctx: ModuleContext, dest: string, content: 'always' | 'diff', makeParent = false): Promise<RemoteFile> {
  const want = content === 'always' ? 'always' : ctx.diff ? MAX_DIFF_BYTES : 'none';
  const parent = posix.dirname(dest);
  const [cur, dir] = await readRemoteFiles(ctx, [dest, parent], { content: want, follow: true });
  if (!makeParent && !dir.exists) fail(`Destination directory ${parent} does not exist`);
  if (dir.exists && dir.type !== 'directory') fail(`Destination ${parent} is not a directory`);
  // an unreadable file must never be treated as empty (it would be overwritten)
  if (cur.exists && cur.type === 'file' && (cur.sha1 === undefined || (content === 'always' && cur.content === undefined))) {
    fail(`cannot read ${dest}: permission denied (does the task need become?)`);
  }
  return cur;
}

/** What a file-writing task wants. */
export interface WriteWant extends AttrWant {
  dest: string;
  content: Buffer;
  /** Keep an existing file's content (copy's force: no). Default true. */
  force?: boolean;
  backup?: boolean;
  /** Command validating the new file before it replaces dest; `%s` is its path. */
  validate?: string;
  /** Create the parent directory when missing (lineinfile create). */
  makeParent?: boolean;
  /** Header for the "after" side of the diff (e.g. the source file). */
  afterHeader?: string;
}

/** Data carried from plan to apply for one file. */
export interface WriteState {
  want: WriteWant;
  cur: RemoteFile;
  contentChanged: boolean;
  attrs: AttrPlan;
  sha1: string;
}

/** sha1 of content, hex (Ansible's `checksum`). */
export function sha1(content: Buffer | string): string {
  return createHash('sha1').update(content).digest('hex');
}

/** Fail unless a `validate` command contains %s, as Ansible requires. */
export function checkValidate(validate: string | undefined): void {
  if (validate !== undefined && !validate.includes('%s')) fail(`validate must contain %s: ${validate}`);
}

/** Plan one file write against its current remote state (`cur`, read by the caller). */
export function planWrite(want: WriteWant, cur: RemoteFile, wantDiff: boolean): { changed: boolean; steps: string[]; diff: FileDiff[]; state: WriteState } {
  checkValidate(want.validate);
  if (cur.exists && cur.type === 'directory') fail(`Destination ${want.dest} is a directory`);
  const sum = sha1(want.content);
  const contentChanged = !cur.exists || (want.force !== false && cur.sha1 !== sum);
  const attrs = planAttrs(want.dest, cur.exists ? cur : undefined, want, false, cur.exists ? cur.mode : undefined);
  const steps: string[] = [];
  const diff: FileDiff[] = [];
  if (contentChanged) {
    steps.push(cur.exists ? `update content of ${want.dest}` : `create ${want.dest}`);
    if (wantDiff) diff.push(contentDiff(want.dest, cur.exists ? cur.content ?? '(content not read)\n' : undefined, want.content, want.afterHeader));
  }
  if (attrs.changed) {
    steps.push(...attrs.steps);
    if (wantDiff && cur.exists) diff.push(attrDiff(want.dest, attrs.before, attrs.after));
  }
  return { changed: contentChanged || attrs.changed, steps, diff, state: { want, cur, contentChanged, attrs, sha1: sum } };
}

/** The result keys Ansible's copy/template return for a file. */
export function fileResult(st: WriteState, changed: boolean, extra: Record<string, unknown> = {}): ModuleResult {
  const { want, cur, attrs } = st;
  const mode = attrs.mode ?? cur.mode;
  return {
    changed,
    dest: want.dest,
    checksum: changed || !cur.exists ? st.sha1 : cur.sha1 ?? st.sha1,
    size: changed && st.contentChanged ? want.content.length : cur.size ?? want.content.length,
    state: 'file',
    ...(mode !== undefined ? { mode: formatMode(mode) } : {}),
    ...(want.owner ?? cur.owner ? { owner: want.owner ?? cur.owner } : {}),
    ...(want.group ?? cur.group ? { group: want.group ?? cur.group } : {}),
    ...extra,
  };
}

/** Ansible's backup file name: DEST.PID.YYYY-MM-DD@HH:MM:SS~ */
export function backupName(dest: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${dest}.${process.pid}.${ts}~`;
}

/** Perform a planned write. Returns the task result (changed: true). */
export async function applyWrite(ctx: ModuleContext, st: WriteState): Promise<ModuleResult> {
  const { want, cur, attrs } = st;
  const extra: Record<string, unknown> = {};
  if (st.contentChanged) {
    const opts = {
      mode: attrs.mode !== undefined ? formatMode(attrs.mode) : undefined,
      owner: want.owner ?? (cur.exists ? cur.owner : undefined),
      group: want.group ?? (cur.exists ? cur.group : undefined),
      become: ctx.become,
    };
    if (want.makeParent && !cur.exists) await mustSh(ctx, `mkdir -p -- ${quote(posix.dirname(want.dest))}`, `cannot create the directory of ${want.dest}`);
    const backup = want.backup && cur.exists ? backupName(want.dest) : undefined;
    if (want.validate || backup) {
      const tmp = posix.join(posix.dirname(want.dest), `.${posix.basename(want.dest)}.tsplay-${randomBytes(4).toString('hex')}`);
      await ctx.conn.putFile(tmp, want.content, opts);
      const steps: string[] = [];
      if (want.validate) steps.push(want.validate.replace(/%s/g, quote(tmp)));
      if (backup) steps.push(`cp -p -- ${quote(want.dest)} ${quote(backup)}`);
      steps.push(`mv -f -- ${quote(tmp)} ${quote(want.dest)}`);
      const cmd = `if ${steps.join(' && ')}; then :; else rc=$?; rm -f -- ${quote(tmp)}; exit $rc; fi`;
      await mustSh(ctx, cmd, want.validate ? `failed to validate ${want.dest} with '${want.validate}'` : `cannot write ${want.dest}`);
      if (backup) extra.backup_file = backup;
    } else {
      try {
        await ctx.conn.putFile(want.dest, want.content, opts);
      } catch (e) {
        if (e instanceof Error && e.name === 'UnreachableError') throw e;
        fail(`cannot write ${want.dest}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } else if (attrs.command) {
    await mustSh(ctx, attrs.command, `cannot set attributes of ${want.dest}`);
  }
  return fileResult(st, true, extra);
}
