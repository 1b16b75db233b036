// The compiled dist/ (fast start: plain ESM JavaScript, no TypeScript loader at run time).
//   buildDist(root)   bundle engine/ and modules/ (*.ts) into dist/tsplay.js + dist/chunks/ with
//                     esbuild (tsx's own copy; npm packages external); writes dist/manifest.json
//   distIsFresh(root) true when dist/manifest.json lists exactly the current sources with the
//                     same size and mtime (any edit, new or deleted file makes it stale)
// Used by bin/tsplay.js (fresh dist, else tsx) and by `npm run build` / the `prepare` script.
import { readdirSync, statSync, readFileSync, writeFileSync, rmSync, renameSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_DIRS = ['engine', 'modules'];

/** Relative paths of the .ts sources (no .d.ts), sorted. */
function sources(root) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out.sort();
}

function fingerprint(root, files) {
  const m = {};
  for (const f of files) {
    const s = statSync(join(root, f));
    m[f] = `${s.size}:${s.mtimeMs}`;
  }
  return m;
}

/** True when dist/ was built from exactly the current sources. */
export function distIsFresh(root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'dist', 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  try {
    const files = sources(root);
    const want = manifest.sources ?? {};
    if (files.length !== Object.keys(want).length) return false;
    for (const f of files) {
      const s = statSync(join(root, f));
      if (want[f] !== `${s.size}:${s.mtimeMs}`) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * npm packages the bundle loads on first USE instead of at start-up: CommonJS packages imported
 * as `import pkg from 'pkg'` whose load is costly and that a run may not need at all (ssh2: ~50 ms
 * of CPU with its crypto and wasm set-up; --list-hosts, --syntax-check and runs through the
 * connection keeper never use it).
 */
export const LAZY_PACKAGES = ['ssh2'];

/**
 * The stand-in the bundle imports for a lazy package: its default export is a proxy that
 * requires the package on the first call, `new`, `in`, key listing, or property read after it
 * has loaded. Before that, reading a property (`const { Client } = ssh2`, `ssh2.utils`) gives
 * another such proxy for that path, so module top levels can destructure without loading.
 * Only calls and `new` through such a pre-load path are supported (no comparing its values).
 */
export function lazyPackageSource(name) {
  return `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
let mod;
const load = () => (mod ??= require(${JSON.stringify(name)}));
const at = (path) => path.reduce((o, k) => o[k], load());
const proxies = new WeakMap();
const real = (v) => (proxies.has(v) ? at(proxies.get(v)) : v);
function lazy(path) {
  // a bound function: callable and constructible, with no own non-configurable keys (Proxy invariants)
  const p = new Proxy(function () {}.bind(null), {
    get: (_t, k) => (mod ? Reflect.get(at(path), k) : k === 'then' ? undefined : lazy([...path, k])),
    apply: (_t, self, args) => Reflect.apply(at(path), real(self), args),
    construct: (_t, args) => Reflect.construct(at(path), args),
    has: (_t, k) => Reflect.has(at(path), k),
    ownKeys: () => Reflect.ownKeys(at(path)),
    getOwnPropertyDescriptor: (_t, k) => { const d = Reflect.getOwnPropertyDescriptor(at(path), k); return d && { ...d, configurable: true }; },
    getPrototypeOf: () => Reflect.getPrototypeOf(at(path)),
  });
  proxies.set(p, path);
  return p;
}
export default lazy([]);
`;
}

/** esbuild plugin: LAZY_PACKAGES resolve to their lazy stand-ins (other packages stay external). */
function lazyPackagesPlugin(names) {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  return {
    name: 'tsplay-lazy-packages',
    setup(b) {
      b.onResolve({ filter }, (a) => (a.kind === 'import-statement' ? { path: a.path, namespace: 'tsplay-lazy' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'tsplay-lazy' }, (a) => ({ contents: lazyPackageSource(a.path), loader: 'js', resolveDir: process.cwd() }));
    },
  };
}

/** Built-in module names: modules/NAME.ts (no `_` prefix), as engine/modules/registry.ts lists them. */
function builtinModules(files) {
  return files
    .filter((f) => /^modules\/[^/]+\.ts$/.test(f) && !f.startsWith('modules/_'))
    .map((f) => f.slice('modules/'.length, -3));
}

/**
 * The bundle's entry: the CLI's `main`, plus one literal dynamic import per built-in module
 * registered with engine/modules/builtins.ts (each module becomes a lazily loaded chunk that
 * shares the engine's module instances).
 */
function entrySource(files) {
  const mods = builtinModules(files);
  return [
    "import { registerBuiltinLoaders } from './engine/modules/builtins.ts';",
    'registerBuiltinLoaders({',
    ...mods.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(`./modules/${m}.ts`)}),`),
    '});',
    "export { main } from './engine/cli.ts';",
    '',
  ].join('\n');
}

/** Chunk file names listed by the manifest of the installed dist/ (none when unreadable). */
function installedChunks(outDir) {
  try {
    const c = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).chunks;
    return Array.isArray(c) ? c : [];
  } catch {
    return [];
  }
}

/**
 * Put the build in `tmp` in place of `outDir`. Running tsplays import chunks lazily (built-in
 * modules, subcommands) by their hashed names, so the chunks of the build being replaced stay
 * (one generation back); older unreferenced chunks are removed. The manifest is renamed last:
 * until then the old manifest makes dist/ stale, so a starting tsplay uses tsx, never a mix.
 */
function install(tmp, outDir, chunks) {
  if (!existsSync(join(outDir, 'tsplay.js'))) {
    // first build, or an older layout: swap the directory with two renames
    const old = `${outDir}.old-${process.pid}`;
    let hadOld = true;
    try {
      renameSync(outDir, old);
    } catch {
      hadOld = false;
    }
    renameSync(tmp, outDir);
    if (hadOld) rmSync(old, { recursive: true, force: true });
    return;
  }
  const keep = new Set([...chunks, ...installedChunks(outDir)]);
  mkdirSync(join(outDir, 'chunks'), { recursive: true });
  for (const c of chunks) renameSync(join(tmp, 'chunks', c), join(outDir, 'chunks', c));
  for (const f of ['package.json', 'tsplay.js', 'manifest.json']) renameSync(join(tmp, f), join(outDir, f));
  rmSync(tmp, { recursive: true, force: true });
  for (const c of readdirSync(join(outDir, 'chunks'))) if (!keep.has(c)) rmSync(join(outDir, 'chunks', c), { force: true });
}

/**
 * Build dist/ from the sources: ONE esbuild bundle of engine/ + modules/ (dist/tsplay.js plus
 * split chunks in dist/chunks/: the subcommands and every built-in module load on demand);
 * npm packages stay external (ssh2's wasm loader needs its own files). `outDir` (default
 * ROOT/dist) is replaced atomically. Returns the number of source files.
 */
export async function buildDist(root, outDir = join(root, 'dist')) {
  const { build } = await import('esbuild');
  const files = sources(root);
  const before = fingerprint(root, files);
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await build({
      stdin: { contents: entrySource(files), resolveDir: root, sourcefile: 'tsplay-entry.js', loader: 'js' },
      absWorkingDir: root,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      plugins: [lazyPackagesPlugin(LAZY_PACKAGES)],
      outdir: tmp,
      entryNames: 'tsplay',
      chunkNames: 'chunks/[name]-[hash]',
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const m = e.errors?.[0];
    const where = m?.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}` : 'dist';
    throw new Error(`build: ${where}: ${m?.text ?? e.message.split('\n')[0]}`);
  }
  // sources edited while building: the manifest would lie, so leave dist stale (tsx fallback)
  const after = fingerprint(root, sources(root));
  const chunks = existsSync(join(tmp, 'chunks')) ? readdirSync(join(tmp, 'chunks')).sort() : [];
  const manifest = JSON.stringify({ built: new Date().toISOString(), sources: before, chunks });
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(after) === JSON.stringify(before) ? manifest : '{}');
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  install(tmp, outDir, chunks);
  return files.length;
}
