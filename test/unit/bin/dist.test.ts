/**
 * bin/dist.js: the compiled dist/ that bin/tsplay.js runs when it matches the sources.
 */
import { expect } from 'chai';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error plain JS module without type declarations
import { buildDist, distIsFresh } from '../../../bin/dist.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

describe('bin/dist.js', function () {
  this.timeout(60_000);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tsplay-dist-'));
    mkdirSync(join(root, 'engine', 'sub'), { recursive: true });
    mkdirSync(join(root, 'modules'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'engine', 'types.ts'), 'export interface T { a: number }\nexport const K: number = 41;\n');
    writeFileSync(join(root, 'engine', 'sub', 'use.ts'), "import { K, type T } from '../types.ts';\nexport const v = (t: T = { a: 1 }): number => K + t.a;\nexport const later = () => import('../types.ts');\n");
    writeFileSync(join(root, 'modules', 'm.ts'), "export { v } from '../engine/sub/use.ts';\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is stale before a build, fresh after, and the built code runs with .js imports', async () => {
    expect(distIsFresh(root)).to.equal(false);
    expect(await buildDist(root)).to.equal(3);
    expect(distIsFresh(root)).to.equal(true);
    const m = (await import(pathToFileURL(join(root, 'dist', 'modules', 'm.js')).href)) as { v: () => number };
    expect(m.v()).to.equal(42);
    const u = (await import(pathToFileURL(join(root, 'dist', 'engine', 'sub', 'use.js')).href)) as { later: () => Promise<{ K: number }> };
    expect((await u.later()).K).to.equal(41);
  });

  it('turns stale when a source changes, appears or disappears', async () => {
    await buildDist(root);
    utimesSync(join(root, 'engine', 'types.ts'), new Date(), new Date(Date.now() + 5000));
    expect(distIsFresh(root)).to.equal(false);
    await buildDist(root);
    writeFileSync(join(root, 'engine', 'new.ts'), 'export const n = 1;\n');
    expect(distIsFresh(root)).to.equal(false);
    await buildDist(root);
    expect(distIsFresh(root)).to.equal(true);
    rmSync(join(root, 'engine', 'new.ts'));
    expect(distIsFresh(root)).to.equal(false);
  });

  it('fails with the file name on a syntax error and keeps the previous dist/', async () => {
    await buildDist(root);
    writeFileSync(join(root, 'engine', 'types.ts'), 'export const = ;\n');
    let err: Error | undefined;
    try {
      await buildDist(root);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/^build: engine\/types\.ts: /);
    expect(existsSync(join(root, 'dist', 'engine', 'types.js'))).to.equal(true);
    expect(distIsFresh(root)).to.equal(false);
  });
});
