/** Hardware and system facts: memory, processors, service/package manager, virtualization, env, user, date, mounts. */
import { lines, parseKeyValue, type Facts } from './sections.ts';

/** memtotal_mb, memfree_mb, swap*_mb, memory_mb {real, nocache, swap} from /proc/meminfo. */
export function memoryFacts(sec: Map<string, string>): Facts {
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

/** processor list and processor_count/cores/threads_per_core/vcpus/nproc, computed as Ansible does. */
export function cpuFacts(sec: Map<string, string>): Facts {
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


/** service_mgr: systemd, openrc, runit, s6, sysvinit, ... from PID 1. */
export function serviceMgr(sec: Map<string, string>): string {
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

/** pkg_mgr: apt, dnf, yum, zypper, apk, pacman, ... (RedHat family prefers dnf5/dnf/yum). */
export function pkgMgr(sec: Map<string, string>, osFamily: string): string {
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

/** virtualization_type/role and tech_guest/host, following Ansible's Linux detection order. */
export function virtFacts(sec: Map<string, string>): Facts {
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

/** The login environment (NUL-separated `env -0` output when available). */
export function envFacts(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = text ?? '';
  const entries = raw.includes('\x1e') ? raw.split('\x1e').map((e) => e.replace(/\x1d/g, '\n')) : raw.split('\n');
  for (const e of entries) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i).replace(/^\n/, '')] = e.slice(i + 1);
  }
  return env;
}

/** user_id, user_uid/gid/gecos/dir/shell, effective/real ids. */
export function userFacts(text: string | undefined): Facts {
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

/** date_time with the keys Ansible has. */
export function dateFacts(text: string | undefined): Facts {
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

/** mounts of block devices with statvfs sizes (one entry per mount point). */
export function mountFacts(text: string | undefined, statsText: string | undefined): Facts {
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

