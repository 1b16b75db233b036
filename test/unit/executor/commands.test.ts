import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adhocArgs, adhocLine } from '../../../engine/commands/adhoc.ts';
import { limitPattern } from '../../../engine/commands/playbook.ts';
import { ExitCode, OptionsError, TsplayError } from '../../../engine/types.ts';

describe('commands: ad-hoc args and output, --limit @file', () => {
  it('-a: k=v for modules, free form (plus own options) for command/shell', () => {
    expect(adhocArgs('copy', 'dest=/tmp/x content="a b"')).to.deep.equal({ dest: '/tmp/x', content: 'a b' });
    expect(adhocArgs('shell', 'echo hi chdir=/tmp')).to.deep.equal({ _raw_params: 'echo hi', chdir: '/tmp' });
    expect(adhocArgs('command', 'ls -l')).to.deep.equal({ _raw_params: 'ls -l' });
    expect(adhocArgs('debug', '{"msg": "x"}')).to.deep.equal({ msg: 'x' });
    expect(adhocArgs('ping', '')).to.deep.equal({});
  });
  it('output lines like `ansible`', () => {
    expect(adhocLine('h1', 'command', { changed: true, rc: 0, stdout: 'out', stderr: '' }, 'changed')).to.equal('h1 | CHANGED | rc=0 >>\nout');
    expect(adhocLine('h1', 'shell', { changed: true, rc: 2, stdout: '', stderr: 'bad', failed: true }, 'failed')).to.equal('h1 | FAILED | rc=2 >>\nbad');
    expect(adhocLine('h2', 'copy', { changed: false }, 'ok')).to.equal('h2 | SUCCESS => {\n    "changed": false\n}');
    expect(adhocLine('h3', 'copy', { changed: false, unreachable: true, msg: 'x' }, 'unreachable')).to.match(/^h3 \| UNREACHABLE! => \{/);
  });
  it('--limit @file reads one host per line; the last -l wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-lim-'));
    writeFileSync(join(dir, 'site.retry'), 'h1\nh3\n\n# comment\n');
    expect(limitPattern([`@${join(dir, 'site.retry')}`])).to.equal('h1,h3');
    expect(limitPattern(['a', 'b'])).to.equal('b');
    expect(limitPattern([])).to.equal(undefined);
    // As ansible-core ("Unable to find limit file"): a general error, exit 1, not a bad option (5).
    let caught: unknown;
    try {
      limitPattern(['@/nonexistent/x']);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(TsplayError);
    expect(caught).to.not.be.instanceOf(OptionsError);
    expect((caught as TsplayError).exitCode).to.equal(ExitCode.ERROR);
    expect((caught as TsplayError).message).to.match(/Unable to find limit file \/nonexistent\/x/);
  });
});
