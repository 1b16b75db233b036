#!/usr/bin/env node
// Entry point: runs the compiled dist/ when it matches the sources (`npm run build`; fast start),
// else the TypeScript sources through tsx's loader (no build step needed while developing).
// TSPLAY_NO_DIST=1 forces the sources.
import { distIsFresh } from './dist.js';

const root = new URL('..', import.meta.url).pathname;
let main;
if (process.env.TSPLAY_NO_DIST !== '1' && distIsFresh(root)) {
  ({ main } = await import('../dist/tsplay.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../engine/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
