#!/usr/bin/env node
// `npm run build` (also the `prepare` script, so `npm ci` builds it): bundle engine/ and
// modules/ into dist/ for a fast start. bin/tsplay.js uses dist/ only while it matches the sources.
// --if-possible (used by `prepare`): a failed build is a warning, not an error (tsx still works).
import { buildDist } from './dist.js';

const root = new URL('..', import.meta.url).pathname;
try {
  const n = await buildDist(root);
  process.stderr.write(`tsplay build: ${n} source files -> dist/ (one bundle + code cache)\n`);
} catch (e) {
  const soft = process.argv.includes('--if-possible');
  process.stderr.write(`${e.message}${soft ? ' (tsplay will run from the sources through tsx)' : ''}\n`);
  if (!soft) process.exitCode = 1;
}
