/** copy: copy files (or content) to remote locations, idempotent by sha1 checksum. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { posix } from 'node:path';
import type { FileDiff, ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { modeArg, planAttrs } from '../engine/modules/attrs.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyFileTo, planFileTo, WRITE_ARGS, WRITE_RETURNS } from '../engine/modules/filedest.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { localFile } from '../engine/modules/local.ts';
import { formatMode } from '../engine/modules/mode.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { readRemoteFiles } from '../engine/modules/remotefile.ts';
import { attrDiff } from '../engine/modules/diff.ts';

interface TreeState {
  kind: 'tree';
  dirs: string[];
  dirCommands: string[];
  files: WriteState[];
}
interface RemoteSrcState {
  kind: 'remote';
  src: string;
  dest: string;
  copy: boolean;
  attrs: string;
}
type CopyState = WriteState | TreeState | RemoteSrcState;

/** A mode argument as a chmod word (octal normalised, symbolic kept). */
function modeWord(mode: unknown): string {
  const m = modeArg(mode);
  return typeof m === 'number' ? formatMode(m) : quote(String(m));
}

/** Ansible's mode=preserve: the mode of the source file on the controller. */
function localMode(mode: unknown, file: string): unknown {
  return mode === 'preserve' ? formatMode(statSync(file).mode & 0o7777) : mode;
}

/** Local files below `dir` (relative paths) and the directories containing them. */
function walk(dir: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = relative(dir, join(e.parentPath, e.name));
    if (e.isDirectory()) dirs.push(rel);
    else if (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, rel)).isFile())) files.push(rel);
  }
  return { files: files.sort(), dirs: dirs.sort() };
}

/** Plan copying a local directory tree (src 'dir' -> dest/dir, 'dir/' -> dest). */
async function planTree(ctx: ModuleContext, args: Record<string, any>, local: string): Promise<Plan<CopyState>> {
  const root = String(args.src).endsWith('/') ? String(args.dest) : posix.join(String(args.dest), basename(local));
  const tree = walk(local);
  const dirs = [root, ...tree.dirs.map((d) => posix.join(root, d))];
  const files = tree.files.map((f) => posix.join(root, f));
  const remote = await readRemoteFiles(ctx, [...dirs, ...files], { content: ctx.diff ? 104448 : 'none', follow: true });
  const steps: string[] = [];
  const diff: FileDiff[] = [];
  const dirCommands: string[] = [];
  const missing: string[] = [];
  remote.slice(0, dirs.length).forEach((d, i) => {
    if (d.exists && d.type !== 'directory') fail(`Destination ${dirs[i]} exists and is not a directory`);
    if (!d.exists) {
      missing.push(dirs[i]);
      steps.push(`create directory ${dirs[i]}`);
    } else if (args.directory_mode !== undefined) {
      const a = planAttrs(dirs[i], d, { mode: args.directory_mode, owner: args.owner, group: args.group }, true);
      if (a.changed) {
        steps.push(...a.steps);
        dirCommands.push(a.command);
        if (ctx.diff) diff.push(attrDiff(dirs[i], a.before, a.after));
      }
    }
  });
  if (missing.length) {
    const mode = args.directory_mode !== undefined ? planAttrs('', undefined, { mode: args.directory_mode }, true).mode : undefined;
    dirCommands.unshift(`mkdir -p ${mode !== undefined ? `-m ${formatMode(mode)} ` : ''}-- ${missing.map(quote).join(' ')}`);
    if (args.owner || args.group) dirCommands.push(`chown ${quote(`${args.owner ?? ''}${args.group ? ':' + args.group : ''}`)} -- ${missing.map(quote).join(' ')}`);
  }
  const states: WriteState[] = [];
  remote.slice(dirs.length).forEach((cur, i) => {
    const content = readFileSync(join(local, tree.files[i]));
    const p = planWrite({ dest: files[i], content, force: args.force, backup: args.backup, mode: localMode(args.mode, join(local, tree.files[i])), owner: args.owner, group: args.group, afterHeader: join(local, tree.files[i]) }, cur, ctx.diff);
    if (p.changed) {
      states.push(p.state);
      steps.push(...p.steps);
      diff.push(...p.diff);
    }
  });
  const changed = steps.length > 0;
  return { changed, steps, diff, state: { kind: 'tree', dirs: missing, dirCommands, files: states }, result: { dest: root, src: local, state: 'directory' } };
}

/** Parse `find -type d` / sha1sum listings ("D ./dir", "F <sha1>  ./file"). */
function parseListing(text: string): { dirs: Set<string>; files: Map<string, string> } {
  const dirs = new Set<string>();
  const files = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('D ./')) dirs.add(line.slice(4));
    else if (line.startsWith('F ')) {
      const m = /^F ([0-9a-f]{40}) [ *]\.\/(.*)$/.exec(line);
      if (m) files.set(m[2], m[1]);
    }
  }
  return { dirs, files };
}

/** Plan copying a directory that is already on the target (remote_src): ONE listing command with checksums. */
async function planRemoteTree(ctx: ModuleContext, args: Record<string, any>): Promise<Plan<CopyState>> {
  const src = String(args.src).replace(/(.)\/+$/, '$1');
  const root = String(args.src).endsWith('/') ? String(args.dest) : posix.join(String(args.dest), posix.basename(src));
  const list = (dir: string) => `cd ${quote(dir)} && { find . -mindepth 1 -type d -printf 'D %p\\n'; find . -type f -exec sha1sum {} + | sed 's/^/F /'; }`;
  const r = await mustSh(ctx, `${list(src)}\necho ==DEST==\nif [ -d ${quote(root)} ]; then ${list(root)}; fi`, `cannot list ${src}`);
  const [a, b] = r.stdout.split('==DEST==\n');
  const want = parseListing(a);
  const have = parseListing(b ?? '');
  const dirs = [...want.dirs].filter((d) => !have.dirs.has(d)).map((d) => posix.join(root, d));
  const files = [...want.files].filter(([f, sum]) => args.force !== false ? have.files.get(f) !== sum : !have.files.has(f)).map(([f]) => f);
  const steps = [...dirs.map((d) => `create directory ${d}`), ...files.map((f) => `copy ${posix.join(src, f)} to ${posix.join(root, f)}`)];
  const targets = files.map((f) => quote(posix.join(root, f)));
  const cmds = [
    `mkdir -p -- ${quote(root)}${dirs.length ? ' ' + dirs.map(quote).join(' ') : ''}`,
    ...files.map((f) => `cp -p -- ${quote(posix.join(src, f))} ${quote(posix.join(root, f))}`),
    ...(targets.length && (args.owner || args.group) ? [`chown ${quote(`${args.owner ?? ''}${args.group ? ':' + args.group : ''}`)} -- ${targets.join(' ')}`] : []),
    ...(targets.length && args.mode !== undefined ? [`chmod ${modeWord(args.mode)} -- ${targets.join(' ')}`] : []),
  ];
  return { changed: steps.length > 0, steps, state: { kind: 'remote', src, dest: root, copy: false, attrs: cmds.join(' && ') }, result: { dest: root, src, state: 'directory' } };
}

/** Plan copying a file that is already on the target (remote_src). */
async function planRemoteSrc(ctx: ModuleContext, args: Record<string, any>): Promise<Plan<CopyState>> {
  let dest = String(args.dest);
  const [src, d0] = await readRemoteFiles(ctx, [args.src, dest], { follow: true });
  if (!src.exists) fail(`Source ${args.src} not found`);
  if (src.type === 'directory') return planRemoteTree(ctx, args);
  let cur = d0;
  if (d0.exists && d0.type === 'directory') {
    dest = posix.join(dest, posix.basename(args.src));
    [cur] = await readRemoteFiles(ctx, [dest], { follow: true });
  }
  const copy = !cur.exists || (args.force !== false && cur.sha1 !== src.sha1);
  // a replaced file keeps its mode (like Ansible's atomic_move) unless mode is given
  const want = copy && cur.exists && args.mode === undefined ? { ...args, mode: formatMode(cur.mode! & 0o7777) } : args;
  const a = planAttrs(dest, copy ? undefined : cur, want, false, copy ? (args.mode === undefined ? src.mode : undefined) : cur.mode);
  const steps = [...(copy ? [`copy ${args.src} to ${dest}`] : []), ...a.steps];
  const cmd = a.command;
  return { changed: copy || a.changed, steps, state: { kind: 'remote', src: args.src, dest, copy, attrs: cmd }, result: { dest, src: args.src, checksum: src.sha1, state: 'file' } };
}

const copy: ModuleDef<Record<string, any>, CopyState> = {
  name: 'copy',
  doc: {
    short: 'Copy files to remote locations',
    description:
      'Copies a file or directory from the controller (src) or a string (content) to dest. Idempotent by sha1 checksum; mode/owner/group are enforced. Writes are atomic (temp file + rename). mode: preserve gives dest the mode of the local src. Use template to render variables into files.',
    check: 'full',
    diff: true,
    returns: WRITE_RETURNS,
    examples: `- name: Copy file with owner and permissions
  copy:
    src: /srv/myfiles/foo.conf
    dest: /etc/foo.conf
    owner: foo
    group: foo
    mode: '0644'

- name: Copy a string into a file, keep a backup
  copy:
    content: "net.ipv4.ip_forward = 1\\n"
    dest: /etc/sysctl.d/99-forward.conf
    backup: yes

- name: Copy a directory's contents
  copy:
    src: configs/
    dest: /etc/myapp/`,
  },
  args: {
    src: { type: 'path', description: "Local path of a file or directory to copy (relative paths are searched in files/). A directory ending with '/' copies its contents." },
    content: { type: 'raw', description: 'Write this string to dest instead of a file (non-strings are written as JSON).' },
    remote_src: { type: 'bool', default: false, description: 'src is a path (file or directory) on the target, not the controller.' },
    directory_mode: { type: 'raw', description: 'Mode of directories created by a recursive copy.' },
    follow: { type: 'bool', default: false, description: 'Accepted for compatibility: tsplay writes through a symlinked dest.' },
    local_follow: { type: 'bool', default: true, description: 'Follow symlinks in the local source tree (always on).' },
    ...WRITE_ARGS,
  },
  validate(a) {
    if (a.mode === 'preserve' && (a.content !== undefined || a.remote_src)) return 'mode=preserve needs a local src';
    if (a.src === undefined && a.content === undefined) return 'src (or content) is required';
    if (a.src !== undefined && a.content !== undefined) return 'parameters are mutually exclusive: content|src';
    if (a.remote_src && a.src === undefined) return 'src is required with remote_src';
    return undefined;
  },
  async plan(args, ctx) {
    if (args.content !== undefined) {
      const text = typeof args.content === 'string' ? args.content : JSON.stringify(args.content);
      return planFileTo(ctx, args, Buffer.from(text), undefined, 'dynamically generated');
    }
    if (args.remote_src) return planRemoteSrc(ctx, args);
    const local = localFile(ctx, 'files', String(args.src));
    if (statSync(local).isDirectory()) return planTree(ctx, args, local);
    const plan = await planFileTo(ctx, { ...args, mode: localMode(args.mode, local) }, readFileSync(local), basename(local), local);
    return { ...plan, result: { ...plan.result, src: local } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if ('kind' in st && st.kind === 'tree') {
      if (st.dirCommands.length) await mustSh(ctx, st.dirCommands.filter(Boolean).join(' && '), 'cannot create directories');
      await Promise.all(st.files.map((f) => applyWrite(ctx, f))); // concurrent channels on the one connection
      return { changed: true, ...plan.result };
    }
    if ('kind' in st && st.kind === 'remote') {
      const cmds = [st.copy ? `cp -- ${quote(st.src)} ${quote(st.dest)}.tsplay.tmp && mv -f -- ${quote(st.dest)}.tsplay.tmp ${quote(st.dest)}` : '', st.attrs].filter(Boolean);
      await mustSh(ctx, cmds.join(' && '), `cannot copy ${st.src} to ${st.dest}`);
      return { changed: true, ...plan.result };
    }
    return applyFileTo(ctx, plan as Plan<WriteState>, args.src !== undefined ? { src: plan.result?.src } : {});
  },
};
export default copy;
