/** Distribution facts (distribution*, os_family, lsb) from os-release and friends, as Ansible names them. */
import { parseKeyValue, type Facts } from './sections.ts';

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

/** distribution, distribution_version/major/minor/release, os_family, lsb (Ansible 2.14 rules). */
export function distributionFacts(sec: Map<string, string>): Facts {
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

