/** Building the before/after pairs modules report with --diff. */
import type { FileDiff } from '../types.ts';

/** Largest content shown in a diff (Ansible's max_diff_size default is 104448). */
export const MAX_DIFF_BYTES = 104448;

/** True when a buffer looks like text that can be shown in a diff. */
export function isText(b: Buffer | string): boolean {
  if (typeof b === 'string') return !b.includes('\0') && b.length <= MAX_DIFF_BYTES;
  return b.length <= MAX_DIFF_BYTES && !b.includes(0);
}

/** A content diff, or a placeholder pair when either side is binary or too large. */
export function contentDiff(path: string, before: Buffer | string | undefined, after: Buffer | string | undefined, afterHeader?: string): FileDiff {
  const show = (b: Buffer | string | undefined): string => {
    if (b === undefined) return '';
    if (!isText(b)) return '(binary or large content not shown)\n';
    return b.toString();
  };
  return {
    before: show(before),
    after: show(after),
    beforeHeader: before === undefined ? `${path} (absent)` : path,
    afterHeader: afterHeader ?? path,
  };
}

/** A diff of attribute values (state, mode, owner, ...) rendered as `key: value` lines. */
export function attrDiff(path: string, before: Record<string, unknown>, after: Record<string, unknown>): FileDiff {
  const render = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${String(v)}\n`)
      .join('');
  return { before: render({ path, ...before }), after: render({ path, ...after }), beforeHeader: path, afterHeader: path };
}
