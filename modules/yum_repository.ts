/** yum_repository: add or remove a repository section of a .repo file in /etc/yum.repos.d. */
import { posix } from 'node:path';
import type { ArgSpec, FileDiff, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, readDest, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { dumpIni, parseIni, renderIni, setSection } from '../engine/modules/pkg/ini.ts';
import { registerSecret } from '../engine/secrets.ts';

type State = { kind: 'write'; w: WriteState } | { kind: 'remove'; path: string };

const s = (description: string, extra: Partial<ArgSpec> = {}): ArgSpec => ({ type: 'str', description, ...extra });
const b = (description: string): ArgSpec => ({ type: 'bool', description });

/** Repository options written as `key = value` (Ansible's allowed_params), with their types. */
const REPO_KEYS: Record<string, ArgSpec> = {
  async: b('Download packages and metadata in parallel (removed in RHEL 8; leave unset).'),
  bandwidth: s('Maximum network bandwidth in bytes/second (with throttle).'),
  baseurl: { type: 'list', elements: 'str', description: "URL(s) of the directory where the repository's repodata lives." },
  cost: s('Relative cost of accessing this repository.'),
  enabled: b('Whether the repository is used.'),
  enablegroups: b('Use the package groups of this repository.'),
  exclude: { type: 'list', elements: 'str', description: 'Packages to exclude from this repository.' },
  failovermethod: s('roundrobin or priority.', { choices: ['roundrobin', 'priority'] }),
  gpgcakey: s('URL of a CA key for the repository.'),
  gpgcheck: b('Check GPG signatures of packages.'),
  gpgkey: { type: 'list', elements: 'str', description: 'URL(s) of the ASCII-armored GPG key file(s).' },
  module_hotfixes: b('Disable module filtering for this repository.'),
  http_caching: s('all, packages or none.', { choices: ['all', 'packages', 'none'] }),
  include: s('Include an external configuration file.'),
  includepkgs: { type: 'list', elements: 'str', description: 'Only these packages are used from this repository.' },
  ip_resolve: s('4, 6, IPv4, IPv6 or whatever.', { choices: ['4', '6', 'IPv4', 'IPv6', 'whatever'] }),
  keepalive: b('HTTP/1.1 keepalive.'),
  keepcache: s('Keep the cache of headers and packages (0/1).', { choices: ['0', '1'] }),
  metadata_expire: s('Time (seconds) after which the metadata expires.'),
  metadata_expire_filter: s('Filter of the metadata expiry.', { choices: ['never', 'read-only:past', 'read-only:present', 'read-only:future'] }),
  metalink: s('URL of a metalink file for the repomd.xml.'),
  mirrorlist: s('URL of a file containing a list of baseurls.'),
  mirrorlist_expire: s('Time (seconds) after which the mirrorlist expires.'),
  password: s('Password for HTTP basic authentication.', { no_log: true }),
  priority: s('Priority of the repository (1-99).'),
  protect: b('Protect packages from updates from other repositories.'),
  proxy: s('URL of a proxy server.'),
  proxy_password: s('Proxy password.', { no_log: true }),
  proxy_username: s('Proxy user name.'),
  repo_gpgcheck: b('Check the GPG signature of the repository metadata.'),
  retries: s('Number of retries.'),
  s3_enabled: b('Enable S3 support.'),
  skip_if_unavailable: b('Skip the repository when it cannot be reached.'),
  ssl_check_cert_permissions: b('Check the permissions of the SSL certificate files.'),
  sslcacert: s('Path of the CA certificate directory/file.', { aliases: ['ca_cert'] }),
  sslclientcert: s('Path of the client certificate.', { aliases: ['client_cert'] }),
  sslclientkey: s('Path of the client key.', { aliases: ['client_key'] }),
  sslverify: { type: 'bool', aliases: ['validate_certs'], description: 'Verify the SSL certificate of the server.' },
  throttle: s('Enable bandwidth throttling.'),
  timeout: s('Seconds to wait for a connection.'),
  ui_repoid_vars: s('Variables appended to the repoid in the UI.'),
  username: s('User name for HTTP basic authentication.'),
};

/** The section entries for a task, in Ansible's order (sorted keys, `name` = description). */
export function repoEntries(args: Record<string, any>): [string, string][] {
  const e: [string, string][] = [];
  for (const key of [...Object.keys(REPO_KEYS), 'name'].sort()) {
    let v = key === 'name' ? args.description : args[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v = v.join(key === 'baseurl' || key === 'gpgkey' ? '\n' : ' ');
    else if (typeof v === 'boolean') v = v ? '1' : '0';
    e.push([key, String(v)]);
  }
  return e;
}

const mod: ModuleDef<Record<string, any>, State> = {
  name: 'yum_repository',
  doc: {
    short: 'Add or remove YUM/DNF repositories',
    description:
      'Writes the section [NAME] of REPOSDIR/FILE.repo (an INI file; other sections are kept) through the shared file-write path: atomic, idempotent, check mode and a before/after diff ' +
      "(both sides in Ansible's sorted dump form). state absent removes the section and deletes the file when no section is left. Booleans are written as 1/0, like Ansible.",
    check: 'full',
    diff: true,
    returns: { repo: 'Repository id.', state: 'present or absent.', dest: 'The .repo file.' },
    examples: `- name: The lab's local RPM repository
  yum_repository:
    name: tsplay-lab
    description: tsplay lab packages
    baseurl: file:///srv/tsplay/rpm
    gpgcheck: no

- name: Kubernetes packages
  yum_repository:
    name: kubernetes
    description: Kubernetes
    baseurl: https://pkgs.k8s.io/core:/stable:/v1.30/rpm/
    gpgcheck: yes
    gpgkey: https://pkgs.k8s.io/core:/stable:/v1.30/rpm/repodata/repomd.xml.key
    exclude: [kubelet, kubeadm, kubectl]

- name: Remove it
  yum_repository:
    name: kubernetes
    state: absent`,
  },
  args: {
    name: { type: 'str', required: true, description: 'Repository id (the [section] name); also the file name unless file is set.' },
    description: { type: 'str', description: 'Human-readable name of the repository (the `name =` key). Required with state present.' },
    file: { type: 'str', description: 'File name without .repo (default: name).' },
    reposdir: { type: 'path', default: '/etc/yum.repos.d', description: 'Directory holding the .repo files (must exist).' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'present writes the section; absent removes it.' },
    ...REPO_KEYS,
    ...FILE_ATTR_ARGS,
  },
  validate(a) {
    if (a.state === 'present') {
      if (a.baseurl === undefined && a.metalink === undefined && a.mirrorlist === undefined) return "Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.";
      if (a.description === undefined) return "Parameter 'description' is required.";
    }
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<State>> {
    registerSecret(args.password);
    registerSecret(args.proxy_password);
    const dest = posix.join(args.reposdir, `${args.file ?? args.name}.repo`);
    const cur = await readDest(ctx, dest, 'always').catch((e) => fail(e instanceof Error && /does not exist/.test(e.message) ? `Repo directory '${args.reposdir}' does not exist.` : String(e instanceof Error ? e.message : e)));
    const sections = cur.exists ? parseIni(cur.content?.toString() ?? '') : [];
    const next = setSection(sections, args.name, args.state === 'present' ? repoEntries(args) : undefined);
    const before = dumpIni(sections);
    const after = dumpIni(next);
    const result = { repo: args.name, state: args.state, dest };
    const diff: FileDiff[] = before !== after ? [{ before, after, beforeHeader: dest, afterHeader: dest }] : [];
    if (next.length === 0) {
      return { changed: cur.exists, steps: cur.exists ? [`remove ${dest} (no repository left)`] : [], diff, state: { kind: 'remove', path: dest }, result };
    }
    // the file is rewritten only when the repositories differ (not for formatting), like Ansible
    const content = before === after && cur.content ? cur.content : Buffer.from(renderIni(next));
    const p = planWrite({ dest, content, mode: args.mode, owner: args.owner, group: args.group }, cur, false);
    const attrs = p.state.attrs;
    if (attrs.changed && cur.exists) diff.push(attrDiff(dest, attrs.before, attrs.after));
    return { changed: p.changed, steps: p.steps, diff, state: { kind: 'write', w: p.state }, result };
  },
  async apply(_args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.kind === 'remove') {
      await mustSh(ctx, `rm -f -- ${quote(st.path)}`, `Cannot remove empty repo file ${st.path}`);
      return { ...plan.result, changed: true };
    }
    await applyWrite(ctx, st.w);
    return { ...plan.result, changed: true };
  },
};
export default mod;
