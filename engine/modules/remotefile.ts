/**
 * Reading what a module needs to know about remote paths in ONE command: type, mode, owner,
 * group, size, link target, sha1 checksum and (optionally) content. `statScript` and
 * `parseStatOutput` are pure (unit tested); `readRemoteFiles` runs them.
 */
import type { ModuleContext } from '../types.ts';
import { quote } from './quote.ts';
import { mustSh } from './remote.ts';

/** What one remote path looks like. */
export interface RemoteFile {
  path: string;
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  mode?: number;
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  atime?: number;
  ctime?: number;
  inode?: number;
  nlink?: number;
  linkTarget?: string;
  /** sha1 of a regular file's content. */
  sha1?: string;
  /** Content of a regular file, when asked for (and within the size limit). */
  content?: Buffer;
}

export interface ReadOptions {
  /** Read content: never, always, or only when the file is at most this many bytes. */
  content?: 'none' | 'always' | number;
  /** Compute sha1 of regular files (default true). */
  checksum?: boolean;
  /** Follow symlinks (stat the target). Default false. */
  follow?: boolean;
}

const MARK = '==TSPLAY==';

/** The /bin/sh script that describes every path, one block per path. */
export function statScript(paths: readonly string[], opts: ReadOptions = {}): string {
  const L = opts.follow ? '-L ' : '';
  const isReg = opts.follow ? '[ -f "$1" ]' : '[ -f "$1" ] && [ ! -h "$1" ]';
  const content =
    opts.content === 'always'
      ? `printf 'C %s\\n' "$(base64 -w0 < "$1")"`
      : typeof opts.content === 'number'
        ? `[ "$(stat ${L}-c %s -- "$1")" -le ${opts.content} ] && printf 'C %s\\n' "$(base64 -w0 < "$1")"`
        : ':';
  const checksum = opts.checksum === false ? ':' : `printf 'H %s\\n' "$(sha1sum < "$1" | cut -c1-40)"`;
  const fn =
    `F='%F|%a|%U|%G|%u|%g|%s|%Y|%i|%h|%X|%Z'; _t() { echo '${MARK}'; if [ -e "$1" ] || [ -h "$1" ]; then ` +
    `printf 'S %s\\n' "$(stat ${L}-c "$F" -- "$1" 2>/dev/null || stat -c "$F" -- "$1")"; ` +
    `[ -h "$1" ] && printf 'L %s\\n' "$(readlink -- "$1")"; ` +
    `if ${isReg} && [ -r "$1" ]; then ${checksum}; ${content}; fi; else echo 'S -'; fi; return 0; }`;
  return [fn, ...paths.map((p) => `_t ${quote(p)}`)].join('\n');
}

function fileType(f: string): RemoteFile['type'] {
  if (f.startsWith('regular')) return 'file';
  if (f === 'directory') return 'directory';
  if (f === 'symbolic link') return 'link';
  return 'other';
}

/** Parse `statScript` output back into one RemoteFile per path. */
export function parseStatOutput(out: string, paths: readonly string[]): RemoteFile[] {
  const blocks = out.split(MARK + '\n').slice(1);
  return paths.map((path, i) => {
    const rf: RemoteFile = { path, exists: false };
    for (const line of (blocks[i] ?? '').split('\n')) {
      const tag = line.slice(0, 2);
      const val = line.slice(2);
      if (tag === 'S ' && val !== '-') {
        const [t, mode, owner, group, uid, gid, size, mtime, inode, nlink, atime, ctime] = val.split('|');
        Object.assign(rf, {
          exists: true,
          type: fileType(t),
          mode: parseInt(mode, 8),
          owner,
          group,
          uid: Number(uid),
          gid: Number(gid),
          size: Number(size),
          mtime: Number(mtime),
          atime: Number(atime),
          ctime: Number(ctime),
          inode: Number(inode),
          nlink: Number(nlink),
        });
      } else if (tag === 'L ') rf.linkTarget = val;
      else if (tag === 'H ') rf.sha1 = val;
      else if (tag === 'C ') rf.content = Buffer.from(val, 'base64');
    }
    return rf;
  });
}

/** Describe remote paths in one round trip. */
export async function readRemoteFiles(ctx: ModuleContext, paths: readonly string[], opts: ReadOptions = {}): Promise<RemoteFile[]> {
  if (paths.length === 0) return [];
  const r = await mustSh(ctx, statScript(paths, opts), `cannot read ${paths.join(', ')}`);
  return parseStatOutput(r.stdout, paths);
}

/** Describe one remote path in one round trip. */
export async function readRemoteFile(ctx: ModuleContext, path: string, opts: ReadOptions = {}): Promise<RemoteFile> {
  return (await readRemoteFiles(ctx, [path], opts))[0];
}
