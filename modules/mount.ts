/** mount: control active and configured mount points (fstab), including swap entries. */
import type { FileDiff, ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript } from '../engine/modules/remotefile.ts';
import { setFstabEntry, unsetFstabEntry } from '../engine/modules/text/fstab.ts';

interface MountState {
  write?: WriteState;
  command?: string;
}

const mount: ModuleDef<Record<string, any>, MountState> = {
  name: 'mount',
  doc: {
    short: 'Control active and configured mount points',
    description:
      'Manages /etc/fstab entries and the live mounts (ansible.posix.mount semantics). state=absent removes the entry and unmounts; for swap entries use `path: none` (or `swap`) with `src` to pick the line. ' +
      'fstab and the live mount table are read in ONE command.',
    check: 'full',
    diff: true,
    returns: { name: 'Mount point.', src: 'Device.', fstype: 'File system type.', opts: 'Mount options.', dump: 'dump field.', passno: 'passno field.' },
    examples: `- name: Mount a tmpfs and persist it
  mount:
    path: /mnt/scratch
    src: tmpfs
    fstype: tmpfs
    opts: size=64m
    state: mounted

- name: Remove the swap entry of /swap.img from fstab
  mount:
    path: none
    src: /swap.img
    fstype: swap
    state: absent`,
  },
  args: {
    path: { type: 'path', required: true, aliases: ['name'], description: "Path to the mount point ('none' or 'swap' for swap entries)." },
    src: { type: 'path', description: 'Device (or NFS volume, tmpfs, ...) to be mounted. Required for present/mounted.' },
    fstype: { type: 'str', description: 'File system type. Required for present/mounted.' },
    opts: { type: 'str', default: 'defaults', description: 'Mount options.' },
    dump: { type: 'str', default: '0', description: 'dump field.' },
    passno: { type: 'str', default: '0', description: 'passno field.' },
    state: { type: 'str', required: true, choices: ['absent', 'mounted', 'present', 'unmounted', 'remounted', 'ephemeral'], description: 'mounted: in fstab and mounted; present: only in fstab; unmounted: unmount only; absent: remove from fstab and unmount; remounted: remount; ephemeral: mount without fstab.' },
    fstab: { type: 'path', default: '/etc/fstab', description: 'File to use instead of /etc/fstab.' },
    backup: { type: 'bool', default: false, description: 'Create a backup of fstab before changing it.' },
    boot: { type: 'bool', default: true, description: "When false, 'noauto' is added to opts." },
  },
  validate(a) {
    if (['mounted', 'present', 'ephemeral'].includes(a.state) && (!a.src || !a.fstype)) return `src and fstype are required with state=${a.state}`;
    return undefined;
  },
  async plan(args, ctx) {
    const path = String(args.path).replace(/(.)\/+$/, '$1');
    const fstab = String(args.fstab);
    const isSwap = path === 'none' || path === 'swap';
    const opts = args.boot === false && !String(args.opts).split(',').includes('noauto') ? `${args.opts},noauto` : String(args.opts);
    const probe = `awk -v p=${quote(path)} '$2 == p {print "MOUNTED " $1 " " $3 " " $4}' /proc/mounts`;
    const r = await mustSh(ctx, `${probe}\n${statScript([fstab], { content: 'always', follow: true })}`, `cannot read ${fstab}`);
    const mounted = !isSwap && /^MOUNTED /m.test(r.stdout.split('==TSPLAY==')[0]);
    const [cur] = parseStatOutput(r.stdout, [fstab]);
    const text = cur.exists ? (cur.content ?? Buffer.alloc(0)).toString('utf8') : '';
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    let write: WriteState | undefined;
    const edit =
      args.state === 'absent'
        ? unsetFstabEntry(text, path, args.src)
        : ['mounted', 'present'].includes(args.state)
          ? setFstabEntry(text, { src: args.src, name: path, fstype: args.fstype, opts, dump: args.dump, passno: args.passno })
          : undefined;
    if (edit?.changed) {
      const p = planWrite({ dest: fstab, content: Buffer.from(edit.text), backup: args.backup }, cur, ctx.diff);
      write = p.state;
      steps.push(`${fstab}: ${edit.msg}`);
      diff.push(...p.diff);
    }
    const q = quote(path);
    let command: string | undefined;
    if (!isSwap) {
      if (args.state === 'mounted' && !mounted) command = `mkdir -p -- ${q} && mount -t ${quote(args.fstype)} -o ${quote(opts)} ${quote(args.src)} ${q}`;
      else if (args.state === 'mounted' && edit?.changed) command = `mount -o ${quote(`remount,${opts}`)} ${q}`;
      else if (args.state === 'ephemeral' && !mounted) command = `mkdir -p -- ${q} && mount -t ${quote(args.fstype)} -o ${quote(opts)} ${quote(args.src)} ${q}`;
      else if ((args.state === 'unmounted' || args.state === 'absent') && mounted) command = `umount ${q}`;
      else if (args.state === 'remounted') command = mounted ? `mount -o remount ${q}` : fail(`${path} is not mounted, cannot remount it`);
    }
    if (command) {
      steps.push(command.replace(/^mkdir -p -- \S+ && /, ''));
      if (args.state !== 'remounted') diff.push(attrDiff(path, { mounted }, { mounted: !mounted }));
    }
    return { changed: steps.length > 0, steps, diff, state: { write, command }, result: { name: path, src: args.src, fstype: args.fstype, opts, dump: args.dump, passno: args.passno } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    const w = st.write ? await applyWrite(ctx, st.write) : undefined;
    if (st.command) await mustSh(ctx, st.command, `Error mounting/unmounting ${args.path}`);
    return { changed: true, ...plan.result, ...(w?.backup_file ? { backup_file: w.backup_file } : {}) };
  },
};
export default mount;
