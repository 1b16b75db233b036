/**
 * Pure parser of the fact script's output (script.ts) into Ansible's fact names (without the
 * `ansible_` prefix): distribution*, os_family, hostname, fqdn, default_ipv4, interfaces,
 * memtotal_mb, processor_*, service_mgr, pkg_mgr, virtualization_*, env, user_*, date_time, ...
 * Shapes follow `ansible -m setup` (ansible-core 2.14) on the same host.
 */
import { SECTION_MARK } from './script.ts';

export type Facts = Record<string, unknown>;

/** Split script output into named sections (raw text each). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^${SECTION_MARK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([a-z0-9_]+)@@$`, 'gm');
  let m: RegExpExecArray | null;
  let last: { name: string; start: number } | undefined;
  while ((m = re.exec(stdout))) {
    if (last) out.set(last.name, stdout.slice(last.start, m.index).replace(/^\n/, '').replace(/\n$/, ''));
    last = { name: m[1], start: m.index + m[0].length + 1 };
  }
  if (last && last.name !== 'end') out.set(last.name, stdout.slice(last.start).replace(/\n$/, ''));
  return out;
}

const lines = (s: string | undefined): string[] => (s ?? '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);

/** Parse KEY=VALUE files (os-release, lsb-release), unquoting values. */
export function parseKeyValue(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines(text)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    out[m[1]] = v;
  }
  return out;
}

/* ------------------------------------------------------------------ distribution */

const DIST_BY_ID: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', raspbian: 'Debian', linuxmint: 'Linux Mint', kali: 'Kali', devuan: 'Devuan', pop: 'Pop!_OS',
  rhel: 'RedHat', centos: 'CentOS', fedora: 'Fedora', rocky: 'Rocky', almalinux: 'AlmaLinux', ol: 'OracleLinux', amzn: 'Amazon',
  scientific: 'Scientific', cloudlinux: 'CloudLinux', 'virtuozzo': 'Virtuozzo', eurolinux: 'EuroLinux', navix: 'NAVix',
  sles: 'SLES', sles_sap: 'SLES_SAP', 'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed', opensuse: 'openSUSE',
  arch: 'Archlinux', manjaro: 'ManjaroLinux', alpine: 'Alpine', gentoo: 'Gentoo', void: 'Void', nixos: 'NixOS', clear_linux_os: 'Clear Linux OS',
  flatcar: 'Flatcar', coreos: 'CoreOS', altlinux: 'Altlinux', openwrt: 'OpenWrt', mageia: 'Mageia', slackware: 'Slackware',
};

const FAMILY: Record<string, string[]> = {
  Debian: ['Debian', 'Ubuntu', 'Raspbian', 'Neon', 'KDE neon', 'Linux Mint', 'SteamOS', 'Devuan', 'Kali', 'Cumulus Linux', 'Pop!_OS', 'Parrot', 'Pardus GNU/Linux', 'Uos', 'Deepin', 'OSMC'],
  RedHat: ['RedHat', 'Fedora', 'CentOS', 'Scientific', 'SLC', 'Ascendos', 'CloudLinux', 'PSBM', 'OracleLinux', 'OVS', 'OEL', 'Amazon', 'Virtuozzo', 'XenServer', 'Alibaba', 'EulerOS', 'openEuler', 'AlmaLinux', 'Rocky', 'TencentOS', 'EuroLinux', 'Kylin Linux Advanced Server', 'NAVix'],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap', 'ALP-Dolomite'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro', 'ManjaroLinux'],
  Mandrake: ['Mandrake', 'Mandriva', 'Mageia'],
  Alpine: ['Alpine'],
  Gentoo: ['Gentoo', 'Funtoo'],
  Altlinux: ['Altlinux'],
  Slackware: ['Slackware'],
  ClearLinux: ['Clear Linux Os', 'Clear Linux OS'],
  Void: ['Void'],
  Flatcar: ['Flatcar'],
};

/** os_family for an Ansible distribution name (the name itself when unmapped, as Ansible does). */
export function osFamilyOf(distribution: string): string {
  for (const [fam, members] of Object.entries(FAMILY)) if (members.includes(distribution)) return fam;
  return distribution;
}

function distributionFacts(sec: Map<string, string>): Facts {
  const osr = parseKeyValue(sec.get('os_release'));
  const lsb = parseKeyValue(sec.get('lsb_release'));
  const rh = (sec.get('redhat_release') ?? '').trim();
  const debVer = (sec.get('debian_version') ?? '').trim();
  const alpine = (sec.get('alpine_release') ?? '').trim();
  const id = (osr.ID ?? '').toLowerCase();
  let distribution = DIST_BY_ID[id] ?? (osr.NAME ? osr.NAME.split(' ')[0] : alpine ? 'Alpine' : debVer ? 'Debian' : rh ? rh.split(' ')[0] : 'NA');
  let version = osr.VERSION_ID ?? '';
  let release = osr.VERSION_CODENAME ?? osr.UBUNTU_CODENAME ?? '';
  let minor: string | undefined;
  const f: Facts = {};
  if (distribution === 'Debian') {
    const m = /^(\d+)\.(\d+)/.exec(debVer);
    if (m) {
      minor = m[2];
      if (!version) version = m[1];
    } else if (!version && debVer) version = debVer;
    if (!release && osr.VERSION) release = /\(([^)]+)\)/.exec(osr.VERSION)?.[1] ?? '';
  } else if (FAMILY.RedHat.includes(distribution)) {
    const m = /release\s+([\d.]+)\s*(?:\(([^)]*)\))?/.exec(rh);
    if (m) {
      if (m[1].includes('.')) version = m[1];
      if (m[2]) release = m[2];
    }
    if (!release && osr.VERSION) release = /\(([^)]+)\)/.exec(osr.VERSION)?.[1] ?? '';
  } else if (distribution === 'Alpine' && alpine) {
    version = alpine;
  } else if (distribution === 'Ubuntu') {
    release = osr.VERSION_CODENAME ?? lsb.DISTRIB_CODENAME ?? release;
  }
  if (!version && lsb.DISTRIB_RELEASE) version = lsb.DISTRIB_RELEASE;
  if (distribution === 'NA' && lsb.DISTRIB_ID) distribution = lsb.DISTRIB_ID;
  const parts = version.split('.');
  f.distribution = distribution;
  f.distribution_version = version || 'NA';
  f.distribution_major_version = parts[0] || 'NA';
  if (minor !== undefined) f.distribution_minor_version = minor;
  else if (parts.length > 1) f.distribution_minor_version = parts[1];
  f.distribution_release = release || 'NA';
  f.os_family = osFamilyOf(distribution);
  if (Object.keys(osr).length) {
    f.distribution_file_path = '/etc/os-release';
    f.distribution_file_variety = f.os_family;
  }
  f.lsb = lsb.DISTRIB_ID
    ? { id: lsb.DISTRIB_ID, release: lsb.DISTRIB_RELEASE, codename: lsb.DISTRIB_CODENAME, description: lsb.DISTRIB_DESCRIPTION, major_release: (lsb.DISTRIB_RELEASE ?? '').split('.')[0] }
    : {};
  return f;
}

/* ------------------------------------------------------------------ network */

function ipv4Info(cidr: string, brd: string) {
  const [address, plen = '32'] = cidr.split('/');
  const n = Number(plen);
  const a = address.split('.').map(Number);
  const ai = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  const toIp = (x: number) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
  return { address, broadcast: brd, netmask: toIp(mask), network: toIp((ai & mask) >>> 0), prefix: String(n) };
}

const IFTYPE: Record<string, string> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };

/** The fact key of an interface (`eth0`, `br_int` for `br-int`). */
export function ifaceKey(name: string): string {
  return name.replace(/[-:.]/g, '_');
}

function networkFacts(sec: Map<string, string>): Facts {
  const ifaces: Record<string, Record<string, unknown>> = {};
  const order: string[] = [];
  for (const l of lines(sec.get('sysnet'))) {
    const [name, type, mac, mtu, oper, flags, speed, kind] = l.split('|');
    if (!name) continue;
    const d: Record<string, unknown> = { device: name };
    if (mac && mac !== '00:00:00:00:00:00') d.macaddress = mac;
    if (/^\d+$/.test(mtu ?? '')) d.mtu = Number(mtu);
    d.active = oper !== 'down';
    d.type = kind === 'bridge' ? 'bridge' : kind === 'bonding' ? 'bonding' : IFTYPE[type ?? ''] ?? 'unknown';
    if (/^\d+$/.test(speed ?? '')) d.speed = Number(speed);
    if (/^0x[0-9a-f]+$/i.test(flags ?? '')) d.promisc = (parseInt(flags, 16) & 0x100) > 0;
    ifaces[name] = d;
    order.push(name);
  }
  const all4: string[] = [];
  const all6: string[] = [];
  for (const l of lines(sec.get('ip_addr'))) {
    const w = l.replace(/\\.*$/, '').trim().split(/\s+/);
    // "2: eth0    inet 198.18.0.11/24 brd 198.18.0.255 scope global eth0"
    if (w.length < 4) continue;
    const dev = w[1].replace(/:$/, '').replace(/@.*$/, '');
    const fam = w[2];
    const d = (ifaces[dev] ??= { device: dev, active: true, type: 'unknown' });
    if (!order.includes(dev)) order.push(dev);
    if (fam === 'inet') {
      const brdI = w.indexOf('brd');
      const info = ipv4Info(w[3], brdI > 0 ? w[brdI + 1] : '');
      const secondary = w.includes('secondary');
      if (!secondary && !d.ipv4) d.ipv4 = info;
      else ((d.ipv4_secondaries as unknown[]) ??= []).push(info);
      if (!info.address.startsWith('127.')) all4.push(info.address);
    } else if (fam === 'inet6') {
      const [address, prefix] = w[3].split('/');
      const si = w.indexOf('scope');
      ((d.ipv6 as unknown[]) ??= []).push({ address, prefix: prefix ?? '128', scope: si > 0 ? w[si + 1] : 'global' });
      if (address !== '::1') all6.push(address);
    }
  }
  const f: Facts = { interfaces: order, all_ipv4_addresses: all4, all_ipv6_addresses: all6 };
  for (const name of order) f[ifaceKey(name)] = ifaces[name];

  const defaultOf = (text: string | undefined, v6: boolean): Record<string, unknown> => {
    const l = lines(text).find((x) => x.startsWith('default'));
    if (!l) return {};
    const w = l.split(/\s+/);
    const at = (k: string) => (w.indexOf(k) > 0 ? w[w.indexOf(k) + 1] : undefined);
    const dev = at('dev');
    const d: Record<string, unknown> = {};
    if (at('via')) d.gateway = at('via');
    if (dev) d.interface = dev;
    const iface = dev ? ifaces[dev] : undefined;
    let address = at('src');
    if (!v6) {
      const ip4 = iface?.ipv4 as ReturnType<typeof ipv4Info> | undefined;
      address ??= ip4?.address;
      const info = address === ip4?.address ? ip4 : (iface?.ipv4_secondaries as ReturnType<typeof ipv4Info>[] | undefined)?.find((x) => x.address === address);
      if (address) d.address = address;
      if (info) Object.assign(d, { broadcast: info.broadcast, netmask: info.netmask, network: info.network, prefix: info.prefix, alias: dev });
    } else {
      const v6s = (iface?.ipv6 as { address: string; prefix: string; scope: string }[] | undefined) ?? [];
      const g = v6s.find((x) => x.address === address) ?? v6s.find((x) => x.scope === 'global');
      if (g) Object.assign(d, { address: g.address, prefix: g.prefix, scope: g.scope });
    }
    if (iface) {
      if (iface.macaddress) d.macaddress = iface.macaddress;
      if (iface.mtu !== undefined) d.mtu = iface.mtu;
      d.type = iface.type ?? 'unknown';
    }
    return d;
  };
  f.default_ipv4 = defaultOf(sec.get('route4'), false);
  f.default_ipv6 = defaultOf(sec.get('route6'), true);
  return f;
}

/* ------------------------------------------------------------------ hardware */

function memoryFacts(sec: Map<string, string>): Facts {
  const m: Record<string, number> = {};
  for (const l of lines(sec.get('meminfo'))) {
    const x = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(l);
    if (x) m[x[1]] = Number(x[2]);
  }
  if (!('MemTotal' in m)) return {};
  const mb = (k: string) => Math.floor((m[k] ?? 0) / 1024);
  const total = mb('MemTotal');
  const free = mb('MemFree');
  const nocacheFree = Math.floor(((m.MemFree ?? 0) + (m.Buffers ?? 0) + (m.Cached ?? 0)) / 1024);
  return {
    memtotal_mb: total,
    memfree_mb: free,
    swaptotal_mb: mb('SwapTotal'),
    swapfree_mb: mb('SwapFree'),
    memory_mb: {
      real: { total, used: total - free, free },
      nocache: { free: nocacheFree, used: total - nocacheFree },
      swap: { total: mb('SwapTotal'), free: mb('SwapFree'), used: mb('SwapTotal') - mb('SwapFree'), cached: mb('SwapCached') },
    },
  };
}

function cpuFacts(sec: Map<string, string>): Facts {
  const processor: string[] = [];
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let physid = '0';
  let coreid = '0';
  let procCount = 0;
  let vendorCount = 0;
  for (const l of lines(sec.get('cpuinfo'))) {
    const i = l.indexOf(':');
    if (i < 0) continue;
    const key = l.slice(0, i).trim();
    const val = l.slice(i + 1).trim();
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(val);
      if (key === 'vendor_id') vendorCount++;
      if (key === 'processor') procCount++;
    } else if (key === 'physical id') {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = val;
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, Number(val));
    else if (key === 'siblings') cores.set(coreid, Number(val));
  }
  const i = vendorCount || procCount;
  const count = sockets.size ? sockets.size : i;
  const coreN = sockets.size ? [...sockets.values()][0] : 1;
  const tpc = cores.size ? Math.floor([...cores.values()][0] / coreN) : Math.floor(1 / coreN);
  const nprocRaw = (sec.get('nproc') ?? '').trim();
  return {
    processor,
    processor_count: count,
    processor_cores: coreN,
    processor_threads_per_core: tpc,
    processor_vcpus: tpc * count * coreN || procCount,
    processor_nproc: /^\d+$/.test(nprocRaw) ? Number(nprocRaw) : procCount,
  };
}

/* ------------------------------------------------------------------ system */

function serviceMgr(sec: Map<string, string>): string {
  const comm = (sec.get('init_comm') ?? '').trim();
  const exe = sec.get('init_exe') ?? '';
  if ((sec.get('systemd_booted') ?? '').trim() === 'yes' || comm === 'systemd') return 'systemd';
  const byComm: Record<string, string> = { runit: 'runit', 'runit-init': 'runit', 'openrc-init': 'openrc', 's6-svscan': 's6', launchd: 'launchd', upstart: 'upstart' };
  if (byComm[comm]) return byComm[comm];
  if (/systemd/.test(exe)) return 'systemd';
  if (/openrc/.test(exe)) return 'openrc';
  if (comm === 'init' || /init/.test(exe)) return 'sysvinit';
  return comm ? comm : 'service';
}

function pkgMgr(sec: Map<string, string>, osFamily: string): string {
  const have = new Set(lines(sec.get('pkg_mgrs')).map((s) => s.trim()));
  const rh = ['dnf5', 'dnf', 'yum', 'microdnf'];
  if (osFamily === 'RedHat') for (const p of rh) if (have.has(p)) return p;
  const order: [string, string][] = [
    ['apt-get', 'apt'], ['dnf5', 'dnf5'], ['dnf', 'dnf'], ['yum', 'yum'], ['zypper', 'zypper'], ['apk', 'apk'], ['pacman', 'pacman'],
    ['emerge', 'portage'], ['pkg', 'pkgng'], ['xbps-install', 'xbps'], ['swupd', 'swupd'], ['opkg', 'opkg'], ['installp', 'installp'], ['rpm-ostree', 'atomic_container'],
  ];
  for (const [bin, name] of order) if (have.has(bin)) return name;
  return 'unknown';
}

function virtFacts(sec: Map<string, string>): Facts {
  let type: string | undefined;
  let role: string | undefined;
  const guest = new Set<string>();
  const host = new Set<string>();
  const set = (t: string, r = 'guest') => {
    if (type === undefined) {
      type = t;
      role = r;
    }
  };
  for (const l of lines(sec.get('proc1_cgroup'))) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(l)) { guest.add('docker'); set('docker'); }
    if (/\/lxc\//.test(l) || /\/machine\.slice\/machine-lxc/.test(l)) { guest.add('lxc'); set('lxc'); }
    if (/\/system\.slice\/containerd\.service/.test(l)) { guest.add('containerd'); set('containerd'); }
  }
  for (const l of lines(sec.get('proc1_environ'))) {
    if (/container=lxc/.test(l)) { guest.add('lxc'); set('lxc'); }
    if (/container=podman/.test(l)) { guest.add('podman'); set('podman'); }
    if (/^container=./.test(l)) { guest.add('container'); set('container'); }
  }
  const files = new Set(lines(sec.get('virt_files')));
  if (files.has('/proc/vz') && !files.has('/proc/lve')) {
    if (files.has('/proc/bc')) { host.add('openvz'); set('openvz', 'host'); } else { guest.add('openvz'); set('openvz'); }
  }
  const sc = (sec.get('systemd_container') ?? '').trim();
  if (sc) { guest.add(sc); set(sc); }
  if (files.has('/.dockerenv') || files.has('/.dockerinit')) { guest.add('docker'); set('docker'); }
  if ([...guest].some((g) => ['docker', 'lxc', 'podman', 'openvz', 'containerd'].includes(g)) || sc) guest.add('container');
  if (files.has('/proc/xen')) {
    if (lines(sec.get('virt_files')).some((l) => l.includes('control_d'))) { host.add('xen'); set('xen', 'host'); } else { guest.add('xen'); set('xen'); }
  }
  const dmi = parseKeyValue(sec.get('dmi'));
  const pn = dmi.product_name ?? '';
  const sv = dmi.sys_vendor ?? '';
  const bv = dmi.bios_vendor ?? '';
  const dmiGuest = (cond: boolean, t: string) => { if (cond) { guest.add(t); set(t); } };
  dmiGuest(['KVM', 'KVM Server', 'Bochs', 'AHV'].includes(pn), 'kvm');
  dmiGuest(sv === 'oVirt', 'oVirt');
  dmiGuest(sv === 'Red Hat' && dmi.product_family === 'RHV', 'RHV');
  dmiGuest(['VMware Virtual Platform', 'VMware7,1'].includes(pn), 'VMware');
  dmiGuest(['OpenStack Compute', 'OpenStack Nova'].includes(pn), 'openstack');
  dmiGuest(bv === 'Xen', 'xen');
  dmiGuest(bv === 'innotek GmbH', 'virtualbox');
  dmiGuest(['Amazon EC2', 'DigitalOcean', 'Hetzner'].includes(bv), 'kvm');
  dmiGuest(['QEMU', 'Amazon EC2', 'DigitalOcean', 'Google', 'Scaleway', 'Nutanix'].includes(sv), 'kvm');
  dmiGuest(sv === 'KubeVirt', 'KubeVirt');
  dmiGuest(sv === 'Microsoft Corporation', 'VirtualPC');
  dmiGuest(sv === 'Parallels Software International Inc.', 'parallels');
  dmiGuest(sv === 'OpenStack Foundation', 'openstack');
  for (const l of lines(sec.get('cpuinfo'))) {
    if (/^model name.*QEMU Virtual CPU/.test(l)) { guest.add('kvm'); set('kvm'); }
    else if (/^vendor_id.*User Mode Linux/.test(l) || /^model name.*UML/.test(l)) { guest.add('uml'); set('uml'); }
  }
  const mods = new Set(lines(sec.get('modules')));
  if (mods.has('kvm')) { host.add('kvm'); set('kvm', 'host'); }
  if (mods.has('vboxdrv')) { host.add('virtualbox'); set('virtualbox', 'host'); }
  if (mods.has('virtio')) { host.add('kvm'); set('kvm', 'guest'); }
  return {
    virtualization_type: type ?? 'NA',
    virtualization_role: role ?? 'NA',
    virtualization_tech_guest: [...guest].sort(),
    virtualization_tech_host: [...host].sort(),
  };
}

function envFacts(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = text ?? '';
  const entries = raw.includes('\x1e') ? raw.split('\x1e').map((e) => e.replace(/\x1d/g, '\n')) : raw.split('\n');
  for (const e of entries) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i).replace(/^\n/, '')] = e.slice(i + 1);
  }
  return env;
}

function userFacts(text: string | undefined): Facts {
  const l = lines(text);
  if (l.length < 5) return {};
  const [uid, gid, name, ruid, rgid, pw] = l;
  const p = (pw ?? '').split(':');
  return {
    user_id: name,
    user_uid: Number(p[2] ?? uid),
    user_gid: Number(p[3] ?? gid),
    user_gecos: p[4] ?? '',
    user_dir: p[5] ?? '',
    user_shell: p[6] ?? '',
    effective_user_id: Number(uid),
    effective_group_id: Number(gid),
    real_user_id: Number(ruid),
    real_group_id: Number(rgid),
  };
}

function dateFacts(text: string | undefined): Facts {
  const [local, utc] = lines(text);
  if (!local) return {};
  const [date, hour, minute, second, tz, tzOffset, weekday, weekdayNumber, weeknumber, epoch, , month, day, year, nanos] = local.split('|');
  const [iso8601, basicShort] = (utc ?? '').split('|');
  const micro = /^\d{9}$/.test(nanos ?? '') ? nanos.slice(0, 6) : '000000';
  const localBasic = `${year}${month}${day}T${hour}${minute}${second}`;
  return {
    date_time: {
      date, day, epoch, epoch_int: epoch, hour,
      iso8601: iso8601 ?? '',
      iso8601_basic: `${localBasic}${micro}`,
      iso8601_basic_short: localBasic,
      iso8601_micro: iso8601 ? iso8601.replace(/Z$/, `.${micro}Z`) : '',
      minute, month, second, time: `${hour}:${minute}:${second}`,
      tz, tz_dst: tz, tz_offset: tzOffset, weekday, weekday_number: weekdayNumber, weeknumber, year,
    },
    _utc_basic_short: basicShort,
  };
}

function mountFacts(text: string | undefined, statsText: string | undefined): Facts {
  const stats = new Map<string, string>();
  for (const l of lines(statsText)) {
    const i = l.lastIndexOf('|');
    if (i > 0) stats.set(l.slice(0, i), l.slice(i + 1));
  }
  const byMount = new Map<string, Record<string, unknown>>();
  for (const l of lines(text)) {
    const [device, mount, fstype, options, inline] = l.split('|');
    const st = inline ?? stats.get(mount);
    const m: Record<string, unknown> = { mount, device, fstype, options, uuid: 'N/A' };
    const n = (st ?? '').trim().split(/\s+/).map(Number);
    if (n.length === 7 && n.every((x) => Number.isFinite(x))) {
      const [bsize, frsize, blocks, , bavail, files, ffree] = n;
      Object.assign(m, {
        block_size: bsize, block_total: blocks, block_available: bavail, block_used: blocks - bavail,
        inode_total: files, inode_available: ffree, inode_used: files - ffree,
        size_total: frsize * blocks, size_available: frsize * bavail,
      });
    }
    // A mount point mounted over itself (bind remounts) is listed once: the last one wins.
    byMount.delete(mount);
    byMount.set(mount, m);
  }
  return { mounts: [...byMount.values()] };
}

/* ------------------------------------------------------------------ entry */

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
