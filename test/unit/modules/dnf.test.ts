/** dnf/yum and yum_repository: the pure parts (rpmvercmp, spec matching, rpm/dnf output parsers, INI files). */
import { expect } from 'chai';
import fc from 'fast-check';
import { evrCompare, groupInstalled, nevra, parseRpmRead, parseYumList, rpmOptWords, rpmvercmp, specMatches, type Rpm } from '../../../engine/modules/pkg/rpm.ts';
import { dumpIni, parseIni, renderIni, setSection } from '../../../engine/modules/pkg/ini.ts';
import { repoEntries } from '../../../modules/yum_repository.ts';
import { getModule } from '../../../engine/modules/registry.ts';
import { validateArgs } from '../../../engine/modules/args.ts';

const hello: Rpm = { name: 'tsplay-hello', epoch: '0', version: '1.1', release: '1', arch: 'noarch' };

describe('pkg/rpm: versions and specs', () => {
  it("rpmvercmp agrees with rpm's documented cases", () => {
    const cases: [string, string, number][] = [
      ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0.1', '2.0', 1], ['2.0.1a', '2.0.1', 1], ['5.5p1', '5.5p10', -1],
      ['10xyz', '10.1xyz', -1], ['xyz10', 'xyz10.1', -1], ['1.0~rc1', '1.0', -1], ['1.0~rc1', '1.0~rc2', -1], ['1.0^', '1.0', 1],
      ['1.0^git1', '1.0', 1], ['1.0', '1.0^git1', -1], ['a', '1', -1], ['1.010', '1.9', 1], ['2_0', '2_0', 0], ['1.0a', '1.0b', -1],
    ];
    for (const [a, b, want] of cases) expect(rpmvercmp(a, b), `${a} vs ${b}`).to.equal(want);
  });
  it('rpmvercmp is antisymmetric', () => {
    const v = fc.stringMatching(/^[0-9a-z.~^]{0,8}$/);
    fc.assert(fc.property(v, v, (a, b) => rpmvercmp(a, b) === -rpmvercmp(b, a)));
  });
  it('evr compare: epoch first, then version, then release', () => {
    expect(evrCompare({ ...hello, epoch: '1', version: '0.1' }, hello)).to.equal(1);
    expect(evrCompare({ ...hello, release: '2' }, hello)).to.equal(1);
    expect(evrCompare(hello, { ...hello })).to.equal(0);
    expect(nevra({ ...hello, epoch: '2' })).to.equal('tsplay-hello-2:1.1-1.noarch');
  });
  it('dnf specs: name, name.arch, name-version[-release][.arch], epoch forms, globs', () => {
    for (const s of ['tsplay-hello', 'tsplay-hello.noarch', 'tsplay-hello-1.1', 'tsplay-hello-1.1-1', 'tsplay-hello-1.1-1.noarch', 'tsplay-hello-0:1.1-1.noarch', 'tsplay-*', 'tsplay-hello-1.*']) {
      expect(specMatches(s, hello), s).to.equal(true);
    }
    for (const s of ['tsplay', 'tsplay-hello-1.0', 'tsplay-hello.x86_64', 'tsplay-world', 'tsplay-hello-1.1-2']) expect(specMatches(s, hello), s).to.equal(false);
  });
});

describe('pkg/rpm: parsers', () => {
  it('dnf/yum list output, including a long name wrapped onto its own line', () => {
    const out = `Available Packages
tsplay-hello.noarch                       1.0-1                       tsplay-lab
tsplay-hello.noarch                       1:1.1-1                     tsplay-lab
a-very-long-package-name-that-wraps.x86_64
                                          2.3.4-5.el9                 @appstream
`;
    expect(parseYumList(out)).to.deep.equal([
      { name: 'tsplay-hello', arch: 'noarch', epoch: '0', version: '1.0', release: '1', repo: 'tsplay-lab' },
      { name: 'tsplay-hello', arch: 'noarch', epoch: '1', version: '1.1', release: '1', repo: 'tsplay-lab' },
      { name: 'a-very-long-package-name-that-wraps', arch: 'x86_64', epoch: '0', version: '2.3.4', release: '5.el9', repo: 'appstream' },
    ]);
  });
  it('the read script output: tool, rpm -qa rows, .rpm headers (- when unreadable), groups', () => {
    const M = '==TSPLAY-RPM==\n';
    const r = parseRpmRead(`dnf\n${M}tsplay-hello\t0\t1.0\t1\tnoarch\npackage foo is not installed\n${M}mypkg\t0\t2\t1\tx86_64\n-\n${M}Installed Groups:\n   Development Tools (development)\n`);
    expect(r.tool).to.equal('dnf');
    expect(r.installed).to.deep.equal([{ name: 'tsplay-hello', epoch: '0', version: '1.0', release: '1', arch: 'noarch' }]);
    expect(r.files).to.deep.equal([{ name: 'mypkg', epoch: '0', version: '2', release: '1', arch: 'x86_64' }, undefined]);
    expect(groupInstalled('development', r.groups)).to.equal(true);
    expect(groupInstalled('Development Tools', r.groups)).to.equal(true);
    expect(groupInstalled('Minimal', r.groups)).to.equal(false);
    expect(parseRpmRead('none\n' + M + M + M).tool).to.equal(undefined);
  });
  it('repo options become quoted dnf words', () => {
    expect(rpmOptWords({ enablerepo: ['a b'], disablerepo: ['*'], disable_gpg_check: true, installroot: '/' })).to.deep.equal(["'--disablerepo=*'", "'--enablerepo=a b'", '--nogpgcheck']);
  });
  it('yum is an alias of dnf; bad states are named', async () => {
    const yum = (await getModule('yum'))!;
    expect(yum.name).to.equal('dnf');
    expect(() => validateArgs(yum, { name: 'x', state: 'gone' })).to.throw(/value of state must be one of: present, installed, latest, absent, removed, got: gone/);
  });
});

describe('pkg/ini: .repo files', () => {
  const FILE = '# comment\n[base]\nname=Base\nbaseurl=http://a/\n  http://b/\nenabled = 1\n\n[extra]\nname = Extra\n';
  it('parses sections, continuation lines and both separators; renders like configparser', () => {
    const s = parseIni(FILE);
    expect(s).to.deep.equal([
      { name: 'base', entries: [['name', 'Base'], ['baseurl', 'http://a/\nhttp://b/'], ['enabled', '1']] },
      { name: 'extra', entries: [['name', 'Extra']] },
    ]);
    expect(renderIni(s)).to.equal('[base]\nname = Base\nbaseurl = http://a/\n\thttp://b/\nenabled = 1\n\n[extra]\nname = Extra\n\n');
    expect(parseIni(renderIni(s))).to.deep.equal(s);
  });
  it("dump is Ansible's sorted form; setSection replaces, adds, removes", () => {
    const s = parseIni(FILE);
    expect(dumpIni(setSection(s, 'extra', undefined))).to.equal('[base]\nbaseurl = http://a/\nhttp://b/\nenabled = 1\nname = Base\n\n');
    expect(setSection(s, 'new', [['a', '1']]).map((x) => x.name)).to.deep.equal(['base', 'extra', 'new']);
    expect(setSection(s, 'base', [['a', '1']])[0]).to.deep.equal({ name: 'base', entries: [['a', '1']] });
  });
  it('yum_repository entries: sorted keys, description as name, booleans 1/0, baseurl/gpgkey one per line', () => {
    expect(repoEntries({ description: 'Lab', baseurl: ['file:///a', 'file:///b'], gpgcheck: false, enabled: true, exclude: ['k*', 'x'], gpgkey: ['k1'] })).to.deep.equal([
      ['baseurl', 'file:///a\nfile:///b'], ['enabled', '1'], ['exclude', 'k* x'], ['gpgcheck', '0'], ['gpgkey', 'k1'], ['name', 'Lab'],
    ]);
  });
});
