/** dnf (alias yum): install, upgrade and remove RPM packages with dnf, or yum where dnf is absent. */
import { posix } from 'node:path';
import type { ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { missingMsg, normNames, normState, pkgDiff, pkgSteps, type PkgChanges } from '../engine/modules/pkg/common.ts';
import { evr, evrCompare, groupInstalled, nevra, parseRpmRead, parseYumList, rpmOptWords, rpmReadScript, specMatches, type Rpm, type RpmOpts } from '../engine/modules/pkg/rpm.ts';

interface DnfState extends PkgChanges {
  tool: 'dnf' | 'yum';
  /** Words for `install` (specs, nevras, .rpm paths, @groups). */
  installArgs: string[];
  downgradeArgs: string[];
  removeArgs: string[];
}

function optsOf(args: Record<string, any>): RpmOpts {
  return {
    enablerepo: normNames(args.enablerepo),
    disablerepo: normNames(args.disablerepo),
    disable_gpg_check: args.disable_gpg_check,
    conf_file: args.conf_file,
    installroot: args.installroot,
    releasever: args.releasever,
    exclude: normNames(args.exclude),
  };
}

/** The highest-EVR package in a list. */
function best(list: Rpm[]): Rpm | undefined {
  return list.reduce<Rpm | undefined>((b, p) => (!b || evrCompare(p, b) > 0 ? p : b), undefined);
}

/** True when a spec carries a version (it does not name a package by name/arch/glob alone). */
function hasVersion(spec: string, matched: Rpm[]): boolean {
  return matched.length > 0 && !matched.every((p) => spec === p.name || spec === `${p.name}.${p.arch}`) && !/[*?[]/.test(spec);
}

/** Available packages matching specs (`TOOL list --showduplicates available`). */
async function listAvailable(ctx: ModuleContext, tool: string, specs: string[], words: string[]): Promise<Rpm[]> {
  if (!specs.length) return [];
  const r = await sh(ctx, `LC_ALL=C ${tool} -q ${words.join(' ')} list --showduplicates available ${specs.map(quote).join(' ')}`);
  if (r.rc !== 0 && !/No matching Packages/i.test(r.stderr + r.stdout)) {
    fail(`${tool} list failed: ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ')}`, { rc: r.rc, stderr: r.stderr });
  }
  return parseYumList(r.stdout);
}

const dnf: ModuleDef<Record<string, any>, DnfState> = {
  name: 'dnf',
  aliases: ['yum'],
  doc: {
    short: 'Manage packages with dnf (or yum)',
    description:
      'Installs, upgrades and removes RPM packages, package groups (`@group`) and local .rpm files on the target. Uses dnf where it is installed and yum otherwise (one implementation, also registered as `yum`). ' +
      'The installed state is read with ONE command (`rpm -qa` with a format, plus .rpm headers and installed groups); repositories are only asked (`list --showduplicates available`) for packages that are missing or with state latest. ' +
      "The change is ONE dnf/yum command. Check mode reports what would be installed/removed; --diff lists versions before and after. A package no repository offers fails with \"No package matching 'NAME' is available\". " +
      'Version specs use dnf syntax: `name-1.0`, `name-1.0-1`, `name-1.0-1.noarch`. update_cache without names refreshes the metadata (`makecache`) and reports ok, like Ansible.',
    check: 'full',
    diff: true,
    returns: { results: 'What was done, one line per package (`Installed: NEVRA`, `Removed: NEVRA`).', rc: 'Exit code of dnf/yum.', msg: 'Summary.', installed: 'Packages installed or upgraded.', removed: 'Packages removed.' },
    examples: `- name: Install a package from the lab's local repository
  dnf:
    name: tsplay-hello
    state: present

- name: Latest version, with an extra repository enabled for this task only
  yum:
    name: [tsplay-hello, tsplay-world]
    state: latest
    enablerepo: tsplay-lab

- name: A pinned version and a local rpm
  dnf:
    name:
      - tsplay-hello-1.0
      - /tmp/mypkg-1.0-1.noarch.rpm
    disable_gpg_check: yes

- name: Remove
  dnf:
    name: tsplay-world
    state: absent`,
  },
  args: {
    name: { type: 'list', elements: 'str', aliases: ['pkg'], description: 'Package specs (list or comma-separated): names, `name-version[-release][.arch]`, `@group`, or paths of .rpm files on the target.' },
    state: { type: 'str', choices: ['present', 'installed', 'latest', 'absent', 'removed'], default: 'present', description: 'present/installed, latest (highest available version), absent/removed.' },
    enablerepo: { type: 'list', elements: 'str', default: [], description: 'Repository ids to enable for this task.' },
    disablerepo: { type: 'list', elements: 'str', default: [], description: 'Repository ids to disable for this task.' },
    disable_gpg_check: { type: 'bool', default: false, description: 'Do not check GPG signatures (--nogpgcheck).' },
    update_cache: { type: 'bool', default: false, aliases: ['expire-cache'], description: 'Refresh the metadata before reading the repositories (--refresh; makecache when no names are given).' },
    allow_downgrade: { type: 'bool', default: false, description: 'Allow installing a lower version than the installed one.' },
    autoremove: { type: 'bool', default: false, description: 'With state absent: also remove dependencies no longer needed.' },
    exclude: { type: 'list', elements: 'str', default: [], description: 'Packages to exclude (--exclude).' },
    conf_file: { type: 'str', description: 'Configuration file to use (--config).' },
    installroot: { type: 'str', default: '/', description: 'Alternative root directory (--installroot).' },
    releasever: { type: 'str', description: 'Alternative release version (--releasever).' },
    install_weak_deps: { type: 'bool', default: true, description: 'Also install weak dependencies (Recommends).' },
    skip_broken: { type: 'bool', default: false, description: 'Skip packages with broken dependencies (--skip-broken).' },
    security: { type: 'bool', default: false, description: 'Not supported by tsplay (accepted only when false).' },
    lock_timeout: { type: 'int', default: 30, description: 'Accepted for compatibility.' },
  },
  validate(a) {
    if (!a.name?.length && !a.update_cache && !a.autoremove) return 'missing required arguments: name';
    if (a.security) return 'security is not supported by tsplay';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<DnfState>> {
    const want = normState(args.state);
    const specs = normNames(args.name);
    const o = optsOf(args);
    const groups = specs.filter((s) => s.startsWith('@'));
    const files = specs.filter((s) => s.endsWith('.rpm') && (s.startsWith('/') || s.startsWith('./')));
    const urls = specs.filter((s) => /^(https?|ftp|file):\/\//.test(s));
    const pkgs = specs.filter((s) => !groups.includes(s) && !files.includes(s) && !urls.includes(s));
    const rd = await mustSh(ctx, rpmReadScript(files, groups.length > 0, o), 'cannot read the package state');
    const st = parseRpmRead(rd.stdout);
    if (!st.tool) fail('neither dnf nor yum is installed on this host');
    const tool = st.tool;
    const words = [...rpmOptWords(o), ...(args.update_cache ? ['--refresh'] : [])];
    if (!specs.length && args.update_cache) {
      if (!ctx.check) await mustSh(ctx, `${tool} -q ${rpmOptWords(o).join(' ')} makecache`, 'Failed to update the metadata cache');
      return { changed: false, state: undefined, result: { msg: 'Cache updated', results: [], rc: 0 } };
    }
    const ch: DnfState = { tool, install: [], upgrade: [], remove: [], installArgs: [], downgradeArgs: [], removeArgs: [] };
    const before: Record<string, string | undefined> = {};
    const after: Record<string, string | undefined> = {};
    const results: string[] = [];
    const installed = (spec: string) => st.installed.filter((p) => specMatches(spec, p));

    if (want === 'absent') {
      for (const spec of pkgs) {
        for (const p of installed(spec)) {
          if (ch.removeArgs.includes(nevra(p))) continue;
          ch.remove.push(p.name);
          ch.removeArgs.push(nevra(p));
          before[p.name] = evr(p);
          after[p.name] = undefined;
          results.push(`Removed: ${nevra(p)}`);
        }
      }
      st.files.forEach((h, i) => {
        const p = h && st.installed.find((x) => x.name === h.name);
        if (p) {
          ch.remove.push(p.name);
          ch.removeArgs.push(nevra(p));
          before[p.name] = evr(p);
          after[p.name] = undefined;
          results.push(`Removed: ${nevra(p)}`);
        } else if (!h) fail(`No RPM file matching '${files[i]}' found on the target`);
      });
      for (const g of groups) {
        if (groupInstalled(g.slice(1), st.groups)) {
          ch.remove.push(g);
          ch.removeArgs.push(g);
          results.push(`Removed: ${g}`);
        }
      }
      for (const u of urls) {
        const base = posix.basename(u).replace(/\.rpm$/, '');
        const p = st.installed.find((x) => nevra(x) === base);
        if (p) {
          ch.remove.push(p.name);
          ch.removeArgs.push(nevra(p));
          before[p.name] = evr(p);
          after[p.name] = undefined;
        }
      }
    } else {
      const need = pkgs.filter((s) => want === 'latest' || /[*?[]/.test(s) || installed(s).length === 0);
      const avail = await listAvailable(ctx, tool, need, words);
      const missing: string[] = [];
      for (const spec of need) {
        const have = installed(spec);
        const offered = avail.filter((p) => specMatches(spec, p));
        if (!offered.length) {
          if (have.length === 0) missing.push(spec);
          continue;
        }
        // a glob may name several packages: each is handled on its own; '*' only upgrades what is installed
        const names = [...new Set(offered.map((p) => p.name))].filter((n) => spec !== '*' || st.installed.some((p) => p.name === n));
        const versioned = hasVersion(spec, offered);
        for (const name of names) {
          if (name in after) continue;
          const target = best(offered.filter((p) => p.name === name))!;
          const cur = best(have.filter((p) => p.name === name)) ?? best(st.installed.filter((p) => p.name === name));
          if (cur && (evrCompare(target, cur) === 0 || (want !== 'latest' && !versioned))) continue;
          if (cur && evrCompare(target, cur) < 0) {
            if (!versioned || !args.allow_downgrade) continue;
            ch.downgradeArgs.push(nevra(target));
          } else ch.installArgs.push(cur || names.length > 1 ? nevra(target) : spec);
          (cur ? ch.upgrade : ch.install).push(name);
          before[name] = cur ? evr(cur) : undefined;
          after[name] = evr(target);
          results.push(`Installed: ${nevra(target)}`);
        }
      }
      if (missing.length) fail(missingMsg(missing), { failures: missing.map((m) => `No package ${m} available.`), results: [] });
      st.files.forEach((h, i) => {
        if (!h) fail(`No RPM file matching '${files[i]}' found on the target`);
        const cur = best(st.installed.filter((p) => p.name === h.name));
        const c = cur ? evrCompare(h, cur) : 1;
        if (c === 0 || (c < 0 && !args.allow_downgrade)) return;
        (cur ? ch.upgrade : ch.install).push(h.name);
        (c < 0 ? ch.downgradeArgs : ch.installArgs).push(files[i]);
        before[h.name] = cur ? evr(cur) : undefined;
        after[h.name] = evr(h);
        results.push(`Installed: ${nevra(h)}`);
      });
      for (const g of groups) {
        if (!groupInstalled(g.slice(1), st.groups)) {
          ch.install.push(g);
          ch.installArgs.push(g);
          results.push(`Installed: ${g}`);
        }
      }
      for (const u of urls) {
        const base = posix.basename(u).replace(/\.rpm$/, '');
        if (!st.installed.some((x) => nevra(x) === base)) {
          ch.install.push(base);
          ch.installArgs.push(u);
          results.push(`Installed: ${base}`);
        }
      }
    }
    const changed = ch.installArgs.length + ch.downgradeArgs.length + ch.removeArgs.length > 0;
    return {
      changed,
      steps: pkgSteps(ch),
      diff: changed && Object.keys(after).length ? [pkgDiff(before, after)] : [],
      state: ch,
      result: {
        results,
        rc: 0,
        msg: changed ? (ctx.check ? 'Check mode: changes would be made' : '') : 'Nothing to do',
        ...(changed ? { installed: [...ch.install, ...ch.upgrade], removed: ch.remove } : {}),
      },
    };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const ch = plan.state!;
    const w = [...rpmOptWords(optsOf(args)), ...(args.update_cache ? ['--refresh'] : [])];
    if (args.install_weak_deps === false) w.push('--setopt=install_weak_deps=False');
    if (args.skip_broken) w.push('--skip-broken');
    const base = `LC_ALL=C ${ch.tool} -y ${w.join(' ')}`;
    const cmds: string[] = [];
    if (ch.installArgs.length) cmds.push(`${base} install ${ch.installArgs.map(quote).join(' ')}`);
    if (ch.downgradeArgs.length) cmds.push(`${base} downgrade ${ch.downgradeArgs.map(quote).join(' ')}`);
    if (ch.removeArgs.length) cmds.push(`${base}${args.autoremove ? '' : ' --setopt=clean_requirements_on_remove=False'} remove ${ch.removeArgs.map(quote).join(' ')}`);
    const r = await mustSh(ctx, cmds.join(' && '), `${ch.tool} failed`);
    const summary = ch.removeArgs.length && !ch.installArgs.length ? 'Removed' : 'Installed';
    return { ...plan.result, changed: true, rc: r.rc, msg: `${summary}: ${[...ch.install, ...ch.upgrade, ...ch.remove].join(', ')}`, stdout: r.stdout, stderr: r.stderr };
  },
};
export default dnf;
