/** package: generic package manager: runs apt or dnf/yum, picked by the pkg_mgr fact. */
import type { ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { validateArgs } from '../engine/modules/args.ts';
import { fail } from '../engine/modules/failure.ts';
import { sh } from '../engine/modules/remote.ts';
import { getModule } from '../engine/modules/registry.ts';

interface PkgState {
  def: ModuleDef;
  args: Record<string, unknown>;
  inner: Plan;
}

/** pkg_mgr values tsplay can serve, mapped to the module that does the work. */
const BACKENDS: Record<string, string> = { apt: 'apt', 'apt-get': 'apt', dnf: 'dnf', dnf5: 'dnf', yum: 'dnf' };

/** The pkg_mgr fact, or (facts not gathered) what the host has, found with one command. */
async function pkgMgr(ctx: ModuleContext, use: string): Promise<string> {
  if (use !== 'auto') return use;
  const facts = ctx.vars.ansible_facts as Record<string, unknown> | undefined;
  const fact = facts?.pkg_mgr ?? ctx.vars.ansible_pkg_mgr;
  if (typeof fact === 'string' && fact !== 'unknown') return fact;
  // the fact's order: dnf/yum first on Red Hat systems, apt first everywhere else
  const r = await sh(ctx, 'if [ -f /etc/redhat-release ]; then L="dnf yum apt-get"; else L="apt-get dnf yum"; fi; for p in $L; do command -v $p >/dev/null 2>&1 && { echo $p; exit 0; }; done; echo unknown');
  return r.stdout.trim();
}

const pkg: ModuleDef<Record<string, any>, PkgState> = {
  name: 'package',
  doc: {
    short: 'Generic OS package manager',
    description:
      "Installs or removes packages with the host's package manager: the `pkg_mgr` fact (ansible_facts.pkg_mgr) picks the module (apt -> apt, dnf/yum -> dnf); without gathered facts the host is asked which of apt-get, dnf, yum it has (dnf/yum first on Red Hat systems, as the fact does). " +
      'Other arguments (update_cache, enablerepo, install_recommends, ...) are passed to that module, which rejects the ones it does not know, like Ansible. Check mode and diff are those of the module it runs. Package names differ between distributions; use a variable per OS family for portable roles.',
    check: 'full',
    diff: true,
    returns: { backend: 'The module that did the work (apt or dnf).' },
    examples: `- name: Install chrony on any distribution
  package:
    name: chrony
    state: present`,
  },
  args: {
    name: { type: 'list', elements: 'str', required: true, aliases: ['pkg'], description: 'Package names (list or comma-separated), as the package manager spells them.' },
    state: { type: 'str', required: true, choices: ['present', 'installed', 'latest', 'absent', 'removed'], description: 'present/installed, latest, absent/removed.' },
    use: { type: 'str', default: 'auto', description: "Package manager module to use (apt, dnf, yum); 'auto' uses the pkg_mgr fact." },
    update_cache: { type: 'bool', description: 'Passed to the package manager module (apt and dnf).' },
    allow_downgrade: { type: 'bool', description: 'Passed to the package manager module (apt and dnf).' },
    autoremove: { type: 'bool', description: 'Passed to the package manager module (apt and dnf).' },
    cache_valid_time: { type: 'int', description: 'Passed to apt (an error with dnf, like Ansible).' },
    install_recommends: { type: 'bool', description: 'Passed to apt (an error with dnf, like Ansible).' },
    enablerepo: { type: 'list', elements: 'str', description: 'Passed to dnf (an error with apt, like Ansible).' },
    disablerepo: { type: 'list', elements: 'str', description: 'Passed to dnf (an error with apt, like Ansible).' },
    disable_gpg_check: { type: 'bool', description: 'Passed to dnf (an error with apt, like Ansible).' },
  },
  async plan(args, ctx): Promise<Plan<PkgState>> {
    const mgr = await pkgMgr(ctx, String(args.use));
    const backend = BACKENDS[mgr];
    if (!backend) fail(`package: the package manager '${mgr}' is not supported by tsplay (supported: apt, dnf, yum)`);
    const def = (await getModule(backend))!;
    const pass = Object.fromEntries(Object.entries(args).filter(([k, v]) => k !== 'use' && v !== undefined));
    let inner: Record<string, unknown>;
    try {
      inner = validateArgs(def, pass);
    } catch (e) {
      return fail(`package (${backend}): ${e instanceof Error ? e.message : String(e)}`);
    }
    const plan = await def.plan(inner, ctx);
    return { ...plan, result: { ...plan.result, backend }, state: { def, args: inner, inner: plan } };
  },
  async apply(_args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    const r = await st.def.apply!(st.args, st.inner, ctx);
    return { ...r, backend: plan.result?.backend };
  },
};
export default pkg;
