/**
 * Command-like modules, waits, reboot and custom modules on real lab hosts over real SSH:
 * command, shell, raw, script, wait_for, wait_for_connection, reboot, a TypeScript custom
 * module (examples/library/ini_value.ts) and a script module (examples/library/uptime_facts.sh).
 */
import { expect } from 'chai';
import { getModule, isModuleName } from '../../engine/modules/registry.ts';
import { labConnection, runOn, useModuleLab, type ModuleLab } from '../support/modules.ts';

const LAB = 'tsp-mod';
const BASE = new URL('./fixtures/modules/', import.meta.url).pathname;
const LIBRARY = new URL('../../examples/library/', import.meta.url).pathname;

describe('lab: command, shell, raw, script, wait_for, wait_for_connection, reboot, custom modules', function () {
  this.timeout(120_000);
  const m = useModuleLab(LAB, 1, 0, { baseDir: BASE, libraryDirs: [LIBRARY] });
  const run: ModuleLab['run'] = (...a) => m.run(...a);
  const remote: ModuleLab['remote'] = (c) => m.remote(c);

  it('command: argv semantics, no shell expansion, result keys; skipped in check mode', async () => {
    const r = await run('command', { _raw_params: 'echo "a b" $HOME', chdir: '/tmp' });
    expect(r).to.include({ changed: true, rc: 0, stdout: 'a b $HOME', stderr: '' });
    expect(r.cmd).to.deep.equal(['echo', 'a b', '$HOME']);
    expect(r.stdout_lines).to.deep.equal(['a b $HOME']);
    expect(r).to.have.keys('changed', 'cmd', 'rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'start', 'end', 'delta', 'msg');
    const c = await run('command', { argv: ['touch', '/root/cmd-ran'] }, { check: true });
    expect(c).to.include({ skipped: true, msg: 'Command would have run if not in check mode' });
    expect(await remote('test -e /root/cmd-ran && echo yes || echo no')).to.equal('no\n');
    const f = await run('command', { _raw_params: 'false' });
    expect(f).to.include({ failed: true, rc: 1, msg: 'non-zero return code' });
    const missing = await run('command', { _raw_params: 'no-such-binary-x' });
    expect(missing.failed).to.equal(true);
    expect(missing.rc).to.equal(127);
  });

  it('command/shell creates and removes make them idempotent (also in check mode)', async () => {
    const args = { _raw_params: 'touch /root/made', creates: '/root/made' };
    expect((await run('shell', args)).changed).to.equal(true);
    const again = await run('shell', args);
    expect(again).to.include({ changed: false, msg: "Did not run command since '/root/made exists'" });
    const chk = await run('shell', args, { check: true });
    expect(chk).to.include({ changed: false });
    expect(chk.skipped).to.equal(undefined);
    expect((await run('command', { _raw_params: 'rm /root/made', removes: '/root/made' })).changed).to.equal(true);
    expect((await run('command', { _raw_params: 'rm /root/made', removes: '/root/made' })).changed).to.equal(false);
    expect((await run('shell', { _raw_params: 'echo x', creates: '/root/m*' })).changed, 'glob').to.equal(true);
  });

  it('shell: pipes, env vars, stdin, executable', async () => {
    const r = await run('shell', { _raw_params: 'echo $HOME | tr a-z A-Z; cat', stdin: 'from stdin' });
    expect(r.stdout).to.equal('/ROOT\nfrom stdin');
    const b = await run('shell', { cmd: 'echo ${BASH_VERSION:+bash}', executable: '/bin/bash' });
    expect(b.stdout).to.equal('bash');
    const e = await run('shell', { cmd: 'echo $TSP_X' }, { env: { TSP_X: 'from-env' } });
    expect(e.stdout).to.equal('from-env');
  });

  it('raw and script', async () => {
    const r = await run('raw', { _raw_params: 'echo raw-ok' });
    expect(r).to.include({ changed: true, rc: 0 });
    expect(String(r.stdout).trim()).to.equal('raw-ok');
    const s = await run('script', { _raw_params: 'hello.sh one "two words"' });
    expect(s).to.include({ changed: true, rc: 0, stdout: 'args: one two words', stderr: 'to stderr' });
    expect(await remote('ls -a /tmp | grep -c tsplay || true')).to.equal('0\n'); // temp dir cleaned up
    const sf = await run('script', { _raw_params: 'hello.sh fail' });
    expect(sf).to.include({ failed: true, rc: 3 });
    expect((await run('script', { _raw_params: 'missing.sh' })).msg).to.match(/Could not find or access 'missing.sh'/);
    expect((await run('script', { _raw_params: 'hello.sh', creates: '/etc/hostname' })).changed).to.equal(false);
  });

  it('wait_for: port started/stopped, file with regex, timeout message', async () => {
    expect((await run('wait_for', { port: 22, timeout: 5 })).failed).to.equal(undefined);
    const closed = await run('wait_for', { port: 1, state: 'stopped', timeout: 5 });
    expect(closed.failed).to.equal(undefined);
    const t = await run('wait_for', { port: 1, timeout: 2 });
    expect(t).to.include({ failed: true, msg: 'Timeout when waiting for 127.0.0.1:1' });
    await remote('(sleep 2; echo "server ready" > /root/ready.log) >/dev/null 2>&1 &');
    const f = await run('wait_for', { path: '/root/ready.log', search_regex: 'ready$', timeout: 20 });
    expect(f.failed).to.equal(undefined);
    expect(f.elapsed).to.be.within(1, 10);
    const gone = await run('wait_for', { path: '/root/nope', state: 'absent', timeout: 2 });
    expect(gone.failed).to.equal(undefined);
    const custom = await run('wait_for', { path: '/root/nope', timeout: 1, msg: 'no file for you' });
    expect(custom.msg).to.equal('no file for you');
  });

  it('custom TypeScript module from library/: idempotent with check mode and diff', async () => {
    expect(isModuleName('ini_value', [LIBRARY])).to.equal(true);
    expect(isModuleName('ini_value', [])).to.equal(false);
    const args = { path: '/root/app.ini', section: 'server', option: 'port', value: '8080' };
    const c = await run('ini_value', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0].after).to.equal('[server]\nport = 8080\n');
    expect(await remote('test -e /root/app.ini && echo yes || echo no')).to.equal('no\n');
    expect((await run('ini_value', args)).changed).to.equal(true);
    expect((await run('ini_value', args)).changed).to.equal(false);
    expect((await run('ini_value', { ...args, option: 'host', value: 'x' })).msg).to.equal('option added');
    expect(await remote('cat /root/app.ini')).to.equal('[server]\nport = 8080\nhost = x\n');
    const bad = await run('ini_value', { ...args, colour: 'red' });
    expect(bad.msg).to.match(/^Unsupported parameters for \(ini_value\) module: colour/);
  });

  it('script module (any language, Ansible JSON contract) from library/', async () => {
    const def = await getModule('uptime_facts', [LIBRARY]);
    expect(def?.doc.check).to.equal('full');
    const r = await run('uptime_facts', { prefix: 'up for ' });
    expect(r.changed).to.equal(false);
    expect(r.msg).to.match(/^up for \d/);
    expect(r.uptime_seconds).to.be.a('number');
    const c = await run('uptime_facts', {}, { check: true });
    expect(c.skipped).to.equal(undefined);
    expect(c.msg).to.match(/^up \d/);
  });

  it('become: a non-root user with sudo writes root-owned files through the same modules', async () => {
    // the sudoers drop-in is written with copy + visudo validation, as playbooks do
    expect((await run('user', { name: 'tspb', shell: '/bin/bash' })).changed).to.equal(true);
    const bad = await run('copy', { content: 'tspb ALL=(ALL) NOPASSWD ALL\n', dest: '/etc/sudoers.d/tspb', mode: '0440', validate: '/usr/sbin/visudo -cf %s' });
    expect(bad.failed, 'visudo rejects the syntax error').to.equal(true);
    expect((await run('copy', { content: 'tspb ALL=(ALL) NOPASSWD: ALL\n', dest: '/etc/sudoers.d/tspb', mode: '0440', validate: '/usr/sbin/visudo -cf %s' })).changed).to.equal(true);
    await run('file', { path: '/home/tspb/.ssh', state: 'directory', owner: 'tspb', mode: '0700' });
    await run('copy', { src: '/root/.ssh/authorized_keys', remote_src: true, dest: '/home/tspb/.ssh/authorized_keys', owner: 'tspb', mode: '0600' });
    const user = await labConnection(m.lab, m.host, 'tspb');
    try {
      const become = { method: 'sudo' as const, user: 'root' };
      const w = await runOn(user, 'copy', { content: 'as root\n', dest: '/etc/tsp-become.conf', mode: '0640' }, { become });
      expect(w.changed).to.equal(true);
      expect(await remote('stat -c %U:%a /etc/tsp-become.conf; cat /etc/tsp-become.conf')).to.equal('root:640\nas root\n');
      expect((await runOn(user, 'copy', { content: 'as root\n', dest: '/etc/tsp-become.conf', mode: '0640' }, { become })).changed).to.equal(false);
      expect((await runOn(user, 'lineinfile', { path: '/etc/tsp-become.conf', line: 'more' }, { become })).changed).to.equal(true);
      const denied = await runOn(user, 'lineinfile', { path: '/etc/tsp-become.conf', line: 'no become' });
      expect(denied.failed, 'without become the same edit is refused').to.equal(true);
      expect(denied.msg).to.equal('cannot read /etc/tsp-become.conf: permission denied (does the task need become?)');
    } finally {
      await user.close();
    }
  });

  it('reboot: the host comes back with a new boot id; wait_for_connection works after it', async function () {
    this.timeout(300_000);
    const before = (await remote('cat /proc/sys/kernel/random/boot_id')).trim();
    const c = await run('reboot', {}, { check: true });
    expect(c.changed).to.equal(true);
    expect((await remote('cat /proc/sys/kernel/random/boot_id')).trim()).to.equal(before);
    const r = await run('reboot', { reboot_timeout: 180 });
    expect(r).to.include({ changed: true, rebooted: true });
    const after = (await remote('cat /proc/sys/kernel/random/boot_id')).trim();
    expect(after).to.not.equal(before);
    const w = await run('wait_for_connection', { timeout: 30 });
    expect(w.failed).to.equal(undefined);
    expect(w.elapsed).to.be.a('number');
  });
});
