// Load the dist/ bundle (ONE CommonJS file) with a V8 code cache: the code V8 compiled in an
// earlier run is reused, so a start parses and compiles almost nothing (Node 20 has no
// module.enableCompileCache; this is the same idea for our one file). The cache file sits next
// to the bundle and carries its content hash in the name (V8 itself only checks the source
// length): `tsplay-HASH.cache` for `tsplay-HASH.cjs`, and starts with the bundle's path. A missing or rejected cache (another Node
// version or V8 flags) is written when the process exits; a read-only dist/ just runs uncached.
import { readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';

/** The code cache file of a bundle file. */
export function cacheFileOf(bundleFile) {
  return bundleFile.replace(/\.cjs$/, '') + '.cache';
}

/**
 * Evaluate `distDir/bundle` as a CommonJS module and return its exports. `writeCache: false`:
 * never write the cache.
 */
export function loadBundle(distDir, bundle, { writeCache = true } = {}) {
  const file = join(distDir, bundle);
  const cacheFile = cacheFileOf(file);
  const src = readFileSync(file, 'utf8');
  const cachedData = readCache(cacheFile, file);
  // same line as the bundle's first line: positions in stack traces stay right
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __tsplay_import) {${src}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  // import() cannot run inside vm.Script without --experimental-vm-modules: the bundle gets ours
  script.runInThisContext()(module.exports, createRequire(file), module, file, distDir, (specifier) => import(specifier));
  if (writeCache && (cachedData === undefined || script.cachedDataRejected)) {
    // at exit: the cache then holds every function this run compiled, not just the top level
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, Buffer.concat([Buffer.from(header(file)), script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        rmSync(tmp, { force: true });
      }
    });
  }
  return module.exports;
}

/**
 * V8 keeps the script name the cache was made with (stack traces would name that path), so a
 * cache file starts with the bundle's absolute path and is used only for that exact file.
 */
const header = (file) => `tsplay code cache for ${file}\n`;

function readCache(cacheFile, file) {
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const h = Buffer.from(header(file));
  return data.length > h.length && data.subarray(0, h.length).equals(h) ? data.subarray(h.length) : undefined;
}
