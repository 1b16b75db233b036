import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlaybookArgs, parseAdhocArgs, parseExtraVars, DEFAULT_FORKS } from '../../../engine/commands/options.ts';
import { OptionsError, TsplayError } from '../../../engine/types.ts';

describe('CLI options (ansible-playbook flags)', () => {
  it('parses playbooks, repeatable -i, limit, tags, check/diff, forks', () => {
    const o = parsePlaybookArgs(['site.yml', '-i', 'a.ini', '-i', 'h1,h2,', '-l', 'web', '-t', 'a,b', '--tags', 'c', '--skip-tags=d', '-CD', '-f10', 'other.yml']);
    expect(o.playbooks).to.deep.equal(['site.yml', 'other.yml']);
    expect(o.inventory).to.deep.equal(['a.ini', 'h1,h2,']);
    expect(o.limit).to.deep.equal(['web']);
    expect(o.tags).to.deep.equal(['a', 'b', 'c']);
    expect(o.skipTags).to.deep.equal(['d']);
    expect(o.check && o.diff).to.equal(true);
    expect(o.forks).to.equal(10);
  });
  it('defaults', () => {
    const o = parsePlaybookArgs(['site.yml']);
    expect(o.forks).to.equal(DEFAULT_FORKS);
    expect(o.verbosity).to.equal(0);
    expect(o.become).to.equal(false);
    expect(o.retryFile).to.equal(undefined);
  });
  it('grouped short flags and verbosity', () => {
    const o = parsePlaybookArgs(['-bK', '-vvv', 'p.yml', '-v', '-u', 'deploy', '--become-user', 'pg', '--become-method=su']);
    expect(o.become && o.askBecomePass).to.equal(true);
    expect(o.verbosity).to.equal(4);
    expect(o.user).to.equal('deploy');
    expect(o.becomeUser).to.equal('pg');
    expect(o.becomeMethod).to.equal('su');
  });
  it('extra vars: k=v strings, JSON, YAML, @file; later wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-opt-'));
    writeFileSync(join(dir, 'ev.yml'), 'a: 1\nb: [x]\n');
    const o = parsePlaybookArgs(['p.yml', '-e', 'a=str b="two words"', '-e', '{"c": true}', '-e', `@${join(dir, 'ev.yml')}`]);
    expect(o.extraVars).to.deep.equal({ a: 1, b: ['x'], c: true });
    expect(parseExtraVars('x=1 y=2')).to.deep.equal({ x: '1', y: '2' });
    expect(parseExtraVars("{a: 2}")).to.deep.equal({ a: 2 });
  });
  it('the listing / control flags', () => {
    const o = parsePlaybookArgs(['p.yml', '--list-hosts', '--list-tasks', '--list-tags', '--syntax-check', '--start-at-task', 'x', '--step', '--force-handlers', '--flush-cache', '--json', '--roles-path', '/r1:/r2', '-T', '5', '--vault-password-file', 'vp', '--retry-file']);
    expect([o.listHosts, o.listTasks, o.listTags, o.syntaxCheck, o.step, o.forceHandlers, o.flushCache, o.json]).to.deep.equal([true, true, true, true, true, true, true, true]);
    expect(o.startAtTask).to.equal('x');
    expect(o.rolesPath).to.deep.equal(['/r1', '/r2']);
    expect(o.timeout).to.equal(5);
    expect(o.vaultPasswordFiles).to.deep.equal(['vp']);
    expect(o.retryFile).to.equal('');
    expect(parsePlaybookArgs(['p.yml', '--retry-file', 'x.retry']).retryFile).to.equal('x.retry');
  });
  it('bad options are OptionsError (exit 5), one line', () => {
    for (const argv of [['p.yml', '--bogus'], ['p.yml', '-f', 'x'], ['p.yml', '-f', '0'], [], ['p.yml', '-i'], ['p.yml', '-e', '{bad'], ['p.yml', '--become-method', 'doas']]) {
      let e: unknown;
      try {
        parsePlaybookArgs(argv);
      } catch (x) {
        e = x;
      }
      expect(e, argv.join(' ')).to.be.instanceOf(OptionsError);
      expect((e as OptionsError).exitCode).to.equal(5);
      expect((e as OptionsError).message).to.not.include('\n');
    }
  });
  it('an unreadable -e @file exits 1, as ansible-core ("Could not find or access")', () => {
    let e: unknown;
    try {
      parsePlaybookArgs(['p.yml', '-e', '@/nonexistent/file']);
    } catch (x) {
      e = x;
    }
    expect(e).to.be.instanceOf(TsplayError);
    expect(e).to.not.be.instanceOf(OptionsError);
    expect((e as TsplayError).exitCode).to.equal(1);
    expect((e as TsplayError).message).to.equal('-e @/nonexistent/file: could not find or access /nonexistent/file on the controller (ENOENT)');
  });
  it('long option prefixes like argparse', () => {
    expect(parsePlaybookArgs(['p.yml', '--che']).check).to.equal(true);
  });
  it('ad-hoc: pattern, module, args', () => {
    const o = parseAdhocArgs(['web', '-i', 'inv', '-m', 'ansible.builtin.shell', '-a', 'echo hi', '-b']);
    expect(o.pattern).to.equal('web');
    expect(o.module).to.equal('shell');
    expect(o.args).to.equal('echo hi');
    expect(o.become).to.equal(true);
    expect(parseAdhocArgs(['all']).module).to.equal('command');
    expect(() => parseAdhocArgs([])).to.throw(OptionsError);
    expect(() => parseAdhocArgs(['a', 'b'])).to.throw(OptionsError);
  });
});
