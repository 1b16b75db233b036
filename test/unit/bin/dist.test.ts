/**
 * bin/dist.js: the compiled dist/ bundle that bin/tsplay.js runs when it matches the sources.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync, existsSync, readdirSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error plain JS module without type declarations
import { buildDist, distIsFresh, lazyPackageSource, LAZY_PACKAGES } from '../../../bin/dist.js';

const ROOT = new URL('../../..', import.meta.url).pathname;

/** A fake project: an engine with a CLI and an error class, two built-ins and a private helper. */
function writeFixture(root: string): void {
  mkdirSync(join(root, 'engine', 'modules'), { recursive: true });
  mkdirSync(join(root, 'modules'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  copyFileSync(join(ROOT, 'engine', 'modules', 'builtins.ts'), join(root, 'engine', 'modules', 'builtins.ts'));
  writeFileSync(join(root, 'engine', 'types.ts'), 'export interface T { a: number }\nexport const K: number = 41;\nexport class Oops extends Error {}\n');
  writeFileSync(
    join(root, 'engine', 'cli.ts'),
    [
      "import { K, Oops, type T } from './types.ts';",
      "import { builtinLoaders } from './modules/builtins.ts';",
      '/** names of the built-ins, the value module m computes, and whether its error is our Oops */',
      'export async function main(_argv: string[]): Promise<unknown> {',
      '  const loaders = builtinLoaders()!;',
      '  const m = (await loaders.m()).default as { v: (t?: T) => number; fail: () => never };',
      '  let shared = false;',
      '  try { m.fail(); } catch (e) { shared = e instanceof Oops; }',
      '  return { names: Object.keys(loaders).sort(), v: m.v(), k: K, shared };',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'modules', 'm.ts'), "import { K, Oops, type T } from '../engine/types.ts';\nexport default { v: (t: T = { a: 1 }): number => K + t.a, fail: (): never => { throw new Oops('x'); } };\n");
  writeFileSync(join(root, 'modules', 'n.ts'), 'export default { n: 1 };\n');
  writeFileSync(join(root, 'modules', '_private.ts'), 'export const p = 1;\n');
}

async function runMain(root: string): Promise<Record<string, unknown>> {
  const url = `${pathToFileURL(join(root, 'dist', 'tsplay.js')).href}?t=${Date.now()}-${Math.random()}`;
  const { main } = (await import(url)) as { main: (a: string[]) => Promise<Record<string, unknown>> };
  return main([]);
}

describe('bin/dist.js', function () {
  this.timeout(120_000);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tsplay-dist-'));
    writeFixture(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is stale before a build, fresh after; the bundle registers every built-in and shares the engine with them', async () => {
    expect(distIsFresh(root)).to.equal(false);
    expect(await buildDist(root)).to.equal(6);
    expect(distIsFresh(root)).to.equal(true);
    expect(await runMain(root)).to.deep.equal({ names: ['m', 'n'], v: 42, k: 41, shared: true });
    // one entry file, the built-ins as separate chunks (loaded on demand)
    expect(readdirSync(join(root, 'dist')).sort()).to.deep.equal(['chunks', 'manifest.json', 'package.json', 'tsplay.js']);
    expect(readdirSync(join(root, 'dist', 'chunks')).some((c) => /^m-[A-Z0-9]+\.js$/.test(c))).to.equal(true);
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

  it('fails with file:line on a syntax error and keeps the previous dist/', async () => {
    await buildDist(root);
    writeFileSync(join(root, 'engine', 'types.ts'), 'export const = ;\n');
    let err: Error | undefined;
    try {
      await buildDist(root);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/^build: engine\/types\.ts:1:\d+: /);
    expect(existsSync(join(root, 'dist', 'tsplay.js'))).to.equal(true);
    expect(readdirSync(root).filter((f) => f.startsWith('dist.'))).to.deep.equal([]);
    expect(distIsFresh(root)).to.equal(false);
  });

  it('keeps the chunks of the build it replaces (running tsplays load them later), not older ones', async () => {
    const chunks = () => new Set(readdirSync(join(root, 'dist', 'chunks')));
    await buildDist(root);
    const gen1 = chunks();
    writeFileSync(join(root, 'modules', 'm.ts'), "import { K } from '../engine/types.ts';\nexport default { v: (): number => K + 2, fail: (): never => { throw new Error('y'); } };\n");
    await buildDist(root);
    const gen2 = JSON.parse(readFileSync(join(root, 'dist', 'manifest.json'), 'utf8')).chunks as string[];
    expect([...gen1].every((c) => chunks().has(c))).to.equal(true);
    expect(gen2.some((c) => !gen1.has(c))).to.equal(true);
    expect((await runMain(root)).v).to.equal(43);
    writeFileSync(join(root, 'modules', 'm.ts'), "export default { v: (): number => 7, fail: (): never => { throw new Error('z'); } };\n");
    await buildDist(root);
    const gen3 = JSON.parse(readFileSync(join(root, 'dist', 'manifest.json'), 'utf8')).chunks as string[];
    expect([...chunks()].sort()).to.deep.equal([...new Set([...gen2, ...gen3])].sort());
    expect((await runMain(root)).v).to.equal(7);
  });

  it('builds the real engine: every built-in loads from the bundle, custom TS modules still load through tsx', async () => {
    const out = join(root, 'dist');
    expect(await buildDist(ROOT, out)).to.be.greaterThan(100);
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(join(out, 'tsplay.js')).href)}); process.exitCode = await main(${JSON.stringify(args)});`], { cwd: ROOT, encoding: 'utf8' });
    const listed = run('doc', '--list').split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
    const files = readdirSync(join(ROOT, 'modules')).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
    expect(listed).to.deep.equal(files);
    expect(run('doc', '-M', join(ROOT, 'examples', 'library'), 'ini_value')).to.match(/ini_value/);
    // every module loaded, yet the lazy packages were never required
    const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const { main } = await import(${JSON.stringify(pathToFileURL(join(out, 'tsplay.js')).href)}); const o = process.stdout.write.bind(process.stdout); process.stdout.write = () => true; await main(['doc', '--list']); o(Object.keys(createRequire(import.meta.url).cache).join('\\n'));`], { cwd: ROOT, encoding: 'utf8' });
    expect(loaded).to.match(/node_modules\/js-yaml|\.js/);
    for (const p of LAZY_PACKAGES as string[]) expect(loaded).not.to.include(`/node_modules/${p}/`);
  });

  it("ssh2's lazy stand-in: destructuring loads nothing; new, calls and instanceof reach the real package", async () => {
    const file = join(root, 'lazy-ssh2.mjs');
    writeFileSync(file, lazyPackageSource('ssh2'));
    const probe = join(root, 'probe.mjs');
    writeFileSync(
      probe,
      [
        "import { createRequire } from 'node:module';",
        `import ssh2 from ${JSON.stringify(pathToFileURL(file).href)};`,
        'const require = createRequire(import.meta.url);',
        "const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/ssh2/'));",
        'const { Client, utils } = ssh2;',
        'const before = loaded();',
        "const bad = utils.parseKey(Buffer.from('not a key'));",
        'const c = new Client();',
        'const real = require(\'ssh2\');',
        "console.log(JSON.stringify({ before, after: loaded(), bad: bad instanceof Error, isClient: c instanceof real.Client, viaProxy: c instanceof Client, same: ssh2.Client === real.Client, has: 'Client' in ssh2, keys: Object.keys(ssh2).includes('utils') }));",
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, [probe], { cwd: root, encoding: 'utf8' }));
    expect(out).to.deep.equal({ before: false, after: true, bad: true, isClient: true, viaProxy: true, same: true, has: true, keys: true });
  });
});
