import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { lineInFile } from '../../../engine/modules/text/lineinfile.ts';
import { blockInFile } from '../../../engine/modules/text/blockinfile.ts';
import { replaceIn } from '../../../engine/modules/text/replace.ts';
import { pyExpand, pyRegex, splitLinesKeep } from '../../../engine/modules/text/pyregex.ts';

/**
 * Expected outputs were produced by real ansible-core 2.14 (fixtures/regen-text-edits.py runs
 * every case through `ansible localhost -m MODULE`), so these tests compare with Ansible itself.
 */
type Case = [string, string, Record<string, any>, string, boolean, string];
const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/text-edits-ansible.json', import.meta.url), 'utf8'));

function run(mod: string, before: string, args: Record<string, any>) {
  if (mod === 'lineinfile') return lineInFile(before, { state: 'present', ...args } as never);
  if (mod === 'blockinfile') return blockInFile(before, { state: 'present', ...args } as never);
  return replaceIn(before, args as never);
}

describe('modules/text edits match ansible-core', () => {
  for (const [mod, before, args, after, changed, msg] of cases) {
    it(`${mod} ${JSON.stringify(args)} on ${JSON.stringify(before)}`, () => {
      const r = run(mod, before, args);
      expect(r.text).to.equal(after);
      expect(r.changed).to.equal(changed);
      if (changed) expect(r.msg).to.equal(msg);
    });
  }

  it('every transform is idempotent on these cases (second run: no change)', () => {
    for (const [mod, before, args] of cases) {
      if (mod === 'replace' || args.backrefs) continue; // replace/backrefs are not idempotent by nature
      if (args.regexp && !pyRegex(args.regexp).test(args.line)) continue; // a line its own regexp misses is not idempotent in Ansible either
      const once = run(mod, before, args).text;
      const twice = run(mod, once, args);
      expect(twice.changed, `${mod} ${JSON.stringify(args)}`).to.equal(false);
    }
  });
});

describe('modules/text helpers', () => {
  it('blockinfile creates a new file', () => {
    const r = blockInFile(undefined, { state: 'present', block: 'a' });
    expect(r).to.include({ changed: true, msg: 'File created', text: '# BEGIN ANSIBLE MANAGED BLOCK\na\n# END ANSIBLE MANAGED BLOCK\n' });
  });
  it('lineinfile absent counts removed lines', () => {
    expect(lineInFile('a\nb\na\n', { state: 'absent', line: 'a' })).to.include({ text: 'b\n', found: 2, msg: '2 line(s) removed' });
  });
  it('pyRegex converts Python named groups and inline flags', () => {
    expect(pyRegex('(?P<x>a)(?P=x)').test('aa')).to.equal(true);
    expect(pyRegex('(?i)^abc').test('ABC')).to.equal(true);
    expect(() => pyRegex('(')).to.throw(/invalid regular expression '\('/);
  });
  it('pyExpand handles \\1, \\g<1>, \\g<name> and escapes', () => {
    const m = /(?<k>\w+)=(\d+)/.exec('port=80')!;
    expect(pyExpand('\\2:\\g<1>:\\g<k>\\n', m)).to.equal('80:port:port\n');
  });
  it('splitLinesKeep keeps line endings and a last partial line', () => {
    expect(splitLinesKeep('a\nb')).to.deep.equal(['a\n', 'b']);
    expect(splitLinesKeep('')).to.deep.equal([]);
  });
});
