/** apt, apt_repository, deb822_repository, package: the pure parts (dpkg/apt-cache parsers, sources editing, args). */
import { expect } from 'chai';
import fc from 'fast-check';
import { aptReadScript, isInstalled, parseAptPolicy, parseAptRead, parseAptSimulation, parseAptSpec, parseDpkgQuery, upgradeCommand, versionMatches } from '../../../engine/modules/pkg/dpkg.ts';
import { missingMsg, normNames, normState, pkgDiff, pkgSteps } from '../../../engine/modules/pkg/common.ts';
import { deb822Filename, editSources, parseSourceLine, renderDeb822, suggestFilename } from '../../../engine/modules/pkg/sources.ts';
import { validateArgs } from '../../../engine/modules/args.ts';
import { getModule } from '../../../engine/modules/registry.ts';

const POLICY = `hello:
  Installed: (none)
  Candidate: 2.10-3
  Version table:
     2.10-3 500
        500 file:/srv/tsplay/apt ./ Packages
tree:
  Installed: 2.0.0-1
  Candidate: 2.1.0-1
  Version table:
     2.1.0-1 500
        500 file:/srv/tsplay/apt ./ Packages
 *** 2.0.0-1 100
        100 /var/lib/dpkg/status
`;

describe('pkg/common: names, states, messages', () => {
  it('names: list or comma string, trimmed, de-duplicated', () => {
    expect(normNames('hello, tree,,hello')).to.deep.equal(['hello', 'tree']);
    expect(normNames(['a', ' b ', 'a,c'])).to.deep.equal(['a', 'b', 'c']);
    expect(normNames(undefined)).to.deep.equal([]);
  });
  it('states: installed=present, removed=absent, latest', () => {
    expect([undefined, 'present', 'installed', 'latest', 'absent', 'removed'].map(normState)).to.deep.equal(['present', 'present', 'present', 'latest', 'absent', 'absent']);
  });
  it('missing packages message names every package', () => {
    expect(missingMsg(['foo'])).to.equal("No package matching 'foo' is available");
    expect(missingMsg(['foo', 'bar'])).to.equal("No package matching 'foo', 'bar' is available");
  });
  it('package diff lists versions before and after, sorted', () => {
    expect(pkgDiff({ b: '1', a: undefined }, { b: '2', a: '1.0' })).to.include({ before: 'a (absent)\nb 1\n', after: 'a 1.0\nb 2\n' });
    expect(pkgSteps({ install: ['a'], upgrade: [], remove: ['b', 'c'] })).to.deep.equal(['install a', 'remove b, c']);
  });
});

describe('pkg/dpkg: apt specs and parsers', () => {
  it('name=version specs and version matching (exact or trailing *)', () => {
    expect(parseAptSpec('nginx')).to.deep.equal({ spec: 'nginx', name: 'nginx' });
    expect(parseAptSpec('etcd-server=3.4.23*')).to.deep.equal({ spec: 'etcd-server=3.4.23*', name: 'etcd-server', version: '3.4.23*' });
    expect(versionMatches('3.4.23*', '3.4.23-4+b1')).to.equal(true);
    expect(versionMatches('3.4.23', '3.4.23-4')).to.equal(false);
    expect(versionMatches(undefined, '1')).to.equal(true);
    expect(versionMatches(undefined, undefined)).to.equal(false);
  });
  it('dpkg-query -W lines: status abbrev, version, arch; only ii/hi count as installed', () => {
    const m = parseDpkgQuery('coreutils\tii \t9.1-1\tamd64\nhello\trc \t2.10-3\tamd64\n');
    expect(m.get('coreutils')).to.deep.equal({ name: 'coreutils', status: 'ii', version: '9.1-1', arch: 'amd64' });
    expect(isInstalled(m.get('coreutils'))).to.equal(true);
    expect(isInstalled(m.get('hello'))).to.equal(false);
    expect(isInstalled(m.get('nope'))).to.equal(false);
  });
  it('apt-cache policy: installed, candidate and the version table (with ***)', () => {
    const p = parseAptPolicy(POLICY);
    expect(p.get('hello')).to.deep.equal({ installed: undefined, candidate: '2.10-3', versions: ['2.10-3'] });
    expect(p.get('tree')).to.deep.equal({ installed: '2.0.0-1', candidate: '2.1.0-1', versions: ['2.1.0-1', '2.0.0-1'] });
    expect(p.has('nope')).to.equal(false);
  });
  it('the read script output splits into its sections (cache age, .deb fields)', () => {
    const M = '==TSPLAY-APT==\n';
    const out = `${M}tree\tii \t2.0.0-1\tamd64\n${M}${POLICY}${M}1000\n1600\n${M}mypkg\t1.0\tall\tii |0.9\n-\n${M}apt-get\n`;
    const r = parseAptRead(out);
    expect(r.cacheAge).to.equal(600);
    expect(r.cacheTime).to.equal(1000);
    expect(r.hasApt).to.equal(true);
    expect(r.debs).to.deep.equal([{ name: 'mypkg', version: '1.0', arch: 'all', installed: '0.9' }, undefined]);
    expect(r.installed.get('tree')?.version).to.equal('2.0.0-1');
    expect(aptReadScript(['a b'], [])).to.include("'a b'");
  });
});

describe('pkg/dpkg: upgrade simulation', () => {
  it('parses apt-get -s: upgraded (old version), newly installed, removed; maps the upgrade values', () => {
    const out = 'Reading package lists...\nInst tree [2.0.0-1] (2.1.0-1 Debian:12/stable [amd64])\nInst libnew (1.0-1 Debian:12/stable [amd64])\nConf tree (2.1.0-1 Debian:12/stable [amd64])\nRemv oldlib [0.9-2]\n';
    expect(parseAptSimulation(out)).to.deep.equal({ inst: [{ name: 'tree', from: '2.0.0-1', to: '2.1.0-1' }, { name: 'libnew', to: '1.0-1' }], remv: [{ name: 'oldlib', from: '0.9-2' }] });
    expect(parseAptSimulation('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n')).to.deep.equal({ inst: [], remv: [] });
    expect(['yes', 'safe', 'full', 'dist', 'no'].map(upgradeCommand)).to.deep.equal(['upgrade --with-new-pkgs', 'upgrade --with-new-pkgs', 'dist-upgrade', 'dist-upgrade', undefined]);
  });
});

describe('pkg/sources: one-line sources and deb822', () => {
  it('parses lines like Ansible: disabled, comments, whitespace folded, invalid lines', () => {
    expect(parseSourceLine('deb   http://x/debian  bookworm main # mine')).to.deep.equal({ valid: true, enabled: true, source: 'deb http://x/debian bookworm main', comment: 'mine' });
    expect(parseSourceLine('# deb-src http://x/debian bookworm main')).to.include({ valid: true, enabled: false, source: 'deb-src http://x/debian bookworm main' });
    expect(parseSourceLine('# just a comment').valid).to.equal(false);
  });
  it("default file names are Ansible's (host and path of the URI, options dropped)", () => {
    expect(suggestFilename('deb http://dl.google.com/linux/chrome/deb/ stable main')).to.equal('dl_google_com_linux_chrome_deb.list');
    expect(suggestFilename('deb [signed-by=/k.gpg arch=amd64] https://pkgs.k8s.io/core:/stable:/v1.30/deb/ /')).to.equal('pkgs_k8s_io_core_stable_v1_30_deb.list');
    expect(suggestFilename('deb http://u:p@h.example/x y', undefined)).to.equal('h_example_x.list');
    expect(suggestFilename('deb http://x/ y', 'kubernetes')).to.equal('kubernetes.list');
  });
  it('present: kept when any file has it, a disabled copy is enabled, else appended to the target', () => {
    const cur = new Map([
      ['/etc/apt/sources.list', 'deb http://a/debian bookworm main\n# deb http://b/debian bookworm main\n'],
      ['/etc/apt/sources.list.d/c.list', 'deb http://c/ ./\n'],
    ]);
    expect(editSources(cur, 'deb  http://a/debian bookworm main', 'present', '/t.list').files.size).to.equal(0);
    expect(editSources(cur, 'deb http://b/debian bookworm main', 'present', '/t.list').files.get('/etc/apt/sources.list')).to.equal('deb http://a/debian bookworm main\ndeb http://b/debian bookworm main\n');
    expect([...editSources(cur, 'deb http://n/ x', 'present', '/etc/apt/sources.list.d/c.list').files]).to.deep.equal([['/etc/apt/sources.list.d/c.list', 'deb http://c/ ./\ndeb http://n/ x\n']]);
  });
  it('absent: enabled copies removed, a file left empty is removed (empty content)', () => {
    const cur = new Map([
      ['/etc/apt/sources.list', 'deb http://a/debian bookworm main\n# deb http://b/ x\n'],
      ['/etc/apt/sources.list.d/c.list', 'deb http://c/ ./\n'],
    ]);
    const e = editSources(cur, 'deb http://c/ ./', 'absent', '/x.list');
    expect([...e.files]).to.deep.equal([['/etc/apt/sources.list.d/c.list', '']]);
    expect(editSources(cur, 'deb http://b/ x', 'absent', '/x.list').files.size, 'disabled copies are left alone').to.equal(0);
  });
  it('editing is idempotent: applying the edit twice changes nothing the second time', () => {
    fc.assert(
      fc.property(fc.constantFrom('deb http://a/ x', 'deb http://b/ y main', 'deb-src http://a/ x'), fc.constantFrom<'present' | 'absent'>('present', 'absent'), (repo, state) => {
        const cur = new Map([['/etc/apt/sources.list', 'deb http://a/ x\n# deb http://b/ y main\n']]);
        const first = editSources(cur, repo, state, '/etc/apt/sources.list.d/t.list');
        const next = new Map(cur);
        for (const [k, v] of first.files) if (v === '') next.delete(k); else next.set(k, v);
        return editSources(next, repo, state, '/etc/apt/sources.list.d/t.list').files.size === 0;
      }),
    );
  });
  it('deb822: X-Repolib-Name first, lists space-joined, booleans yes/no, key blocks folded', () => {
    const text = renderDeb822('k8s', { types: ['deb'], uris: ['https://pkgs.k8s.io/core/deb/'], suites: ['/'], components: [], trusted: false, signed_by: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n-----END PGP PUBLIC KEY BLOCK-----\n' });
    expect(text).to.equal(
      'X-Repolib-Name: k8s\nTypes: deb\nURIs: https://pkgs.k8s.io/core/deb/\nSuites: /\nTrusted: no\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n -----END PGP PUBLIC KEY BLOCK-----\n',
    );
    expect(deb822Filename('Docker CE')).to.equal('docker-ce.sources');
  });
});

describe('apt/package argument schemas', () => {
  it('wrong input is one line naming the argument and the allowed values', async () => {
    const apt = (await getModule('apt'))!;
    expect(() => validateArgs(apt, { name: 'x', state: 'bogus' })).to.throw(/state must be one of: present, installed, latest, absent, removed, got: bogus/);
    expect(validateArgs(apt, { pkg: 'a,b', 'update-cache': 'yes' })).to.include({ update_cache: true }).and.to.have.deep.property('name', ['a', 'b']);
    expect(() => validateArgs(apt, { state: 'present' })).to.throw(/one of the following is required: autoremove, deb, name, update_cache, upgrade/);
    const pkg = (await getModule('ansible.builtin.package'))!;
    expect(() => validateArgs(pkg, { name: 'x' })).to.throw(/state/);
  });
});
