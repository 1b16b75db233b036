import { expect } from 'chai';
import { ParseError, TsplayError, UndefinedVariableError } from '../../../engine/types.ts';
import { evaluate, renderString, ExprError } from '../../../engine/expr/index.ts';

const vars = {
  a: 1, b: [1, 2, 3], s: 'Hello World', d: { x: 'y', n: 2, nested: { deep: true } }, e: [], z: '', f: 2.5, t: true, nil: null,
  groups: { 'k8s-master': ['m1', 'm2'], all: ['m1', 'm2', 'w1'] },
  hostvars: { m1: { ansible_host: '198.18.0.11' }, m2: { ansible_host: '198.18.0.12' } },
};
const ev = (x: string, v: Record<string, unknown> = vars) => evaluate(x, v);
const r = (x: string, v: Record<string, unknown> = vars) => renderString(x, v);

describe('expr: evaluate', () => {
  describe('operators and precedence', () => {
    const cases: [string, unknown][] = [
      ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['2 ** 3 ** 2', 64], ['-2 ** 2', 4], ['7 // 2', 3], ['-7 // 2', -4], ['7 / 2', 3.5],
      ['7 % 3', 1], ['-7 % 3', 2], ['7 % -3', -2], ['10 - 2 - 3', 5], ['2 * 3 + 4 * 5', 26], ['1 + 2 == 3', true],
      ['not 1 == 2', true], ['not a', false], ['1 < 2 < 3', true], ['3 > 2 > 2', false], ['1 < 2 and 2 < 1', false],
      ['a == 1 or b', true], ['0 or ""', ''], ['0 or "x"', 'x'], ['1 and 2', 2], ['[] and 1', []], ['"ab" * 2', 'abab'], ['2 * "ab"', 'abab'],
      ['[1] * 2', [1, 1]], ['[1] + [2]', [1, 2]], ['"a" ~ 1 ~ true ~ none', 'a1TrueNone'], ['"a" + "b"', 'ab'],
      ['1 if a else 2', 1], ['1 if not a else 2', 2], ['"x" if false', ''], ['a != 1', false], ['true == 1', true], ['1 == 1.0', true],
      ['[1, [2]] == [1, [2]]', true], ['{"a": 1, "b": 2} == {"b": 2, "a": 1}', true], ['"1" == 1', false], ['none == none', true],
      ['"a" < "b"', true], ['[1, 2] < [1, 3]', true], ['"b" in "abc"', true], ['2 in b', true], ['"x" in d', true], ['"q" not in d', true],
      ['4 not in b', true], ['-a', -1], ['+a', 1], ['True and not False', true], ['None is none', true],
    ];
    for (const [x, want] of cases) it(`${x} => ${JSON.stringify(want)}`, () => expect(ev(x)).to.deep.equal(want));
  });

  describe('native types', () => {
    it('a lone {{ expr }} keeps its type', () => {
      expect(r('{{ a + 1 }}')).to.equal(2);
      expect(r('{{ b }}')).to.deep.equal([1, 2, 3]);
      expect(r('{{ d.nested }}')).to.deep.equal({ deep: true });
      expect(r('{{ t }}')).to.equal(true);
      expect(r('{{ nil }}')).to.equal(null);
      expect(r('  {{ a }}')).to.equal('  1');
    });
    it('mixed strings render with Python str()', () => {
      expect(r('x={{ b }}')).to.equal('x=[1, 2, 3]');
      expect(r('x={{ {"a": "b", "c": none} }}')).to.equal("x={'a': 'b', 'c': None}");
      expect(r('{{ t }}!')).to.equal('True!');
      expect(r('v={{ nil }}.')).to.equal('v=.');
      expect(r("{{ \"it's\" }} {{ [\"it's\"] }}")).to.equal(`it's ["it's"]`);
    });
    it('strings without markers come back unchanged (same value)', () => {
      expect(r('plain {x} text')).to.equal('plain {x} text');
      expect(r('')).to.equal('');
    });
  });

  describe('lookups', () => {
    it('dot, bracket, numeric index, negative index, slices', () => {
      expect(ev("groups['k8s-master'][0]")).to.equal('m1');
      expect(ev('groups.all.1')).to.equal('m2');
      expect(ev('b[-1]')).to.equal(3);
      expect(ev('b[1:]')).to.deep.equal([2, 3]);
      expect(ev('b[:2]')).to.deep.equal([1, 2]);
      expect(ev('b[::-1]')).to.deep.equal([3, 2, 1]);
      expect(ev('s[0:5]')).to.equal('Hello');
      expect(ev('s[-5:]')).to.equal('World');
      expect(ev("hostvars[groups['k8s-master'][1]]['ansible_host']")).to.equal('198.18.0.12');
      expect(ev("d['nested'].deep")).to.equal(true);
    });
    it('locals from set and for shadow variables', () => {
      expect(r('{% set a = 5 %}{{ a }}')).to.equal('5');
      expect(r('{% for a in b %}{{ a }}{% endfor %}{{ a }}')).to.equal('1231');
    });
    it('True/False/None and omit are globals', () => {
      expect(ev('True')).to.equal(true);
      expect(ev('None')).to.equal(null);
      expect(ev('vars.a')).to.equal(1);
    });
  });

  describe('method calls', () => {
    const cases: [string, unknown][] = [
      ['s.split()', ['Hello', 'World']], ["'a,b,,c'.split(',')", ['a', 'b', '', 'c']], ["'a b c'.split(' ', 1)", ['a', 'b c']],
      ["'a.b.c'.rsplit('.', 1)", ['a.b', 'c']], ["'  x '.strip()", 'x'], ["'xxhixx'.strip('x')", 'hi'], ["'  x '.lstrip()", 'x '],
      ["s.lower()", 'hello world'], ["s.upper()", 'HELLO WORLD'], ["s.startswith('He')", true], ["s.startswith(('x', 'H'))", true],
      ["s.endswith('x')", false], ["s.replace('l', 'L')", 'HeLLo WorLd'], ["s.replace('l', 'L', 1)", 'HeLlo World'], ["'-'.join(['a', 'b'])", 'a-b'],
      ["'{}-{}'.format('a', 1)", 'a-1'], ["'{0}{name}'.format('x', name='y')", 'xy'], ["s.find('o')", 4], ["s.count('o')", 2],
      ["'a\\nb'.splitlines()", ['a\\nb']], ["'42'.isdigit()", true], ["'ab'.title()", 'Ab'], ["'5'.zfill(3)", '005'],
      ['d.items() | list', [['x', 'y'], ['n', 2], ['nested', { deep: true }]]], ['d.keys() | list', ['x', 'n', 'nested']],
      ["d.get('x')", 'y'], ["d.get('q', 'dflt')", 'dflt'], ["d.get('q')", null], ['b.index(2)', 1], ['b.count(2)', 1],
      ["'%s=%d' % ('a', 5)", 'a=5'], ["'%05.1f' % 3.14159", '003.1'], ["'%(k)s' % {'k': 'v'}", 'v'],
    ];
    for (const [x, want] of cases) it(`${x}`, () => expect(ev(x)).to.deep.equal(want));
    it('unknown methods are errors naming the type', () => {
      expect(() => ev('s.nosuch()')).to.throw(TsplayError, "'str object' has no attribute 'nosuch'");
      expect(() => ev('b.append(4)')).to.throw(TsplayError, "'list object' has no attribute 'append'");
    });
  });

  describe('statements in strings', () => {
    it('if / elif / else', () => {
      const t = '{% if a == 2 %}two{% elif a == 1 %}one{% else %}other{% endif %}';
      expect(r(t)).to.equal('one');
      expect(r(t, { a: 7 })).to.equal('other');
    });
    it('for with loop variables, unpacking and else', () => {
      expect(r('{% for x in b %}{{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}{% endfor %}')).to.equal('1:1,2:2,3:3');
      expect(r('{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', { d: { a: 1, b: 2 } })).to.equal('a=1;b=2;');
      expect(r('{% for x in e %}x{% else %}empty{% endfor %}')).to.equal('empty');
      expect(r('{% for k in {"p": 1, "q": 2} %}{{ k }}{% endfor %}')).to.equal('pq');
    });
    it('set with a block body, whitespace control and trim_blocks', () => {
      expect(r('{% set v %}in{{ a }}{% endset %}[{{ v }}]')).to.equal('[in1]');
      expect(r('a  {%- if true -%}  b  {%- endif %}')).to.equal('ab');
      expect(r('{% if true %}\nline\n{% endif %}\nend')).to.equal('line\nend');
    });
    it('comments are dropped', () => expect(r('a{# note #}b')).to.equal('ab'));
    it('unsupported tags are one-line ParseErrors', () => {
      expect(() => r('{% macro m() %}x{% endmacro %}')).to.throw(ParseError, /unsupported template tag/);
      expect(() => r("{% include 'x' %}")).to.throw(ParseError);
    });
  });

  describe('global functions', () => {
    it('range', () => {
      expect(ev('range(3) | list')).to.deep.equal([0, 1, 2]);
      expect(ev('range(1, 10, 3) | list')).to.deep.equal([1, 4, 7]);
      expect(ev('range(3, 0, -1) | list')).to.deep.equal([3, 2, 1]);
      expect(() => ev('range(10 ** 9)')).to.throw(ExprError, /too large/);
    });
    it('dict()', () => expect(ev("dict(a=1, b='x')")).to.deep.equal({ a: 1, b: 'x' }));
    it('dict(zip())', () => expect(ev("dict(['a', 'b'] | zip([1, 2]))")).to.deep.equal({ a: 1, b: 2 }));
  });

  describe('errors', () => {
    it('undefined variable names the variable, expression and position', () => {
      try {
        renderString('x {{ nope }}', vars, { pos: { file: 'site.yml', line: 4, col: 7 } });
        expect.fail('no error');
      } catch (e) {
        expect(e).to.be.instanceOf(UndefinedVariableError);
        const u = e as UndefinedVariableError;
        expect(u.variable).to.equal('nope');
        expect(u.oneLine()).to.equal(`site.yml:4:7: 'nope' is undefined (in "x {{ nope }}")`);
      }
    });
    it('missing attribute says what Ansible says', () => {
      expect(() => ev('d.foo')).to.throw(UndefinedVariableError, "'dict object' has no attribute 'foo'");
      expect(() => ev('b[7]')).to.throw(UndefinedVariableError, 'list object has no element 7');
      try {
        ev('d.nested.foo');
      } catch (e) {
        expect((e as UndefinedVariableError).variable).to.equal('d.nested.foo');
      }
    });
    it('undefined in operations, conditions and loops is an error', () => {
      for (const x of ['nope + 1', 'nope == 1', 'not nope', 'nope or 1', '1 in nope', 'nope | upper', 'nope.x | length']) {
        expect(() => ev(x), x).to.throw(UndefinedVariableError);
      }
      expect(() => r('{% for i in nope %}{% endfor %}')).to.throw(UndefinedVariableError);
      expect(() => r('{% if nope %}{% endif %}')).to.throw(UndefinedVariableError);
    });
    it('parse errors are one-line ParseErrors naming the expression', () => {
      for (const x of ['a +', '(a', 'a b', '[1, 2', "'unterminated", 'a.', 'a | ', '1 +* 2']) {
        try {
          ev(x);
          expect.fail(`no error for ${x}`);
        } catch (e) {
          expect(e, x).to.be.instanceOf(ParseError);
          expect((e as Error).message, x).to.not.include('\n');
          expect((e as Error).message, x).to.include(x.trim().slice(0, 3));
        }
      }
      expect(() => r('{{ a ')).to.throw(ParseError);
      expect(() => r('{% if a %}x')).to.throw(ParseError);
    });
    it('type errors are ExprErrors with Python wording', () => {
      expect(() => ev("'a' - 1")).to.throw(ExprError, "unsupported operand type(s) for -: 'str' and 'int'");
      expect(() => ev("'a' + 1")).to.throw(ExprError, "unsupported operand type(s) for +: 'str' and 'int'");
      expect(() => ev("'a' < 1")).to.throw(ExprError, "'<' not supported between instances of 'str' and 'int'");
      expect(() => ev('1 / 0')).to.throw(ExprError, 'division by zero');
      expect(() => ev('1 in 2')).to.throw(ExprError, "argument of type 'int' is not iterable");
      expect(() => ev('nosuchfilter_x')).to.throw(UndefinedVariableError);
      expect(() => ev('a | nosuchfilter')).to.throw(ExprError, "no filter named 'nosuchfilter'");
      expect(() => ev('a is nosuchtest')).to.throw(ExprError, "no test named 'nosuchtest'");
    });
  });

  describe('safety: no JavaScript object model is reachable', () => {
    const probes = [
      'a.constructor', "''.__class__", 'd.__proto__', "d['__proto__']", 'd.constructor', "b['constructor']", 'b.__proto__',
      "s.constructor", "d.hasOwnProperty", "b.map", "d.toString", "''.__class__.__mro__",
    ];
    for (const p of probes) {
      it(`${p} is undefined`, () => {
        expect(() => ev(p)).to.throw(UndefinedVariableError);
        expect(ev(`${p} is defined`)).to.equal(false);
      });
    }
    it('calling JavaScript methods is impossible', () => {
      for (const p of ["s.constructor('x')", "b.map('x')", "d.toString()", "s.charAt(0)", "b.constructor.constructor('return 1')()"]) {
        expect(() => ev(p), p).to.throw(TsplayError);
      }
    });
    it('lookups never read inherited properties of the vars object', () => {
      expect(ev('toString is defined', {})).to.equal(false);
      expect(ev('constructor is defined', {})).to.equal(false);
      expect(ev('__proto__ is defined', {})).to.equal(false);
    });
    it('a dict literal with __proto__ key stays plain data', () => {
      const v = ev("{'__proto__': {'polluted': 1}}") as any;
      expect(({} as any).polluted).to.equal(undefined);
      expect(Object.keys(v)).to.deep.equal(['__proto__']);
    });
  });
});
