/**
 * Package modules on a real lab host over real SSH: apt, apt_repository, deb822_repository,
 * package, dnf/yum, yum_repository.
 *
 * The lab hosts are Debian bookworm. apt installs from the lab's offline apt repository
 * (/srv/tsplay/apt). The dnf tests run dnf ON DEBIAN against the lab's local RPM repository
 * (/etc/yum.repos.d/tsplay-lab.repo: tsplay-hello 1.0 and 1.1, tsplay-world): they exercise the
 * dnf/yum code paths, not a RHEL host.
 */
import { expect } from 'chai';
import { useModuleLab, type ModuleLab } from '../support/modules.ts';

const LAB = 'tsp-pkg';

describe('lab: package modules (apt, apt_repository, deb822_repository, package, dnf/yum, yum_repository)', function () {
  this.timeout(300_000);
  const m = useModuleLab(LAB, 1);
  const run: ModuleLab['run'] = (...a) => m.run(...a);
  const remote: ModuleLab['remote'] = (c) => m.remote(c);
  const dpkg = (names: string) => remote(`dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' ${names} 2>/dev/null; true`);
  const rpmq = (names: string) => remote(`rpm -q ${names}; true`);

  it('apt: check mode first (nothing installed), then install hello+tree (changed), then ok', async () => {
    const args = { name: 'hello,tree', state: 'present' };
    const c = await run('apt', args, { check: true, diff: true });
    expect(c).to.include({ changed: true });
    expect(c.installed).to.deep.equal(['hello', 'tree']);
    expect(c.diff?.[0].before).to.equal('hello (absent)\ntree (absent)\n');
    expect(c.diff?.[0].after).to.match(/^hello 2\.10-\d+\ntree 2\.\d+\.\d+-\d+\n$/);
    expect(await dpkg('hello tree'), 'check mode installed nothing').to.equal('');
    const r = await run('apt', args);
    expect(r.changed).to.equal(true);
    expect(r.failed).to.equal(undefined);
    expect(await dpkg('hello tree')).to.equal('hello ii \ntree ii \n');
    expect(await remote('hello')).to.equal('Hello, world!\n');
    const again = await run('apt', { name: ['tree', 'hello'], state: 'installed' });
    expect(again.changed).to.equal(false);
    expect((await run('apt', { name: 'hello', state: 'latest' })).changed, 'latest: the installed version is the candidate').to.equal(false);
  });

  it('apt: a package no repository offers fails clearly and installs nothing', async () => {
    const r = await run('apt', { name: ['hello', 'no-such-pkg-tsp'] });
    expect(r).to.include({ failed: true, msg: "No package matching 'no-such-pkg-tsp' is available" });
    const v = await run('apt', { name: 'hello=9.9' });
    expect(v).to.include({ failed: true, msg: "No package matching 'hello=9.9' is available" });
  });

  it('apt: absent (check mode, remove, ok) and name=version installs the pinned version', async () => {
    const c = await run('apt', { name: 'tree', state: 'absent' }, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0].after).to.equal('tree (absent)\n');
    expect(await dpkg('tree')).to.equal('tree ii \n');
    expect((await run('apt', { name: 'tree', state: 'absent' })).changed).to.equal(true);
    expect(await dpkg('tree'), 'removed').to.not.include('ii');
    expect((await run('apt', { name: 'tree', state: 'removed' })).changed).to.equal(false);
    const ver = (await remote("apt-cache policy tree | awk '/Candidate/ {print $2}'")).trim();
    expect((await run('apt', { name: `tree=${ver.slice(0, 3)}*` })).changed).to.equal(true);
    expect(await remote("dpkg-query -W -f='${Version}' tree")).to.equal(ver);
    expect((await run('apt', { name: `tree=${ver}` })).changed).to.equal(false);
  });

  it('apt: deb installs a local .deb on the target (or from a URL), once', async () => {
    await run('apt', { name: 'hello', state: 'absent', purge: true });
    await remote('cp /srv/tsplay/apt/hello_*.deb /tmp/hello.deb');
    const c = await run('apt', { deb: '/tmp/hello.deb' }, { check: true });
    expect(c).to.include({ changed: true });
    expect(await dpkg('hello')).to.not.include('ii');
    expect((await run('apt', { deb: '/tmp/hello.deb' })).changed).to.equal(true);
    expect(await dpkg('hello')).to.equal('hello ii \n');
    expect((await run('apt', { deb: '/tmp/hello.deb' })).changed).to.equal(false);
    // a URL: downloaded on the target (from a web server on this lab host's own lab address)
    await run('apt', { name: 'hello', state: 'absent' });
    const ip = m.lab.hosts[0].ip;
    await remote(`systemd-run --unit tsp-debs python3 -m http.server 8081 --bind ${ip} --directory /srv/tsplay/apt && for i in $(seq 50); do curl -sf http://${ip}:8081/ >/dev/null && break; sleep 0.2; done`);
    const deb = (await remote('cd /srv/tsplay/apt && ls hello_*.deb')).trim();
    const url = `http://${ip}:8081/${deb}`;
    expect((await run('apt', { deb: url })).changed).to.equal(true);
    expect(await dpkg('hello')).to.equal('hello ii \n');
    expect((await run('apt', { deb: url })).changed).to.equal(false);
    expect(await remote('ls -a /tmp | grep -c tsplay-dl || true'), 'the download is cleaned up').to.equal('0\n');
    expect((await run('apt', { deb: `http://${ip}:8081/nope.deb` })).msg).to.equal(`Failure downloading http://${ip}:8081/nope.deb, HTTP Error 404: File not found`);
    const missing = await run('apt', { deb: '/tmp/nope.deb' });
    expect(missing).to.include({ failed: true, msg: 'Unable to install package: /tmp/nope.deb is not a readable .deb file on the target' });
  });

  it('apt: update_cache updates (changed), cache_valid_time keeps a fresh cache (ok)', async () => {
    const u = await run('apt', { update_cache: true });
    expect(u).to.include({ changed: true, cache_updated: true });
    const v = await run('apt', { update_cache: true, cache_valid_time: 3600 });
    expect(v).to.include({ changed: false, cache_updated: false });
    expect((await run('apt', { name: 'hello', update_cache: true, cache_valid_time: 3600 })).changed).to.equal(false);
  });

  it('apt: upgrade is simulated first: nothing to upgrade on this host means ok (check mode too)', async () => {
    const c = await run('apt', { upgrade: 'dist' }, { check: true });
    expect(c).to.include({ changed: false, msg: 'No packages to upgrade' });
    expect((await run('apt', { upgrade: 'yes' })).changed).to.equal(false);
  });

  it('package: picks apt on this Debian host (from the pkg_mgr fact, or by asking the host)', async () => {
    const r = await run('package', { name: 'tree', state: 'absent' });
    expect(r).to.include({ backend: 'apt' });
    const f = await run('package', { name: 'tree', state: 'present' }, { vars: { ansible_facts: { pkg_mgr: 'apt' } } });
    expect(f).to.include({ backend: 'apt', changed: true });
    expect((await run('package', { name: 'tree', state: 'present' })).changed).to.equal(false);
    expect((await run('package', { name: 'tree', state: 'present', update_cache: true, cache_valid_time: 3600 })).changed, 'apt arguments pass through').to.equal(false);
    const wrong = await run('package', { name: 'tree', state: 'present', enablerepo: 'x' });
    expect(wrong.failed).to.equal(true);
    expect(wrong.msg).to.match(/^package \(apt\): Unsupported parameters for \(apt\) module: enablerepo\./);
    const other = await run('package', { name: 'x', state: 'present' }, { vars: { ansible_facts: { pkg_mgr: 'zypper' } } });
    expect(other).to.include({ failed: true, msg: "package: the package manager 'zypper' is not supported by tsplay (supported: apt, dnf, yum)" });
  });

  it('apt_repository: adds a line to sources.list.d, idempotent, check mode and absent', async () => {
    const repo = 'deb [trusted=yes] file:/srv/tsplay/apt ./';
    const args = { repo, filename: 'tsp-extra', update_cache: false };
    expect((await run('apt_repository', args)).changed, 'the lab source already has this line').to.equal(false);
    const line = 'deb [trusted=yes] file:/srv/tsplay/apt/ ./';
    const c = await run('apt_repository', { repo: line, filename: 'tsp-extra' }, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0]).to.include({ before: '', after: `${line}\n`, afterHeader: '/etc/apt/sources.list.d/tsp-extra.list' });
    expect(await remote('ls /etc/apt/sources.list.d/')).to.not.include('tsp-extra');
    const r = await run('apt_repository', { repo: line, filename: 'tsp-extra' });
    expect(r).to.include({ changed: true, cache_updated: true });
    expect(await remote('cat /etc/apt/sources.list.d/tsp-extra.list; stat -c %a /etc/apt/sources.list.d/tsp-extra.list')).to.equal(`${line}\n644\n`);
    expect((await run('apt_repository', { repo: `deb  [trusted=yes]  file:/srv/tsplay/apt/  ./`, filename: 'tsp-extra' })).changed).to.equal(false);
    expect((await run('apt_repository', { repo: line, state: 'absent', update_cache: false })).changed).to.equal(true);
    expect(await remote('ls /etc/apt/sources.list.d/')).to.not.include('tsp-extra');
    expect((await run('apt_repository', { repo: line, state: 'absent', update_cache: false })).changed).to.equal(false);
    expect((await run('apt_repository', { repo: 'ppa:foo/bar' })).msg).to.match(/^PPA repositories \(ppa:\.\.\.\) are Ubuntu-only/);
  });

  it('deb822_repository: writes a .sources file apt accepts, idempotent, absent removes it', async () => {
    const args = { name: 'tsp lab 822', uris: 'file:/srv/tsplay/apt', suites: './', trusted: true };
    const c = await run('deb822_repository', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0].after).to.equal('X-Repolib-Name: tsp lab 822\nTypes: deb\nURIs: file:/srv/tsplay/apt\nSuites: ./\nTrusted: yes\n');
    expect((await run('deb822_repository', args)).changed).to.equal(true);
    expect((await run('deb822_repository', args)).changed).to.equal(false);
    expect(await remote('apt-get update 2>&1 | grep -c srv/tsplay/apt')).to.match(/^[1-9]/);
    expect((await run('deb822_repository', { name: 'tsp lab 822', state: 'absent' })).changed).to.equal(true);
    expect(await remote('ls /etc/apt/sources.list.d/')).to.not.include('tsp-lab-822');
  });

  it('dnf (on Debian, local RPM repo): check mode, install a pinned 1.0, ok, then latest upgrades to 1.1', async () => {
    const c = await run('dnf', { name: 'tsplay-hello-1.0' }, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0]).to.include({ before: 'tsplay-hello (absent)\n', after: 'tsplay-hello 1.0-1\n' });
    expect(await rpmq('tsplay-hello')).to.equal('package tsplay-hello is not installed\n');
    expect((await run('dnf', { name: 'tsplay-hello-1.0' })).changed).to.equal(true);
    expect(await remote('tsplay-hello')).to.equal('hello 1.0\n');
    expect((await run('dnf', { name: 'tsplay-hello-1.0' })).changed).to.equal(false);
    expect((await run('dnf', { name: 'tsplay-hello', state: 'present' })).changed, 'present: any version will do').to.equal(false);
    const l = await run('yum', { name: 'tsplay-hello', state: 'latest' }, { diff: true });
    expect(l.changed).to.equal(true);
    expect(l.diff?.[0]).to.include({ before: 'tsplay-hello 1.0-1\n', after: 'tsplay-hello 1.1-1\n' });
    expect(await remote('tsplay-hello')).to.equal('hello 1.1\n');
    expect((await run('yum', { name: 'tsplay-hello', state: 'latest' })).changed).to.equal(false);
  });

  it('dnf: a dependency comes along; absent removes; a missing package fails clearly', async () => {
    expect((await run('dnf', { name: 'tsplay-world', disable_gpg_check: true, enablerepo: 'tsplay-lab' })).changed).to.equal(true);
    expect(await remote('tsplay-world')).to.match(/world/);
    const rm = await run('dnf', { name: ['tsplay-world', 'tsplay-hello'], state: 'absent' }, { diff: true });
    expect(rm.changed).to.equal(true);
    expect(rm.diff?.[0].after).to.equal('tsplay-hello (absent)\ntsplay-world (absent)\n');
    expect(await rpmq('tsplay-hello tsplay-world')).to.equal('package tsplay-hello is not installed\npackage tsplay-world is not installed\n');
    expect((await run('dnf', { name: ['tsplay-world', 'tsplay-hello'], state: 'removed' })).changed).to.equal(false);
    const miss = await run('dnf', { name: ['tsplay-hello', 'tsplay-nope'] });
    expect(miss).to.include({ failed: true, msg: "No package matching 'tsplay-nope' is available" });
    expect(await rpmq('tsplay-hello'), 'nothing installed when one package is missing').to.equal('package tsplay-hello is not installed\n');
    const off = await run('dnf', { name: 'tsplay-hello', disablerepo: 'tsplay-lab' });
    expect(off).to.include({ failed: true, msg: "No package matching 'tsplay-hello' is available" });
  });

  it('dnf: a glob installs each match; name * with state latest only upgrades installed packages', async () => {
    expect((await run('dnf', { name: 'tsplay-hello-1.0' })).changed).to.equal(true);
    const up = await run('dnf', { name: '*', state: 'latest' }, { diff: true });
    expect(up.changed).to.equal(true);
    expect(up.diff?.[0]).to.include({ before: 'tsplay-hello 1.0-1\n', after: 'tsplay-hello 1.1-1\n' });
    expect(await rpmq('tsplay-hello tsplay-world')).to.equal('tsplay-hello-1.1-1.noarch\npackage tsplay-world is not installed\n');
    expect((await run('dnf', { name: '*', state: 'latest' })).changed).to.equal(false);
    const g = await run('dnf', { name: 'tsplay-*' });
    expect(g).to.deep.include({ changed: true, installed: ['tsplay-world'] });
    expect((await run('dnf', { name: 'tsplay-*' })).changed).to.equal(false);
    expect((await run('dnf', { name: 'tsplay-*', state: 'absent' })).changed).to.equal(true);
    expect(await rpmq('tsplay-hello tsplay-world')).to.equal('package tsplay-hello is not installed\npackage tsplay-world is not installed\n');
  });

  it('a host with yum and no dnf: the same module runs yum (a yum wrapper over dnf on a PATH without dnf)', async () => {
    await remote(`mkdir -p /opt/yumonly && for f in /usr/bin/*; do case "\${f##*/}" in dnf|dnf-3) ;; *) ln -sf "$f" /opt/yumonly/ ;; esac; done && printf '#!/bin/sh\\necho "$*" >> /tmp/yum.log\\nexec /usr/bin/dnf "$@"\\n' > /opt/yumonly/yum && chmod +x /opt/yumonly/yum && rm -f /tmp/yum.log`);
    const env = { PATH: '/opt/yumonly:/usr/sbin:/sbin' };
    expect(await remote('PATH=/opt/yumonly:/usr/sbin:/sbin; command -v dnf || echo none')).to.equal('none\n');
    const r = await run('yum', { name: 'tsplay-hello' }, { env });
    expect(r.changed).to.equal(true);
    expect((await run('yum', { name: 'tsplay-hello' }, { env })).changed).to.equal(false);
    expect((await run('yum', { name: 'tsplay-hello', state: 'absent' }, { env })).changed).to.equal(true);
    const log = await remote('cat /tmp/yum.log');
    expect(log).to.match(/list --showduplicates available tsplay-hello/);
    expect(log).to.match(/-y .*install tsplay-hello/);
    expect(log).to.match(/remove tsplay-hello-1\.1-1\.noarch/);
  });

  it('yum_repository: writes an INI section, idempotent, diff, dnf sees it; absent deletes the file', async () => {
    const args = { name: 'tsp-extra', description: 'tsplay extra', baseurl: 'file:///srv/tsplay/rpm', gpgcheck: false, enabled: false };
    const c = await run('yum_repository', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0]).to.include({ before: '', after: '[tsp-extra]\nbaseurl = file:///srv/tsplay/rpm\nenabled = 0\ngpgcheck = 0\nname = tsplay extra\n\n' });
    expect(await remote('ls /etc/yum.repos.d')).to.equal('tsplay-lab.repo\n');
    expect((await run('yum_repository', args)).changed).to.equal(true);
    expect(await remote('cat /etc/yum.repos.d/tsp-extra.repo')).to.equal('[tsp-extra]\nbaseurl = file:///srv/tsplay/rpm\nenabled = 0\ngpgcheck = 0\nname = tsplay extra\n\n');
    expect((await run('yum_repository', args)).changed).to.equal(false);
    expect(await remote('dnf -q repolist --all')).to.match(/tsp-extra\s+tsplay extra\s+disabled/);
    const on = await run('yum_repository', { ...args, enabled: true }, { diff: true });
    expect(on.changed).to.equal(true);
    expect(on.diff?.[0].before).to.include('enabled = 0');
    expect(on.diff?.[0].after).to.include('enabled = 1');
    expect((await run('yum_repository', { name: 'tsp-extra', state: 'absent' })).changed).to.equal(true);
    expect(await remote('ls /etc/yum.repos.d')).to.equal('tsplay-lab.repo\n');
    expect((await run('yum_repository', { name: 'tsp-extra', state: 'absent' })).changed).to.equal(false);
    expect((await run('yum_repository', { name: 'x', description: 'x' })).msg).to.equal("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
  });
});
