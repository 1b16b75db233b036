import { expect } from 'chai';
import { parseSshConfig, resolveSshConfig, expandSshPath, parseOptionLine } from '../../../engine/connection/sshconfig.ts';
import { matchPatternList, matchWildcard } from '../../../engine/connection/pattern.ts';

const CONFIG = `
# global defaults before any Host
ServerAliveInterval 30

Host bastion
  HostName 198.18.6.11
  User jump
  Port 2222

Host web* !web-legacy
  User deploy
  IdentityFile ~/.ssh/web_key
  ProxyJump bastion

Host web-legacy
  User legacy

Host db? "quoted host"
  HostName %h.internal
  UserKnownHostsFile ~/.ssh/kh1 /etc/ssh/kh2
  StrictHostKeyChecking accept-new

Match host foo
  User never

Host *
  User fallback
  IdentityFile ~/.ssh/id_default
  Port=2200
  ConnectTimeout 7
`;

describe('connection/sshconfig', () => {
  const blocks = parseSshConfig(CONFIG);

  it('wildcards, negation, first value wins, IdentityFile accumulates', () => {
    const c = resolveSshConfig(blocks, 'web1');
    expect(c.user).to.equal('deploy');
    expect(c.proxyjump).to.equal('bastion');
    expect(c.identityfile).to.deep.equal(['~/.ssh/web_key', '~/.ssh/id_default']);
    expect(c.port).to.equal(2200);
    expect(c.serveraliveinterval).to.equal(30);
    expect(c.connecttimeout).to.equal(7);
  });

  it('negated pattern excludes a host from a block', () => {
    expect(resolveSshConfig(blocks, 'web-legacy').user).to.equal('legacy');
    expect(resolveSshConfig(blocks, 'web-legacy').proxyjump).to.equal(undefined);
  });

  it('? wildcard, %h in HostName, quoted patterns, lists of known_hosts files', () => {
    const c = resolveSshConfig(blocks, 'db1');
    expect(c.hostname).to.equal('db1.internal');
    expect(c.userknownhostsfile).to.deep.equal(['~/.ssh/kh1', '/etc/ssh/kh2']);
    expect(c.stricthostkeychecking).to.equal('accept-new');
    expect(resolveSshConfig(blocks, 'db12').hostname).to.equal(undefined);
    expect(resolveSshConfig(blocks, 'quoted host').hostname).to.equal('quoted host.internal');
  });

  it('Match blocks other than "Match all" are not applied', () => {
    expect(resolveSshConfig(blocks, 'foo').user).to.equal('fallback');
  });

  it('Key=Value syntax and case-insensitive keys', () => {
    expect(parseOptionLine('  PoRt=22')).to.deep.equal(['port', '22']);
    expect(parseOptionLine('# x')).to.equal(undefined);
    expect(resolveSshConfig(parseSshConfig('hOsT x\n HOSTNAME=1.2.3.4'), 'x').hostname).to.equal('1.2.3.4');
  });

  it('Include is resolved through the reader, scoped to the current block', () => {
    const b = parseSshConfig('Host a\n  Include extra.conf\nHost *\n  User z', (p) => (p === 'extra.conf' ? ['User from-include'] : []));
    expect(resolveSshConfig(b, 'a').user).to.equal('from-include');
    expect(resolveSshConfig(b, 'b').user).to.equal('z');
  });

  it('expandSshPath expands ~ and tokens', () => {
    expect(expandSshPath('~/.ssh/id_%r@%h:%p', { home: '/home/u', host: 'h', user: 'r', port: 22 })).to.equal('/home/u/.ssh/id_r@h:22');
    expect(expandSshPath('%d/x%%', { home: '/root' })).to.equal('/root/x%');
  });

  it('pattern helpers', () => {
    expect(matchWildcard('10.0.0.*', '10.0.0.5')).to.equal(true);
    expect(matchWildcard('a.b', 'axb')).to.equal(false);
    expect(matchPatternList(['!x', '*'], 'x')).to.equal(false);
    expect(matchPatternList(['!x'], 'y')).to.equal(false);
  });
});
