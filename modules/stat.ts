/** stat: retrieve file or file system status (read-only). */
import type { ModuleDef } from '../engine/types.ts';
import { formatMode } from '../engine/modules/mode.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { readRemoteFile } from '../engine/modules/remotefile.ts';

const stat: ModuleDef = {
  name: 'stat',
  doc: {
    short: 'Retrieve file or file system status',
    description: 'Read-only: reports the same keys as Ansible (exists, isdir, isreg, islnk, mode, pw_name, size, checksum, ...), in check mode too.',
    check: 'full',
    diff: false,
    returns: { stat: 'Dictionary: exists, path, mode, isdir, isreg, islnk, isuid, isgid, uid, gid, pw_name, gr_name, size, mtime, atime, ctime, inode, nlink, lnk_target, lnk_source, checksum, rusr/wusr/xusr/rgrp/wgrp/xgrp/roth/woth/xoth.' },
    examples: `- name: Get stats of a file
  stat:
    path: /etc/foo.conf
  register: st

- name: Fail if the file is not owned by root
  fail:
    msg: "Whoops! file ownership has changed"
  when: st.stat.pw_name != 'root'`,
  },
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'], description: 'The full path of the file/object to get the facts of.' },
    follow: { type: 'bool', default: false, description: 'Whether to follow symlinks.' },
    get_checksum: { type: 'bool', default: true, description: 'Whether to return a checksum of the file.' },
    checksum_algorithm: { type: 'str', default: 'sha1', aliases: ['checksum', 'checksum_algo'], choices: ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'], description: 'Algorithm to determine checksum of file.' },
    get_mime: { type: 'bool', default: false, aliases: ['mime', 'mime_type', 'mime-type'], description: 'Accepted for compatibility; not reported.' },
    get_attributes: { type: 'bool', default: false, aliases: ['attr', 'attributes'], description: 'Accepted for compatibility; not reported.' },
  },
  async plan(args, ctx) {
    const f = await readRemoteFile(ctx, args.path, { follow: args.follow, checksum: args.get_checksum && args.checksum_algorithm === 'sha1' });
    if (!f.exists) return { changed: false, result: { stat: { exists: false } } };
    const m = f.mode!;
    const st: Record<string, unknown> = {
      exists: true,
      path: args.path,
      mode: formatMode(m & 0o7777),
      isdir: f.type === 'directory',
      isreg: f.type === 'file',
      islnk: f.type === 'link',
      uid: f.uid,
      gid: f.gid,
      pw_name: f.owner,
      gr_name: f.group,
      size: f.size,
      mtime: f.mtime,
      atime: f.atime,
      ctime: f.ctime,
      inode: f.inode,
      nlink: f.nlink,
      isuid: (m & 0o4000) !== 0,
      isgid: (m & 0o2000) !== 0,
    };
    const bits = ['rusr', 'wusr', 'xusr', 'rgrp', 'wgrp', 'xgrp', 'roth', 'woth', 'xoth'];
    bits.forEach((b, i) => (st[b] = (m & (0o400 >> i)) !== 0));
    if (f.linkTarget !== undefined) {
      st.lnk_target = f.linkTarget;
      st.lnk_source = f.linkTarget.startsWith('/') ? f.linkTarget : `${args.path.replace(/[^/]*$/, '')}${f.linkTarget}`;
    }
    if (args.get_checksum && f.type === 'file' || (args.get_checksum && args.follow && f.type !== 'directory')) {
      if (args.checksum_algorithm === 'sha1') {
        if (f.sha1) st.checksum = f.sha1;
      } else {
        const r = await mustSh(ctx, `${args.checksum_algorithm}sum < ${quote(args.path)}`, `cannot checksum ${args.path}`);
        st.checksum = r.stdout.split(' ')[0];
      }
    }
    return { changed: false, result: { stat: st } };
  },
};
export default stat;
