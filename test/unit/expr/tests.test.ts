import { expect } from 'chai';
import { TsplayError } from '../../../engine/types.ts';
import { evaluate, registerTest } from '../../../engine/expr/index.ts';

const vars = {
  ok: { changed: false, failed: false, rc: 0 },
  bad: { changed: true, failed: true, rc: 2 },
  skip: { skipped: true, changed: false },
  loop: { results: [{ changed: false }, { changed: true }] },
  ver: '1.24.3', l: [1, 2], d: { a: 1 }, s: 'abc', n: 5, f: 1.5, nil: null,
};
const ev = (x: string) => evaluate(x, vars);

const cases: [string, boolean][] = [
  ['nope is defined', false], ['nope is undefined', true], ['s is defined', true], ['d.a is defined', true], ['d.b is defined', false],
  ['nope.x.y is undefined', true], ['l[5] is defined', false], ['nil is none', true], ['s is none', false], ['nil is defined', true],
  ['true is true', true], ['1 is true', false], ['false is false', true], ['true is boolean', true], ['1 is boolean', false],
  ['s is string', true], ['n is string', false], ['n is number', true], ['f is number', true], ['n is integer', true], ['f is integer', false],
  ['f is float', true], ['d is mapping', true], ['l is mapping', false], ['l is sequence', true], ['s is iterable', true], ['n is iterable', false],
  ['ok is succeeded', true], ['ok is success', true], ['bad is failed', true], ['bad is failure', true], ['ok is failed', false],
  ['bad is changed', true], ['ok is change', false], ['loop is changed', true], ['skip is skipped', true], ['ok is skip', false],
  ["s is match('a')", true], ["s is match('b')", false], ["s is search('b')", true], ["s is regex('^a.c$')", true], ["'ABC' is match('abc', ignorecase=true)", true],
  ["'x1' is search('\\d')", true], ["'x\\d' is search('\\d')", false],
  ['l is contains(2)', true], ["ver is version('1.24', '>=')", true], ["ver is version('1.24.3', '==')", true],
  ["'1.9' is version('1.10', '<')", true], ["'2.0.0rc1' is version('2.0.0', '<')", false], ["ver is version('2', 'lt')", true], ["ver is version_compare('1.3', 'gt')", true],
  ['[1, 2] is subset([1, 2, 3])', true], ['[1, 4] is subset([1, 2, 3])', false], ['[1, 2, 3] is superset([3])', true],
  ['n is eq(5)', true], ['n is equalto(5)', true], ['n is ne(5)', false], ['n is lt(6)', true], ['n is gt(6)', false], ['n is ge(5)', true], ['n is le(4)', false],
  ['10 is divisibleby(5)', true], ['10 is divisibleby(3)', false], ['n is odd', true], ['n is even', false], ["'abc' is lower", true], ["'ABC' is upper", true],
  ["'yes' is truthy(convert_bool=true)", true], ["'no' is falsy(convert_bool=true)", true], ['0 is falsy', true],
  ["'/etc' is abs", true], ["'rel' is abs", false], ["'/etc' is directory", true], ["'/etc/hostname_nope' is exists", false], ["'/etc/passwd' is file", true],
  ["'198.18.0.5' is ansible.utils.in_network('198.18.0.0/15')", true], ["'10.0.0.5' is in_network('198.18.0.0/15')", false],
  ["'198.18.0.5' is ipv4", true], ["'foo' is ipv4", false], ["'198.18.0.5' is in_any_network(['10.0.0.0/8', '198.18.0.0/15'])", true],
  ['10 is divisibleby 5', true], ['n is sameas 5', true], ["s is equalto 'abc'", true], ['1 is in l', true], ['3 is not in l', true],
  ["'198.18.0.5' is ansible.utils.in_network '198.18.0.0/15'", true], ['n is odd and n is not even', true], ['nil is none or x', true],
  ['nope is not defined', true], ['s is not none', true], ['ok is not failed', true],
];

describe('expr: tests', () => {
  for (const [x, want] of cases) it(`${x} => ${want}`, () => expect(ev(x)).to.equal(want));

  it('result tests on non-dicts are errors like Ansible', () => {
    expect(() => ev('s is failed')).to.throw(TsplayError, "The 'failed' test expects a dictionary");
  });
  it('version test rejects unknown operators', () => {
    expect(() => ev("ver is version('1', '~')")).to.throw(TsplayError, "invalid operator '~'");
  });
  it('user tests can be registered', () => {
    registerTest('shouty', (v: unknown) => typeof v === 'string' && v === v.toUpperCase());
    expect(ev("'ABC' is shouty")).to.equal(true);
    expect(ev("'abc' is my.coll.shouty")).to.equal(false);
  });
});
