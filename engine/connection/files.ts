/**
 * Remote file transfer over a command channel: atomic write (temp file in the destination
 * directory, chmod/chown, rename, in ONE round trip with the content on stdin) and read via cat.
 */
import type { PutFileOptions } from '../types.ts';
import { shQuote } from './shell.ts';

/** Prefix of temp files; stale ones (no write for 2+ minutes) are removed by later writes. */
export const TEMP_PREFIX = '.tsplay-tmp-';

/** Exit codes of the put script that mean something specific. */
export const PUT_RC = { MKTEMP: 70, WRITE: 71, SHORT: 72, ATTRS: 73, RENAME: 74 } as const;

/**
 * The sh script that writes stdin atomically to `dest`. Mode/owner/group: as given, else copied
 * from an existing destination (Ansible's atomic_move), else 0666 minus the remote umask.
 * On any failure the temp file is removed and the original is untouched.
 */
export function putFileScript(dest: string, size: number, opts: PutFileOptions = {}): string {
  if (opts.mode !== undefined && !/^0?[0-7]{3,4}$/.test(opts.mode)) throw new Error(`invalid file mode '${opts.mode}'`);
  const q = shQuote;
  const lines = [
    `dest=${q(dest)}`,
    // dirname without a process (as `dirname`: 'f' -> '.', '/f' -> '/', 'a/b//' handled by the caller's absolute paths)
    `case $dest in */*) d=\${dest%/*}; [ -n "$d" ] || d=/;; *) d=.;; esac`,
    `[ -d "$d" ] || { echo "destination directory $d does not exist" >&2; exit ${PUT_RC.MKTEMP}; }`,
    // stale temp files of interrupted writes: find runs only when the glob matches something
    `for s in "$d"/${TEMP_PREFIX}*; do [ -e "$s" ] && find "$d" -maxdepth 1 -name '${TEMP_PREFIX}*' -type f -mmin +2 -exec rm -f {} + 2>/dev/null; break; done`,
    `um=$(umask)`,
    `umask 077`,
    `t=$(mktemp "$d/${TEMP_PREFIX}XXXXXX") || exit ${PUT_RC.MKTEMP}`,
    `trap 'rm -f -- "$t"' HUP INT TERM PIPE`,
    `fail() { rc=$1; shift; [ -n "$*" ] && echo "$*" >&2; rm -f -- "$t"; exit $rc; }`,
    `cat > "$t" || fail ${PUT_RC.WRITE}`,
    `n=$(wc -c < "$t") || fail ${PUT_RC.WRITE}`,
    `[ "$n" -eq ${size} ] || fail ${PUT_RC.SHORT} "short write: $n of ${size} bytes written"`,
  ];
  if (opts.mode !== undefined) lines.push(`chmod ${opts.mode} "$t" || fail ${PUT_RC.ATTRS}`);
  else lines.push(`if [ -e "$dest" ]; then chmod --reference="$dest" "$t"; else chmod "$(printf '%o' $(( 0666 & ~0$um )))" "$t"; fi || fail ${PUT_RC.ATTRS}`);
  if (opts.owner !== undefined || opts.group !== undefined) {
    const spec = `${opts.owner ?? ''}${opts.group !== undefined ? ':' + opts.group : ''}`;
    lines.push(`chown ${q(spec)} "$t" || fail ${PUT_RC.ATTRS}`);
  } else {
    lines.push(`[ -e "$dest" ] && [ "$(id -u)" = 0 ] && chown --reference="$dest" "$t" 2>/dev/null`);
  }
  lines.push(`mv -f -- "$t" "$dest" || fail ${PUT_RC.RENAME}`);
  return lines.join('\n') + '\n';
}

/** The command that reads a file (cat), with a clear message when it is missing. */
export function getFileCommand(path: string): string {
  return `cat -- ${shQuote(path)}`;
}

/** A one-line reason from a failed put/get's stderr. */
export function failureReason(stderr: string, rc: number): string {
  const lines = stderr.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const nospace = lines.find((l) => /No space left on device|Disk quota exceeded/i.test(l));
  if (nospace) return 'no space left on device';
  const last = lines.pop();
  return last ? last.replace(/^(\/bin\/sh|sh|cat|mv|chmod|chown|mktemp): (\d+: )?/, '') : `exit code ${rc}`;
}
