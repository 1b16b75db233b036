/**
 * replace's content transform, ported from Ansible's replace.py: every match of a multiline
 * regexp (optionally only between `after` and `before`) is replaced; Python replacement
 * templates (\1, \g<name>) work. Pure.
 */
import { pyExpand, pyRegex } from './pyregex.ts';
import type { EditResult } from './lineinfile.ts';

export interface ReplaceOptions {
  regexp: string;
  replace?: string;
  after?: string;
  before?: string;
}

/** Apply replace to `contents`. `msg` names the number of replacements made. */
export function replaceIn(contents: string, o: ReplaceOptions): EditResult & { count: number } {
  let pattern = '';
  if (o.after && o.before) pattern = `${o.after}(?P<subsection>.*?)${o.before}`;
  else if (o.after) pattern = `${o.after}(?P<subsection>.*)`;
  else if (o.before) pattern = `(?P<subsection>.*)${o.before}`;
  let section = contents;
  let start = 0;
  let end = contents.length;
  if (pattern) {
    const m = pyRegex(pattern, 'sd').exec(contents);
    if (!m) return { text: contents, changed: false, count: 0, msg: `Pattern for before/after params did not match the given file: ${pattern}` };
    const idx = (m as RegExpExecArray & { indices: { groups: Record<string, [number, number]> } }).indices.groups.subsection;
    [start, end] = idx;
    section = contents.slice(start, end);
  }
  const re = pyRegex(o.regexp, 'gm');
  let count = 0;
  const replaced = section.replace(re, (...args) => {
    count++;
    const hasGroups = typeof args[args.length - 1] === 'object';
    const groups = hasGroups ? args[args.length - 1] : undefined;
    const match = args.slice(0, hasGroups ? -3 : -2) as unknown as RegExpMatchArray;
    if (groups) (match as RegExpMatchArray & { groups?: Record<string, string> }).groups = groups;
    return pyExpand(o.replace ?? '', match);
  });
  if (count > 0 && replaced !== section) {
    return { text: contents.slice(0, start) + replaced + contents.slice(end), changed: true, count, msg: `${count} replacements made` };
  }
  return { text: contents, changed: false, count, msg: '' };
}
