/** Test helper: throwaway inventory trees in a temp directory. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ParseError, TsplayError } from '../../../engine/types.ts';

/** Write `files` (relative path -> content) under a fresh temp dir and return the dir. */
export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tsplay-inv-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return root;
}

/** Run fn, expect it to throw a ParseError, and return it. */
export function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw new Error(`expected a ParseError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('expected a ParseError, nothing was thrown');
}

/** Run fn, expect it to throw a TsplayError (any kind), and return it. */
export function tsplayErrorOf(fn: () => unknown): TsplayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TsplayError) return e;
    throw new Error(`expected a TsplayError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('expected a TsplayError, nothing was thrown');
}
