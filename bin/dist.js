// The compiled dist/ (fast start: plain ESM JavaScript, no TypeScript loader at run time).
//   buildDist(root)   transpile engine/ and modules/ (*.ts) to dist/ with esbuild (tsx's own
//                     copy), relative `.ts` imports rewritten to `.js`; writes dist/manifest.json
//   distIsFresh(root) true when dist/manifest.json lists exactly the current sources with the
//                     same size and mtime (any edit, new or deleted file makes it stale)
// Used by bin/tsplay.js (fresh dist, else tsx) and by `npm run build` / the `prepare` script.
import { readdirSync, statSync, readFileSync, writeFileSync, mkdirSync, rmSync, renameSync } from 'node:fs';
import { join, dirname } from 'node:path';

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

const REL_TS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*?)\.ts\2/g;

/** Build dist/ from the sources; returns the number of files written. */
export async function buildDist(root) {
  const { transform } = await import('esbuild');
  const files = sources(root);
  const before = fingerprint(root, files);
  const tmp = join(root, `dist.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  for (const f of files) {
    const src = readFileSync(join(root, f), 'utf8');
    let code;
    try {
      code = (await transform(src, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: f })).code;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`build: ${f}: ${e.message.split('\n')[0]}`);
    }
    code = code.replace(REL_TS, (_m, kw, q, p) => `${kw}${q}${p}.js${q}`);
    const out = join(tmp, f.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
  }
  // sources edited while building: the manifest would lie, so leave dist stale (tsx fallback)
  const after = fingerprint(root, sources(root));
  const manifest = JSON.stringify({ built: new Date().toISOString(), sources: before });
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(after) === JSON.stringify(before) ? manifest : '{}');
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  // swap in with two renames (running tsplays import built-in modules lazily from dist/)
  const old = join(root, `dist.old-${process.pid}`);
  let hadOld = true;
  try {
    renameSync(join(root, 'dist'), old);
  } catch {
    hadOld = false;
  }
  renameSync(tmp, join(root, 'dist'));
  if (hadOld) rmSync(old, { recursive: true, force: true });
  return files.length;
}
