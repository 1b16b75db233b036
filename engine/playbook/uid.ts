/**
 * Stable node ids: `<file>:<line>:<col>`, with `#n` appended when the same source
 * position is expanded twice in one load (a file imported twice, a role with other params).
 */
import type { SourcePos } from '../types.ts';
import type { LoadState } from './options.ts';

/** A uid for a node at `pos`, unique within this load. */
export function makeUid(st: LoadState, pos: SourcePos): string {
  const base = `${pos.file}:${pos.line ?? 0}:${pos.col ?? 0}`;
  const n = (st.uids.get(base) ?? 0) + 1;
  st.uids.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}
