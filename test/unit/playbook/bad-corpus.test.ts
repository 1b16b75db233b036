/**
 * The bad-input corpus: every file in test/fixtures/playbooks/bad/*.yml starts with
 * `# expect: SUBSTRING`; loading it must throw a ParseError (exit code 4) whose one-line
 * message names a file, a line number and contains SUBSTRING, with no stack trace.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadPlaybook } from '../../../engine/playbook/index.ts';
import { ParseError, ExitCode } from '../../../engine/types.ts';
import { FIXTURES, testOptions } from './helpers.ts';

const BAD = join(FIXTURES, 'bad');
const files = readdirSync(BAD).filter((f) => f.endsWith('.yml')).sort();

function loadError(file: string): ParseError {
  try {
    loadPlaybook(file, testOptions());
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw new Error(`${file}: expected a ParseError, got ${(e as Error)?.stack ?? e}`);
  }
  throw new Error(`${file}: loaded without error`);
}

describe('playbook loader: bad-input corpus', () => {
  it('has at least 60 cases', () => {
    expect(files.length).to.be.at.least(60);
  });

  for (const f of files) {
    it(f, () => {
      const first = readFileSync(join(BAD, f), 'latin1').split('\n')[0];
      const m = /^# expect: (.+)$/.exec(first);
      expect(m, `${f} must start with '# expect: ...'`).to.not.equal(null);
      const e = loadError(join(BAD, f));
      const line = e.oneLine();
      expect(e.exitCode).to.equal(ExitCode.PARSER_ERROR);
      expect(line).to.include(m![1]);
      expect(line, 'one line').to.not.include('\n');
      expect(e.pos?.file, 'names a file').to.match(/\.(yml|yaml|json)$/);
      expect(e.pos?.line, 'names a line').to.be.a('number').and.to.be.greaterThan(0);
      expect(line).to.match(/^[^:]+\.(yml|yaml|json):\d+(:\d+)?: /);
    });
  }

  it('a file over the YAML size limit is refused with file:line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsplay-big-'));
    try {
      const f = join(dir, 'big.yml');
      writeFileSync(f, '- hosts: all\n  vars:\n    junk: "' + 'x'.repeat(21 * 1024 * 1024) + '"\n');
      const e = loadError(f);
      expect(e.oneLine()).to.match(/big\.yml:1: file is 21\.0 MB/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
