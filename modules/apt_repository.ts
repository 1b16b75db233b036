/** apt_repository: add or remove a one-line apt source (`deb URI suite components`). */
import { posix } from 'node:path';
import type { FileDiff, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { readRemoteFiles } from '../engine/modules/remotefile.ts';
import { editSources, parseSourceLine, suggestFilename } from '../engine/modules/pkg/sources.ts';

interface State {
  writes: WriteState[];
  removes: string[];
}

const SOURCES_D = '/etc/apt/sources.list.d';

/** One command: every one-line sources file (path TAB base64 content). */
const LIST_SCRIPT = `for f in /etc/apt/sources.list ${SOURCES_D}/*.list; do [ -f "$f" ] && printf '%s\\t%s\\n' "$f" "$(base64 -w0 < "$f")"; done; exit 0`;

const mod: ModuleDef<Record<string, any>, State> = {
  name: 'apt_repository',
  doc: {
    short: 'Add and remove APT repositories (one-line sources)',
    description:
      'Adds or removes a `deb`/`deb-src` line. All one-line sources files (/etc/apt/sources.list and sources.list.d/*.list) are read in ONE command: a line that is already there (anywhere) is enough; ' +
      "a commented-out copy is enabled again; otherwise the line goes to sources.list.d/FILENAME.list (default: Ansible's name made from the URI's host and path). state absent removes every enabled copy and deletes files left empty. " +
      'Files are written through the shared write path (atomic, diff per file); `apt-get update` runs after a change when update_cache is true. PPAs (`ppa:`) are Ubuntu-only and not supported. ' +
      'For deb822 `.sources` files use deb822_repository.',
    check: 'full',
    diff: true,
    returns: { repo: 'The source line.', sources_added: 'Files written.', sources_removed: 'Files removed.' },
    examples: `- name: Kubernetes apt repository
  apt_repository:
    repo: deb [signed-by=/etc/apt/keyrings/kubernetes.gpg] https://pkgs.k8s.io/core:/stable:/v1.30/deb/ /
    filename: kubernetes
    state: present

- name: Remove a source
  apt_repository:
    repo: deb http://archive.example.org/debian bookworm main
    state: absent
    update_cache: no`,
  },
  args: {
    repo: { type: 'str', required: true, description: 'A source line: `deb [options] URI suite [components...]` (or deb-src).' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'present adds the line; absent removes it.' },
    filename: { type: 'str', description: 'File name in sources.list.d without `.list` (default: made from the URI).' },
    mode: { type: 'raw', description: 'Mode of a newly created sources file (default 0644).' },
    update_cache: { type: 'bool', default: true, aliases: ['update-cache'], description: 'Run `apt-get update` after a change.' },
    update_cache_retries: { type: 'int', default: 5, description: 'Attempts of the cache update.' },
    update_cache_retry_max_delay: { type: 'int', default: 12, description: 'Longest pause (seconds) between attempts.' },
    validate_certs: { type: 'bool', default: true, description: 'Accepted for compatibility (used by Ansible only for PPA keys).' },
    codename: { type: 'str', description: 'Accepted for compatibility (PPA only).' },
    install_python_apt: { type: 'bool', default: true, description: 'Accepted for compatibility: tsplay does not need python3-apt.' },
  },
  async plan(args, ctx): Promise<Plan<State>> {
    const repo = String(args.repo).trim();
    if (!repo) fail("Please set argument 'repo' to a non-empty value");
    if (repo.startsWith('ppa:')) fail('PPA repositories (ppa:...) are Ubuntu-only and not supported by tsplay; give the deb line instead');
    const parsed = parseSourceLine(repo);
    if (!parsed.valid || !parsed.enabled) fail(`Invalid repository string: ${repo}`);
    const r = await mustSh(ctx, LIST_SCRIPT, 'cannot read the apt sources');
    const current = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) current.set(line.slice(0, tab), Buffer.from(line.slice(tab + 1), 'base64').toString());
    }
    const target = posix.join(SOURCES_D, suggestFilename(parsed.source, args.filename));
    const edit = editSources(current, repo, args.state, target);
    const paths = [...edit.files.keys()];
    const remote = await readRemoteFiles(ctx, paths, { content: 'none' });
    const st: State = { writes: [], removes: [] };
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    paths.forEach((path, i) => {
      const text = edit.files.get(path)!;
      const before = current.get(path);
      diff.push({ before: before ?? '', after: text, beforeHeader: before === undefined ? '/dev/null' : path, afterHeader: text === '' ? '/dev/null' : path });
      if (text === '') {
        st.removes.push(path);
        steps.push(`remove ${path}`);
        return;
      }
      const fresh = !remote[i].exists;
      const p = planWrite({ dest: path, content: Buffer.from(text), mode: fresh ? (args.mode ?? '0644') : undefined }, { ...remote[i], sha1: undefined }, false);
      st.writes.push(p.state);
      steps.push(...p.steps);
    });
    if (paths.length && args.update_cache) steps.push('apt-get update');
    return {
      changed: paths.length > 0,
      steps,
      diff,
      state: st,
      result: { repo, state: args.state, sources_added: st.writes.map((w) => w.want.dest), sources_removed: st.removes },
    };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    for (const w of st.writes) await applyWrite(ctx, w);
    if (st.removes.length) await mustSh(ctx, `rm -f -- ${st.removes.map(quote).join(' ')}`, 'cannot remove the sources file');
    if (args.update_cache) {
      const tries = Math.max(1, Number(args.update_cache_retries));
      const loop = `n=0; until DEBIAN_FRONTEND=noninteractive apt-get update -q; do n=$((n+1)); [ $n -ge ${tries} ] && exit 1; sleep $(( n > ${Number(args.update_cache_retry_max_delay)} ? ${Number(args.update_cache_retry_max_delay)} : n )); done`;
      await mustSh(ctx, loop, 'Failed to update apt cache');
    }
    return { ...plan.result, changed: true, cache_updated: Boolean(args.update_cache) };
  },
};
export default mod;
