/**
 * Positions and one-line errors for the loader: where a key of a loaded mapping sits,
 * and small typed readers that throw a ParseError naming file:line:col and the key.
 */
import { readFileSync } from 'node:fs';
import { posOf } from '../yaml.ts';
import { ParseError, type SourcePos } from '../types.ts';

const texts = new Map<string, string[]>();

function linesOf(file: string): string[] | undefined {
  let l = texts.get(file);
  if (!l) {
    try {
      l = readFileSync(file, 'utf8').split('\n');
    } catch {
      return undefined;
    }
    if (texts.size > 500) texts.clear();
    texts.set(file, l);
  }
  return l;
}

/** Forget cached file texts (tests that rewrite fixtures). */
export function clearSourceCache(): void {
  texts.clear();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Position of KEY inside the mapping OBJ (found by scanning the source from the mapping's
 * start); the mapping's own position when the key cannot be located; `fallback` otherwise.
 */
export function keyPos(obj: unknown, key: string, fallback?: SourcePos): SourcePos {
  const p = posOf(obj) ?? fallback;
  if (!p) return { file: '<unknown>' };
  const lines = p.line ? linesOf(p.file) : undefined;
  if (!lines || !p.line) return p;
  const re = new RegExp(`(^|[\\s{,-])(["']?)${escapeRe(key)}\\2\\s*:`);
  let col = p.col ?? 1;
  let start = p.line - 1;
  // A block mapping given as a key's value starts on the next line: `key:\n  a: 1`.
  const rest = (lines[start] ?? '').slice(col - 1).trim();
  if (rest === '' || rest.startsWith('#')) {
    for (start = start + 1; start < lines.length; start++) {
      const t = lines[start].trim();
      if (t !== '' && !t.startsWith('#')) break;
    }
    if (start >= lines.length) return p;
    col = lines[start].length - lines[start].trimStart().length + 1;
  }
  for (let i = start; i < lines.length && i < start + 2000; i++) {
    const text = lines[i];
    if (i > start) {
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const indent = text.length - text.trimStart().length;
      if (indent < col - 1) break;
    }
    const from = i === start ? Math.max(0, col - 2) : 0;
    const m = re.exec(text.slice(from));
    if (m) return { file: p.file, line: i + 1, col: from + m.index + m[1].length + 1 };
  }
  return p;
}

/** Throw a ParseError at `pos`. */
export function fail(msg: string, pos: SourcePos | undefined): never {
  throw new ParseError(msg.replace(/\r?\n/g, '\\n'), pos ?? { file: '<unknown>' });
}

/** A short description of a YAML value's type for error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

/** True for a plain mapping (not a list, not a tagged scalar object such as !vault). */
export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** True when a string holds a Jinja expression or statement. */
export function isTemplate(v: unknown): boolean {
  return typeof v === 'string' && /\{\{|\{%/.test(v);
}

const TRUE = new Set(['yes', 'on', 'true', 'y', '1']);
const FALSE = new Set(['no', 'off', 'false', 'n', '0']);

/** Ansible's boolean coercion (YAML 1.1 yes/no/on/off included); undefined when not a boolean. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  return undefined;
}

/** Typed readers over a loaded mapping; each error names the key and its position. */
export class Reader {
  constructor(
    public readonly ds: Record<string, unknown>,
    /** What the mapping is ("task", "play", "block", ...), for messages. */
    public readonly what: string,
    public readonly fallback?: SourcePos,
  ) {}

  /** Position of KEY (or of the mapping). */
  pos(key?: string): SourcePos {
    return key ? keyPos(this.ds, key, this.fallback) : (posOf(this.ds) ?? this.fallback ?? { file: '<unknown>' });
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.ds, key);
  }

  fail(key: string, msg: string): never {
    fail(msg, this.pos(key));
  }

  wrong(key: string, expected: string): never {
    this.fail(key, `${this.what} keyword '${key}' must be ${expected}, got ${typeName(this.ds[key])}`);
  }

  /** A string (numbers are accepted and turned into strings). */
  str(key: string): string | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    this.wrong(key, 'a string');
  }

  /** A boolean (yes/no/true/false...). Templates are refused: the model needs a boolean. */
  bool(key: string): boolean | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    const b = toBool(v);
    if (b === undefined) this.wrong(key, 'a boolean (true/false)');
    return b;
  }

  /** A boolean or a template string, kept raw for evaluation at run time. */
  boolish(key: string): unknown {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    const b = toBool(v);
    if (b !== undefined) return b;
    if (typeof v === 'string') return v;
    this.wrong(key, 'a boolean or an expression');
  }

  /** A number (or a numeric string); templates kept as strings when `allowTemplate`. */
  num(key: string, allowTemplate = false): number | string | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    if (allowTemplate && isTemplate(v)) return v as string;
    this.wrong(key, allowTemplate ? 'a number or an expression' : 'a number');
  }

  /** A plain number only. */
  int(key: string): number | undefined {
    const v = this.num(key);
    return v === undefined ? undefined : Number(v);
  }

  /** A list of strings; a single string becomes a one-element list. */
  strList(key: string): string[] | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) {
      return v.map((x) => {
        if (typeof x === 'string') return x;
        if (typeof x === 'number') return String(x);
        this.wrong(key, 'a string or a list of strings');
      });
    }
    this.wrong(key, 'a string or a list of strings');
  }

  /** A mapping (null -> undefined). */
  map(key: string): Record<string, unknown> | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    if (isMap(v)) return v;
    this.wrong(key, 'a mapping');
  }

  /** A list (null -> undefined). */
  list(key: string): unknown[] | undefined {
    const v = this.ds[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v;
    this.wrong(key, 'a list');
  }
}

/**
 * Position of entry INDEX of the loaded sequence LIST (scanning the source for the block
 * sequence's `- ` markers); the list's own position when it cannot be located.
 */
export function itemPos(list: unknown, index: number, fallback?: SourcePos): SourcePos {
  const p = posOf(list) ?? fallback;
  if (!p) return { file: '<unknown>' };
  const lines = p.line ? linesOf(p.file) : undefined;
  if (!lines || !p.line) return p;
  let col = -1;
  let n = -1;
  for (let i = p.line - 1; i < lines.length; i++) {
    const text = i === p.line - 1 ? ' '.repeat((p.col ?? 1) - 1) + lines[i].slice((p.col ?? 1) - 1) : lines[i];
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = text.length - text.trimStart().length;
    if (col < 0) {
      if (!/^-(\s|$)/.test(trimmed)) return p;
      col = indent;
    }
    if (indent < col) break;
    if (indent === col) {
      if (!/^-(\s|$)/.test(trimmed)) break;
      n++;
      if (n === index) return { file: p.file, line: i + 1, col: indent + 1 };
    }
  }
  return p;
}

/**
 * Substitute the variables known while loading (`{{ playbook_dir }}`, `{{ role_path }}`) in a
 * static import path; anything else templated is left for the caller to refuse.
 */
export function staticPath(s: string, known: { playbook_dir: string; role_path?: string }): string {
  return s.replace(/\{\{\s*(playbook_dir|role_path)\s*\}\}/g, (m, name: string) => (name === 'role_path' ? known.role_path ?? m : known.playbook_dir));
}
