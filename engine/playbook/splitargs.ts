/**
 * Ansible's `k=v` argument strings (ansible.parsing.splitter): split_args, parse_kv, join_args.
 * Ported faithfully: quotes and {{ }} / {% %} / {# #} blocks keep spaces together.
 */

/** Ansible's unquote: strip matching outer quotes. */
export function unquote(s: string): string {
  if (s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\') return s.slice(1, -1);
  return s;
}

function quoteState(token: string, quoteChar: string | null): string | null {
  let prev: string | null = null;
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if (i > 0) prev = token[i - 1];
    if ((c === '"' || c === "'") && prev !== '\\') {
      if (quoteChar) {
        if (c === quoteChar) quoteChar = null;
      } else quoteChar = c;
    }
  }
  return quoteChar;
}

function count(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function depth(token: string, cur: number, open: string, close: string): number {
  const o = count(token, open);
  const c = count(token, close);
  if (o !== c) {
    cur += o - c;
    if (cur < 0) cur = 0;
  }
  return cur;
}

/** Error thrown for unbalanced quotes or Jinja blocks. */
export class SplitArgsError extends Error {}

/** Split on whitespace, keeping quoted strings and Jinja blocks together (Ansible's split_args). */
export function splitArgs(args: string): string[] {
  const params: string[] = [];
  const items = args.split('\n');
  let quoteChar: string | null = null;
  let insideQuotes = false;
  let printDepth = 0;
  let blockDepth = 0;
  let commentDepth = 0;
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let lineContinuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        if (params.length) params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && !insideQuotes) {
        lineContinuation = true;
        return;
      }
      const wasInsideQuotes = insideQuotes;
      quoteChar = quoteState(token, quoteChar);
      insideQuotes = quoteChar !== null;
      let appended = false;
      const inBlock = printDepth || blockDepth || commentDepth;
      if (insideQuotes && !wasInsideQuotes && !inBlock) {
        params.push(token);
        appended = true;
      } else if (inBlock || insideQuotes || wasInsideQuotes) {
        if (params.length === 0) params.push('');
        const last = params.length - 1;
        if (idx === 0 && wasInsideQuotes) params[last] = params[last] + token;
        else if (tokens.length > 1) params[last] = params[last] + (idx > 0 ? ' ' : '') + token;
        else params[last] = params[last] + '\n' + token;
        appended = true;
      }
      const pp = printDepth;
      printDepth = depth(token, printDepth, '{{', '}}');
      if (printDepth !== pp && !appended) {
        params.push(token);
        appended = true;
      }
      const pb = blockDepth;
      blockDepth = depth(token, blockDepth, '{%', '%}');
      if (blockDepth !== pb && !appended) {
        params.push(token);
        appended = true;
      }
      const pc = commentDepth;
      commentDepth = depth(token, commentDepth, '{#', '#}');
      if (commentDepth !== pc && !appended) {
        params.push(token);
        appended = true;
      }
      if (!(printDepth || blockDepth || commentDepth) && !insideQuotes && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !lineContinuation && params.length) params[params.length - 1] += '\n';
  });
  if (printDepth || blockDepth || commentDepth || insideQuotes) {
    throw new SplitArgsError(`unbalanced quotes or jinja2 block in arguments: ${args}`);
  }
  return params;
}

/** Re-join split args, keeping newlines (Ansible's join_args). */
export function joinArgs(parts: string[]): string {
  let r = '';
  for (const p of parts) r += r.length === 0 || r.endsWith('\n') ? p : ' ' + p;
  return r;
}

const ESCAPES = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(s: string): string {
  return s.replace(ESCAPES, (m) => {
    if (m[1] === 'U' || m[1] === 'u' || m[1] === 'x') return String.fromCodePoint(parseInt(m.slice(2), 16));
    return SIMPLE[m[1]] ?? m;
  });
}

/** Options of command/shell that stay k=v even in free-form text. */
const RAW_KEEP = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);

/**
 * Ansible's parse_kv: `a=1 b="x y" free text` -> { a: '1', b: 'x y', _raw_params: 'free text' }.
 * With `checkRaw` (command/shell/raw/script), only their own options are taken as k=v.
 */
export function parseKv(args: string, checkRaw = false): Record<string, string> {
  const options: Record<string, string> = {};
  const raw: string[] = [];
  for (const orig of splitArgs(args)) {
    const x = decodeEscapes(orig);
    if (x.includes('=')) {
      let pos = 0;
      let found = -1;
      for (;;) {
        pos = x.indexOf('=', pos + 1);
        if (pos < 0) break;
        if (x[pos - 1] !== '\\') {
          found = pos;
          break;
        }
      }
      if (found < 0) {
        raw.push(x.replace(/\\=/g, '='));
        continue;
      }
      const k = x.slice(0, found);
      const v = x.slice(found + 1);
      if (checkRaw && !RAW_KEEP.has(k)) raw.push(orig);
      else options[k.trim()] = unquote(v.trim());
    } else raw.push(orig);
  }
  if (raw.length) options._raw_params = joinArgs(raw);
  return options;
}
