/**
 * System modules on real lab hosts (systemd-nspawn containers with real systemd) over real SSH:
 * systemd, sysctl, user, group, hostname, pam_limits, modprobe, mount, swap, selinux.
 * The lab hosts are containers: vm.* sysctls are read-only, there is no kmod/modprobe and no
 * SELinux, and these tests check that each module says so clearly.
 */
import { expect } from 'chai';
import { useModuleLab, type ModuleLab } from '../support/modules.ts';

const LAB = 'tsp-mod';

describe('lab: system modules (systemd, sysctl, user, group, hostname, pam_limits, modprobe, mount, swap, selinux)', function () {
  this.timeout(120_000);
  const m = useModuleLab(LAB, 2, 1);
  const run: ModuleLab['run'] = (...a) => m.run(...a);
  const remote: ModuleLab['remote'] = (c) => m.remote(c);

  it('systemd: daemon_reload + started + enabled; check mode first; then ok; stopped; restarted always changes', async () => {
    await remote("printf '[Unit]\\nDescription=demo\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/tspdemo.service");
    const args = { name: 'tspdemo', state: 'started', enabled: true, daemon_reload: true };
    const c = await run('systemd', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(await remote('systemctl is-active tspdemo; systemctl is-enabled tspdemo')).to.match(/^inactive\ndisabled\n/);
    const r1 = await run('systemd', args);
    expect(r1).to.include({ changed: true, enabled: true });
    expect((r1.status as Record<string, string>).ActiveState).to.equal('active');
    expect(await remote('systemctl is-active tspdemo; systemctl is-enabled tspdemo')).to.equal('active\nenabled\n');
    expect((await run('systemd', args)).changed).to.equal(false);
    expect((await run('service', { name: 'tspdemo', state: 'restarted' })).changed).to.equal(true);
    expect((await run('systemd_service', { name: 'tspdemo.service', state: 'stopped', enabled: false })).changed).to.equal(true);
    expect(await remote('systemctl is-active tspdemo; systemctl is-enabled tspdemo')).to.match(/^inactive\ndisabled\n/);
    expect((await run('systemd', { name: 'tspdemo', state: 'stopped', enabled: false })).changed).to.equal(false);
    const bad = await run('systemd', { name: 'tspdemo', masked: true });
    expect(bad.failed, 'systemd refuses to mask a unit whose file is in /etc').to.equal(true);
    expect(bad.msg).to.match(/^Unable to mask service tspdemo.service: .*already exists/);
    await remote("printf '[Service]\\nExecStart=/bin/true\\n' > /usr/lib/systemd/system/tspmask.service && systemctl daemon-reload");
    expect((await run('systemd', { name: 'tspmask', masked: true })).changed).to.equal(true);
    expect(await remote('systemctl is-enabled tspmask || true')).to.equal('masked\n');
    expect((await run('systemd', { name: 'tspmask', masked: true })).changed).to.equal(false);
    expect((await run('systemd', { name: 'tspmask', state: 'started' })).msg).to.equal('Unable to start service tspmask.service: the unit is masked');
    expect((await run('systemd', { name: 'tspmask', masked: false })).changed).to.equal(true);
  });

  it('systemd: an unknown unit fails clearly', async () => {
    const r = await run('systemd', { name: 'no-such-unit', state: 'started' });
    expect(r).to.include({ failed: true, msg: 'Could not find the requested service no-such-unit: host' });
  });

  it('sysctl: writable net.* key: file + live value, check mode first, then ok', async () => {
    const args = { name: 'net.ipv4.ip_forward', value: '1', sysctl_file: '/etc/sysctl.d/99-tsp.conf', sysctl_set: true };
    await remote('sysctl -w net.ipv4.ip_forward=0');
    const c = await run('sysctl', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.map((d) => d.after).join('')).to.include('net.ipv4.ip_forward=1');
    expect(await remote('cat /proc/sys/net/ipv4/ip_forward; test -e /etc/sysctl.d/99-tsp.conf && echo file || echo nofile')).to.equal('0\nnofile\n');
    expect((await run('sysctl', args)).changed).to.equal(true);
    expect(await remote('cat /proc/sys/net/ipv4/ip_forward /etc/sysctl.d/99-tsp.conf')).to.equal('1\nnet.ipv4.ip_forward=1\n');
    expect((await run('sysctl', args)).changed).to.equal(false);
    await remote('sysctl -w net.ipv4.ip_forward=0');
    expect((await run('sysctl', args)).changed, 'live value drifted: converged again').to.equal(true);
    expect((await run('sysctl', { ...args, state: 'absent' })).changed).to.equal(true);
    expect(await remote('cat /etc/sysctl.d/99-tsp.conf')).to.equal('');
  });

  it('sysctl: a read-only kernel key is reported clearly; ignoreerrors still writes the file', async () => {
    const cur = (await remote('cat /proc/sys/vm/swappiness')).trim();
    const want = cur === '10' ? '11' : '10';
    const r = await run('sysctl', { name: 'vm.swappiness', value: want, sysctl_file: '/etc/sysctl.d/98-vm.conf' });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/vm\.swappiness cannot be changed on this host: \/proc\/sys\/vm\/swappiness is read-only/);
    expect(await remote('test -e /etc/sysctl.d/98-vm.conf && echo file || echo nofile')).to.equal('nofile\n');
    const i = await run('sysctl', { name: 'vm.swappiness', value: want, sysctl_file: '/etc/sysctl.d/98-vm.conf', ignoreerrors: true });
    expect(i.changed).to.equal(true);
    expect(i.msg).to.match(/read-only on this host .*only \/etc\/sysctl.d\/98-vm.conf was written/);
    expect(await remote('cat /etc/sysctl.d/98-vm.conf')).to.equal(`vm.swappiness=${want}\n`);
    expect((await run('sysctl', { name: 'vm.swappiness', value: want, sysctl_file: '/etc/sysctl.d/98-vm.conf', ignoreerrors: true })).changed).to.equal(false);
    const unknown = await run('sysctl', { name: 'net.nope.key', value: '1', sysctl_file: '/etc/sysctl.d/97.conf' });
    expect(unknown.msg).to.match(/net\.nope\.key does not exist on this host/);
  });

  it('group and user: create, idempotent, modify, remove', async () => {
    expect((await run('group', { name: 'tspg', gid: 2345 }, { check: true })).changed).to.equal(true);
    expect(await remote('getent group tspg || echo none')).to.equal('none\n');
    expect((await run('group', { name: 'tspg', gid: 2345 })).changed).to.equal(true);
    expect((await run('group', { name: 'tspg', gid: 2345 })).changed).to.equal(false);
    const u = { name: 'tspu', uid: 2345, group: 'tspg', groups: ['users'], shell: '/bin/bash', comment: 'tsplay user' };
    expect((await run('user', u, { check: true })).changed).to.equal(true);
    expect(await remote('getent passwd tspu || echo none')).to.equal('none\n');
    const r1 = await run('user', u);
    expect(r1).to.include({ changed: true, uid: 2345, shell: '/bin/bash' });
    expect(await remote('id tspu; test -d /home/tspu && echo home')).to.match(/uid=2345\(tspu\) gid=2345\(tspg\) groups=2345\(tspg\),100\(users\)\nhome\n/);
    expect((await run('user', u)).changed).to.equal(false);
    const d = await run('user', { name: 'tspu', shell: '/bin/sh' }, { diff: true });
    expect(d.changed).to.equal(true);
    expect(d.diff?.[0].after).to.include('shell: /bin/sh');
    expect((await run('user', { name: 'tspu', groups: ['tspg'], append: true })).changed).to.equal(false);
    expect((await run('user', { name: 'tspu', state: 'absent', remove: true })).changed).to.equal(true);
    expect((await run('user', { name: 'tspu', state: 'absent' })).changed).to.equal(false);
    expect((await run('group', { name: 'tspg', state: 'absent' })).changed).to.equal(true);
    const bad = await run('user', { name: 'tspx', group: 'no-such-group' });
    expect(bad).to.include({ failed: true, msg: 'Group no-such-group does not exist' });
  });

  it('hostname: set, idempotent, facts returned', async () => {
    const old = (await remote('hostname')).trim();
    const c = await run('hostname', { name: 'tsp-renamed' }, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect((await remote('hostname')).trim()).to.equal(old);
    const r = await run('hostname', { name: 'tsp-renamed' });
    expect(r.changed).to.equal(true);
    expect((r.ansible_facts as Record<string, string>).ansible_hostname).to.equal('tsp-renamed');
    expect(await remote('hostname; cat /etc/hostname')).to.equal('tsp-renamed\ntsp-renamed\n');
    expect((await run('hostname', { name: 'tsp-renamed' })).changed).to.equal(false);
    await run('hostname', { name: old });
  });

  it('pam_limits: add then ok, change value', async () => {
    const a = { domain: '*', limit_type: '-', limit_item: 'nofile', value: '65536', dest: '/etc/security/limits.d/90-tsp.conf' };
    expect((await run('pam_limits', a)).changed).to.equal(true);
    expect(await remote('cat /etc/security/limits.d/90-tsp.conf')).to.equal('*\t-\tnofile\t65536\n');
    expect((await run('pam_limits', a)).changed).to.equal(false);
    const b = await run('pam_limits', { ...a, value: '1048576' }, { diff: true });
    expect(b.changed).to.equal(true);
    expect(b.diff?.[0]).to.include({ before: '*\t-\tnofile\t65536\n', after: '*\t-\tnofile\t1048576\n' });
    expect((await run('pam_limits', { ...a, limit_item: 'nofiles' })).msg).to.match(/value of limit_item must be one of: .*nofile/);
  });

  it('modprobe: without kmod in the container a missing module fails clearly; persistence files are managed', async () => {
    const r = await run('modprobe', { name: 'br_netfilter', state: 'present' });
    if (r.failed) expect(r.msg).to.match(/kernel module br_netfilter is not loaded and modprobe is not installed on h2/);
    else expect(r.changed, 'br_netfilter is already loaded in the shared kernel').to.equal(false);
    await remote("mkdir -p /etc/modules-load.d && echo dummy > /etc/modules-load.d/dummy.conf");
    const p = { name: 'dummy', state: 'absent', persistent: 'absent' };
    expect((await run('modprobe', p)).changed).to.equal(true);
    expect(await remote('test -e /etc/modules-load.d/dummy.conf && echo yes || echo no')).to.equal('no\n');
    expect((await run('modprobe', p)).changed).to.equal(false);
  });

  it('mount: fstab present/absent incl. a swap entry; tmpfs mounted/unmounted', async () => {
    await remote("printf 'proc /proc proc defaults 0 0\\n/swap.img none swap sw 0 0\\n' > /etc/fstab");
    const sw = { path: 'none', src: '/swap.img', fstype: 'swap', state: 'absent' };
    const c = await run('mount', sw, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0].after).to.equal('proc /proc proc defaults 0 0\n');
    expect((await run('mount', sw)).changed).to.equal(true);
    expect(await remote('cat /etc/fstab')).to.equal('proc /proc proc defaults 0 0\n');
    expect((await run('mount', sw)).changed).to.equal(false);
    const pr = { path: '/mnt/tsp', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=8m', state: 'present' };
    expect((await run('mount', pr)).changed).to.equal(true);
    expect((await run('mount', pr)).changed).to.equal(false);
    expect(await remote('tail -n1 /etc/fstab')).to.equal('tmpfs /mnt/tsp tmpfs size=8m 0 0\n');
    const mo = await run('mount', { ...pr, state: 'mounted' });
    if (mo.failed) {
      expect(mo.msg).to.match(/Error mounting\/unmounting \/mnt\/tsp: /); // a container may forbid mount(2)
    } else {
      expect(mo.changed).to.equal(true);
      expect(await remote('findmnt -n -o FSTYPE /mnt/tsp')).to.equal('tmpfs\n');
      expect((await run('mount', { ...pr, state: 'mounted' })).changed).to.equal(false);
      expect((await run('mount', { ...pr, state: 'absent' })).changed).to.equal(true);
      expect(await remote('findmnt -n /mnt/tsp || echo none')).to.equal('none\n');
    }
  });

  it('swap: absent comments fstab swap lines (idempotent); no active swap means no swapoff', async () => {
    await remote("printf 'proc /proc proc defaults 0 0\\n/swap.img none swap sw 0 0\\n' > /etc/fstab");
    const c = await run('swap', { state: 'absent' }, { check: true });
    expect(c.changed).to.equal(true);
    expect(await remote('cat /etc/fstab')).to.include('\n/swap.img');
    const r = await run('swap', { state: 'absent' });
    expect(r.changed).to.equal(true);
    expect(await remote('cat /etc/fstab')).to.equal('proc /proc proc defaults 0 0\n# /swap.img none swap sw 0 0\n');
    expect((await run('swap', { state: 'absent' })).changed).to.equal(false);
  });

  it('selinux: absent SELinux is a clear no-op; with a config file it is written', async () => {
    await remote('rm -f /etc/selinux/config');
    const n = await run('selinux', { state: 'permissive', policy: 'targeted' });
    expect(n.changed).to.equal(false);
    expect(n.msg).to.match(/SELinux is not present on h2/);
    await remote("mkdir -p /etc/selinux && printf 'SELINUX=enforcing\\nSELINUXTYPE=targeted\\n' > /etc/selinux/config");
    const r = await run('selinux', { state: 'permissive', policy: 'targeted' }, { diff: true });
    expect(r.changed).to.equal(true);
    expect(r.msg).to.match(/Config SELinux state changed from 'enforcing' to 'permissive'/);
    expect(await remote('cat /etc/selinux/config')).to.equal('SELINUX=permissive\nSELINUXTYPE=targeted\n');
    expect((await run('selinux', { state: 'permissive', policy: 'targeted' })).changed).to.equal(false);
    const d = await run('selinux', { state: 'disabled' });
    expect(d.reboot_required).to.equal(true);
    await remote('rm -f /etc/selinux/config');
  });
});
