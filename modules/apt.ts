/** apt: install, upgrade and remove Debian packages with apt-get (one read, one change command). */
import type { ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { downloadToScratch, isUrl } from '../engine/modules/http.ts';
import { missingMsg, normNames, normState, pkgDiff, pkgSteps, type PkgChanges } from '../engine/modules/pkg/common.ts';
import { aptReadScript, isInstalled, parseAptRead, parseAptSimulation, parseAptSpec, upgradeCommand, versionMatches, type AptRead } from '../engine/modules/pkg/dpkg.ts';

interface AptState extends PkgChanges {
  /** Words after `apt-get ... install` (specs and .deb paths). */
  installArgs: string[];
  updateOnly: boolean;
  autoremove: string[];
  /** `upgrade`: the apt-get subcommand (then names are not handled, like Ansible). */
  upgradeCmd?: string;
  /** Scratch directory of a downloaded .deb (removed after the task). */
  scratch?: string;
}

const APT_ENV = 'DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a';

/** Read installed state, candidates, cache age and .deb fields in ONE command. */
async function read(ctx: ModuleContext, names: string[], debs: string[]): Promise<AptRead> {
  const r = await mustSh(ctx, aptReadScript(names, debs), 'cannot read the package state');
  const st = parseAptRead(r.stdout);
  if (!st.hasApt) fail('apt-get is not installed on this host (the apt module needs a Debian-family system)');
  return st;
}

/** apt-get's option words for this task. */
function aptOpts(args: Record<string, any>): string {
  const w = ['-y', '-q'];
  for (const o of String(args.dpkg_options ?? '').split(',').filter(Boolean)) w.push('-o', quote(`Dpkg::Options::=--${o.trim()}`));
  if (args.install_recommends === true) w.push('--install-recommends');
  if (args.install_recommends === false) w.push('--no-install-recommends');
  if (args.default_release) w.push('-t', quote(args.default_release));
  if (args.allow_downgrade) w.push('--allow-downgrades');
  if (args.allow_unauthenticated) w.push('--allow-unauthenticated');
  if (args.force) w.push('--force-yes');
  if (args.only_upgrade) w.push('--only-upgrade');
  return w.join(' ');
}

/** The plan for local .deb paths `debs` (the task's deb, or its download). */
async function planApt(args: Record<string, any>, ctx: ModuleContext, debs: string[]): Promise<Plan<AptState>> {
  const want = normState(args.state);
  const specs = normNames(args.name).map(parseAptSpec);
  const bad = specs.find((s) => /[*?[]/.test(s.name));
  if (bad) fail(`package name patterns are not supported by tsplay's apt module: ${bad.spec}`);
  const names = specs.map((s) => s.name);
  let st = await read(ctx, names, debs);
  const cvt = Number(args.cache_valid_time ?? 0);
  const wantUpdate = (args.update_cache || cvt > 0) && (cvt === 0 || st.cacheAge > cvt);
  let cacheUpdated = false;
  if (wantUpdate && !ctx.check) {
    // the stamp apt's own periodic update writes: cache_valid_time measures from it (lists/ may not change)
    await mustSh(ctx, `${APT_ENV} apt-get update -q && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp`, 'Failed to update apt cache');
    cacheUpdated = true;
    st = await read(ctx, names, debs);
  }
  const ch: AptState = { install: [], upgrade: [], remove: [], installArgs: [], updateOnly: false, autoremove: [] };
  const before: Record<string, string | undefined> = {};
  const after: Record<string, string | undefined> = {};
  const upCmd = upgradeCommand(String(args.upgrade));
  if (upCmd) {
    const sim = parseAptSimulation((await mustSh(ctx, `LC_ALL=C apt-get -s -q ${aptOpts(args)} ${upCmd}`, `cannot simulate apt-get ${upCmd}`)).stdout);
    for (const i of sim.inst) {
      (i.from ? ch.upgrade : ch.install).push(i.name);
      before[i.name] = i.from;
      after[i.name] = i.to;
    }
    for (const r of sim.remv) {
      ch.remove.push(r.name);
      before[r.name] = r.from ?? 'installed';
      after[r.name] = undefined;
    }
    const changed = sim.inst.length + sim.remv.length > 0;
    ch.upgradeCmd = upCmd;
    return {
      changed,
      steps: [...(wantUpdate ? ['apt-get update'] : []), ...(changed ? [`apt-get ${upCmd}`, ...pkgSteps(ch)] : [])],
      diff: changed ? [pkgDiff(before, after)] : [],
      state: ch,
      result: { cache_updated: cacheUpdated, cache_update_time: cacheUpdated ? Math.floor(Date.now() / 1000) : st.cacheTime, ...(changed ? { installed: [...ch.install, ...ch.upgrade], removed: ch.remove } : {}), msg: changed ? '' : 'No packages to upgrade' },
    };
  }
  const missing: string[] = [];
  for (const s of specs) {
    const inst = st.installed.get(s.name);
    const cur = isInstalled(inst) ? inst!.version : undefined;
    const pol = st.policy.get(s.name);
    if (want === 'absent') {
      const hasConf = inst?.status.startsWith('rc') && args.purge;
      if ((cur !== undefined && (s.version === undefined || versionMatches(s.version, cur))) || hasConf) {
        ch.remove.push(s.name);
        before[s.name] = cur ?? '(config files)';
        after[s.name] = undefined;
      }
      continue;
    }
    const available = pol?.versions ?? [];
    let target: string | undefined;
    if (s.version !== undefined) {
      if (versionMatches(s.version, cur)) continue;
      target = available.find((v) => versionMatches(s.version, v));
    } else if (cur === undefined) {
      target = pol?.candidate;
    } else if (want === 'latest' && pol?.candidate && pol.candidate !== cur) {
      target = pol.candidate;
    } else continue;
    if (target === undefined) {
      missing.push(s.spec);
      continue;
    }
    if (cur === undefined && args.only_upgrade) continue;
    (cur === undefined ? ch.install : ch.upgrade).push(s.name);
    ch.installArgs.push(s.version !== undefined ? `${s.name}=${target}` : s.name);
    before[s.name] = cur;
    after[s.name] = target;
  }
  if (missing.length) fail(missingMsg(missing));
  st.debs.forEach((d, i) => {
    if (!d) fail(`Unable to install package: ${debs[i]} is not a readable .deb file on the target`);
    if (d.installed === d.version && !args.force) return;
    (d.installed === undefined ? ch.install : ch.upgrade).push(d.name);
    ch.installArgs.push(debs[i]);
    before[d.name] = d.installed;
    after[d.name] = d.version;
  });
  if (args.autoremove) {
    const sim = await mustSh(ctx, `LC_ALL=C apt-get -s autoremove${args.purge ? ' --purge' : ''}`, 'cannot simulate autoremove');
    ch.autoremove = [...sim.stdout.matchAll(/^(?:Remv|Purg) (\S+)/gm)].map((m) => m[1]).filter((n) => !ch.remove.includes(n));
    for (const n of ch.autoremove) {
      ch.remove.push(n);
      before[n] = st.installed.get(n)?.version ?? 'installed';
      after[n] = undefined;
    }
  }
  const pkgChanged = ch.install.length + ch.upgrade.length + ch.remove.length > 0;
  ch.updateOnly = !pkgChanged && wantUpdate && specs.length === 0 && debs.length === 0;
  const steps = [...(wantUpdate ? ['apt-get update'] : []), ...pkgSteps(ch)];
  return {
    changed: pkgChanged || ch.updateOnly,
    steps,
    diff: pkgChanged ? [pkgDiff(before, after)] : [],
    state: ch,
    result: {
      cache_updated: cacheUpdated,
      cache_update_time: cacheUpdated ? Math.floor(Date.now() / 1000) : st.cacheTime,
      ...(pkgChanged ? { installed: [...ch.install, ...ch.upgrade], removed: ch.remove } : {}),
    },
  };
}

const apt: ModuleDef<Record<string, any>, AptState> = {
  name: 'apt',
  doc: {
    short: 'Manage apt packages',
    description:
      'Installs, upgrades or removes Debian packages with apt-get (DEBIAN_FRONTEND=noninteractive). The installed state, candidates and the cache age are read with ONE command ' +
      '(dpkg-query + apt-cache policy); the change is ONE apt-get command, run only when something changes. Check mode reports what would be installed/removed; ' +
      "--diff lists the packages' versions before and after. A package no repository offers fails with \"No package matching 'NAME' is available\". " +
      'update_cache runs `apt-get update` before anything else (also when other packages are unchanged); on its own it reports changed when the cache was updated. The cache age for cache_valid_time is that of /var/lib/apt/periodic/update-success-stamp (touched after each successful update), else of /var/lib/apt/lists. ' +
      'Package name patterns (wildcards) are not supported.',
    check: 'full',
    diff: true,
    returns: {
      cache_updated: 'Whether the cache was updated.',
      cache_update_time: 'Time of the last cache update (epoch seconds).',
      stdout: 'Output of apt-get.',
      stderr: 'Error output of apt-get.',
      installed: 'Packages installed or upgraded (or that would be, in check mode).',
      removed: 'Packages removed (or that would be).',
    },
    examples: `- name: Install haproxy and keepalived
  apt:
    name: [haproxy, keepalived]
    state: present
    update_cache: yes
    cache_valid_time: 3600

- name: A pinned version
  apt:
    name: etcd-server=3.4.23*

- name: Install a local .deb
  apt:
    deb: /tmp/mypkg_1.0_amd64.deb

- name: Remove a package and its configuration
  apt:
    name: hello
    state: absent
    purge: yes`,
  },
  args: {
    name: { type: 'list', elements: 'str', aliases: ['package', 'pkg'], description: "Package names (list or comma-separated), optionally with a version: 'name=1.2*'." },
    state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'], description: 'present/installed: installed (any version unless one is given); latest: the candidate version; absent/removed: not installed.' },
    update_cache: { type: 'bool', default: false, aliases: ['update-cache'], description: 'Run `apt-get update` first (subject to cache_valid_time).' },
    cache_valid_time: { type: 'int', default: 0, description: 'Update the cache only when it is older than this many seconds (implies update_cache).' },
    deb: { type: 'str', description: 'Path of a .deb file ON THE TARGET, or a URL (downloaded on the target with curl), to install; dependencies come from the repositories.' },
    install_recommends: { type: 'bool', aliases: ['install-recommends'], description: "Install recommended packages (default: apt's configuration)." },
    purge: { type: 'bool', default: false, description: 'With state absent: also remove configuration files (dpkg --purge).' },
    autoremove: { type: 'bool', default: false, description: 'Remove packages that were installed as dependencies and are no longer needed.' },
    default_release: { type: 'str', aliases: ['default-release'], description: 'apt-get -t: the release packages are taken from.' },
    allow_downgrade: { type: 'bool', default: false, aliases: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'], description: 'Allow installing a lower version than the installed one.' },
    allow_unauthenticated: { type: 'bool', default: false, aliases: ['allow-unauthenticated'], description: 'Install packages that cannot be authenticated.' },
    force: { type: 'bool', default: false, description: 'apt-get --force-yes (dangerous; deprecated by apt).' },
    upgrade: { type: 'str', default: 'no', choices: ['dist', 'full', 'no', 'safe', 'yes'], description: 'Upgrade the system: yes/safe = `apt-get upgrade --with-new-pkgs`, full/dist = `apt-get dist-upgrade` (simulated first: changed only when something would be upgraded). Other package arguments are then ignored, like Ansible.' },
    only_upgrade: { type: 'bool', default: false, description: 'Only upgrade packages that are already installed.' },
    dpkg_options: { type: 'str', default: 'force-confdef,force-confold', description: 'Comma-separated dpkg options (each passed as -o Dpkg::Options::=--OPTION).' },
    force_apt_get: { type: 'bool', default: false, description: 'Accepted for compatibility: tsplay always uses apt-get.' },
    lock_timeout: { type: 'int', default: 60, description: 'Accepted for compatibility (apt-get waits for the dpkg lock itself).' },
  },
  validate(a) {
    if (!a.name?.length && !a.deb && !a.update_cache && !a.cache_valid_time && !a.autoremove && (a.upgrade ?? 'no') === 'no') return 'one of the following is required: autoremove, deb, name, update_cache, upgrade';
    if (a.deb && normState(a.state) === 'absent') return 'deb can only be used with state present';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<AptState>> {
    if (!args.deb || !isUrl(String(args.deb))) return planApt(args, ctx, args.deb ? [String(args.deb)] : []);
    const d = await downloadToScratch(ctx, String(args.deb));
    const drop = () => sh(ctx, `rm -rf -- ${quote(d.scratch)}`);
    try {
      const p = await planApt(args, ctx, [d.file]);
      if (!p.changed || ctx.check) await drop();
      return { ...p, state: { ...p.state!, scratch: d.scratch } };
    } catch (e) {
      await drop();
      throw e;
    }
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const ch = plan.state!;
    const opts = aptOpts(args);
    const cmds: string[] = [];
    if (ch.upgradeCmd) cmds.push(`${APT_ENV} apt-get ${opts} ${ch.upgradeCmd}`);
    else if (ch.installArgs.length) cmds.push(`${APT_ENV} apt-get ${opts} install ${ch.installArgs.map(quote).join(' ')}`);
    const explicit = ch.remove.filter((n) => !ch.autoremove.includes(n));
    if (explicit.length && !ch.upgradeCmd) cmds.push(`${APT_ENV} apt-get ${opts}${args.purge ? ' --purge' : ''} remove ${explicit.map(quote).join(' ')}`);
    if (ch.autoremove.length && !ch.upgradeCmd) cmds.push(`${APT_ENV} apt-get ${opts}${args.purge ? ' --purge' : ''} autoremove`);
    if (!cmds.length) return { ...plan.result, changed: plan.changed };
    try {
      const r = await mustSh(ctx, cmds.join(' && '), ch.remove.length && !ch.installArgs.length ? "'apt-get remove' failed" : "'apt-get install' failed");
      return { ...plan.result, changed: true, stdout: r.stdout, stderr: r.stderr, rc: r.rc };
    } finally {
      if (ch.scratch) await sh(ctx, `rm -rf -- ${quote(ch.scratch)}`);
    }
  },
};
export default apt;
