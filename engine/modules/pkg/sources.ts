/**
 * One-line apt sources (`deb [opts] URI suite comp...`) for apt_repository: Ansible's line
 * normalization, its default file name, and the edit of a set of .list files. Pure (unit tested).
 */

/** A parsed sources.list line (Ansible's SourcesList._parse). */
export interface SourceLine {
  valid: boolean;
  enabled: boolean;
  /** Normalized source (single spaces) or the raw text of an invalid line. */
  source: string;
  comment: string;
}

/** Parse one line: `# deb ...` is a disabled source, text after a second `#` is a comment. */
export function parseSourceLine(line: string): SourceLine {
  let l = line.trim();
  let enabled = true;
  let comment = '';
  if (l.startsWith('#')) {
    enabled = false;
    l = l.slice(1);
  }
  const i = l.indexOf('#');
  if (i > 0) {
    comment = l.slice(i + 1).trim();
    l = l.slice(0, i);
  }
  let source = l.trim();
  let valid = false;
  if (source) {
    const chunks = source.split(/\s+/);
    if (chunks[0] === 'deb' || chunks[0] === 'deb-src') {
      valid = true;
      source = chunks.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** Ansible's default file name for a repo line: the URI's host and path, `_`-joined, + `.list`. */
export function suggestFilename(source: string, filename?: string): string {
  if (filename) return `${filename}.list`;
  const line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p && p !== 'deb' && p !== 'deb-src');
  const first = (parts[0] ?? '').replace(/^[^@/]*@/, '');
  return `${first.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_')}.list`;
}

/** Result of editing the sources files for one repo line. */
export interface SourcesEdit {
  /** New content per file that changes ('' means the file is removed). */
  files: Map<string, string>;
}

function render(s: SourceLine): string {
  return `${s.enabled ? '' : '# '}${s.source}${s.comment ? ` # ${s.comment}` : ''}\n`;
}

/**
 * Add (`present`) or remove (`absent`) `repo` across the current files (path -> content).
 * present: an existing enabled line anywhere is enough; a disabled one is enabled; otherwise the
 * line is appended to `target`. absent: every enabled matching line is removed; a file left with
 * no line is removed.
 */
export function editSources(current: Map<string, string>, repo: string, state: 'present' | 'absent', target: string): SourcesEdit {
  const want = parseSourceLine(repo).source;
  const files = new Map<string, string>();
  let found = false;
  for (const [path, text] of current) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let touched = false;
    const out: string[] = [];
    for (const line of lines) {
      const p = parseSourceLine(line);
      if (p.valid && p.source === want) {
        if (state === 'present') {
          found = true;
          if (!p.enabled) {
            out.push(render({ ...p, enabled: true }));
            touched = true;
            continue;
          }
        } else if (p.enabled) {
          touched = true;
          continue;
        }
      }
      out.push(line + '\n');
    }
    if (touched) files.set(path, out.some((l) => l.trim() !== '') ? out.join('') : '');
  }
  if (state === 'present' && !found) {
    const cur = current.get(target) ?? '';
    files.set(target, cur + (cur && !cur.endsWith('\n') ? '\n' : '') + render({ valid: true, enabled: true, source: want, comment: '' }));
  }
  return { files };
}

/** deb822 field names of deb822_repository's arguments, in the order they are written. */
export const DEB822_FIELDS: [arg: string, field: string][] = [
  ['types', 'Types'],
  ['uris', 'URIs'],
  ['suites', 'Suites'],
  ['components', 'Components'],
  ['architectures', 'Architectures'],
  ['languages', 'Languages'],
  ['targets', 'Targets'],
  ['pdiffs', 'PDiffs'],
  ['by_hash', 'By-Hash'],
  ['check_date', 'Check-Date'],
  ['check_valid_until', 'Check-Valid-Until'],
  ['date_max_future', 'Date-Max-Future'],
  ['inrelease_path', 'InRelease-Path'],
  ['allow_insecure', 'Allow-Insecure'],
  ['allow_weak', 'Allow-Weak'],
  ['allow_downgrade_to_insecure', 'Allow-Downgrade-To-Insecure'],
  ['trusted', 'Trusted'],
  ['enabled', 'Enabled'],
  ['signed_by', 'Signed-By'],
];

/** One deb822 field value: lists space-joined, booleans yes/no, multi-line text folded (` .` for empty lines). */
function deb822Value(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join(' ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const s = String(v).replace(/\n+$/, '');
  if (!s.includes('\n')) return s;
  return '\n' + s.split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n');
}

/** The .sources file text for a deb822_repository task (`X-Repolib-Name` first, like Ansible). */
export function renderDeb822(name: string, args: Record<string, unknown>): string {
  const lines = [`X-Repolib-Name: ${name}`];
  for (const [arg, field] of DEB822_FIELDS) {
    const v = args[arg];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    const val = deb822Value(v);
    lines.push(`${field}:${val.startsWith('\n') ? '' : ' '}${val}`);
  }
  return lines.join('\n') + '\n';
}

/** The .sources file name Ansible derives from the repository name. */
export function deb822Filename(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '')}.sources`;
}
