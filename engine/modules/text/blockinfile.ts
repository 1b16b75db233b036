/**
 * blockinfile's content transform, ported from Ansible's blockinfile.py: a marked block is
 * inserted, replaced or removed. Pure: text in, text + message out.
 */
import { pyRegex, splitLinesKeep } from './pyregex.ts';
import type { EditResult } from './lineinfile.ts';

export interface BlockInFileOptions {
  state: 'present' | 'absent';
  block?: string;
  marker?: string;
  marker_begin?: string;
  marker_end?: string;
  insertafter?: string;
  insertbefore?: string;
}

/** Apply blockinfile to `original` (undefined when the file does not exist). */
export function blockInFile(original: string | undefined, o: BlockInFileOptions): EditResult {
  const lines = original === undefined ? [] : splitLinesKeep(original);
  const marker = o.marker ?? '# {mark} ANSIBLE MANAGED BLOCK';
  let insertafter = o.insertafter;
  const insertbefore = o.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const insertre =
    insertafter !== undefined && insertafter !== 'EOF'
      ? pyRegex(insertafter)
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? pyRegex(insertbefore)
        : undefined;
  const marker0 = marker.split('{mark}').join(o.marker_begin ?? 'BEGIN') + '\n';
  const marker1 = marker.split('{mark}').join(o.marker_end ?? 'END') + '\n';
  let block = o.block ?? '';
  let blocklines: string[] = [];
  if (o.state === 'present' && block) {
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitLinesKeep(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (insertre.multiline && original !== undefined) {
        const m = insertre.exec(original);
        if (m) {
          const upto = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = (original.slice(0, upto).match(/\n/g) ?? []).length;
        }
      } else {
        lines.forEach((l, i) => {
          if (insertre.exec(l.endsWith('\n') ? l.slice(0, -1) : l)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1].endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const result = lines.join('');
  if (original === result) return { text: result, changed: false, msg: '' };
  if (original === undefined) return { text: result, changed: true, msg: 'File created' };
  if (!blocklines.length) return { text: result, changed: true, msg: 'Block removed' };
  return { text: result, changed: true, msg: 'Block inserted' };
}
