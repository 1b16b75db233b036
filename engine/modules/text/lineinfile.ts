/**
 * lineinfile's content transform, ported from Ansible's lineinfile.py (present/absent) so the
 * same inputs give the same file. Pure: text in, text + message out.
 */
import { pyExpand, pyRegex, splitLinesKeep, stripEol } from './pyregex.ts';

export interface LineInFileOptions {
  state: 'present' | 'absent';
  line?: string;
  regexp?: string;
  search_string?: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs?: boolean;
  firstmatch?: boolean;
}

export interface EditResult {
  text: string;
  changed: boolean;
  msg: string;
  /** Lines found (state=absent). */
  found?: number;
}

/** Python re.search on one line (so that `$` also matches before the line's newline). */
function search(re: RegExp, line: string): RegExpExecArray | null {
  return re.exec(line.endsWith('\n') ? line.slice(0, -1) : line);
}

/** Apply lineinfile to `text` (the current file content, '' for a new file). */
export function lineInFile(text: string, o: LineInFileOptions): EditResult {
  const lines = splitLinesKeep(text);
  const line = o.line ?? '';
  const regexp = o.regexp !== undefined ? pyRegex(o.regexp) : undefined;
  if (o.state === 'absent') {
    let found = 0;
    const kept = lines.filter((cur) => {
      const hit = regexp ? search(regexp, cur) !== null : o.search_string !== undefined ? cur.includes(o.search_string) : stripEol(cur) === line;
      if (hit) found++;
      return !hit;
    });
    return { text: kept.join(''), changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
  }
  let insertafter = o.insertafter;
  const insertbefore = o.insertbefore;
  if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF';
  const ins =
    insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF'
      ? pyRegex(insertafter)
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? pyRegex(insertbefore)
        : undefined;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  let exact = false;
  if (regexp) {
    for (let i = 0; i < lines.length; i++) {
      const m = search(regexp, lines[i]);
      if (m) {
        index[0] = i;
        match = m;
        if (o.firstmatch) break;
      }
    }
  }
  if (o.search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes(o.search_string)) {
        index[0] = i;
        match = true;
        if (o.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      if (line === stripEol(lines[i])) {
        index[0] = i;
        exact = true;
      } else if (ins && search(ins, lines[i])) {
        if (insertafter !== undefined) {
          index[1] = i + 1;
          if (o.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          index[1] = i;
          if (o.firstmatch) break;
        }
      }
    }
  }
  const sep = '\n';
  let msg = '';
  let changed = false;
  const add = (at: number) => {
    lines.splice(at, 0, line + sep);
    msg = 'line added';
    changed = true;
  };
  if (index[0] !== -1) {
    let newLine = o.backrefs && match && typeof match !== 'boolean' ? pyExpand(line, match) : line;
    if (!newLine.endsWith(sep)) newLine += sep;
    if (regexp === undefined && o.search_string === undefined && !match && !exact) {
      // unreachable in practice (kept for parity with Ansible's structure)
    } else if (lines[index[0]] !== newLine) {
      lines[index[0]] = newLine;
      msg = 'line replaced';
      changed = true;
    }
  } else if (o.backrefs) {
    // backrefs with no match: leave the file alone
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    add(0);
  } else if (insertafter === 'EOF' || index[1] === -1) {
    if (lines.length && !/[\n\r]$/.test(lines[lines.length - 1])) lines.push(sep);
    add(lines.length);
  } else if (insertafter !== undefined && index[1] !== -1) {
    if (lines.length === index[1]) {
      if (stripEol(lines[index[1] - 1]) !== line) add(lines.length);
    } else if (line !== stripEol(lines[index[1]])) add(index[1]);
  } else add(index[1]);
  return { text: lines.join(''), changed, msg };
}
