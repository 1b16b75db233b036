import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseFacts, splitSections, osFamilyOf, parseKeyValue } from '../../../engine/facts/parse.ts';
import { SECTION_MARK, FACTS_SCRIPT } from '../../../engine/facts/script.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, 'fixtures', name), 'utf8');

/** Replace (or add) sections of a captured script output. */
function withSections(base: string, repl: Record<string, string>): string {
  const secs = splitSections(base);
  for (const [k, v] of Object.entries(repl)) secs.set(k, v);
  return [...secs].map(([k, v]) => `\n${SECTION_MARK}${k}@@\n${v}`).join('') + `\n${SECTION_MARK}end@@\n`;
}

describe('facts: parseFacts on a real Debian 12 lab host (systemd-nspawn)', () => {
  const ours = parseFacts(fixture('debian12-nspawn.out'));
  // Captured with `ansible h1 -m setup` (ansible-core 2.14) on the same host at the same time.
  const ansible = JSON.parse(fixture('debian12-nspawn.ansible-setup.json')) as Record<string, unknown>;

  for (const key of Object.keys(ansible)) {
    it(`${key} matches ansible -m setup`, () => {
      if (key === 'interfaces') expect([...(ours.interfaces as string[])].sort()).to.deep.equal([...(ansible.interfaces as string[])].sort());
      else expect(ours[key], key).to.deep.equal(ansible[key]);
    });
  }

  it('has the date_time, env, mounts and memory shapes Ansible has', () => {
    const dt = ours.date_time as Record<string, string>;
    for (const k of ['date', 'day', 'epoch', 'hour', 'iso8601', 'iso8601_basic', 'iso8601_basic_short', 'iso8601_micro', 'minute', 'month', 'second', 'time', 'tz', 'tz_offset', 'weekday', 'weekday_number', 'weeknumber', 'year']) {
      expect(dt, k).to.have.property(k).that.is.a('string');
    }
    expect(dt.iso8601).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((ours.env as Record<string, string>).HOME).to.equal('/root');
    expect(ours.env).to.not.have.property('LC_ALL');
    const m = (ours.mounts as Record<string, unknown>[])[0];
    expect(m).to.include.keys('mount', 'device', 'fstype', 'options', 'size_total', 'size_available', 'block_used', 'inode_used');
    expect(new Set((ours.mounts as { mount: string }[]).map((x) => x.mount)).size).to.equal((ours.mounts as unknown[]).length);
    const mem = ours.memory_mb as { real: { total: number } };
    expect(mem.real.total).to.equal(ours.memtotal_mb);
    expect(ours.virtualization_tech_guest).to.have.members(['container', 'systemd-nspawn']);
  });
});

describe('facts: parseFacts on other systems (sections edited from the real capture)', () => {
  const base = fixture('debian12-nspawn.out');

  it('Ubuntu VM with a default route: default_ipv4, secondaries, kvm, lsb', () => {
    const f = parseFacts(
      withSections(base, {
        os_release: 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy',
        lsb_release: 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"',
        debian_version: 'bookworm/sid',
        uname: 'Linux\n5.15.0-1-generic\n#1 SMP\nx86_64\nweb1.example.org',
        fqdn: 'web1.example.org',
        ip_addr:
          '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n' +
          '2: ens3    inet 198.18.0.50/24 brd 198.18.0.255 scope global dynamic ens3\\       valid_lft 86000sec preferred_lft 86000sec\n' +
          '2: ens3    inet 198.18.0.60/24 brd 198.18.0.255 scope global secondary ens3:1\\       valid_lft forever preferred_lft forever\n' +
          '2: ens3    inet6 2001:db8::5/64 scope global \\       valid_lft forever preferred_lft forever',
        sysnet: 'ens3|1|52:54:00:12:34:56|1500|up|0x1003||ether\nlo|772|00:00:00:00:00:00|65536|unknown|0x9||ether\nbr-int|1|aa:bb:cc:dd:ee:ff|1500|down|0x1002||bridge',
        route4: 'default via 198.18.0.1 dev ens3 proto dhcp src 198.18.0.50 metric 100',
        route6: 'default via 2001:db8::1 dev ens3 metric 1024 pref medium',
        proc1_environ: '',
        systemd_container: '',
        dmi: 'product_name=Standard PC (Q35 + ICH9, 2009)\nsys_vendor=QEMU\nbios_vendor=SeaBIOS',
      }),
    );
    expect(f.distribution).to.equal('Ubuntu');
    expect(f.os_family).to.equal('Debian');
    expect(f.distribution_version).to.equal('22.04');
    expect(f.distribution_major_version).to.equal('22');
    expect(f.distribution_release).to.equal('jammy');
    expect(f.hostname).to.equal('web1');
    expect(f.fqdn).to.equal('web1.example.org');
    expect(f.domain).to.equal('example.org');
    expect(f.default_ipv4).to.deep.equal({
      gateway: '198.18.0.1', interface: 'ens3', address: '198.18.0.50', broadcast: '198.18.0.255', netmask: '255.255.255.0',
      network: '198.18.0.0', prefix: '24', alias: 'ens3', macaddress: '52:54:00:12:34:56', mtu: 1500, type: 'ether',
    });
    expect((f.default_ipv6 as Record<string, unknown>).address).to.equal('2001:db8::5');
    expect(f.all_ipv4_addresses).to.deep.equal(['198.18.0.50', '198.18.0.60']);
    expect((f.ens3 as Record<string, unknown>).ipv4_secondaries).to.have.length(1);
    expect(f.br_int).to.include({ device: 'br-int', type: 'bridge', active: false });
    expect(f.lo).to.not.have.property('macaddress');
    expect(f.virtualization_type).to.equal('kvm');
    expect(f.virtualization_role).to.equal('guest');
    expect(f.lsb).to.deep.include({ id: 'Ubuntu', codename: 'jammy', major_release: '22' });
  });

  it('Rocky 9: RedHat family, dnf, release from redhat-release', () => {
    const f = parseFacts(
      withSections(base, {
        os_release: 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"',
        redhat_release: 'Rocky Linux release 9.3 (Blue Onyx)',
        debian_version: '',
        pkg_mgrs: 'dnf\nyum\nrpm-ostree',
      }),
    );
    expect(f).to.include({ distribution: 'Rocky', os_family: 'RedHat', distribution_version: '9.3', distribution_major_version: '9', distribution_release: 'Blue Onyx', pkg_mgr: 'dnf' });
  });

  it('Alpine with OpenRC: apk, openrc, no container markers -> NA', () => {
    const f = parseFacts(
      withSections(base, {
        os_release: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1',
        alpine_release: '3.19.1',
        debian_version: '',
        pkg_mgrs: 'apk',
        systemd_booted: '',
        init_comm: 'init',
        init_exe: '/bin/busybox\n/sbin/openrc-init',
        proc1_environ: '',
        systemd_container: '',
        dmi: '',
        cpuinfo: 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel\nphysical id\t: 0\ncore id\t: 0\ncpu cores\t: 1\nsiblings\t: 2\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Intel\nphysical id\t: 0\ncore id\t: 0\ncpu cores\t: 1\nsiblings\t: 2',
      }),
    );
    expect(f).to.include({ distribution: 'Alpine', os_family: 'Alpine', distribution_version: '3.19.1', pkg_mgr: 'apk', service_mgr: 'openrc' });
    expect(f).to.include({ virtualization_type: 'NA', virtualization_role: 'NA' });
    expect(f).to.include({ processor_count: 1, processor_cores: 1, processor_threads_per_core: 2, processor_vcpus: 2 });
  });

  it('docker container detection via /.dockerenv', () => {
    const f = parseFacts(withSections(base, { proc1_environ: '', systemd_container: '', virt_files: '/.dockerenv' }));
    expect(f).to.include({ virtualization_type: 'docker', virtualization_role: 'guest' });
  });

  it('empty output gives defaults, not exceptions', () => {
    const f = parseFacts('');
    expect(f.distribution).to.equal('NA');
    expect(f.default_ipv4).to.deep.equal({});
    expect(f.pkg_mgr).to.equal('unknown');
  });
});

describe('facts: helpers and script', () => {
  it('osFamilyOf maps like Ansible', () => {
    expect(osFamilyOf('CentOS')).to.equal('RedHat');
    expect(osFamilyOf('openSUSE Leap')).to.equal('Suse');
    expect(osFamilyOf('Unheard')).to.equal('Unheard');
  });
  it('parseKeyValue unquotes', () => {
    expect(parseKeyValue('A="x y"\nB=\'z\'\n# c\nC=plain')).to.deep.equal({ A: 'x y', B: 'z', C: 'plain' });
  });
  it('the script is POSIX sh: no bashisms checked by dash -n', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('dash', ['-n'], { input: FACTS_SCRIPT });
    expect(r.status, r.stderr?.toString()).to.equal(0);
    expect(FACTS_SCRIPT).to.not.match(/\[\[|function |\$\(\(.*\*\*/);
  });
});
