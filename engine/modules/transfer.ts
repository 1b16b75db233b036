/**
 * Run a controller-side file on the target in ONE round trip: the file is sent on stdin into
 * a private temp directory, made executable, run, and the directory removed.
 */
import type { ExecResult, ModuleContext } from '../types.ts';
import { quote } from './quote.ts';
import { sh } from './remote.ts';

export interface TransferOptions {
  /** Extra files written beside the executable: name -> content (e.g. a JSON args file). */
  files?: Record<string, string>;
  /** Arguments after the executable; `$DIR` is replaced by the temp directory path (unquoted). */
  argv?: string[];
  /** Raw text appended after the quoted argv (already a shell fragment). */
  argsLine?: string;
  /** Run through this interpreter instead of the file's shebang. */
  executable?: string;
  chdir?: string;
  timeoutMs?: number;
}

/** Copy `content` to a temp dir on the target as `name`, run it, clean up. */
export function runTransferred(ctx: ModuleContext, name: string, content: Buffer | string, opts: TransferOptions = {}): Promise<ExecResult> {
  const base = quote(name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  const parts = [
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/.tsplay-XXXXXXXX") || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    `cat > "$d/"${base} && chmod 700 "$d/"${base} || exit 1`,
  ];
  for (const [f, text] of Object.entries(opts.files ?? {})) parts.push(`printf '%s' ${quote(text)} > "$d/"${quote(f)} || exit 1`);
  if (opts.chdir) parts.push(`cd ${quote(opts.chdir)} || exit 1`);
  const argv = (opts.argv ?? []).map((a) => (a.startsWith('$DIR/') ? `"$d/"${quote(a.slice(5))}` : quote(a))).join(' ');
  const exe = opts.executable ? `${quote(opts.executable)} "$d/"${base}` : `"$d/"${base}`;
  parts.push(`${exe} ${argv} ${opts.argsLine ?? ''}`.trimEnd());
  return sh(ctx, parts.join('\n'), { stdin: content, timeoutMs: opts.timeoutMs });
}
