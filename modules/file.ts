/** file: manage files, directories, symlinks, hard links and their attributes. */
import { posix } from 'node:path';
import type { FileDiff, ModuleDef, ModuleResult } from '../engine/types.ts';
import { FILE_ATTR_ARGS, modeArg, planAttrs, type AttrPlan } from '../engine/modules/attrs.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { formatMode } from '../engine/modules/mode.ts';
import { quote } from '../engine/modules/quote.ts';
import { recurseApplyCommand, recurseCheckCommand } from '../engine/modules/recurse.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { readRemoteFiles, type RemoteFile } from '../engine/modules/remotefile.ts';

interface FileState {
  commands: string[];
  final: string;
}

function stateOf(f: RemoteFile): string {
  if (!f.exists) return 'absent';
  if (f.type === 'link') return 'link';
  if (f.type === 'directory') return 'directory';
  if (f.type === 'file' && (f.nlink ?? 1) > 1) return 'hard';
  return 'file';
}

const file: ModuleDef<Record<string, any>, FileState> = {
  name: 'file',
  doc: {
    short: 'Manage files and file properties',
    description:
      "Sets attributes of files, directories and symlinks, or removes them. state=touch always reports changed (like Ansible). Mode accepts octal strings ('0755') and symbolic modes ('u+x,g-w').",
    check: 'full',
    diff: true,
    returns: { path: 'Target path.', dest: 'Link path (state link/hard).', src: 'Link source (state link/hard).', state: 'State after the task.', mode: 'Mode after the task.', owner: 'Owner after the task.', group: 'Group after the task.' },
    examples: `- name: Create a directory
  file:
    path: /etc/some_directory
    state: directory
    mode: '0755'

- name: Create a symbolic link
  file:
    src: /file/to/link/to
    dest: /path/to/symlink
    owner: foo
    state: link

- name: Touch a file with symbolic permissions
  file:
    path: /etc/foo.conf
    state: touch
    mode: u=rw,g=r,o=r

- name: Recursively remove a directory
  file:
    path: /etc/foo
    state: absent`,
  },
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'Path to the file being managed.' },
    state: {
      type: 'str',
      choices: ['absent', 'directory', 'file', 'hard', 'link', 'touch'],
      description: "absent, directory, file (attributes of an existing file), hard, link, touch. Default: the current state, or 'file' (or 'link' when src is given).",
    },
    src: { type: 'path', description: 'Path of the file to link to (state link/hard). Relative paths are relative to the link.' },
    recurse: { type: 'bool', default: false, description: 'Set attributes recursively (state=directory).' },
    force: { type: 'bool', default: false, description: 'Replace an existing file or directory with the link; create a link to a missing src.' },
    follow: { type: 'bool', default: true, description: 'Apply attributes to the target of a symlink.' },
    access_time: { type: 'str', description: "With state=touch: 'now' (default) or 'preserve' (keep the access time of an existing file)." },
    modification_time: { type: 'str', description: "With state=touch: 'now' (default) or 'preserve'. Both preserve make touch idempotent: only a missing file is created." },
    ...FILE_ATTR_ARGS,
  },
  validate(a) {
    for (const k of ['access_time', 'modification_time']) {
      if (a[k] !== undefined && a[k] !== 'now' && a[k] !== 'preserve') return `${k}: only 'now' and 'preserve' are supported by tsplay, got: ${a[k]}`;
    }
    if ((a.state === 'link' || a.state === 'hard') && !a.src) return `src is required for state=${a.state}`;
    if (a.recurse && a.state !== 'directory') return 'recurse option requires state to be directory';
    return undefined;
  },
  async plan(args, ctx) {
    const path = String(args.path).replace(/(.)\/+$/, '$1');
    let state: string | undefined = args.state;
    const linkish = state === 'link' || state === 'hard' || (!state && args.src);
    const srcPath = args.src ? (String(args.src).startsWith('/') ? args.src : posix.join(posix.dirname(path), args.src)) : undefined;
    const paths = [path, ...(srcPath ? [srcPath] : [])];
    const follow = !linkish && state !== 'absent' && args.follow;
    const [cur, src] = await readRemoteFiles(ctx, paths, { checksum: false, follow });
    if (!state) state = cur.exists ? (args.src ? 'link' : stateOf(cur) === 'hard' ? 'file' : stateOf(cur)) : args.src ? 'link' : 'file';
    const was = stateOf(cur);
    const commands: string[] = [];
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    const q = quote(path);
    let attrs: AttrPlan | undefined;
    const result: Record<string, unknown> = { path };

    if (state === 'absent') {
      if (cur.exists) {
        steps.push(`remove ${path}`);
        commands.push(`rm -rf -- ${q}`);
        diff.push(attrDiff(path, { state: was }, { state: 'absent' }));
      }
      return { changed: commands.length > 0, steps, diff, state: { commands, final: 'absent' }, result: { path, state: 'absent' } };
    }
    if (state === 'file') {
      if (!cur.exists) fail(`file (${path}) is absent, cannot continue`);
      if (cur.type === 'directory') fail(`${path} is a directory, cannot continue with state=file`);
      attrs = planAttrs(path, cur, args, false);
    } else if (state === 'directory') {
      if (cur.exists && cur.type !== 'directory') fail(`${path} already exists as a ${was === 'link' ? 'link' : 'file'}`);
      if (!cur.exists) {
        steps.push(`create directory ${path}`);
        commands.push(`mkdir -p -- ${q}`);
        diff.push(attrDiff(path, { state: 'absent' }, { state: 'directory' }));
      }
      attrs = planAttrs(path, cur.exists ? cur : undefined, args, true);
      if (args.recurse && cur.exists) {
        const want = { mode: modeArg(args.mode), owner: args.owner, group: args.group };
        const check = recurseCheckCommand(path, want);
        if (check) {
          const r = await sh(ctx, check);
          if (r.stdout.trim()) {
            steps.push(`set attributes recursively below ${path} (e.g. ${r.stdout.trim()})`);
            commands.push(recurseApplyCommand(path, want));
          }
        }
      } else if (args.recurse) commands.push(recurseApplyCommand(path, { mode: modeArg(args.mode), owner: args.owner, group: args.group }));
    } else if (state === 'touch') {
      const at = args.access_time ?? 'now';
      const mt = args.modification_time ?? 'now';
      if (!cur.exists || at === 'now' || mt === 'now') {
        steps.push(cur.exists ? `update the timestamps of ${path}` : `create ${path}`);
        const which = !cur.exists || (at === 'now' && mt === 'now') ? '' : at === 'now' ? '-a ' : '-m ';
        commands.push(`touch ${which}-- ${q}`);
      }
      if (!cur.exists) diff.push(attrDiff(path, { state: 'absent' }, { state: 'file' }));
      attrs = planAttrs(path, cur.exists ? cur : undefined, args, cur.type === 'directory');
    } else {
      // link / hard
      const target = String(args.src);
      if (state === 'hard' && !src?.exists) fail(`src does not exist: ${target}`);
      if (state === 'link' && !src?.exists && !args.force) fail(`src file does not exist, use "force=yes" if you really want to create the link: ${srcPath}`);
      const same = state === 'link' ? cur.type === 'link' && cur.linkTarget === target : cur.exists && cur.type !== 'link' && cur.inode === src!.inode;
      if (!same) {
        if (cur.exists && cur.type === 'directory' && state === 'link') fail(`refusing to convert from directory to symlink for ${path}`);
        if (cur.exists && cur.type !== 'link' && !args.force && state === 'link') fail(`refusing to convert from ${was} to symlink for ${path}`);
        steps.push(`${cur.exists ? 'replace' : 'create'} ${state === 'link' ? 'symlink' : 'hard link'} ${path} -> ${target}`);
        commands.push(state === 'link' ? `ln -sfn -- ${quote(target)} ${q}` : `ln -f -- ${quote(target)} ${q}`);
        diff.push(attrDiff(path, { state: was, ...(cur.linkTarget ? { src: cur.linkTarget } : {}) }, { state, src: target }));
      }
      attrs = planAttrs(path, same ? cur : undefined, { owner: args.owner, group: args.group, mode: state === 'hard' ? args.mode : undefined }, false);
      Object.assign(result, { dest: path, src: target });
    }
    if (attrs?.changed) {
      steps.push(...attrs.steps);
      commands.push(attrs.command);
      if (cur.exists) diff.push(attrDiff(path, attrs.before, attrs.after));
    }
    const mode = attrs?.mode ?? cur.mode;
    Object.assign(result, {
      state,
      ...(mode !== undefined && state !== 'link' ? { mode: formatMode(mode) } : {}),
      ...(args.owner ?? cur.owner ? { owner: args.owner ?? cur.owner } : {}),
      ...(args.group ?? cur.group ? { group: args.group ?? cur.group } : {}),
    });
    return { changed: commands.length > 0, steps, diff, state: { commands, final: state }, result };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    await mustSh(ctx, plan.state!.commands.filter(Boolean).join(' && '), `cannot set ${plan.state!.final} state of ${args.path}`);
    return { changed: true, ...plan.result };
  },
};
export default file;
