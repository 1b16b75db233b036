/** fetch: fetch a file from the target to the controller, idempotent by sha1. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { readRemoteFile } from '../engine/modules/remotefile.ts';

const fetch: ModuleDef<Record<string, any>, { dest: string }> = {
  name: 'fetch',
  doc: {
    short: 'Fetch files from remote nodes',
    description: 'Copies a remote file to the controller: to DEST/HOSTNAME/SRC_PATH, or exactly DEST with flat=yes. Only fetched when the sha1 checksums differ.',
    check: 'full',
    diff: false,
    returns: { dest: 'Local path of the file.', checksum: 'sha1 of the file.', remote_checksum: 'sha1 of the remote file.', file: 'The remote file.' },
    examples: `- name: Store /etc/kubernetes/admin.conf into /tmp/fetched/HOST/etc/kubernetes/admin.conf
  fetch:
    src: /etc/kubernetes/admin.conf
    dest: /tmp/fetched

- name: Fetch to an exact path
  fetch:
    src: /etc/kubernetes/admin.conf
    dest: ./admin.conf
    flat: yes`,
  },
  args: {
    src: { type: 'str', required: true, description: 'The file on the remote system to fetch.' },
    dest: { type: 'str', required: true, description: 'A directory (or with flat=yes, a file path) on the controller.' },
    flat: { type: 'bool', default: false, description: 'Write to dest itself (or dest/basename when dest ends with /) instead of dest/HOST/src.' },
    fail_on_missing: { type: 'bool', default: true, description: 'Fail when the remote file is missing or unreadable.' },
    validate_checksum: { type: 'bool', default: true, description: 'Verify the checksum after the transfer.' },
  },
  async plan(args, ctx) {
    const src = String(args.src);
    let dest: string;
    if (args.flat) dest = String(args.dest).endsWith('/') ? join(args.dest, src.split('/').pop()!) : String(args.dest);
    else dest = join(args.dest, ctx.host, src.startsWith('/') ? src : `/${src}`);
    const f = await readRemoteFile(ctx, src, { follow: true });
    if (!f.exists || f.type !== 'file' || !f.sha1) {
      const why = !f.exists ? 'the remote file does not exist' : f.type === 'directory' ? 'remote file is a directory, fetch cannot work on directories' : 'the remote file is not readable';
      if (args.fail_on_missing) fail(`${why}: ${src}`, { file: src });
      return { changed: false, msg: `${why}, not transferring, ignored`, result: { file: src } };
    }
    const local = existsSync(dest) ? createHash('sha1').update(readFileSync(dest)).digest('hex') : undefined;
    const result = { dest, file: src, remote_checksum: f.sha1, checksum: local ?? null };
    if (local === f.sha1) return { changed: false, result: { ...result, checksum: local } };
    return { changed: true, steps: [`fetch ${src} to ${dest}`], state: { dest }, result };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const dest = plan.state!.dest;
    const data = await ctx.conn.getFile(String(args.src), ctx.become);
    const sum = createHash('sha1').update(data).digest('hex');
    if (args.validate_checksum && sum !== plan.result!.remote_checksum) fail(`checksum mismatch: the file changed on ${ctx.host} during the transfer`, { file: args.src });
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(`${dest}.tsplay-tmp`, data);
    renameSync(`${dest}.tsplay-tmp`, dest);
    return { changed: true, ...plan.result, checksum: sum };
  },
};
export default fetch;
