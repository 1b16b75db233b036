import { expect } from 'chai';
import fc from 'fast-check';
import { TsplayError } from '../../../engine/types.ts';
import { ExprError, evalCondition, evaluate, renderString } from '../../../engine/expr/index.ts';

const vars: Record<string, unknown> = {
  a: 1, s: 'str', l: [1, 'two', null, [3]], d: { k: 'v', n: { m: [1, 2] } }, t: true, nil: null,
  lazy: '{{ a + 1 }}', loopy: '{{ loopy }}', groups: { all: ['h1', 'h2'], 'k8s-master': ['h1'] },
};

/** The property every input must satisfy: a value or a clean TsplayError (not an internal one), quickly. */
function clean(fn: () => unknown, input: string, maxMs = 2000): void {
  const t0 = Date.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TsplayError)) throw new Error(`non-TsplayError for ${JSON.stringify(input)}: ${(e as Error)?.stack ?? e}`);
    if (e instanceof ExprError && e.internal) throw new Error(`internal error for ${JSON.stringify(input)}: ${e.message}`);
    if (e.message.includes('\n')) throw new Error(`multi-line error for ${JSON.stringify(input)}: ${e.message}`);
  }
  const ms = Date.now() - t0;
  if (ms > maxMs) throw new Error(`took ${ms} ms for ${JSON.stringify(input)}`);
}

/** FUZZ_SCALE=10 runs ten times as many cases (for a longer local soak). */
const runs = (n: number) => Math.round(n * Number(process.env.FUZZ_SCALE ?? 1));

const TOKENS = [
  '{{', '}}', '{%', '%}', '{#', '#}', '{%-', '-%}', ' ', ' ', ' ', 'if', 'elif', 'else', 'endif', 'for', 'endfor', 'in', 'set', 'endset', '=',
  'is', 'not', 'and', 'or', 'defined', 'none', 'true', 'false', 'True', 'None', '|', 'default', 'd', 'join', 'upper', 'map', 'select',
  'selectattr', 'combine', 'to_json', 'from_json', 'regex_replace', 'int', 'length', 'first', 'version', 'match', 'format', 'range',
  'lookup', 'query', 'dict', '(', ')', '[', ']', '{', '}', '.', ',', ':', "'", '"', '\\', 'a', 's', 'l', 'd', 't', 'nil', 'lazy', 'loopy', 'k', 'n',
  'groups', 'k8s-master', 'loop', 'item', '0', '1', '-1', '2.5', '10', '+', '-', '*', '/', '//', '%', '**', '~', '==', '!=', '<', '>=',
  '__proto__', 'constructor', 'prototype', '__class__', 'split', 'items', 'get', 'keys', 'omit', 'r/', 'x', '\n', '$', '@', '🙂',
];
const tokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((a) => a.join(''));

describe('expr: property-based fuzzing (issue 7)', function () {
  this.timeout(120_000 * Math.max(1, Number(process.env.FUZZ_SCALE ?? 1)));

  it('renderString: arbitrary unicode strings end in a value or a clean error', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => clean(() => renderString(s, vars), s)), { numRuns: runs(1500) });
  });
  it('renderString: arbitrary strings wrapped in {{ }} end in a value or a clean error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => clean(() => renderString(`{{ ${s} }}`, vars), s)), { numRuns: runs(1500) });
  });
  it('renderString: token soup of template syntax ends in a value or a clean error', () => {
    fc.assert(fc.property(tokens, (s) => clean(() => renderString(s, vars), s)), { numRuns: runs(4000) });
  });
  it('evaluate / evalCondition: token soup ends in a value or a clean error', () => {
    fc.assert(fc.property(tokens, (s) => {
      clean(() => evaluate(s, vars), s);
      clean(() => evalCondition(s, vars), s);
    }), { numRuns: runs(4000) });
  });
  it('evaluate: pipelines of real filters on real values end in a value or a clean error', () => {
    const filters = ['upper', 'lower', 'length', 'first', 'last', 'join', 'to_json', 'to_yaml', 'from_json', 'from_yaml', 'unique', 'sort', 'flatten',
      'dict2items', 'items2dict', 'b64encode', 'b64decode', 'int', 'float', 'bool', 'string', 'list', 'reverse', 'trim', 'quote', 'basename',
      'ipaddr', 'hash', 'combine', 'min', 'max', 'sum', 'indent', 'title', 'regex_escape', 'type_debug', 'default', 'mandatory', 'splitext'];
    const operands = ['a', 's', 'l', 'd', 't', 'nil', 'lazy', 'd.n', 'd.n.m', "'1.2.3.4/24'", "'[1, 2]'", "'{\"x\": 1}'", '[]', '{}', "''", '-3', '2.5'];
    const expr = fc.tuple(fc.constantFrom(...operands), fc.array(fc.constantFrom(...filters), { maxLength: 5 })).map(([o, fs]) => [o, ...fs].join(' | '));
    fc.assert(fc.property(expr, (x) => clean(() => evaluate(x, vars), x)), { numRuns: runs(3000) });
  });
  it('literals round-trip: evaluate(repr(value)) equals value', () => {
    const repr = (v: unknown): string => {
      if (v === null) return 'none';
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      if (typeof v === 'number') return String(v);
      if (typeof v === 'string') return "'" + v.replace(/'/g, '') + "'";
      if (Array.isArray(v)) return '[' + v.map(repr).join(', ') + ']';
      return '{' + Object.entries(v as object).map(([k, x]) => repr(k) + ': ' + repr(x)).join(', ') + '}';
    };
    const key = fc.string({ maxLength: 6 }).map((k) => k.replace(/['\\{}%#]/g, ''));
    const str = fc.string({ maxLength: 10 }).map((k) => k.replace(/['\\{}%#]/g, ''));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer({ min: 0, max: 1e9 }), str,
        fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(value, (v) => {
      expect(evaluate(repr(v), {})).to.deep.equal(v);
    }), { numRuns: runs(1000) });
  });
  it('huge and nested inputs stay bounded (step, size and depth limits)', () => {
    clean(() => renderString('{{ ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ' }}', {}), 'deep parens', 15000);
    clean(() => renderString('{{ ' + '['.repeat(5000) + ' }}', {}), 'open brackets', 15000);
    clean(() => renderString('{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}', {}), 'loops', 15000);
    clean(() => renderString("{{ 'x' * 100000000 }}", {}), 'big string', 15000);
    clean(() => renderString("{{ ('x' * 1000000) | regex_findall('') }}", {}), 'many matches', 15000);
    clean(() => renderString('{{ a }}'.repeat(20000), { a: 1 }), 'long template', 15000);
  });
});
