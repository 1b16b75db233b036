/** hostname: set the system's hostname (live and persistent in /etc/hostname). */
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';

function facts(name: string) {
  const short = name.split('.')[0];
  return { ansible_hostname: short, ansible_nodename: name, ansible_fqdn: name, ansible_domain: name.split('.').slice(1).join('.') };
}

const hostname: ModuleDef<Record<string, any>, { live: string; file: string }> = {
  name: 'hostname',
  doc: {
    short: 'Manage hostname',
    description: 'Sets the live hostname and /etc/hostname (hostnamectl where it works, otherwise the file plus `hostname`). Both are read in ONE command.',
    check: 'full',
    diff: true,
    returns: { name: 'The hostname.', ansible_facts: 'Updated ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain.' },
    examples: `- name: Set a hostname
  hostname:
    name: k8s-master1`,
  },
  args: {
    name: { type: 'str', required: true, description: 'Name of the host.' },
    use: { type: 'str', choices: ['systemd', 'debian', 'redhat', 'generic', 'alpine', 'sles', 'openrc', 'freebsd', 'openbsd', 'solaris', 'darwin', 'macos', 'macosx'], description: 'Strategy (accepted for compatibility; tsplay picks hostnamectl or /etc/hostname).' },
  },
  async plan(args, ctx) {
    const r = await mustSh(ctx, `echo "LIVE $(hostname)"; echo "FILE $(cat /etc/hostname 2>/dev/null | head -n1)"`, 'cannot read the hostname');
    const live = /^LIVE (.*)$/m.exec(r.stdout)?.[1]?.trim() ?? '';
    const file = /^FILE (.*)$/m.exec(r.stdout)?.[1]?.trim() ?? '';
    const changed = live !== args.name || file !== args.name;
    const diff = changed ? [attrDiff('hostname', { hostname: live, '/etc/hostname': file }, { hostname: args.name, '/etc/hostname': args.name })] : [];
    return { changed, steps: changed ? [`set hostname to ${args.name}`] : [], diff, state: { live, file }, result: { name: args.name, ansible_facts: facts(args.name) } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const n = quote(args.name);
    await mustSh(
      ctx,
      `if command -v hostnamectl >/dev/null 2>&1 && hostnamectl set-hostname ${n} 2>/dev/null && [ "$(cat /etc/hostname 2>/dev/null)" = ${n} ]; then :; else printf '%s\\n' ${n} > /etc/hostname.tsplay && mv -f /etc/hostname.tsplay /etc/hostname && hostname ${n}; fi`,
      `cannot set the hostname to ${args.name}`,
    );
    return { changed: true, ...plan.result };
  },
};
export default hostname;
