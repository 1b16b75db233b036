import { expect } from 'chai';
import { TsplayError, UndefinedVariableError } from '../../../engine/types.ts';
import { evaluate, ExprError, OMIT, registerFilter } from '../../../engine/expr/index.ts';

const vars = {
  users: [
    { name: 'bob', uid: 1002, groups: ['wheel', 'dev'], admin: true },
    { name: 'alice', uid: 1001, groups: ['dev'], admin: false },
  ],
  empty: '',
  zero: 0,
  nil: null,
  d: { b: 2, a: 1 },
  hostvars: { m1: { ip: '198.18.0.11' }, m2: { ip: '198.18.0.12' } },
};
const ev = (x: string) => evaluate(x, vars);

/** [expression, expected] — expected values were checked against ansible-core 2.14 where it has the filter. */
const cases: [string, unknown][] = [
  // default / mandatory / ternary
  ["nope | default('x')", 'x'], ["nope | d('x')", 'x'], ["empty | default('x')", ''], ["empty | default('x', true)", 'x'],
  ["zero | default(5, true)", 5], ["nil | default('x')", null], ["nope.deeper | default('x')", 'x'], ["users[5] | default('none')", 'none'],
  ['nope | default(omit)', OMIT], ["true | ternary('y', 'n')", 'y'], ["0 | ternary('y', 'n')", 'n'], ["nil | ternary('y', 'n', 'null')", 'null'],
  ["'x' | mandatory", 'x'],
  // conversions
  ["'yes' | bool", true], ["'off' | bool", false], ['1 | bool', true], ["'True' | bool", true], ["'0' | bool", false], ['nil | bool', false],
  ["'42' | int + 1", 43], ["'3.7' | int", 3], ["'x' | int", 0], ["'x' | int(7)", 7], ["'0x1f' | int(base=16)", 31], ["'ff' | int(base=16)", 255],
  ["'3.5' | float", 3.5], ["'x' | float", 0], ['3 | string', '3'], ['[1, "a"] | string', "[1, 'a']"], ["'ab' | list", ['a', 'b']],
  ['d | list', ['b', 'a']], ['true | string', 'True'],
  // lengths and positions
  ["'abc' | length", 3], ['d | length', 2], ['users | count', 2], ['[3, 1] | first', 3], ['[3, 1] | last', 1], ["'abc' | first", 'a'],
  ['[] | first | default("none")', 'none'],
  // strings
  ["'x' | upper", 'X'], ["'X' | lower", 'x'], ["'hello WORLD' | capitalize", 'Hello world'], ["'hello world' | title", 'Hello World'],
  ["'a-b-c' | replace('-', '+')", 'a+b+c'], ["'a-b-c' | replace('-', '+', 1)", 'a+b-c'], ["'  x  ' | trim", 'x'],
  ["'a b' | split", ['a', 'b']], ["'a,b' | split(',')", ['a', 'b']], ["['a', 'b'] | join", 'ab'], ["[1, 2] | join(', ')", '1, 2'],
  ["users | join(',', attribute='name')", 'bob,alice'], ["'hello world foo' | truncate(9)", 'hello...'], ["'hello' | truncate(4)", 'hello'],
  ["'abc' | reverse", 'cba'], ["'a b c' | wordcount", 3], ["'%s-%s' | format('a', 1)", 'a-1'],
  // regex (backslashes in Jinja string literals are literal, as in Ansible)
  ["'foo123bar' | regex_replace('([0-9]+)', '<\\1>')", 'foo<123>bar'],
  ["'foo123bar' | regex_replace('(?P<n>[0-9]+)', '<\\g<n>>')", 'foo<123>bar'], ["'aaa' | regex_replace('A', 'b', ignorecase=true)", 'bbb'],
  ["'foo123' | regex_search('[0-9]+')", '123'], ["'foo' | regex_search('[0-9]+')", null],
  ["'ab12' | regex_search('([a-z]+)([0-9]+)', '\\2', '\\1')", ['12', 'ab']], ["'k=v a=b' | regex_findall('[a-z]=[a-z]')", ['k=v', 'a=b']],
  ["'k=v a=b' | regex_findall('([a-z])=([a-z])')", [['k', 'v'], ['a', 'b']]], ["'x1y22' | regex_findall('[0-9]+')", ['1', '22']],
  ["'a.b*c' | regex_escape", 'a\\.b\\*c'], ["'line1\nline2' | regex_replace('^l', 'L', multiline=true)", 'Line1\nLine2'],
  // shell / paths / encodings
  ["\"it's here\" | quote", `'it'"'"'s here'`], ["'simple' | quote", 'simple'], ["'' | quote", "''"],
  ["'/a/b/c.txt' | basename", 'c.txt'], ["'/a/b/c.txt' | dirname", '/a/b'], ["'/a/b/' | basename", ''], ["'c.tar.gz' | splitext", ['c.tar', '.gz']],
  ["['/etc', 'app', 'x.conf'] | path_join", '/etc/app/x.conf'], ["'abc' | b64encode", 'YWJj'], ["'YWJj' | b64decode", 'abc'],
  ["'é' | b64encode | b64decode", 'é'],
  // indent
  ["'a\nb' | indent(2)", 'a\n  b'], ["'a\n\nb' | indent(2, true)", '  a\n\n  b'], ["'a\n\nb' | indent(width=1, blank=true)", 'a\n \n b'],
  // collections
  ['[3, 1, 2] | sort', [1, 2, 3]], ["['b', 'A', 'c'] | sort", ['A', 'b', 'c']], ['[3, 1, 2] | sort(reverse=true)', [3, 2, 1]],
  ["users | sort(attribute='uid') | map(attribute='name') | list", ['alice', 'bob']], ['[1, 2, 2, 3, 1] | unique', [1, 2, 3]],
  ['[1, 2] | union([2, 3])', [1, 2, 3]], ['[1, 2, 3] | intersect([2, 3, 4])', [2, 3]], ['[1, 2, 3] | difference([2])', [1, 3]],
  ['[1, 2] | symmetric_difference([2, 3])', [1, 3]], ['[3, 1, 2] | min', 1], ['[3, 1, 2] | max', 3], ['[1, 2, 3] | sum', 6],
  ["users | max(attribute='uid') | attr('name')", 'bob'], ["users | sum(attribute='uid')", 2003], ['[[1], [2]] | sum(start=[])', [1, 2]],
  ['[[1, [2]], 3] | flatten', [1, 2, 3]], ['[[1, [2]], 3] | flatten(1)', [1, [2], 3]], ['[1, none, [2]] | flatten', [1, 2]],
  ["[1, 2] | zip(['a', 'b']) | list", [[1, 'a'], [2, 'b']]], ["[1] | zip_longest(['a', 'b'], fillvalue='-') | list", [[1, 'a'], ['-', 'b']]],
  ["[1, 2] | product(['a']) | list", [[1, 'a'], [2, 'a']]], ['[1, 2, 3] | batch(2) | list', [[1, 2], [3]]],
  ["users | map(attribute='name') | list", ['bob', 'alice']], ["['a', 'b'] | map('upper') | list", ['A', 'B']],
  ["['a', 'b'] | map('regex_replace', '^', 'x') | list", ['xa', 'xb']], ["users | map(attribute='nope', default='?') | list", ['?', '?']],
  ['[1, 2, 3, 4] | select("even") | list', [2, 4]], ['[1, 2, 3, 4] | reject("odd") | list', [2, 4]], ['[0, 1, "", "a"] | select | list', [1, 'a']],
  ["[1, 5, 10] | select('gt', 3) | list", [5, 10]], ["users | selectattr('admin') | map(attribute='name') | list", ['bob']],
  ["users | rejectattr('admin') | map(attribute='name') | list", ['alice']], ["users | selectattr('uid', 'equalto', 1001) | map(attribute='name') | first", 'alice'],
  ["users | selectattr('name', 'match', '^b') | list | length", 1], ["users | selectattr('groups', 'contains', 'wheel') | map(attribute='name') | list", ['bob']],
  ["{'a': {'x': 1}} | combine({'a': {'y': 2}})", { a: { y: 2 } }], ["{'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true)", { a: { x: 1, y: 2 } }],
  ["{'a': [1]} | combine({'a': [2]}, list_merge='append')", { a: [1, 2] }], ["[{'a': 1}, {'b': 2}] | combine", { a: 1, b: 2 }],
  ["{'a': 1} | combine({'b': 2}, {'a': 3})", { a: 3, b: 2 }], ["{'a': 1} | dict2items", [{ key: 'a', value: 1 }]],
  ["{'a': 1} | dict2items(key_name='k', value_name='v')", [{ k: 'a', v: 1 }]], ["[{'key': 'a', 'value': 1}] | items2dict", { a: 1 }],
  ['d | dictsort', [['a', 1], ['b', 2]]], ['d.items() | list', [['b', 2], ['a', 1]]], ['d | items | list', [['b', 2], ['a', 1]]],
  ["['m1', 'm2'] | map('extract', hostvars, 'ip') | list", ['198.18.0.11', '198.18.0.12']], ["'m1' | extract(hostvars) | attr('ip')", '198.18.0.11'],
  ["users | subelements('groups') | map('last') | list", ['wheel', 'dev', 'dev']], ["users | groupby('admin') | map('first') | list", [false, true]],
  ['[1, 2] | reverse | list', [2, 1]], ["users | unique(attribute='admin') | length", 2],
  // data formats
  ["{'a': 1, 'b': [1, 2]} | to_json", '{"a": 1, "b": [1, 2]}'], ["{'b': 1, 'a': 'é'} | to_nice_json", '{\n    "a": "\\u00e9",\n    "b": 1\n}'],
  ["{'a': 1} | to_json(indent=2)", '{\n  "a": 1\n}'], ["'{\"a\": [1, 2]}' | from_json", { a: [1, 2] }],
  ["{'a': 1, 'b': [1, 2]} | to_yaml", 'a: 1\nb: [1, 2]\n'], ["{'a': 1, 'b': [1, 2], 'c': {'d': 'e'}} | to_nice_yaml", 'a: 1\nb:\n- 1\n- 2\nc:\n    d: e\n'],
  ["'a: [1, 2]' | from_yaml", { a: [1, 2] }], ["'a: 1\n---\nb: 2' | from_yaml_all | length", 2],
  ["'abc' | hash('md5')", '900150983cd24fb0d6963f7d28e17f72'], ["'abc' | hash('sha1')", 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ["'abc' | hash", 'a9993e364706816aba3e25717850c26c9cd0d89d'], ["'abc' | checksum", 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ["'abc' | hash('sha256')", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  // password_hash: the same as ansible-core 2.14 (`'secret' | password_hash('sha512', 'mysalt')`) and openssl passwd
  ["'secret' | password_hash('sha512', 'mysalt')", '$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1'],
  ["'secret' | password_hash('sha256', 'saltsalt')", '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA'],
  ["'secret' | password_hash('md5', 'saltsalt')", '$1$saltsalt$9xy1btjgzLYfb7hivXtC//'],
  ["'secret' | password_hash('sha512', 'saltsalt', rounds=10000)", '$6$rounds=10000$saltsalt$WowrPBpEDVlCoruBosYlrZycTCx3//TyDHYqEhX9DUHHt0XTztUqzQDDUuvUGRA8aUe9p55hcAxeGcu58sm3u.'],
  // math
  ['-3 | abs', 3], ['2.5 | round', 2], ['3.5 | round', 4], ['2.567 | round(2)', 2.57], ["2.1 | round(0, 'ceil')", 3], ['8 | log(2)', 3],
  ['2 | pow(10)', 1024], ['81 | root', 9], ['27 | root(3)', 3],
  // misc
  ["'x' | type_debug", 'str'], ['[1] | type_debug', 'list'], ["{'a': 1} | type_debug", 'dict'], ['1 | type_debug', 'int'], ['nil | type_debug', 'NoneType'],
  ["'http://u:p@h.example:8080/p?q=1#f' | urlsplit('hostname')", 'h.example'], ["'http://h.example:8080/p' | urlsplit('port')", 8080],
  ["'x' | ansible.builtin.upper", 'X'], ["'x' | community.general.upper", 'X'],
  ["'<a>' | e", '&lt;a&gt;'], ["'# x' | comment", '# # x'],
];

describe('expr: filters', () => {
  for (const [x, want] of cases) it(`${x}`, () => expect(ev(x)).to.deep.equal(want));

  it('password_hash without a salt makes a random 16-character salt', () => {
    const h = ev("'pw' | password_hash('sha512')") as string;
    expect(h).to.match(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(ev("'pw' | password_hash('sha512')")).to.not.equal(h);
  });
  it('mandatory on an undefined variable is an error naming it', () => {
    expect(() => ev('nope | mandatory')).to.throw(TsplayError, "Mandatory variable 'nope' not defined.");
    expect(() => ev("nope | mandatory('set nope!')")).to.throw(TsplayError, 'set nope!');
  });
  it('filters on undefined input raise UndefinedVariableError', () => {
    expect(() => ev('nope | upper')).to.throw(UndefinedVariableError, "'nope' is undefined");
  });
  it('bad input is an ExprError, not a crash', () => {
    for (const x of ["'foo123bar' | regex_replace('[0-9]+', '<\\1>')", "'{' | from_json", "'a: [' | from_yaml", "1 | upper(", "'x' | regex_replace('(')", "'x' | hash('nope')",
      "'x' | combine({})", "5 | dict2items", "[1] | items2dict", "'%' | b64decode", "'pw' | password_hash('bcrypt')", "users | map(attribute='nope') | list",
      "'x' | urlsplit('nope')", "[1, 'a'] | sort", "[1, 2] | batch(0)", "users | subelements('name')"]) {
      expect(() => ev(x), x).to.throw(TsplayError);
    }
  });
  it('errors from filters say which filter', () => {
    expect(() => ev("'x' | combine({})")).to.throw(ExprError, /combine/);
  });
  it('user filters can be registered, with a collection prefix when used', () => {
    registerFilter('double_it', (v: unknown, times: unknown = 2) => String(v).repeat(Number(times)));
    expect(ev("'ab' | double_it")).to.equal('abab');
    expect(ev("'ab' | my.coll.double_it(3)")).to.equal('ababab');
  });
});
