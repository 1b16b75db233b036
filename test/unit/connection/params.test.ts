import { expect } from 'chai';
import { connParamsFor, parseJumpSpec, becomeFor, ansibleBool, jumpFromProxyCommand } from '../../../engine/connection/params.ts';
import { parseSshConfig } from '../../../engine/connection/sshconfig.ts';
import { parseSshArgs, shellSplit } from '../../../engine/connection/sshargs.ts';
import { redact, clearSecrets } from '../../../engine/secrets.ts';
import { OptionsError } from '../../../engine/types.ts';

const HOME = '/home/ctl';
const env = (over: Record<string, string | undefined> = {}, config = '') => ({
  home: HOME,
  env: over,
  sshConfig: parseSshConfig(config),
  fileExists: (p: string) => p === `${HOME}/.ssh/id_ed25519`,
  localUser: 'ctl',
});

describe('connection/params: connParamsFor', () => {
  afterEach(() => clearSecrets());

  it('defaults: ssh, port 22, local user, default key, ~/.ssh/known_hosts, strict checking', () => {
    const p = connParamsFor('web1', {}, {}, env());
    expect(p).to.include({ host: 'web1', connection: 'ssh', address: 'web1', port: 22, user: 'ctl', strictHostKeyChecking: 'yes', connectTimeoutMs: 10000 });
    expect(p.identityFiles).to.deep.equal([`${HOME}/.ssh/id_ed25519`]);
    expect(p.knownHostsFiles).to.deep.equal([`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts2`]);
    expect(p.proxyJump).to.deep.equal([]);
    expect(p.become).to.equal(undefined);
  });

  it('maps the lab inventory vars (ansible_host, user, key, ssh_common_args with -o)', () => {
    const p = connParamsFor('h1', {
      ansible_host: '198.18.6.11', ansible_user: 'root', ansible_ssh_private_key_file: '/lab/id_ed25519',
      ansible_ssh_common_args: "-o UserKnownHostsFile=/lab/known_hosts -o 'StrictHostKeyChecking=yes'",
    }, {}, env());
    expect(p).to.include({ address: '198.18.6.11', user: 'root', strictHostKeyChecking: 'yes' });
    expect(p.identityFiles[0]).to.equal('/lab/id_ed25519');
    expect(p.knownHostsFiles).to.deep.equal(['/lab/known_hosts']);
  });

  it('precedence: host vars > CLI flags > -o args > ssh config > defaults', () => {
    const cfg = 'Host 198.18.6.11\n  User cfguser\n  Port 2200\n  IdentityFile ~/.ssh/cfgkey\n';
    const base = { ansible_host: '198.18.6.11' };
    expect(connParamsFor('h', base, {}, env({}, cfg))).to.include({ user: 'cfguser', port: 2200 });
    expect(connParamsFor('h', { ...base, ansible_ssh_common_args: '-o User=arguser -p 2300' }, {}, env({}, cfg))).to.include({ user: 'arguser', port: 2300 });
    expect(connParamsFor('h', { ...base, ansible_ssh_common_args: '-o User=arguser' }, { user: 'cliuser' }, env({}, cfg)).user).to.equal('cliuser');
    const p = connParamsFor('h', { ...base, ansible_user: 'varuser', ansible_port: '2400' }, { user: 'cliuser' }, env({}, cfg));
    expect(p).to.include({ user: 'varuser', port: 2400 });
    expect(p.identityFiles).to.deep.equal([`${HOME}/.ssh/cfgkey`]); // defaults only when nothing is specified
    const k = connParamsFor('h', { ...base, ansible_ssh_private_key_file: '/k/var' }, { privateKey: '/k/cli' }, env({}, cfg));
    expect(k.identityFiles[0]).to.equal('/k/var');
  });

  it('ssh config HostName/ProxyJump; jump hosts resolved through ssh config too', () => {
    const cfg = 'Host bastion\n  HostName 198.18.6.11\n  User jumper\n  Port 2201\nHost app\n  HostName 198.18.6.12\n  ProxyJump bastion,admin@198.18.6.13:2222\n';
    const p = connParamsFor('app', { ansible_user: 'root' }, {}, env({}, cfg));
    expect(p.address).to.equal('198.18.6.12');
    expect(p.proxyJump.map((j) => [j.name, j.address, j.port, j.user])).to.deep.equal([
      ['bastion', '198.18.6.11', 2201, 'jumper'],
      ['198.18.6.13', '198.18.6.13', 2222, 'admin'],
    ]);
    const q = connParamsFor('h2', { ansible_host: '198.18.6.12', ansible_ssh_common_args: '-o ProxyJump=root@198.18.6.11' }, {}, env());
    expect(q.proxyJump[0]).to.include({ address: '198.18.6.11', user: 'root', port: 22 });
    expect(connParamsFor('h2', { ansible_ssh_extra_args: '-J j1' }, {}, env()).proxyJump[0].address).to.equal('j1');
  });

  it('host key checking is turned off only explicitly', () => {
    expect(connParamsFor('h', {}, {}, env()).strictHostKeyChecking).to.equal('yes');
    expect(connParamsFor('h', { host_key_checking: false }, {}, env()).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', { ansible_host_key_checking: 'False' }, {}, env()).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', {}, {}, env({ ANSIBLE_HOST_KEY_CHECKING: 'False' })).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', {}, { hostKeyChecking: false }, env()).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', { ansible_ssh_common_args: '-o StrictHostKeyChecking=no' }, {}, env()).strictHostKeyChecking).to.equal('no');
    expect(connParamsFor('h', { ansible_ssh_common_args: '-oStrictHostKeyChecking=accept-new' }, {}, env()).strictHostKeyChecking).to.equal('accept-new');
    expect(connParamsFor('h', {}, {}, env({}, 'Host *\n StrictHostKeyChecking ask')).strictHostKeyChecking).to.equal('yes');
    // host_key_checking: false beats an explicit StrictHostKeyChecking=yes (Ansible puts its -o first)
    expect(connParamsFor('h', { host_key_checking: 'no', ansible_ssh_common_args: '-o StrictHostKeyChecking=yes' }, {}, env()).strictHostKeyChecking).to.equal('no');
  });

  it('passwords: ansible_password / ansible_ssh_pass / -k, registered as secrets', () => {
    expect(connParamsFor('h', { ansible_password: 'pw-var-123' }, { password: 'pw-cli-456' }, env()).password).to.equal('pw-var-123');
    expect(connParamsFor('h', { ansible_ssh_pass: 'pw-ssh-789' }, {}, env()).password).to.equal('pw-ssh-789');
    expect(connParamsFor('h', {}, { password: 'pw-cli-456' }, env()).password).to.equal('pw-cli-456');
    expect(redact('x pw-var-123 pw-ssh-789 pw-cli-456')).to.equal('x ******** ******** ********');
  });

  it('become from vars over CLI; password registered; bad method rejected', () => {
    expect(becomeFor({}, {})).to.equal(undefined);
    expect(becomeFor({}, { become: true })).to.deep.equal({ method: 'sudo', user: 'root' });
    const b = becomeFor({ ansible_become: 'yes', ansible_become_user: 'postgres', ansible_become_password: 'sudo-secret-1' }, { becomeUser: 'x', becomePassword: 'other-pw-2' });
    expect(b).to.deep.equal({ method: 'sudo', user: 'postgres', password: 'sudo-secret-1' });
    expect(redact('sudo-secret-1')).to.equal('********');
    expect(becomeFor({ ansible_become: true, ansible_become_method: 'su', ansible_become_pass: 'su-pw-3' })).to.include({ method: 'su', password: 'su-pw-3' });
    expect(() => becomeFor({ ansible_become: true, ansible_become_method: 'doas' })).to.throw(OptionsError, /doas/);
    expect(connParamsFor('h', { ansible_become: true }, {}, env()).become).to.deep.equal({ method: 'sudo', user: 'root' });
  });

  it('connection type: local, implicit localhost, unsupported', () => {
    expect(connParamsFor('h', { ansible_connection: 'local' }, {}, env()).connection).to.equal('local');
    expect(connParamsFor('localhost', {}, {}, env()).connection).to.equal('local');
    expect(connParamsFor('localhost', { ansible_connection: 'ssh' }, {}, env()).connection).to.equal('ssh');
    expect(connParamsFor('h', { ansible_connection: 'smart' }, {}, env()).connection).to.equal('ssh');
    expect(() => connParamsFor('h', { ansible_connection: 'docker' }, {}, env())).to.throw(OptionsError, /docker/);
    expect(() => connParamsFor('h', { ansible_port: 'abc' }, {}, env())).to.throw(OptionsError, /port/);
  });

  it('timeouts and keepalive', () => {
    const p = connParamsFor('h', { ansible_ssh_timeout: 3, ansible_ssh_common_args: '-o ServerAliveInterval=5 -o ServerAliveCountMax=2' }, {}, env());
    expect(p).to.include({ connectTimeoutMs: 3000, keepaliveIntervalMs: 5000, keepaliveCountMax: 2 });
    expect(connParamsFor('h', {}, { timeout: 4 }, env()).connectTimeoutMs).to.equal(4000);
    expect(connParamsFor('h', { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"' }, {}, env()).warnings[0]).to.match(/ProxyCommand 'nc %h %p' is not supported/);
  });

  it('SSH_AUTH_SOCK is used for the agent; IdentitiesOnly', () => {
    expect(connParamsFor('h', {}, {}, env({ SSH_AUTH_SOCK: '/tmp/agent.sock' })).agentSocket).to.equal('/tmp/agent.sock');
    expect(connParamsFor('h', { ansible_ssh_extra_args: '-o IdentitiesOnly=yes' }, {}, env()).identitiesOnly).to.equal(true);
  });
});

describe('connection/params: helpers', () => {
  it('ProxyCommand ssh -W %h:%p is turned into a jump host', () => {
    expect(jumpFromProxyCommand('ssh -W %h:%p bastion')).to.equal('bastion');
    expect(jumpFromProxyCommand('/usr/bin/ssh -q -p 2222 -l ops -i ~/.ssh/k -W %h:%p 198.18.6.11')).to.equal('ops@198.18.6.11:2222');
    expect(jumpFromProxyCommand('ssh -W %h:%p u@b')).to.equal('u@b');
    expect(jumpFromProxyCommand('nc %h %p')).to.equal(undefined);
    expect(jumpFromProxyCommand('ssh bastion nc %h %p')).to.equal(undefined);
    const p = connParamsFor('h', { ansible_ssh_common_args: `-o ProxyCommand="ssh -W %h:%p -q root@198.18.6.11"` }, {}, env());
    expect(p.proxyJump.map((j) => [j.address, j.user, j.port])).to.deep.equal([['198.18.6.11', 'root', 22]]);
    expect(p.warnings).to.deep.equal([]);
    const q = connParamsFor('app', {}, {}, env({}, 'Host app\n  ProxyCommand ssh -W %h:%p jump\n'));
    expect(q.proxyJump[0].address).to.equal('jump');
  });

  it('parseJumpSpec', () => {
    expect(parseJumpSpec('a@b:2,c')).to.deep.equal([{ user: 'a', host: 'b', port: 2 }, { user: undefined, host: 'c', port: undefined }]);
    expect(parseJumpSpec('ssh://u@[::1]:22')).to.deep.equal([{ user: 'u', host: '::1', port: 22 }]);
    expect(parseJumpSpec('none')).to.deep.equal([]);
  });
  it('shellSplit and parseSshArgs', () => {
    expect(shellSplit(`-o 'A=b c' -o"X=y" z\\ w`)).to.deep.equal(['-o', 'A=b c', '-oX=y', 'z w']);
    const o = parseSshArgs('-o UserKnownHostsFile=/a -o UserKnownHostsFile=/b -C', '-J j -i /k -q');
    expect(o.options.get('userknownhostsfile')).to.deep.equal(['/a', '/b']);
    expect(o.options.get('proxyjump')).to.deep.equal(['j']);
    expect(o.options.get('identityfile')).to.deep.equal(['/k']);
    expect(o.ignored).to.deep.equal(['-C', '-q']);
  });
  it('ansibleBool', () => {
    expect([ansibleBool('yes'), ansibleBool('False'), ansibleBool(0), ansibleBool('maybe')]).to.deep.equal([true, false, false, undefined]);
  });
});
