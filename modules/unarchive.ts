/** unarchive: unpack a tar (gz/bz2/xz/zst) or zip archive on the target. */
import { readFileSync } from 'node:fs';
import { basename, posix } from 'node:path';
import type { ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS, modeArg } from '../engine/modules/attrs.ts';
import { compareScript, extractCommand, handlerName, kindScript, parseCompare, type ExtractSpec } from '../engine/modules/archive.ts';
import { fail } from '../engine/modules/failure.ts';
import { downloadToScratch, isUrl } from '../engine/modules/http.ts';
import { localFile } from '../engine/modules/local.ts';
import { formatMode } from '../engine/modules/mode.ts';
import { quote, quoteArgv } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { readRemoteFiles } from '../engine/modules/remotefile.ts';

interface UnState {
  spec: ExtractSpec;
  /** Scratch dir holding an uploaded/downloaded archive (removed after the task). */
  scratch?: string;
  /** Entries whose mode/owner/group are set after extraction. */
  entries: string[];
  extract: boolean;
}

/** Remove the scratch directory of an uploaded archive (best effort). */
async function cleanup(ctx: ModuleContext, scratch: string | undefined): Promise<void> {
  if (scratch) await sh(ctx, `rm -rf -- ${quote(scratch)}`);
}

/** Put the archive on the target (upload from the controller, or download a URL there). */
async function stage(ctx: ModuleContext, args: Record<string, any>): Promise<{ archive: string; scratch?: string }> {
  const src = String(args.src);
  if (isUrl(src)) {
    const d = await downloadToScratch(ctx, src, args.validate_certs);
    return { archive: d.file, scratch: d.scratch };
  }
  if (args.remote_src) return { archive: src };
  const local = localFile(ctx, 'files', src);
  const scratch = (await mustSh(ctx, `mktemp -d "\${TMPDIR:-/tmp}/.tsplay-unarchive-XXXXXXXX"`, 'cannot create a temp directory')).stdout.trim();
  try {
    const archive = posix.join(scratch, basename(local));
    await ctx.conn.putFile(archive, readFileSync(local), { mode: '0600', become: ctx.become });
    return { archive, scratch };
  } catch (e) {
    await cleanup(ctx, scratch);
    throw e;
  }
}

const unarchive: ModuleDef<Record<string, any>, UnState> = {
  name: 'unarchive',
  doc: {
    short: 'Unpacks an archive after (optionally) copying it from the controller',
    description:
      'Unpacks .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz, .tar.zst (GNU tar detects the compression) and .zip (unzip) archives into an existing dest directory. ' +
      'src is a file on the controller (uploaded to a temp dir on the target, removed afterwards), a file on the target with remote_src, or a URL (downloaded on the target). ' +
      'Idempotent: the archive is extracted into a scratch directory on the target and every entry is compared with dest (content, symlink target, and the requested mode/owner/group); ' +
      'only when something differs is it extracted into dest. `creates` skips the task when that path exists. Check mode reports what would change; --diff lists the entries.',
    check: 'full',
    diff: true,
    returns: {
      dest: 'Destination directory.',
      src: 'The archive used (on the target).',
      handler: 'TgzArchive, TarArchive, TarXzArchive, TarBzipArchive, TarZstdArchive or ZipArchive.',
      files: 'Entries of the archive (list_files: yes).',
      extract_results: 'cmd, rc, out, err of the extraction.',
    },
    examples: `- name: Unpack a tarball from the controller
  unarchive:
    src: files/cni-plugins-linux-amd64-v1.4.0.tgz
    dest: /opt/cni/bin
    creates: /opt/cni/bin/bridge

- name: Unpack an archive already on the target, only some members
  unarchive:
    src: /tmp/etcd-v3.5.12-linux-amd64.tar.gz
    dest: /usr/local/bin
    remote_src: yes
    extra_opts: [--strip-components=1]
    include: [etcd-v3.5.12-linux-amd64/etcd, etcd-v3.5.12-linux-amd64/etcdctl]`,
  },
  args: {
    src: { type: 'str', required: true, description: 'Archive on the controller (searched in files/), on the target (remote_src), or a URL.' },
    dest: { type: 'path', required: true, description: 'Existing directory to unpack into.' },
    remote_src: { type: 'bool', default: false, description: 'src is already on the target.' },
    copy: { type: 'bool', description: 'Deprecated inverse of remote_src.' },
    creates: { type: 'path', description: 'Skip when this path exists on the target.' },
    list_files: { type: 'bool', default: false, description: 'Return the archive entries in `files`.' },
    include: { type: 'list', elements: 'str', default: [], description: 'Only these archive members are extracted.' },
    exclude: { type: 'list', elements: 'str', default: [], description: 'Members (patterns) not extracted.' },
    extra_opts: { type: 'list', elements: 'str', default: [], description: 'Extra options for tar/unzip (e.g. --strip-components=1).' },
    keep_newer: { type: 'bool', default: false, description: 'Do not replace files newer than the archive entries (tar --keep-newer-files).' },
    validate_certs: { type: 'bool', default: true, description: 'Verify certificates when src is an HTTPS URL.' },
    decrypt: { type: 'bool', default: true, description: 'Accepted for compatibility (vault-encrypted archives are not decrypted).' },
    io_buffer_size: { type: 'int', default: 65536, description: 'Accepted for compatibility.' },
    ...FILE_ATTR_ARGS,
  },
  validate(a) {
    if (a.copy !== undefined && a.remote_src && a.copy) return 'parameters are mutually exclusive: copy|remote_src';
    if (a.include?.length && a.exclude?.length) return 'parameters are mutually exclusive: exclude|include';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<UnState>> {
    if (args.copy === false) args.remote_src = true;
    const dest = String(args.dest);
    const [d, c] = await readRemoteFiles(ctx, [dest, args.creates ?? '/nonexistent/.tsplay'], { checksum: false, follow: true });
    if (args.creates && c.exists) return { changed: false, msg: `skipped, since ${args.creates} exists`, result: { dest, src: args.src } };
    if (!d.exists || d.type !== 'directory') fail(`dest '${dest}' must be an existing dir`);
    const m = modeArg(args.mode);
    if (typeof m === 'string') fail('unarchive: symbolic modes are not supported by tsplay; give an octal mode');
    const { archive, scratch } = await stage(ctx, args);
    try {
      if (args.remote_src && !scratch) {
        const [a] = await readRemoteFiles(ctx, [archive], { checksum: false, follow: true });
        if (!a.exists) fail(`Source '${archive}' does not exist`);
      }
      const kind = /K zip/.test((await sh(ctx, kindScript(archive))).stdout) ? 'zip' : 'tar';
      const extraOpts = [...(args.extra_opts ?? []), ...(args.keep_newer && kind === 'tar' ? ['--keep-newer-files'] : [])];
      const spec: ExtractSpec = { archive, kind, include: args.include ?? [], exclude: args.exclude ?? [], extraOpts };
      const attrs = { mode: m === undefined ? undefined : formatMode(m), owner: args.owner, group: args.group };
      const cmp = parseCompare((await mustSh(ctx, compareScript(spec, dest, attrs), `cannot read ${archive}`)).stdout);
      if (cmp.error !== undefined) fail(`Failed to find handler for "${archive}". Make sure the required command to extract the file is installed. ${cmp.error}`);
      const extract = cmp.missing.length + cmp.differ.length > 0;
      const changed = extract || cmp.attrs.length > 0;
      const steps = [
        ...(extract ? [`extract ${args.src} into ${dest} (${cmp.missing.length} new, ${cmp.differ.length} changed entries)`] : []),
        ...(cmp.attrs.length ? [`set mode/owner/group of ${cmp.attrs.length} entries`] : []),
      ];
      const line = (p: string, why: string) => `${posix.join(dest, p)}${why}\n`;
      const diff = changed
        ? [{
            before: [...cmp.missing.map((p) => line(p, ' (absent)')), ...cmp.differ.map((p) => line(p, ' (differs)')), ...cmp.attrs.map((p) => line(p, ' (attributes differ)'))].join(''),
            after: [...cmp.missing, ...cmp.differ, ...cmp.attrs].map((p) => line(p, '')).join(''),
            beforeHeader: dest,
            afterHeader: `${dest} (after unpacking ${args.src})`,
          }]
        : [];
      if (!changed || ctx.check) await cleanup(ctx, scratch);
      return {
        changed,
        steps,
        diff,
        state: { spec, scratch, entries: attrs.mode || attrs.owner || attrs.group ? cmp.files : [], extract },
        result: { dest, src: archive, handler: handlerName(kind, archive), state: 'directory', ...(args.list_files ? { files: cmp.files } : {}) },
      };
    } catch (e) {
      await cleanup(ctx, scratch);
      throw e;
    }
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    const dest = String(args.dest);
    try {
      const cmd = extractCommand(st.spec, quote(dest));
      let extract_results: Record<string, unknown> | undefined;
      if (st.extract) {
        const r = await sh(ctx, cmd);
        extract_results = { cmd, rc: r.rc, out: r.stdout, err: r.stderr };
        if (r.rc !== 0) fail(`failed to unpack ${st.spec.archive} to ${dest}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, { extract_results });
      }
      if (st.entries.length) {
        const paths = st.entries.map((p) => posix.join(dest, p));
        const m = modeArg(args.mode);
        const cmds = [
          ...(args.owner || args.group ? [`chown -h ${quote(`${args.owner ?? ''}${args.group ? ':' + args.group : ''}`)} -- ${quoteArgv(paths)}`] : []),
          // chmod follows symlinks: never through a link from the archive (it could point anywhere)
          ...(m !== undefined ? [`for p in ${quoteArgv(paths)}; do [ -h "$p" ] || chmod ${formatMode(m as number)} -- "$p" || exit 1; done`] : []),
        ];
        await mustSh(ctx, cmds.join(' && '), `cannot set attributes in ${dest}`);
      }
      return { ...plan.result, changed: true, ...(extract_results ? { extract_results } : {}) };
    } finally {
      await cleanup(ctx, st.scratch);
    }
  },
};
export default unarchive;
