import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseStatOutput, statScript } from '../../../engine/modules/remotefile.ts';
import { quote, shlexSplit } from '../../../engine/modules/quote.ts';
import { fixSysctlLines, normalizeSysctlValue, procPath, sysctlFileValue, sysctlValuesEqual } from '../../../engine/modules/text/sysctlconf.ts';
import { disableSwapLines, setFstabEntry, unsetFstabEntry } from '../../../engine/modules/text/fstab.ts';
import { pamLimits } from '../../../engine/modules/text/pamlimits.ts';
import { ageMatches, fnmatchRe, parseFindRow, passes, sizeMatches } from '../../../engine/modules/findfilter.ts';
import { parseScriptResult } from '../../../engine/modules/scriptmodule.ts';
import { parseUnitRead } from '../../../engine/modules/systemctl.ts';
import { planAttrs } from '../../../engine/modules/attrs.ts';
import { activeSwaps } from '../../../modules/swap.ts';

describe('modules/quote', () => {
  it('quotes for /bin/sh so that sh gives back the same word', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        if (s.includes('\0')) return true;
        const out = execFileSync('/bin/sh', ['-c', `printf %s ${quote(s)}`]).toString();
        return out === s;
      }),
      { numRuns: 60 },
    );
  });
  it('shlexSplit splits like Python shlex', () => {
    expect(shlexSplit(`echo "a b" 'c d' e\\ f $HOME`)).to.deep.equal(['echo', 'a b', 'c d', 'e f', '$HOME']);
    expect(() => shlexSplit('echo "open')).to.throw(/No closing quotation/);
  });
});

describe('modules/remotefile statScript + parseStatOutput (run by the local /bin/sh)', () => {
  it('describes files, dirs, links and missing paths in one script', () => {
    const d = mkdtempSync(join(tmpdir(), 'tsp-stat-'));
    try {
      writeFileSync(join(d, 'f'), 'hello\n', { mode: 0o640 });
      mkdirSync(join(d, 'dir'));
      symlinkSync('f', join(d, 'l'));
      const paths = [join(d, 'f'), join(d, 'dir'), join(d, 'l'), join(d, 'missing'), join(d, "we'ird name")];
      writeFileSync(paths[4], '');
      const out = execFileSync('/bin/sh', ['-c', statScript(paths, { content: 'always' })]).toString();
      const [f, dir, l, miss, weird] = parseStatOutput(out, paths);
      expect(f).to.include({ exists: true, type: 'file', mode: 0o640, size: 6, sha1: 'f572d396fae9206628714fb2ce00f72e94f2258f' });
      expect(f.content?.toString()).to.equal('hello\n');
      expect(dir).to.include({ exists: true, type: 'directory' });
      expect(l).to.include({ exists: true, type: 'link', linkTarget: 'f' });
      expect(l.sha1).to.equal(undefined);
      expect(miss).to.deep.equal({ path: paths[3], exists: false });
      expect(weird).to.include({ exists: true, type: 'file', size: 0 });
      const followed = parseStatOutput(execFileSync('/bin/sh', ['-c', statScript([paths[2]], { follow: true, content: 3 })]).toString(), [paths[2]])[0];
      expect(followed).to.include({ type: 'file', sha1: 'f572d396fae9206628714fb2ce00f72e94f2258f' });
      expect(followed.content, 'larger than the limit: no content').to.equal(undefined);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('modules/attrs planAttrs', () => {
  const cur = { path: '/x', exists: true, type: 'file' as const, mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0 };
  it('nothing to do when attributes match (names or ids)', () => {
    expect(planAttrs('/x', cur, { mode: '0644', owner: 'root', group: '0' }, false).changed).to.equal(false);
  });
  it('one chown before chmod, with before/after values', () => {
    const p = planAttrs('/x', cur, { mode: 'g+w', owner: 'app', group: 'app' }, false);
    expect(p.command).to.equal('chown -h app:app -- /x && chmod 0664 -- /x');
    expect(p.before).to.deep.equal({ mode: '0644', owner: 'root', group: 'root' });
    expect(p.after).to.deep.equal({ mode: '0664', owner: 'app', group: 'app' });
  });
});

describe('modules/text sysctl, fstab, pam_limits', () => {
  it('sysctl values and lines like ansible.posix.sysctl', () => {
    expect(normalizeSysctlValue('yes')).to.equal('1');
    expect(sysctlValuesEqual('4096 87380', '4096\t87380 ')).to.equal(true);
    expect(sysctlFileValue('# c\na = 1\na=2\n', 'a')).to.equal('2');
    expect(fixSysctlLines('# keep\nb = 2\na = 1\na=3\n', 'a', '5', 'present')).to.equal('# keep\nb=2\na=5\n');
    expect(fixSysctlLines('b=2\n', 'a', '5', 'present')).to.equal('b=2\na=5\n');
    expect(fixSysctlLines('a=1\nb=2\n', 'a', undefined, 'absent')).to.equal('b=2\n');
    expect(procPath('net.ipv4.ip_forward')).to.equal('/proc/sys/net/ipv4/ip_forward');
    expect(procPath('net.ipv4.conf.eth0/1.rp_filter')).to.equal('/proc/sys/net/ipv4/conf/eth0.1/rp_filter');
  });
  it('fstab set/unset and swap lines', () => {
    const t = 'UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n';
    expect(setFstabEntry(t, { src: 'tmpfs', name: '/mnt/x', fstype: 'tmpfs', opts: 'size=8m', dump: '0', passno: '0' }).text).to.equal(t + 'tmpfs /mnt/x tmpfs size=8m 0 0\n');
    expect(setFstabEntry(t, { src: 'UUID=1', name: '/', fstype: 'ext4', opts: 'defaults', dump: '0', passno: '1' }).changed).to.equal(false);
    expect(unsetFstabEntry(t, 'none', '/swap.img').text).to.equal('UUID=1 / ext4 defaults 0 1\n');
    expect(unsetFstabEntry(t, 'none', '/other.img').changed).to.equal(false);
    expect(disableSwapLines(t, 'comment').text).to.equal('UUID=1 / ext4 defaults 0 1\n# /swap.img none swap sw 0 0\n');
    expect(disableSwapLines(disableSwapLines(t, 'comment').text, 'comment').changed).to.equal(false);
    expect(activeSwaps('Filename Type Size Used Priority\n/swap.img file 1 0 -2\n')).to.deep.equal(['/swap.img']);
  });
  it('pam_limits replaces the matching line or appends', () => {
    const t = '# End of file\n';
    const a = pamLimits(t, { domain: '*', limit_type: 'soft', limit_item: 'nofile', value: '1024' });
    expect(a.text).to.equal('# End of file\n*\tsoft\tnofile\t1024\n');
    expect(pamLimits(a.text, { domain: '*', limit_type: 'soft', limit_item: 'nofile', value: '1024' }).changed).to.equal(false);
    expect(pamLimits(a.text, { domain: '*', limit_type: 'soft', limit_item: 'nofile', value: '512', use_max: true }).changed).to.equal(false);
    expect(pamLimits(a.text, { domain: '*', limit_type: 'soft', limit_item: 'nofile', value: 'unlimited', use_max: true }).text).to.include('unlimited');
  });
});

describe('modules/find filters', () => {
  const row = (p: string, t = 'f', size = 10, mtime = 1000) => parseFindRow(`${p}\t${t}\t644\troot\troot\t0\t0\t${size}\t${mtime}\t${mtime}\t${mtime}\t1\t1`)!;
  const base = { patterns: [], excludes: [], use_regex: false, hidden: false, file_type: 'file', age_stamp: 'mtime' as const };
  it('fnmatch, hidden, type, excludes', () => {
    expect(fnmatchRe('*.log').test('a.log')).to.equal(true);
    expect(fnmatchRe('a?[!x].txt').test('abc.txt')).to.equal(true);
    expect(passes(row('/d/.hidden'), base, 2000)).to.equal(false);
    expect(passes(row('/d/x', 'd'), base, 2000)).to.equal(false);
    expect(passes(row('/d/a.log'), { ...base, patterns: ['*.log'], excludes: ['a*'] }, 2000)).to.equal(false);
    expect(passes(row('/d/a.log'), { ...base, patterns: ['^a\\.'], use_regex: true }, 2000)).to.equal(true);
  });
  it('age and size like Ansible', () => {
    expect(ageMatches('1d', 0, 86400)).to.equal(true);
    expect(ageMatches('-1d', 0, 86401)).to.equal(false);
    expect(sizeMatches('1k', 1024)).to.equal(true);
    expect(sizeMatches('-1k', 2048)).to.equal(false);
    expect(() => ageMatches('soon', 0, 0)).to.throw(/failed to process age/);
  });
});

describe('modules/scriptmodule + systemctl parsers', () => {
  it('parses a script module JSON result', () => {
    expect(parseScriptResult('m', 0, '{"changed": true, "x": 1}', '')).to.deep.equal({ changed: true, x: 1 });
    expect(parseScriptResult('m', 1, '{"msg": "boom"}', '')).to.include({ failed: true, msg: 'boom' });
    const junk = parseScriptResult('m', 2, 'not json', 'Traceback: oops');
    expect(junk.failed).to.equal(true);
    expect(junk.msg).to.match(/did not print a JSON result \(rc=2\): Traceback: oops/);
  });
  it('parses systemctl show + is-enabled', () => {
    const r = parseUnitRead('Id=ssh.service\nActiveState=active\nUnitFileState=enabled\n__ENABLED__=enabled rc0\n');
    expect(r.status).to.deep.equal({ Id: 'ssh.service', ActiveState: 'active', UnitFileState: 'enabled' });
    expect(r).to.include({ enabledWord: 'enabled', enabledRc: 0 });
    expect(parseUnitRead('__ENABLED__= rc1\n')).to.include({ enabledWord: '', enabledRc: 1 });
  });
});
