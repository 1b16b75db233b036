#!/usr/bin/env node
// Entry point: runs the TypeScript sources through tsx's loader (no build step).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../engine/cli.ts');
process.exitCode = await main(process.argv.slice(2));
