/** deb822_repository: a deb822 `.sources` file in /etc/apt/sources.list.d. */
import { posix } from 'node:path';
import type { ArgSpec, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, readDest, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { deb822Filename, renderDeb822 } from '../engine/modules/pkg/sources.ts';

type State = { kind: 'write'; w: WriteState } | { kind: 'remove'; path: string };

const list = (description: string): ArgSpec => ({ type: 'list', elements: 'str', description });
const bool = (description: string): ArgSpec => ({ type: 'bool', description });

const mod: ModuleDef<Record<string, any>, State> = {
  name: 'deb822_repository',
  doc: {
    short: 'Add and remove deb822 formatted apt repositories',
    description:
      'Writes /etc/apt/sources.list.d/NAME.sources (deb822 format: `Types`, `URIs`, `Suites`, `Components`, `Signed-By`, ...) through the shared file-write path: atomic, idempotent by content, check mode and diff. ' +
      'signed_by may be a keyring path on the target or an ASCII-armored key block (embedded in the file); key URLs are not fetched (download the key with get_url first). ' +
      'Like Ansible, this module does not update the apt cache: follow it with `apt: update_cache: yes`.',
    check: 'full',
    diff: true,
    returns: { dest: 'Path of the .sources file.', repo: 'The file content.' },
    examples: `- name: Kubernetes apt repository (deb822)
  deb822_repository:
    name: kubernetes
    types: deb
    uris: https://pkgs.k8s.io/core:/stable:/v1.30/deb/
    suites: /
    signed_by: /etc/apt/keyrings/kubernetes-apt-keyring.gpg

- apt:
    update_cache: yes`,
  },
  args: {
    name: { type: 'str', required: true, description: 'Repository name (X-Repolib-Name) and, unless filename is set, the file name.' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'present writes the file; absent removes it.' },
    types: { type: 'list', elements: 'str', default: ['deb'], choices: ['deb', 'deb-src'], description: 'deb and/or deb-src.' },
    uris: list('Repository URIs.'),
    suites: list('Suites (an exact path such as `/` needs no components).'),
    components: list('Components (main, contrib, ...).'),
    architectures: list('Architectures to use.'),
    languages: list('Languages of the translation files to fetch.'),
    targets: list('Download targets.'),
    signed_by: { type: 'str', description: 'Keyring path on the target, or an ASCII-armored public key block.' },
    enabled: bool('Whether the repository is used.'),
    trusted: bool('Trust the repository even without valid signatures.'),
    pdiffs: bool('Use PDiffs for index updates.'),
    by_hash: bool('Fetch indexes by hash.'),
    check_date: bool('Check the Release date.'),
    check_valid_until: bool('Check the Valid-Until field.'),
    date_max_future: { type: 'int', description: 'How far in the future the Release date may be (seconds).' },
    inrelease_path: { type: 'str', description: 'Path of the InRelease file.' },
    allow_insecure: bool('Allow insecure repositories.'),
    allow_weak: bool('Allow weak digest algorithms.'),
    allow_downgrade_to_insecure: bool('Allow downgrading to an insecure repository.'),
    filename: { type: 'str', description: 'File name in sources.list.d, without `.sources` (default: from name).' },
    install_python_debian: { type: 'bool', default: false, description: 'Accepted for compatibility: tsplay needs no python module.' },
    ...FILE_ATTR_ARGS,
    mode: { ...FILE_ATTR_ARGS.mode, default: '0644' },
  },
  validate(a) {
    if (a.state === 'present' && (!a.uris?.length || !a.suites?.length)) return 'state present requires uris and suites';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<State>> {
    const dest = posix.join('/etc/apt/sources.list.d', args.filename ? `${args.filename}.sources` : deb822Filename(args.name));
    if (typeof args.signed_by === 'string' && /^(https?|ftp):\/\//.test(args.signed_by)) {
      fail('signed_by: key URLs are not fetched by tsplay; download the key with get_url (e.g. to /etc/apt/keyrings/) and give its path');
    }
    const cur = await readDest(ctx, dest, 'diff');
    if (args.state === 'absent') {
      const diff = cur.exists ? [{ before: cur.content?.toString() ?? '', after: '', beforeHeader: dest, afterHeader: '/dev/null' }] : [];
      return { changed: cur.exists, steps: cur.exists ? [`remove ${dest}`] : [], diff, state: { kind: 'remove', path: dest }, result: { dest, state: 'absent' } };
    }
    const text = renderDeb822(args.name, args);
    const p = planWrite({ dest, content: Buffer.from(text), mode: args.mode, owner: args.owner, group: args.group }, cur, ctx.diff);
    return { changed: p.changed, steps: p.steps, diff: p.diff, state: { kind: 'write', w: p.state }, result: { dest, repo: text, state: 'present' } };
  },
  async apply(_args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.kind === 'remove') await mustSh(ctx, `rm -f -- ${quote(st.path)}`, `cannot remove ${st.path}`);
    else await applyWrite(ctx, st.w);
    return { ...plan.result, changed: true };
  },
};
export default mod;
