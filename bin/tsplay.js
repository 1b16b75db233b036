#!/usr/bin/env node
// Entry point: runs the compiled dist/ bundle when it matches the sources (`npm run build`; fast
// start, see bin/dist.js and bin/load.js), else the TypeScript sources through tsx's loader (no
// build step needed while developing). TSPLAY_NO_DIST=1 forces the sources.
import { freshBundle } from './fresh.js';

const root = new URL('..', import.meta.url).pathname;
const bundle = process.env.TSPLAY_NO_DIST === '1' ? undefined : freshBundle(root);
let main;
if (bundle) {
  const { loadBundle } = await import('./load.js');
  ({ main } = loadBundle(`${root}dist`, bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../engine/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
