/**
 * parseKv / splitArgs against outputs of Ansible 2.14's own parse_kv / split_args
 * (recorded from ansible.parsing.splitter on Debian's ansible-core 2.14).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { parseKv, splitArgs, SplitArgsError } from '../../../engine/playbook/splitargs.ts';

const KV: [string, boolean, Record<string, string>][] = [
  ['a=b c=d', false, { a: 'b', c: 'd' }],
  ['a="b c" d=\'e f\'', false, { a: 'b c', d: 'e f' }],
  ['echo hi creates=/tmp/x chdir=/tmp', true, { creates: '/tmp/x', chdir: '/tmp', _raw_params: 'echo hi' }],
  ['echo a=b', true, { _raw_params: 'echo a=b' }],
  ['msg="{{ x | default(\'a b\') }}"', false, { msg: "{{ x | default('a b') }}" }],
  ['a=1 free text here', false, { a: '1', _raw_params: 'free text here' }],
  ['echo "x y"   z', true, { _raw_params: 'echo "x y"   z' }],
  ['line1\nline2 a=b', false, { a: 'b', _raw_params: 'line1\nline2' }],
  ['x=a\\=b', false, { x: 'a\\=b' }],
  ['k={{ a }} {{ b }}', false, { k: '{{ a }}', _raw_params: '{{ b }}' }],
  ['a\\=b', false, { _raw_params: 'a=b' }],
  ['src=a.txt dest=/tmp/a.txt mode=0644', false, { src: 'a.txt', dest: '/tmp/a.txt', mode: '0644' }],
  ['cmd=ls executable=/bin/bash', true, { executable: '/bin/bash', _raw_params: 'cmd=ls' }],
];

const SPLIT: [string, string[]][] = [
  ['a b  c', ['a', 'b ', 'c']],
  ['a "b c" d', ['a', '"b c"', 'd']],
  ['{{ a b }} c', ['{{ a b }}', 'c']],
  ['a\nb', ['a\n', 'b']],
  ['x \\\ny', ['x', 'y']],
];

describe('playbook loader: k=v arguments (Ansible parse_kv)', () => {
  for (const [input, raw, want] of KV) {
    it(`parseKv(${JSON.stringify(input)}${raw ? ', raw' : ''})`, () => {
      expect(parseKv(input, raw)).to.deep.equal(want);
    });
  }
  for (const [input, want] of SPLIT) {
    it(`splitArgs(${JSON.stringify(input)})`, () => {
      expect(splitArgs(input)).to.deep.equal(want);
    });
  }
  it('unbalanced quotes or blocks are a SplitArgsError', () => {
    expect(() => splitArgs('echo "hi')).to.throw(SplitArgsError);
    expect(() => splitArgs('{{ a')).to.throw(SplitArgsError);
  });
  it('any string either parses or fails with SplitArgsError (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          const r = parseKv(s, false);
          return typeof r === 'object';
        } catch (e) {
          return e instanceof SplitArgsError;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
