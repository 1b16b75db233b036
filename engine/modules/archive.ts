/**
 * Archives for unarchive: the format (zip or tar with any compression GNU tar detects), the
 * list/extract command lines, and the ONE compare script that extracts into a scratch
 * directory on the target and tells which entries differ from dest (content, link target,
 * and the requested mode/owner/group). Builders and the parser are pure (unit tested).
 */
import { quote, quoteArgv } from './quote.ts';

export type ArchiveKind = 'zip' | 'tar';

/** What an extraction is asked to do. */
export interface ExtractSpec {
  archive: string;
  kind: ArchiveKind;
  include: string[];
  exclude: string[];
  extraOpts: string[];
}

/** Ansible's handler name for the result. */
export function handlerName(kind: ArchiveKind, archive: string): string {
  if (kind === 'zip') return 'ZipArchive';
  if (/\.(tgz|tar\.gz)$/.test(archive)) return 'TgzArchive';
  if (/\.(tbz2?|tar\.bz2)$/.test(archive)) return 'TarBzipArchive';
  if (/\.(txz|tar\.xz)$/.test(archive)) return 'TarXzArchive';
  if (/\.(tzst|tar\.zst)$/.test(archive)) return 'TarZstdArchive';
  return 'TarArchive';
}

/** The shell command extracting spec.archive into `dir` (a shell word, already quoted). */
export function extractCommand(s: ExtractSpec, dir: string): string {
  if (s.kind === 'zip') {
    return `unzip -o -q ${quoteArgv(s.extraOpts)} ${quote(s.archive)} ${quoteArgv(s.include)}${s.exclude.length ? ` -x ${quoteArgv(s.exclude)}` : ''} -d ${dir}`.replace(/\s+/g, ' ');
  }
  const excl = s.exclude.map((e) => quote(`--exclude=${e}`)).join(' ');
  return `tar -x -f ${quote(s.archive)} -C ${dir} ${excl} ${quoteArgv(s.extraOpts)} ${quoteArgv(s.include)}`.replace(/\s+/g, ' ').trim();
}

/** Shell test: is the archive a zip file (by its listing)? Prints `K zip` or `K tar`. */
export function kindScript(archive: string): string {
  return `if unzip -Z1 ${quote(archive)} >/dev/null 2>&1; then echo 'K zip'; else echo 'K tar'; fi`;
}

/** The requested attributes of extracted entries (octal mode only). */
export interface EntryAttrs {
  mode?: string;
  owner?: string;
  group?: string;
}

/**
 * Script: extract into a scratch dir, then one line per entry: `F path` (every entry),
 * `M path` (missing in dest), `D path` (differs), `A path` (attributes differ). `E msg` when the
 * archive cannot be read. The scratch dir is removed.
 */
export function compareScript(s: ExtractSpec, dest: string, attrs: EntryAttrs): string {
  const checks: string[] = [];
  if (attrs.mode) checks.push(`[ "$(stat -c %a "$t")" = ${quote(String(parseInt(attrs.mode, 8).toString(8)))} ] || a=1`);
  if (attrs.owner) checks.push(`{ [ "$(stat -c %U "$t")" = ${quote(attrs.owner)} ] || [ "$(stat -c %u "$t")" = ${quote(attrs.owner)} ]; } || a=1`);
  if (attrs.group) checks.push(`{ [ "$(stat -c %G "$t")" = ${quote(attrs.group)} ] || [ "$(stat -c %g "$t")" = ${quote(attrs.group)} ]; } || a=1`);
  return [
    `x=$(mktemp -d "\${TMPDIR:-/tmp}/.tsplay-x-XXXXXXXX") || exit 1`,
    `trap 'rm -rf "$x"' EXIT`,
    `if ! out=$(${extractCommand(s, '"$x"')} 2>&1); then printf 'E %s\\n' "$(printf '%s' "$out" | tr '\\n' ' ')"; exit 0; fi`,
    `cd "$x" || exit 1`,
    `D=${quote(dest.replace(/\/+$/, '') || '/')}`,
    `find . -mindepth 1 | sort | while IFS= read -r p; do`,
    `  p=\${p#./}; t="$D/$p"; echo "F $p"`,
    `  if [ -h "$p" ]; then [ -h "$t" ] && [ "$(readlink -- "$p")" = "$(readlink -- "$t")" ] || { [ -e "$t" ] || [ -h "$t" ] && echo "D $p" || echo "M $p"; }; continue; fi`,
    `  if [ -d "$p" ]; then if [ ! -d "$t" ]; then [ -e "$t" ] && echo "D $p" || echo "M $p"; continue; fi`,
    `  elif [ ! -e "$t" ]; then echo "M $p"; continue`,
    `  elif [ -h "$t" ] || [ ! -f "$t" ] || ! cmp -s -- "$p" "$t"; then echo "D $p"; continue; fi`,
    `  a=0; ${checks.join('; ') || ':'}; [ $a = 0 ] || echo "A $p"`,
    `done`,
  ].join('\n');
}

/** Parsed output of compareScript. */
export interface CompareResult {
  error?: string;
  files: string[];
  missing: string[];
  differ: string[];
  attrs: string[];
}

/** Parse compareScript output. */
export function parseCompare(out: string): CompareResult {
  const r: CompareResult = { files: [], missing: [], differ: [], attrs: [] };
  for (const line of out.split('\n')) {
    const t = line.slice(0, 2);
    const v = line.slice(2);
    if (t === 'E ') r.error = v.trim();
    else if (t === 'F ') r.files.push(v);
    else if (t === 'M ') r.missing.push(v);
    else if (t === 'D ') r.differ.push(v);
    else if (t === 'A ') r.attrs.push(v);
  }
  return r;
}
