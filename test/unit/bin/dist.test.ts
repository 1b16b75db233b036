/**
 * bin/dist.js + bin/load.js: the compiled dist/ bundle (one CommonJS file and its V8 code cache)
 * that bin/tsplay.js runs when it matches the sources.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync, existsSync, readdirSync, readFileSync, copyFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
// @ts-expect-error plain JS module without type declarations
import { buildDist, distIsFresh } from '../../../bin/dist.js';
// @ts-expect-error plain JS module without type declarations
import { loadBundle, cacheFileOf } from '../../../bin/load.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const LOAD_URL = pathToFileURL(join(ROOT, 'bin', 'load.js')).href;

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
      "import { builtinLoaders, importEsm } from './modules/builtins.ts';",
      "import { createRequire } from 'node:module';",
      '/** names of the built-ins, the value module m computes, whether its error is our Oops, an external ES module */',
      'export async function main(_argv: string[]): Promise<unknown> {',
      '  const loaders = builtinLoaders()!;',
      '  const m = (await loaders.m()).default as { v: (t?: T) => number; fail: () => never };',
      '  let shared = false;',
      '  try { m.fail(); } catch (e) { shared = e instanceof Oops; }',
      "  const esm = typeof (await importEsm('chalk')).Chalk;",
      "  const where = /\\((\\/[^:]+):/.exec(new Error('x').stack!.split('\\n')[1])?.[1];",
      '  const req = createRequire(import.meta.url);',
      "  const parser = req('nunjucks/src/parser');",
      "  const bundled = typeof parser.Parser === 'function' && !Object.keys(req.cache).some((f) => /node_modules.nunjucks/.test(f));",
      "  const fallback = req('node:path') === req('path') && typeof req('handlebars').create === 'function' && Object.keys(req.cache).some((f) => /node_modules.handlebars/.test(f));",
      '  return { names: Object.keys(loaders).sort(), v: m.v(), k: K, shared, esm, url: import.meta.url, where, bundled, fallback };',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'modules', 'm.ts'), "import { K, Oops, type T } from '../engine/types.ts';\nexport default { v: (t: T = { a: 1 }): number => K + t.a, fail: (): never => { throw new Oops('x'); } };\n");
  writeFileSync(join(root, 'modules', 'n.ts'), 'export default { n: 1 };\n');
  writeFileSync(join(root, 'modules', '_private.ts'), 'export const p = 1;\n');
}

const manifestOf = (dist: string) => JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { bundle: string };

/** Run the fixture's main in a child process through bin/load.js (as bin/tsplay.js does). */
function runMain(root: string, dist = join(root, 'dist'), writeCache = false): Record<string, unknown> {
  const code = `const { loadBundle } = await import(${JSON.stringify(LOAD_URL)}); const { main } = loadBundle(${JSON.stringify(dist)}, ${JSON.stringify(manifestOf(dist).bundle)}, { writeCache: ${writeCache} }); console.log(JSON.stringify(await main([])));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }));
}

describe('bin/dist.js', function () {
  this.timeout(120_000);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tsplay-dist-'));
    writeFixture(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is stale before a build, fresh after; one bundle registers every built-in and shares the engine with them', async () => {
    expect(distIsFresh(root)).to.equal(false);
    expect(await buildDist(root, undefined, { warm: false })).to.equal(6);
    expect(distIsFresh(root)).to.equal(true);
    const { bundle } = manifestOf(join(root, 'dist'));
    expect(bundle).to.match(/^tsplay-[0-9a-f]{16}\.cjs$/);
    expect(readdirSync(join(root, 'dist')).sort()).to.deep.equal(['manifest.json', bundle]);
    const file = join(root, 'dist', bundle);
    // createRequire(...)('nunjucks/src/parser') is the bundled copy (no nunjucks file from
    // node_modules); other ids are Node's require (handlebars from node_modules)
    expect(runMain(root)).to.deep.equal({ names: ['m', 'n'], v: 42, k: 41, shared: true, esm: 'function', url: pathToFileURL(file).href, where: file, bundled: true, fallback: true });
  });

  it('turns stale when a source changes, appears or disappears', async () => {
    await buildDist(root, undefined, { warm: false });
    utimesSync(join(root, 'engine', 'types.ts'), new Date(), new Date(Date.now() + 5000));
    expect(distIsFresh(root)).to.equal(false);
    await buildDist(root, undefined, { warm: false });
    writeFileSync(join(root, 'engine', 'new.ts'), 'export const n = 1;\n');
    expect(distIsFresh(root)).to.equal(false);
    await buildDist(root, undefined, { warm: false });
    expect(distIsFresh(root)).to.equal(true);
    rmSync(join(root, 'engine', 'new.ts'));
    expect(distIsFresh(root)).to.equal(false);
  });

  it('fails with file:line on a syntax error and keeps the previous dist/', async () => {
    await buildDist(root, undefined, { warm: false });
    const before = readdirSync(join(root, 'dist')).sort();
    writeFileSync(join(root, 'engine', 'types.ts'), 'export const = ;\n');
    let err: Error | undefined;
    try {
      await buildDist(root, undefined, { warm: false });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/^build: engine\/types\.ts:1:\d+: /);
    expect(readdirSync(join(root, 'dist')).sort()).to.deep.equal(before);
    expect(readdirSync(root).filter((f) => f.startsWith('dist.'))).to.deep.equal([]);
    expect(distIsFresh(root)).to.equal(false);
  });

  it('keeps the bundle of the build it replaces (a tsplay that read the old manifest), not older ones', async () => {
    const dist = join(root, 'dist');
    const gen = async (v: number) => {
      writeFileSync(join(root, 'modules', 'm.ts'), `export default { v: (): number => ${v}, fail: (): never => { throw new Error('y'); } };\n`);
      await buildDist(root, undefined, { warm: false });
      writeFileSync(cacheFileOf(join(dist, manifestOf(dist).bundle)), 'x');
      return manifestOf(dist).bundle;
    };
    const b1 = await gen(1);
    const b2 = await gen(2);
    expect(readdirSync(dist).sort()).to.deep.equal([b1, b2, cacheFileOf(b1), cacheFileOf(b2), 'manifest.json'].sort());
    const b3 = await gen(3);
    expect(readdirSync(dist).sort()).to.deep.equal([b2, b3, cacheFileOf(b2), cacheFileOf(b3), 'manifest.json'].sort());
    expect(runMain(root).v).to.equal(3);
    // a warmed build keeps the cache its warm-up wrote
    writeFileSync(join(root, 'modules', 'm.ts'), "export default { v: (): number => 4, fail: (): never => { throw new Error('y'); } };\n");
    await buildDist(root);
    const b4 = manifestOf(dist).bundle;
    expect(readdirSync(dist).sort()).to.deep.equal([b3, b4, cacheFileOf(b3), cacheFileOf(b4), 'manifest.json'].sort());
  });

  it('loadBundle writes a missing or rejected code cache at exit, and V8 accepts it next time', async () => {
    await buildDist(root, undefined, { warm: false });
    const dist = join(root, 'dist');
    const file = join(dist, manifestOf(dist).bundle);
    const run = () => execFileSync(process.execPath, ['--input-type=module', '-e', `const { loadBundle } = await import(${JSON.stringify(LOAD_URL)}); loadBundle(${JSON.stringify(dist)}, ${JSON.stringify(manifestOf(dist).bundle)});`], { cwd: root });
    run();
    const accepted = () => {
      const src = readFileSync(file, 'utf8');
      const raw = readFileSync(cacheFileOf(file));
      const nl = raw.indexOf(10);
      expect(raw.subarray(0, nl).toString()).to.equal(`tsplay code cache for ${file}`);
      const s = new vm.Script(`(function (exports, require, module, __filename, __dirname, __tsplay_import) {${src}\n})`, { filename: file, cachedData: raw.subarray(nl + 1) });
      return !s.cachedDataRejected;
    };
    expect(accepted()).to.equal(true);
    writeFileSync(cacheFileOf(file), 'garbage');
    run();
    expect(accepted()).to.equal(true);
    // a copy elsewhere does not use the cache made for the original path (V8 would keep that path
    // in stack traces): it writes its own
    const copy = join(root, 'copy');
    cpSync(dist, copy, { recursive: true });
    const moved = runMain(root, copy, true);
    expect(moved.where).to.equal(join(copy, manifestOf(copy).bundle));
    expect(readFileSync(cacheFileOf(join(copy, manifestOf(copy).bundle))).toString('latin1')).to.match(new RegExp(`^tsplay code cache for ${copy}/`));
    expect(runMain(root, copy).where).to.equal(join(copy, manifestOf(copy).bundle));
    // in-process, without writing
    const exp = loadBundle(dist, manifestOf(dist).bundle, { writeCache: false }) as { main: unknown };
    expect(typeof exp.main).to.equal('function');
  });

  it('builds the real engine with a warm code cache: every built-in loads, custom TS modules load through tsx', async () => {
    const out = join(root, 'dist');
    expect(await buildDist(ROOT, out)).to.be.greaterThan(100);
    const { bundle } = manifestOf(out);
    expect(existsSync(cacheFileOf(join(out, bundle)))).to.equal(true);
    const run = (args: string[]) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `const { loadBundle } = await import(${JSON.stringify(LOAD_URL)}); const { main } = loadBundle(${JSON.stringify(out)}, ${JSON.stringify(bundle)}, { writeCache: false }); process.exitCode = await main(${JSON.stringify(args)});`], { cwd: ROOT, encoding: 'utf8' });
    const listed = run(['doc', '--list']).split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
    const files = readdirSync(join(ROOT, 'modules')).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
    expect(listed).to.deep.equal(files);
    expect(run(['doc', '-M', join(ROOT, 'examples', 'library'), 'ini_value'])).to.match(/INI_VALUE/);
  });
});
