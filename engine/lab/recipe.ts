/**
 * What goes into the lab's root filesystem and repositories. The cache version stamp is a hash
 * of this file's exported data, so changing any of it rebuilds the cache.
 */
import { createHash } from 'node:crypto';

/** Bump to force a rebuild when the build steps (not the data below) change. */
export const RECIPE_REV = 3;

/** Packages added to debootstrap's minbase. */
export const ROOTFS_PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'iproute2', 'procps', 'iputils-ping',
  'python3', 'python3-apt', 'dnf', 'rpm', 'xz-utils', 'unzip', 'curl', 'acl', 'less',
];

/** Packages (with every dependency the rootfs lacks) in the offline apt repository. */
export const APT_REPO_PACKAGES = [
  'etcd-server', 'etcd-client', 'haproxy', 'keepalived', 'chrony', 'conntrack', 'ipvsadm', 'ipset',
  'socat', 'nfs-kernel-server', 'hello', 'tree',
];

/** Where the repositories appear inside every host (bind-mounted read-only). */
export const HOST_APT_REPO = '/srv/tsplay/apt';
export const HOST_RPM_REPO = '/srv/tsplay/rpm';

/** Test RPMs built into the local repository: name, version, files. */
export const RPM_PACKAGES: { name: string; version: string; summary: string; requires?: string[] }[] = [
  { name: 'tsplay-hello', version: '1.0', summary: 'tsplay lab test package (hello)' },
  { name: 'tsplay-hello', version: '1.1', summary: 'tsplay lab test package (hello)' },
  { name: 'tsplay-world', version: '1.0', summary: 'tsplay lab test package (world, needs hello)', requires: ['tsplay-hello'] },
];

/** Files written into the rootfs after debootstrap (path -> [mode, content]). */
export const ROOTFS_FILES: Record<string, [number, string]> = {
  '/etc/ssh/sshd_config.d/tsplay-lab.conf': [0o644, [
    '# tsplay lab: root key login only; many parallel sessions (benchmarks alias many hosts onto one)',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UseDNS no',
    'MaxStartups 1000:30:2000',
    'MaxSessions 1000',
    '',
  ].join('\n')],
  '/etc/systemd/system/tsplay-hostkeys.service': [0o644, [
    '[Unit]',
    'Description=Generate per-host SSH host keys (tsplay lab)',
    'Before=ssh.service',
    'ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/bin/ssh-keygen -A',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n')],
  '/etc/systemd/journald.conf.d/tsplay-lab.conf': [0o644, '[Journal]\nStorage=volatile\nRuntimeMaxUse=8M\n'],
  '/etc/apt/sources.list': [0o644, '# tsplay lab hosts have no network: packages come from the offline repository\n'],
  '/etc/apt/sources.list.d/tsplay-lab.list': [0o644, `deb [trusted=yes] file:${HOST_APT_REPO} ./\n`],
  '/etc/apt/apt.conf.d/90tsplay-lab': [0o644, 'Acquire::Languages "none";\nAPT::Get::Assume-Yes "false";\n'],
  '/etc/yum.repos.d/tsplay-lab.repo': [0o644, [
    '[tsplay-lab]',
    'name=tsplay lab local RPM repository',
    `baseurl=file://${HOST_RPM_REPO}`,
    'enabled=1',
    'gpgcheck=0',
    'metadata_expire=never',
    '',
  ].join('\n')],
  '/etc/dnf/vars/releasever': [0o644, '12\n'],
  '/etc/resolv.conf': [0o644, ''],
  '/etc/machine-id': [0o444, ''],
  '/etc/hostname': [0o644, 'template\n'],
};

/** Units enabled in the rootfs (name -> target.wants). */
export const ENABLE_UNITS: Record<string, string> = { 'tsplay-hostkeys.service': 'multi-user.target' };

/** Units masked in the hosts (useless in a container, or slow to start). */
export const MASK_UNITS = ['systemd-timesyncd.service', 'apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer', 'e2scrub_all.timer', 'fstrim.timer'];

/** The cache version: hash of the recipe data. */
export function recipeVersion(suite: string): string {
  const data = JSON.stringify({ RECIPE_REV, suite, ROOTFS_PACKAGES, APT_REPO_PACKAGES, RPM_PACKAGES, ROOTFS_FILES, ENABLE_UNITS, MASK_UNITS, HOST_APT_REPO, HOST_RPM_REPO });
  return createHash('sha256').update(data).digest('hex').slice(0, 12);
}
