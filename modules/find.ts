/** find: return a list of files based on specific criteria (one remote `find`, filters on the controller). */
import type { ModuleDef } from '../engine/types.ts';
import { FIND_PRINTF, parseFindRow, passes } from '../engine/modules/findfilter.ts';
import { fail } from '../engine/modules/failure.ts';
import { quote } from '../engine/modules/quote.ts';
import { sh } from '../engine/modules/remote.ts';

const find: ModuleDef = {
  name: 'find',
  doc: {
    short: 'Return a list of files based on specific criteria',
    description: 'One `find -printf` on the target lists candidates with their stat data (contains is checked there with grep -P); patterns (fnmatch or regex on the basename), excludes, age, size and hidden filter on the controller. Read-only, works in check mode.',
    check: 'full',
    diff: false,
    returns: { files: 'List of matches, each with path, mode, isdir, isreg, islnk, size, uid, gid, pw_name, gr_name, mtime, atime, ctime, inode, nlink.', matched: 'Number of matches.', examined: 'Number of filesystem objects looked at.', msg: 'Status or error messages.' },
    examples: `- name: Find /var/log files older than 30 days, larger than 10m
  find:
    paths: /var/log
    age: 30d
    size: 10m
    recurse: yes

- name: Find conf files containing a string
  find:
    paths: /etc/containerd
    patterns: '*.toml'
    contains: 'SystemdCgroup = true'`,
  },
  args: {
    paths: { type: 'list', elements: 'str', required: true, aliases: ['name', 'path'], description: 'List of paths of directories to search.' },
    patterns: { type: 'list', elements: 'str', default: [], aliases: ['pattern'], description: 'Basename patterns (shell globs, or regexes with use_regex).' },
    excludes: { type: 'list', elements: 'str', aliases: ['exclude'], description: 'Basename patterns to exclude.' },
    contains: { type: 'str', description: 'A regex that a file\'s content must match (regular files only).' },
    file_type: { type: 'str', default: 'file', choices: ['any', 'directory', 'file', 'link'], description: 'Type of file to select.' },
    recurse: { type: 'bool', default: false, description: 'Recursively descend into directories.' },
    depth: { type: 'int', description: 'Maximum number of levels to descend (with recurse).' },
    hidden: { type: 'bool', default: false, description: 'Include hidden files.' },
    follow: { type: 'bool', default: false, description: 'Follow symlinks.' },
    age: { type: 'str', description: "Select files whose age is >= the given value ('2d', '1w'); negative for younger than." },
    age_stamp: { type: 'str', default: 'mtime', choices: ['atime', 'ctime', 'mtime'], description: 'Which timestamp age uses.' },
    size: { type: 'str', description: "Select files whose size is >= the given value ('10m'); negative for smaller than." },
    use_regex: { type: 'bool', default: false, description: 'Patterns are Python regexes instead of globs.' },
    get_checksum: { type: 'bool', default: false, description: 'Add the sha1 `checksum` of every matched regular file (one more command).' },
  },
  async plan(args, ctx) {
    const depth = args.recurse ? (args.depth !== undefined ? `-maxdepth ${Number(args.depth)}` : '') : '-maxdepth 1';
    const contains = args.contains !== undefined ? `\\( ! -type f -o -exec grep -Pq -- ${quote(args.contains)} {} \\; \\) ` : '';
    const cmds = (args.paths as string[]).map(
      (p) => `if [ -d ${quote(p)} ]; then find ${args.follow ? '-L ' : ''}${quote(p)} -mindepth 1 ${depth} ${contains}-printf '${FIND_PRINTF}' 2>/dev/null; else echo "NOTDIR ${p}" >&2; fi`,
    );
    const r = await sh(ctx, cmds.join('\n') + '\necho "NOW $(date +%s)"');
    const now = Number(/^NOW (\d+)$/m.exec(r.stdout)?.[1] ?? Date.now() / 1000);
    const rows = r.stdout.split('\n').filter((l) => l.includes('\t')).map(parseFindRow).filter((x) => x !== undefined);
    let files;
    try {
      files = rows.filter((f) => passes(f, { patterns: args.patterns, excludes: args.excludes ?? [], use_regex: args.use_regex, hidden: args.hidden, file_type: args.file_type, age: args.age, size: args.size, age_stamp: args.age_stamp }, now));
    } catch (e) {
      return fail((e as Error).message);
    }
    const regular = files.filter((f) => f.isreg);
    if (args.get_checksum && regular.length) {
      const c = await sh(ctx, `sha1sum -- ${regular.map((f) => quote(f.path)).join(' ')} 2>/dev/null; true`);
      const sums = new Map(c.stdout.split('\n').map((l) => /^\\?([0-9a-f]{40}) [ *](.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m![2], m![1]]));
      for (const f of regular) if (sums.has(f.path)) (f as typeof f & { checksum?: string }).checksum = sums.get(f.path);
    }
    const skipped = [...r.stderr.matchAll(/^NOTDIR (.*)$/gm)].map((m) => m[1]);
    const msg = skipped.map((p) => `${p} was skipped as it does not seem to be a valid directory or it cannot be accessed`).join('\n');
    return { changed: false, result: { files, matched: files.length, examined: rows.length, msg, skipped_paths: Object.fromEntries(skipped.map((p) => [p, 'not a directory'])) } };
  },
};
export default find;
