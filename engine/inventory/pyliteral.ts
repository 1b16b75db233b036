/**
 * A port of what Ansible's INI inventory does with a value: Python's `ast.literal_eval`, falling
 * back to the text itself when the text is not a Python literal. So `5` is an int, `1.5` a float,
 * `True`/`False`/`None` are booleans/null, `'x'` a string without quotes, `[1, 2]` a list,
 * `{'a': 1}` a dict, and `yes`, `07`, `hello world` stay strings.
 * Integers beyond 2^53 are kept as their text (JavaScript numbers cannot hold them exactly).
 */

class NotLiteral extends Error {}

/** Bound on nesting, so junk such as 10000 `[` cannot overflow the stack. */
const MAX_DEPTH = 100;

const INT_RE = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0(?:_?0)*)/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_RE = new RegExp(
  String.raw`^(?:(?:${DIGITS})?\.${DIGITS}(?:[eE][+-]?${DIGITS})?|${DIGITS}\.(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS})`,
);
const NAME_RE = /^[\p{L}_][\p{L}\p{N}_]*/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  skipWs(): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      else if (c === '#') this.pos = this.s.length; // a comment runs to the end of the (single) line
      else break;
    }
  }

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  expect(c: string): void {
    this.skipWs();
    if (this.s[this.pos] !== c) throw new NotLiteral();
    this.pos++;
  }

  /** An expression: a single literal or a bare tuple `1, 2`. */
  parseTop(): unknown {
    const first = this.parseValue(0);
    this.skipWs();
    if (this.peek() !== ',') return first;
    const items = [first];
    while (this.peek() === ',') {
      this.pos++;
      this.skipWs();
      if (this.pos >= this.s.length) break;
      items.push(this.parseValue(0));
      this.skipWs();
    }
    return items;
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new NotLiteral();
    this.skipWs();
    const c = this.peek();
    if (c === '[') return this.parseSeq('[', ']', depth);
    if (c === '(') return this.parseParen(depth);
    if (c === '{') return this.parseBrace(depth);
    if (c === '-' || c === '+') {
      // One sign on a number constant (parentheses around it vanish, as in Python's AST).
      this.pos++;
      let parens = 0;
      for (;;) {
        this.skipWs();
        if (this.peek() !== '(') break;
        this.pos++;
        parens++;
      }
      const n = this.parseNumber(); // not True/False: Python's literal_eval refuses -True
      if (n === undefined) throw new NotLiteral();
      for (; parens > 0; parens--) this.expect(')');
      if (typeof n === 'string') return c === '-' ? '-' + n : n;
      return c === '-' ? -n : n;
    }
    const n = this.parseNumber();
    if (n !== undefined) return n;
    const str = this.parseStrings();
    if (str !== undefined) return str;
    const m = NAME_RE.exec(this.s.slice(this.pos));
    if (m) {
      this.pos += m[0].length;
      if (m[0] === 'True') return true;
      if (m[0] === 'False') return false;
      if (m[0] === 'None') return null;
    }
    throw new NotLiteral();
  }

  /** A number literal (no sign); undefined if there is none here. Big ints come back as text. */
  parseNumber(): number | string | undefined {
    const rest = this.s.slice(this.pos);
    const f = FLOAT_RE.exec(rest);
    const i = INT_RE.exec(rest);
    let text: string;
    let isFloat: boolean;
    if (f && (!i || f[0].length > i[0].length)) {
      text = f[0];
      isFloat = true;
    } else if (i) {
      text = i[0];
      isFloat = false;
    } else return undefined;
    const after = rest[text.length] ?? '';
    // `07`, `1_`, `12abc`, `1j` (complex) and the like are not plain literals we can represent.
    if (/[\p{L}\p{N}_.]/u.test(after)) throw new NotLiteral();
    this.pos += text.length;
    const clean = text.replace(/_/g, '');
    if (isFloat) return Number(clean);
    let n: number;
    if (/^0[xX]/.test(clean)) n = parseInt(clean.slice(2), 16);
    else if (/^0[oO]/.test(clean)) n = parseInt(clean.slice(2), 8);
    else if (/^0[bB]/.test(clean)) n = parseInt(clean.slice(2), 2);
    else n = Number(clean);
    return Number.isSafeInteger(n) ? n : clean;
  }

  /** One or more adjacent string literals (Python concatenates them). */
  parseStrings(): string | undefined {
    let out: string | undefined;
    for (;;) {
      const save = this.pos;
      this.skipWs();
      const m = /^([rRbBuU]|[bB][rR]|[rR][bB])?('''|"""|'|")/.exec(this.s.slice(this.pos));
      if (!m) {
        this.pos = save;
        return out;
      }
      this.pos += m[0].length;
      const prefix = (m[1] ?? '').toLowerCase();
      out = (out ?? '') + this.parseStringBody(m[2], prefix.includes('r'), prefix.includes('b'));
    }
  }

  /** The text of a string literal after its opening quote (`bytes`: b'' has no \\u \\U \\N escapes). */
  parseStringBody(quote: string, raw: boolean, bytes = false): string {
    let out = '';
    const s = this.s;
    for (;;) {
      if (this.pos >= s.length) throw new NotLiteral();
      if (s.startsWith(quote, this.pos)) {
        this.pos += quote.length;
        return out;
      }
      const c = s[this.pos];
      if (c === '\n' && quote.length === 1) throw new NotLiteral();
      if (bytes && c > '\x7f') throw new NotLiteral(); // bytes can only contain ASCII literal characters
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      if (e === undefined) throw new NotLiteral();
      if (raw) {
        out += '\\' + e;
        this.pos += 2;
        continue;
      }
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        this.pos += 2;
      } else if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(this.pos + 2, this.pos + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotLiteral();
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw new NotLiteral();
        out += String.fromCodePoint(cp);
        this.pos += 2 + len;
      } else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(s.slice(this.pos + 1))!;
        out += String.fromCodePoint(parseInt(m[0], 8));
        this.pos += 1 + m[0].length;
      } else if (e === 'N' && !bytes) {
        throw new NotLiteral(); // \N{NAME}: not supported here, kept as text
      } else {
        out += '\\' + e; // unknown escapes are kept (Python warns, but keeps them)
        this.pos += 2;
      }
    }
  }

  parseSeq(open: string, close: string, depth: number): unknown[] {
    this.expect(open);
    const items: unknown[] = [];
    this.skipWs();
    while (this.peek() !== close) {
      items.push(this.parseValue(depth + 1));
      this.skipWs();
      if (this.peek() === ',') {
        this.pos++;
        this.skipWs();
      } else if (this.peek() !== close) throw new NotLiteral();
    }
    this.pos++;
    return items;
  }

  /** `(x)` is x; `()`, `(x,)` and `(x, y)` are tuples (lists here). */
  parseParen(depth: number): unknown {
    this.expect('(');
    this.skipWs();
    if (this.peek() === ')') {
      this.pos++;
      return [];
    }
    const first = this.parseValue(depth + 1);
    this.skipWs();
    if (this.peek() === ')') {
      this.pos++;
      return first;
    }
    const items = [first];
    while (this.peek() === ',') {
      this.pos++;
      this.skipWs();
      if (this.peek() === ')') break;
      items.push(this.parseValue(depth + 1));
      this.skipWs();
    }
    this.expect(')');
    return items;
  }

  /** `{}` and `{k: v}` are dicts; `{a, b}` is a set (a list here). */
  parseBrace(depth: number): unknown {
    this.expect('{');
    this.skipWs();
    if (this.peek() === '}') {
      this.pos++;
      return {};
    }
    const firstKey = this.parseValue(depth + 1);
    this.skipWs();
    if (this.peek() !== ':') {
      const items = [firstKey];
      while (this.peek() === ',') {
        this.pos++;
        this.skipWs();
        if (this.peek() === '}') break;
        items.push(this.parseValue(depth + 1));
        this.skipWs();
      }
      this.expect('}');
      if (items.some((x) => x !== null && typeof x === 'object')) throw new NotLiteral(); // unhashable
      return items;
    }
    const out: Record<string, unknown> = {};
    let key: unknown = firstKey;
    for (;;) {
      if (key !== null && typeof key === 'object') throw new NotLiteral(); // unhashable key
      this.expect(':');
      const name = key === null ? 'None' : typeof key === 'boolean' ? (key ? 'True' : 'False') : String(key);
      Object.defineProperty(out, name, { value: this.parseValue(depth + 1), writable: true, enumerable: true, configurable: true });
      this.skipWs();
      if (this.peek() === ',') {
        this.pos++;
        this.skipWs();
      }
      if (this.peek() === '}') {
        this.pos++;
        return out;
      }
      key = this.parseValue(depth + 1);
      this.skipWs();
    }
  }
}

/**
 * Ansible's INI `_parse_value`: `ast.literal_eval(v)` when `v` is a Python literal, else `v` itself.
 */
export function parseIniValue(v: string): unknown {
  const p = new Parser(v.replace(/^[ \t]+/, ''));
  try {
    const value = p.parseTop();
    p.skipWs();
    if (p.pos !== p.s.length) return v;
    return value;
  } catch (e) {
    if (e instanceof NotLiteral || e instanceof RangeError) return v;
    throw e;
  }
}
