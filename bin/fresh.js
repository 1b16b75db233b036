// Is dist/ current? dist/manifest.json lists every source of engine/ and modules/ (*.ts, no
// .d.ts) with its size and mtime at build time; any edit, new or deleted file makes it stale.
// Kept apart from bin/dist.js (the build) so bin/tsplay.js loads only this at start-up.
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Source directories compiled into dist/. */
export const SOURCE_DIRS = ['engine', 'modules'];

/** Relative paths of the .ts sources (no .d.ts), sorted. */
export function sources(root) {
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

/** `size:mtimeMs` of each file. */
export function fingerprint(root, files) {
  const m = {};
  for (const f of files) {
    const s = statSync(join(root, f));
    m[f] = `${s.size}:${s.mtimeMs}`;
  }
  return m;
}

/** The parsed dist/manifest.json, or undefined when it is missing or unreadable. */
export function readManifest(distDir) {
  try {
    return JSON.parse(readFileSync(join(distDir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The bundle's file name in dist/ when dist/ was built from exactly the current sources, else undefined. */
export function freshBundle(root) {
  const manifest = readManifest(join(root, 'dist'));
  if (!manifest?.sources || typeof manifest.bundle !== 'string') return undefined;
  try {
    const files = sources(root);
    const want = manifest.sources;
    if (files.length !== Object.keys(want).length) return undefined;
    for (const f of files) {
      const s = statSync(join(root, f));
      if (want[f] !== `${s.size}:${s.mtimeMs}`) return undefined;
    }
    return manifest.bundle;
  } catch {
    return undefined;
  }
}

/** True when dist/ was built from exactly the current sources. */
export function distIsFresh(root) {
  return freshBundle(root) !== undefined;
}
