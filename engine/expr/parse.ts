/**
 * Parsing of Jinja-style strings with the nunjucks PARSER only (never its compiler).
 * nunjucks' postfix parsing is extended for what Ansible users write and nunjucks lacks:
 * slices (`x[1:]`, `x[::-1]`) and numeric dot lookups (`groups.k8s.0`).
 * Parsed trees are cached by source text.
 */
import { createRequire } from 'node:module';
import { ParseError, type SourcePos } from '../types.ts';

/** A nunjucks AST node (we only read `typename` and the node's fields). */
export interface Node {
  typename: string;
  lineno: number;
  colno: number;
  [field: string]: any;
}

// nunjucks' lexer, parser and node classes (the same objects as `nunjucks.lexer`, ...), loaded on
// the first parse: not at start-up, and without the rest of nunjucks (environment, compiler).
let lexer: any;
let ParserClass: any;
let nodes: any;

function loadNunjucks(): void {
  if (ParserClass) return;
  const require = createRequire(import.meta.url);
  lexer = require('nunjucks/src/lexer');
  nodes = require('nunjucks/src/nodes');
  ParserClass = require('nunjucks/src/parser').Parser;
}

/** A slice `[start:stop:step]`, built by our postfix extension (not a nunjucks node type). */
function sliceNode(lineno: number, colno: number, start: Node | null, stop: Node | null, step: Node | null): Node {
  return { typename: 'Slice', lineno, colno, start, stop, step } as Node;
}

/** nunjucks' parsePostfix plus slices and numeric dot lookups. */
function parsePostfix(this: any, node: any): any {
  if (!node) return node;
  let tok = this.peekToken();
  while (tok) {
    if (tok.type === lexer.TOKEN_LEFT_PAREN) {
      node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
    } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
      this.nextToken();
      let start: Node | null = null;
      if (this.peekToken().type !== lexer.TOKEN_COLON) start = this.parseExpression();
      if (this.skip(lexer.TOKEN_COLON)) {
        let stop: Node | null = null;
        let step: Node | null = null;
        const t = this.peekToken().type;
        if (t !== lexer.TOKEN_COLON && t !== lexer.TOKEN_RIGHT_BRACKET) stop = this.parseExpression();
        if (this.skip(lexer.TOKEN_COLON) && this.peekToken().type !== lexer.TOKEN_RIGHT_BRACKET) step = this.parseExpression();
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, sliceNode(tok.lineno, tok.colno, start, stop, step));
      } else {
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, start);
      }
      if (!this.skip(lexer.TOKEN_RIGHT_BRACKET)) this.fail('expected ] after index', tok.lineno, tok.colno);
    } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
      this.nextToken();
      const val = this.nextToken();
      if (val && val.type === lexer.TOKEN_SYMBOL) {
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
      } else if (val && val.type === lexer.TOKEN_INT) {
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(val.value, 10)));
      } else if (val && val.type === lexer.TOKEN_FLOAT) {
        // `x.0.1` lexes as x . "0.1"; `x.0.y` as x . "0." y
        const [a, b] = String(val.value).split('.');
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(a, 10)));
        if (b) node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(b, 10)));
        else this.pushToken({ type: lexer.TOKEN_OPERATOR, value: '.', lineno: val.lineno, colno: val.colno });
      } else {
        this.fail('expected name as lookup value, got ' + (val ? val.value : 'end of input'), tok.lineno, tok.colno);
      }
    } else {
      break;
    }
    tok = this.peekToken();
  }
  return node;
}

const NOT_ARG = new Set(['and', 'or', 'else', 'if', 'is', 'not', 'in']);

/**
 * Jinja's test syntax after `is`: a dotted name (`ansible.utils.in_network`), `none`/`true`/`false`,
 * `in`, then `(args)` or one bare argument (`x is divisibleby 3`, `x is sameas false`).
 */
function parseIs(this: any): any {
  let node = this.parseCompare();
  if (!this.skipSymbol('is')) return node;
  const not = this.skipSymbol('not');
  const tok = this.nextToken();
  if (!tok) this.fail('expected a test name after "is"');
  let name: string;
  if (tok.type === lexer.TOKEN_SYMBOL) {
    name = tok.value;
    while (this.skipValue(lexer.TOKEN_OPERATOR, '.')) name += '.' + this.expect(lexer.TOKEN_SYMBOL).value;
  } else if (tok.type === lexer.TOKEN_NONE) name = 'none';
  else if (tok.type === lexer.TOKEN_BOOLEAN) name = tok.value;
  else this.fail(`expected a test name after "is", got ${tok.value}`, tok.lineno, tok.colno);
  const sym = new nodes.Symbol(tok.lineno, tok.colno, name!);
  let test: any = sym;
  const next = this.peekToken();
  if (next && next.type === lexer.TOKEN_LEFT_PAREN) {
    test = new nodes.FunCall(tok.lineno, tok.colno, sym, this.parseSignature());
  } else if (next && ([lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(next.type)
    || (next.type === lexer.TOKEN_SYMBOL && !NOT_ARG.has(next.value)))) {
    const arg = this.parsePrimary();
    test = new nodes.FunCall(tok.lineno, tok.colno, sym, new nodes.NodeList(tok.lineno, tok.colno, [arg]));
  }
  node = new nodes.Is(node.lineno, node.colno, node, test);
  return not ? new nodes.Not(node.lineno, node.colno, node) : node;
}

/**
 * String literals the Ansible way: Ansible doubles backslashes inside Jinja string literals
 * before Jinja unescapes them, so `'\d+'` reaches the filter as `\d+` (backslashes are literal). Only an escaped
 * quote (`'it\'s'`) is special.
 */
function parseStringLiteral(this: any, delimiter: string): string {
  this.forward();
  let str = '';
  while (!this.isFinished() && this.current() !== delimiter) {
    const cur = this.current();
    if (cur === '\\' && this.str.charAt(this.index + 1) === delimiter) {
      this.forward();
      str += delimiter;
      this.forward();
    } else {
      str += cur;
      this.forward();
    }
  }
  if (this.isFinished()) throw new Error(`unterminated string literal`);
  this.forward();
  return str;
}

/** A tokenizer where `}}` inside an open `{ ... }` dict literal closes the dict, as in Jinja. */
function tokenizer(src: string): any {
  const tk = lexer.lex(src, { trimBlocks: true });
  tk._parseString = parseStringLiteral;
  const next = tk.nextToken.bind(tk);
  let depth = 0;
  tk.nextToken = function (): any {
    if (tk.in_code && depth > 0 && tk.str.charAt(tk.index) === '}') {
      const lineno = tk.lineno;
      const colno = tk.colno;
      tk.forward();
      depth--;
      return { type: lexer.TOKEN_RIGHT_CURLY, value: '}', lineno, colno };
    }
    const tok = next();
    if (tok) {
      if (tok.type === lexer.TOKEN_LEFT_CURLY) depth++;
      else if (tok.type === lexer.TOKEN_RIGHT_CURLY) depth = Math.max(0, depth - 1);
      else if (tok.type === lexer.TOKEN_VARIABLE_END || tok.type === lexer.TOKEN_BLOCK_END || tok.type === lexer.TOKEN_VARIABLE_START || tok.type === lexer.TOKEN_BLOCK_START) depth = 0;
    }
    return tok;
  };
  return tk;
}

/** nunjucks' parser messages without its internal function names and token type names. */
function cleanMessage(m: string): string {
  return (m.replace(/^\(unknown path\)\s*/, '')
    .replace(/\bparse\w+: /g, '')
    .replace(/\bvariable-end\b|\bvariable end\b/g, '}}')
    .replace(/\bblock-end\b/g, '%}')
    .replace(/\bend of file\b/g, 'end of template (a block is not closed)')) || 'syntax error';
}

const cache = new Map<string, Node>();
const CACHE_MAX = 20000;

/** One-line text of a source string for messages (truncated). */
export function shortSrc(src: string, max = 120): string {
  const one = src.replace(/\s*\n\s*/g, ' ');
  return one.length > max ? one.slice(0, max - 3) + '...' : one;
}

/**
 * Parse a template string into a nunjucks Root node (cached). `trimBlocks` is on, as in Ansible.
 * Throws ParseError (one line, naming the string) on bad syntax.
 */
export function parseTemplate(src: string, pos?: SourcePos): Node {
  const hit = cache.get(src);
  if (hit) return hit;
  loadNunjucks();
  let root: Node;
  try {
    const p = new ParserClass(tokenizer(src));
    p.parsePostfix = parsePostfix;
    p.parseIs = parseIs;
    root = p.parseAsRoot();
  } catch (e: any) {
    const raw = String(e?.message ?? e).split('\n').map((l) => l.trim()).filter((l) => l && !/^\(unknown path\)/.test(l));
    throw new ParseError(`template syntax error: ${cleanMessage(raw.join(' '))}; in "${shortSrc(src)}"`, pos);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(src, root);
  return root;
}

const exprCache = new Map<string, Node>();

/**
 * Parse a bare expression (`a == 1 and b is defined`) into its expression node (cached).
 * Throws ParseError when it is not exactly one expression.
 */
export function parseExpression(expr: string, pos?: SourcePos): Node {
  const hit = exprCache.get(expr);
  if (hit) return hit;
  let root: Node;
  try {
    root = parseTemplate('{{ ' + expr + ' }}', pos);
  } catch (e) {
    const why = String((e as Error).message)
      .replace(/^template syntax error: /, '')
      .replace(/; in "[^]*"$/, '')
      .replace(/unexpected token: }}|, got }}/, (m) => (m.startsWith(',') ? ', got the end of the expression' : 'unexpected end of expression'))
      .replace(/^expected }}$/, 'unexpected text after the expression');
    throw new ParseError(`syntax error in expression "${shortSrc(expr)}": ${why}`, pos);
  }
  const kids = root.children;
  if (kids.length !== 1 || kids[0].typename !== 'Output' || kids[0].children.length !== 1 || kids[0].children[0].typename === 'TemplateData') {
    throw new ParseError(`invalid expression: "${shortSrc(expr)}"`, pos);
  }
  const node = kids[0].children[0];
  if (exprCache.size >= CACHE_MAX) exprCache.clear();
  exprCache.set(expr, node);
  return node;
}
