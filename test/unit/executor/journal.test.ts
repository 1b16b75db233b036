import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandlerJournal } from '../../../engine/executor/journal.ts';

describe('executor: persistent handler journal', () => {
  it('records, persists atomically, reloads and clears', () => {
    const root = mkdtempSync(join(tmpdir(), 'tsp-j-'));
    const j = new HandlerJournal('/pb/site.yml', ['/inv/hosts'], root);
    const p = { play: 'web', playIndex: 0, handler: 'restart nginx', section: 'tasks' as const };
    j.add('h1', p);
    j.add('h1', p);
    const files = readdirSync(j.dir);
    expect(files).to.deep.equal(['h1.json']);
    expect(JSON.parse(readFileSync(join(j.dir, 'h1.json'), 'utf8')).pending).to.have.length(1);
    const again = new HandlerJournal('/pb/site.yml', ['/inv/hosts'], root).load();
    expect(again.pending('h1')).to.deep.equal([p]);
    expect(new HandlerJournal('/pb/other.yml', ['/inv/hosts'], root).load().hosts()).to.deep.equal([]);
    again.remove('h1', p);
    expect(readdirSync(again.dir)).to.deep.equal([]);
  });
});
