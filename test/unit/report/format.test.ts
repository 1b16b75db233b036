import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { banner, pyJson, cleanResult, censor, CENSORED_MSG, hostLabel, taskTitle, itemLabel, recapField, timingLine } from '../../../engine/report/format.ts';
import { statusText } from '../../../engine/report/progress.ts';

/** Python's json.dumps(v, sort_keys=True, ensure_ascii=False, indent=indent) for each value. */
function python(values: unknown[], indent?: number): string[] {
  const code = `import json,sys\nsys.stdout.write("\\0".join(json.dumps(v, sort_keys=True, ensure_ascii=False, indent=${indent ?? 'None'}) for v in json.load(sys.stdin)))`;
  return execFileSync('python3', ['-c', code], { input: JSON.stringify(values) }).toString('utf8').split('\0');
}

describe('report/format', () => {
  it('pyJson matches Python json.dumps(sort_keys=True) one-line and indent=4 (what Ansible prints)', () => {
    const values = [
      { changed: true, cmd: ['echo', 'hi'], rc: 0, stdout: 'hi', stderr: '', nested: { b: 1, a: [1, 2, { z: null, y: false }] } },
      { msg: 'tab\tquote" backslash\\ newline\n unicode é 漢 \u0001' },
      { empty: {}, list: [], n: -3, f: 2.5 },
      [],
      'str',
      null,
    ];
    expect(values.map((v) => pyJson(v))).to.deep.equal(python(values));
    expect(values.map((v) => pyJson(v, 4))).to.deep.equal(python(values, 4));
  });

  it('pyJson property: parses back to the same value (sorted keys)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(pyJson(v))).to.deep.equal(JSON.parse(JSON.stringify(v)));
        expect(JSON.parse(pyJson(v, 4))).to.deep.equal(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('banner: text + space + stars to columns+1, at least 3 stars', () => {
    expect(banner('PLAY [x]', 79)).to.equal('PLAY [x] ' + '*'.repeat(71));
    expect(banner('PLAY [x]', 79)).to.have.length(80);
    expect(banner('y'.repeat(100), 79)).to.equal('y'.repeat(100) + ' ***');
  });

  it('taskTitle: role prefix, handler prefix, action when unnamed', () => {
    expect(taskTitle({ uid: '1', name: 'install', action: 'apt', role: 'web' })).to.equal('TASK [web : install]');
    expect(taskTitle({ uid: '1', name: 'web : install', action: 'apt', role: 'web' })).to.equal('TASK [web : install]');
    expect(taskTitle({ uid: '1', name: 'restart', action: 'service', isHandler: true })).to.equal('RUNNING HANDLER [restart]');
    expect(taskTitle({ uid: '1', name: '', action: 'debug' })).to.equal('TASK [debug]');
  });

  it('hostLabel shows delegation only to another host', () => {
    expect(hostLabel('h1', 'h2')).to.equal('h1 -> h2');
    expect(hostLabel('h1', 'h1')).to.equal('h1');
    expect(hostLabel('h1')).to.equal('h1');
  });

  it('cleanResult drops status/internal keys, invocation and diff below -vvv, and keeps only msg for debug', () => {
    const r = { changed: true, failed: true, skipped: false, _ansible_no_log: false, invocation: {}, diff: [], exception: 'x', warnings: ['w'], rc: 1 };
    expect(cleanResult(r, 'command', 0)).to.deep.equal({ changed: true, rc: 1 });
    expect(cleanResult(r, 'command', 3)).to.deep.equal({ changed: true, rc: 1, invocation: {}, diff: [] });
    expect(cleanResult({ changed: false, msg: 'hi', other: 1 }, 'ansible.builtin.debug', 0)).to.deep.equal({ msg: 'hi' });
    expect(cleanResult({ changed: false, myvar: 3 }, 'debug', 0)).to.deep.equal({ myvar: 3 });
  });

  it('censor keeps only attempts/changed/retries, with Ansible wording', () => {
    expect(CENSORED_MSG).to.equal("the output has been hidden due to the fact that 'no_log: true' was specified for this result");
    expect(censor({ changed: true, stdout: 'secret', attempts: 2, failed: true })).to.deep.equal({ censored: CENSORED_MSG, changed: true, attempts: 2 });
  });

  it('itemLabel like Python str(): None/True/False, strings bare', () => {
    expect(itemLabel(null)).to.equal('None');
    expect(itemLabel(true)).to.equal('True');
    expect(itemLabel('x y')).to.equal('x y');
    expect(itemLabel(3)).to.equal('3');
    expect(itemLabel({ b: 1, a: 'x' })).to.equal('{"a": "x", "b": 1}');
  });

  it('recapField and timingLine widths', () => {
    expect(recapField('ok', 3)).to.equal('ok=3   ');
    expect(recapField('ok', 12345)).to.equal('ok=12345');
    expect(timingLine('t', 1234, 79)).to.have.length(79);
    expect(timingLine('t', 1234, 79)).to.match(/^t -+ 1\.23s$/);
  });

  it('progress statusText fits the width and counts the hosts left out', () => {
    const hosts = Array.from({ length: 50 }, (_, i) => `web${i}`);
    const t = statusText(hosts, 12_500, 80);
    expect(t.length).to.be.at.most(80);
    expect(t).to.match(/^… waiting for web0, web1, .* \+\d+ more \(12s\)$/);
    const shown = t.split(', ').length;
    expect(Number(/\+(\d+) more/.exec(t)![1])).to.equal(50 - shown);
    expect(statusText(['h3', 'h4'], 0, 80)).to.equal('… waiting for h3, h4 (0s)');
  });
});

describe('report/format: redactDeep', () => {
  it('a value shared by two keys is printed twice, not as [Circular]; a real cycle is cut', async () => {
    const { redactDeep } = await import('../../../engine/report/format.ts');
    const lst = [1, 2];
    expect(redactDeep({ a: lst, b: lst, c: { d: lst } })).to.deep.equal({ a: [1, 2], b: [1, 2], c: { d: [1, 2] } });
    const cyc: Record<string, unknown> = { x: 1 };
    cyc.self = cyc;
    expect(redactDeep(cyc)).to.deep.equal({ x: 1, self: '[Circular]' });
  });
});
