/**
 * The bad-input corpus for inventories (issue 7): every file in test/fixtures/inventory/bad/
 * fails with a one-line ParseError (exit code 4) naming file:line, and ansible-core refuses the
 * same inputs except where expectations.json notes that tsplay is deliberately stricter.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory, hostVarLayers } from '../../../engine/inventory/index.ts';
import { ansibleViews, FIXTURES } from './oracle.ts';
import { parseErrorOf } from './helpers.ts';

const BAD = join(FIXTURES, 'bad');
interface Case { source: string; file: string; line: number; message: string; ansible?: string }
const cases = (JSON.parse(readFileSync(join(BAD, 'expectations.json'), 'utf8')) as { cases: Record<string, Case> }).cases;

describe('inventory: bad-input corpus', () => {
  it('every corpus entry has an expectation (and vice versa)', () => {
    expect(readdirSync(BAD).filter((n) => n !== 'expectations.json').sort()).to.deep.equal(Object.keys(cases).sort());
    expect(Object.keys(cases).length).to.be.at.least(35);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.message}`, () => {
      const e = parseErrorOf(() => {
        const inv = loadInventory([join(BAD, c.source)]);
        for (const h of inv.hosts.keys()) hostVarLayers(inv, h);
      });
      expect(e.exitCode).to.equal(4);
      expect(e.pos?.file).to.equal(join(BAD, c.file));
      expect(e.pos?.line).to.equal(c.line);
      const line = e.oneLine();
      expect(line).to.not.include('\n');
      expect(line.startsWith(`${join(BAD, c.file)}:${c.line}`)).to.equal(true);
      expect(line).to.include(c.message);
    });
  }

  it('ansible-core refuses the same inputs (except the documented stricter cases)', () => {
    const strict = Object.entries(cases).filter(([, c]) => !c.ansible);
    const theirs = ansibleViews(strict.map(([, c]) => ({ sources: [join(BAD, c.source)] })), BAD);
    strict.forEach(([name], i) => expect(theirs[i].load_error, `ansible accepted ${name}`).to.be.a('string'));
  });
});
