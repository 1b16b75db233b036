/**
 * Pure parser of the fact script's output (script.ts) into Ansible's fact names (without the
 * `ansible_` prefix): distribution*, os_family, hostname, fqdn, default_ipv4, interfaces,
 * memtotal_mb, processor_*, service_mgr, pkg_mgr, virtualization_*, env, user_*, date_time, ...
 * Shapes follow `ansible -m setup` (ansible-core 2.14) on the same host.
 */
import { lines, splitSections, parseKeyValue, type Facts } from './sections.ts';
import { distributionFacts, osFamilyOf } from './distribution.ts';
import { networkFacts, ifaceKey } from './network.ts';
import { memoryFacts, cpuFacts, serviceMgr, pkgMgr, virtFacts, envFacts, userFacts, dateFacts, mountFacts } from './system.ts';

export { splitSections, parseKeyValue, osFamilyOf, ifaceKey };
export type { Facts };


/**
 * Parse the fact script's stdout into Ansible's fact names (no `ansible_` prefix).
 * Pure: the same output always gives the same facts.
 */
export function parseFacts(stdout: string): Facts {
  const sec = splitSections(stdout);
  const f: Facts = {};
  Object.assign(f, distributionFacts(sec));
  const u = lines(sec.get('uname'));
  const nodename = (u[4] ?? (sec.get('hostname') ?? '').trim()) || 'localhost';
  f.system = u[0] ?? 'Linux';
  f.kernel = u[1] ?? '';
  f.kernel_version = u[2] ?? '';
  f.machine = u[3] ?? '';
  f.architecture = u[3] === 'i686' || u[3] === 'i586' ? 'i386' : u[3] ?? '';
  f.userspace_architecture = f.architecture;
  f.nodename = nodename;
  f.hostname = nodename.split('.')[0];
  const fqdn = (sec.get('fqdn') ?? '').trim().split('\n')[0] || nodename;
  f.fqdn = fqdn;
  f.domain = fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '';
  const mid = (sec.get('machine_id') ?? '').trim();
  if (mid) f.machine_id = mid;
  Object.assign(f, memoryFacts(sec), cpuFacts(sec), networkFacts(sec));
  f.service_mgr = serviceMgr(sec);
  f.pkg_mgr = pkgMgr(sec, String(f.os_family));
  Object.assign(f, virtFacts(sec));
  f.env = envFacts(sec.get('env'));
  Object.assign(f, userFacts(sec.get('user')));
  const d = dateFacts(sec.get('date'));
  delete d._utc_basic_short;
  Object.assign(f, d);
  const se = (sec.get('selinux') ?? '').trim();
  if (/^Enforcing$/i.test(se) || se === 'enforce=1') f.selinux = { status: 'enabled', mode: 'enforcing' };
  else if (/^Permissive$/i.test(se) || se === 'enforce=0') f.selinux = { status: 'enabled', mode: 'permissive' };
  else f.selinux = { status: 'disabled' };
  f.apparmor = { status: (sec.get('apparmor') ?? '').trim() === 'enabled' ? 'enabled' : 'disabled' };
  const py = lines(sec.get('python'));
  if (py.length >= 2) {
    const [major, minor, micro] = py[1].split('.').map(Number);
    const vi = (py[2] ?? '').split(' ');
    const releaselevel = vi[3] ?? 'final';
    const serial = Number(vi[4] ?? 0);
    f.python_version = py[1];
    f.python = { executable: py[0], type: 'cpython', version: { major, minor, micro, releaselevel, serial }, version_info: [major, minor, micro, releaselevel, serial] };
  }
  Object.assign(f, mountFacts(sec.get('mounts'), sec.get('mount_stats')));
  const up = Number((sec.get('uptime') ?? '').trim());
  if (Number.isFinite(up) && (sec.get('uptime') ?? '').trim()) f.uptime_seconds = Math.floor(up);
  const la = (sec.get('loadavg') ?? '').trim().split(/\s+/);
  if (la.length >= 3 && la[0]) f.loadavg = { '1m': Number(la[0]), '5m': Number(la[1]), '15m': Number(la[2]) };
  const dns: Record<string, unknown> = {};
  for (const l of lines(sec.get('dns'))) {
    const w = l.trim().split(/\s+/);
    if (w[0] === 'nameserver' && w[1]) ((dns.nameservers as string[]) ??= []).push(w[1]);
    else if (w[0] === 'search') dns.search = w.slice(1);
    else if (w[0] === 'domain' && w[1]) dns.domain = w[1];
  }
  f.dns = dns;
  return f;
}

