// The compiled dist/ (fast start: no TypeScript loader, one file to load, a V8 code cache).
//   buildDist(root[, outDir])  bundle engine/ and modules/ (*.ts) with esbuild (tsx's own copy)
//                      into ONE CommonJS file dist/tsplay-HASH.cjs (built-in modules included,
//                      initialised on first use), warm a V8 code cache for it (bin/load.js) by
//                      running a tiny local playbook, and install dist/manifest.json (the
//                      sources' sizes and mtimes, and the bundle's name) last
//   distIsFresh(root)  (bin/fresh.js) true when the manifest matches the current sources
// Used by bin/tsplay.js (fresh dist, else tsx) and by `npm run build` / the `prepare` script.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync, rmSync, renameSync, mkdirSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sources, fingerprint, readManifest } from './fresh.js';
import { cacheFileOf } from './load.js';

export { distIsFresh } from './fresh.js';

/**
 * npm packages bundled in, so their compiled code joins the code cache: the ones on the start-up
 * path (chalk, js-yaml, p-limit) and nunjucks' parser. Only strict-mode code may join (the
 * bundle is strict): ES modules, or CommonJS files that say 'use strict'. Every other package
 * stays external and is `require`d from node_modules at run time. (ssh2 was tried: with it
 * bundled, the keeper lab test 'SIGINT during a long command kills it on the hosts' failed; the
 * cause was not found — its sloppy-mode files (asn1, poly1305) running strict are a suspect.)
 */
export const BUNDLED_PACKAGES = ['chalk', 'js-yaml', 'p-limit', 'yocto-queue', 'nunjucks'];

/**
 * CommonJS files our code loads on first use with `createRequire(import.meta.url)(ID)` (nunjucks'
 * parser on the first expression): in the bundle that call returns a BUNDLED copy for these
 * IDs, so their compiled code joins the code cache too.
 */
export const BUNDLED_REQUIRES = ['nunjucks/src/lexer', 'nunjucks/src/parser', 'nunjucks/src/nodes'];

/**
 * The bundle's `node:module` for our own files: Node's, with a `createRequire` whose require
 * function returns the bundled copy for BUNDLED_REQUIRES (initialised on that first call, as
 * the real require would load it) and Node's require for everything else.
 */
function moduleShimSource() {
  const cases = BUNDLED_REQUIRES.map((id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(id)});`).join('\n');
  return `const real = require('node:module');
function createRequire(url) {
  const r = real.createRequire(url);
  const req = (id) => {
    switch (id) {
${cases}
      default: return r(id);
    }
  };
  return Object.assign(req, { resolve: r.resolve, cache: r.cache, extensions: r.extensions, main: r.main });
}
module.exports = { ...real, createRequire };
`;
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/**
 * esbuild plugin: BUNDLED_PACKAGES are bundled, every other bare specifier stays external
 * (node: built-ins are external on platform node); our files' `node:module` is the shim above.
 */
function packagesPlugin(root) {
  const ours = (importer) => importer.startsWith(root) && !importer.includes(`${sep}node_modules${sep}`);
  return {
    name: 'tsplay-packages',
    setup(b) {
      b.onResolve({ filter: /^(node:)?module$/ }, (a) => (a.namespace === 'file' && ours(a.importer) ? { path: 'node:module', namespace: 'tsplay-module' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'tsplay-module' }, () => ({ contents: moduleShimSource(), loader: 'js', resolveDir: root }));
      b.onResolve({ filter: /^[^./#]/ }, (a) => {
        if (a.path.startsWith('node:')) return undefined;
        return BUNDLED_PACKAGES.includes(packageName(a.path)) ? undefined : { path: a.path, external: true };
      });
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
 * registered with engine/modules/builtins.ts (esbuild turns each into a lazily initialised part
 * of the bundle that shares the engine's module instances).
 */
function entrySource(files) {
  const mods = builtinModules(files);
  return [
    "import { registerBuiltinLoaders, registerEsmImport } from './engine/modules/builtins.ts';",
    '// bin/load.js passes its own import() (none inside vm.Script) as __tsplay_import',
    "registerEsmImport(typeof __tsplay_import === 'function' ? __tsplay_import : undefined);",
    'registerBuiltinLoaders({',
    ...mods.map((m) => `  ${JSON.stringify(m)}: () => import(${JSON.stringify(`./modules/${m}.ts`)}),`),
    '});',
    "export { main } from './engine/cli.ts';",
    '/** Load the bundled on-demand packages now (the build\'s warm-up: their code joins the code cache). */',
    `export function warmBundledRequires() { ${BUNDLED_REQUIRES.map((p) => `require(${JSON.stringify(p)});`).join(' ')} }`,
    '',
  ].join('\n');
}

/** The warm-up run's playbook: parsing, inventory, variables, expressions, the executor, the reporter. */
const WARMUP_PLAYBOOK = `- name: warm-up
  hosts: all
  gather_facts: false
  vars:
    items: [1, 2, 3]
    word: tsplay
  tasks:
    - name: expressions and filters
      debug:
        msg: "{{ word | upper }} {{ items | map('int') | sum }} {{ items | select('odd') | list | join(',') }}"
    - name: a loop with a condition
      set_fact:
        seen: "{{ (seen | default([])) + [item] }}"
      loop: "{{ items }}"
      when: item is number and item > 1
    - name: a command (the module runner; runs /bin/true on this machine)
      command: "true"
      changed_when: false
    - name: an assertion
      assert:
        that:
          - seen | length == 2
          - "'tsplay' in word"
`;

/**
 * Run the bundle once on a local-only playbook (debug, set_fact, `command: true`, assert on
 * `localhost` with the local connection: nothing touches another host) so that bin/load.js writes the code cache
 * with the functions a run compiles. A failed warm-up only means no cache yet (the first real
 * run writes it). Returns true when the cache was written.
 */
function warmUp(distDir, bundle) {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-warm-'));
  try {
    writeFileSync(join(dir, 'warm.yml'), WARMUP_PLAYBOOK);
    writeFileSync(join(dir, 'hosts'), 'localhost ansible_connection=local\n');
    const load = pathToFileURL(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'load.js')).href;
    const code = `const { loadBundle } = await import(${JSON.stringify(load)}); const b = loadBundle(${JSON.stringify(distDir)}, ${JSON.stringify(bundle)}); b.warmBundledRequires(); process.exitCode = await b.main(['warm.yml', '-i', 'hosts']);`;
    const env = { ...process.env, NO_COLOR: '1', TSPLAY_SSH_PERSIST: '0' };
    delete env.NODE_OPTIONS;
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, env, stdio: 'ignore', timeout: 60_000 });
  } catch {
    /* no cache yet: the first run writes it */
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return existsSync(cacheFileOf(join(distDir, bundle)));
}

/**
 * Put the build in `tmp` in place of `outDir`, warming the code cache at the bundle's final path
 * (V8 keeps the path a cache was made at). The manifest is renamed last: until then the old
 * manifest names the old bundle (or makes dist/ stale), so a starting tsplay never mixes builds.
 * The bundle and cache of the build being replaced stay one generation (a tsplay that read the
 * old manifest may still be about to read its bundle); older ones are removed.
 */
function install(tmp, outDir, bundle, warm) {
  const previous = readManifest(outDir)?.bundle;
  if (!previous) {
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
    if (warm) warmUp(outDir, bundle);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const moved = readdirSync(tmp).filter((f) => f !== 'manifest.json');
  for (const f of moved) renameSync(join(tmp, f), join(outDir, f));
  if (warm) warmUp(outDir, bundle);
  renameSync(join(tmp, 'manifest.json'), join(outDir, 'manifest.json'));
  rmSync(tmp, { recursive: true, force: true });
  const keep = new Set([...moved, cacheFileOf(bundle), 'manifest.json', previous, cacheFileOf(previous)]);
  for (const f of readdirSync(outDir)) if (!keep.has(f)) rmSync(join(outDir, f), { recursive: true, force: true });
}

/**
 * Build dist/ from the sources (see the top of this file). `outDir` (default ROOT/dist) is
 * replaced atomically; `warm: false` skips the code-cache warm-up. Returns the number of source files.
 */
export async function buildDist(root, outDir = join(root, 'dist'), { warm = true } = {}) {
  const { build } = await import('esbuild');
  const files = sources(root);
  const before = fingerprint(root, files);
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  let code;
  try {
    const r = await build({
      stdin: { contents: entrySource(files), resolveDir: root, sourcefile: 'tsplay-entry.js', loader: 'js' },
      absWorkingDir: root,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      // import.meta.url of every bundled file: the bundle's own URL (bin/load.js passes __filename)
      define: { 'import.meta.url': '__tsplay_bundle_url' },
      banner: {
        js: [
          '"use strict";',
          'var __tsplay_bundle_url = require("node:url").pathToFileURL(__filename).href;',
        ].join('\n'),
      },
      // import() of an external cannot run inside vm.Script (bin/load.js): require, or for ES
      // modules engine/modules/builtins.ts importEsm (the loader's own import())
      supported: { 'dynamic-import': false },
      plugins: [packagesPlugin(root)],
      legalComments: 'none',
      logLevel: 'silent',
      write: false,
    });
    code = r.outputFiles[0].text;
  } catch (e) {
    const m = e.errors?.[0];
    const where = m?.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}` : 'dist';
    throw new Error(`build: ${where}: ${m?.text ?? e.message.split('\n')[0]}`);
  }
  const bundle = `tsplay-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, bundle), code);
  // sources edited while building: the manifest would lie, so leave dist stale (tsx fallback)
  const after = fingerprint(root, sources(root));
  const manifest = JSON.stringify({ built: new Date().toISOString(), bundle, sources: before });
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(after) === JSON.stringify(before) ? manifest : '{}');
  install(tmp, outDir, bundle, warm);
  return files.length;
}
