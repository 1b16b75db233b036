import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../../../engine/types.ts';
import { evaluate, renderString } from '../../../engine/expr/index.ts';

describe('expr: lookups', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsplay-lookup-'));
    mkdirSync(join(dir, 'files'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'files', 'key.pub'), 'ssh-ed25519 AAAA test\n\n');
    writeFileSync(join(dir, 'plain.txt'), 'one\ntwo\n');
    writeFileSync(join(dir, 'templates', 'motd.j2'), 'Hello {{ who }}{% if loud %}!{% endif %}');
    process.env.TSPLAY_LOOKUP_TEST = 'from-env';
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.TSPLAY_LOOKUP_TEST;
  });
  const opts = () => ({ lookupRoots: [dir] });
  const ev = (x: string, vars: Record<string, unknown> = {}) => evaluate(x, vars, opts());

  it('env', () => {
    expect(ev("lookup('env', 'TSPLAY_LOOKUP_TEST')")).to.equal('from-env');
    expect(ev("lookup('ansible.builtin.env', 'TSPLAY_NOPE_NOT_SET')")).to.equal('');
    expect(ev("lookup('env', 'TSPLAY_NOPE_NOT_SET', default='d')")).to.equal('d');
    expect(ev("query('env', 'TSPLAY_LOOKUP_TEST', 'TSPLAY_NOPE_NOT_SET')")).to.deep.equal(['from-env', '']);
  });
  it('file: searched in files/ then the root, trailing whitespace stripped', () => {
    expect(ev("lookup('file', 'key.pub')")).to.equal('ssh-ed25519 AAAA test');
    expect(ev("lookup('file', 'plain.txt')")).to.equal('one\ntwo');
    expect(ev(`lookup('file', '${join(dir, 'plain.txt')}', rstrip=false)`)).to.equal('one\ntwo\n');
    expect(ev("lookup('file', 'plain.txt', 'key.pub')")).to.equal('one\ntwo,ssh-ed25519 AAAA test');
    expect(() => ev("lookup('file', 'missing.txt')")).to.throw(TsplayError, 'could not locate file in lookup: missing.txt');
    expect(ev("lookup('file', 'missing.txt', errors='ignore')")).to.equal(null);
  });
  it('lines, template, vars, pipe', () => {
    expect(ev("query('lines', 'plain.txt')")).to.deep.equal(['one', 'two']);
    expect(ev("lookup('template', 'motd.j2')", { who: 'ops', loud: true })).to.equal('Hello ops!');
    expect(ev("lookup('vars', 'v' ~ n)", { v1: 'x', n: 1 })).to.equal('x');
    expect(() => ev("lookup('vars', 'nope')")).to.throw(TsplayError, 'No variable found with this name: nope');
    expect(ev("lookup('vars', 'nope', default=3)")).to.equal(3);
    expect(ev("lookup('pipe', 'echo hi; echo there')")).to.equal('hi\nthere');
    expect(() => ev("lookup('pipe', 'exit 3')")).to.throw(TsplayError, 'rc=3');
  });
  it('items, list, dict, indexed_items, first_found, wantlist', () => {
    expect(ev("query('items', [1, [2]], 3)")).to.deep.equal([1, [2], 3]);
    expect(ev("q('dict', {'a': 1})")).to.deep.equal([{ key: 'a', value: 1 }]);
    expect(ev("query('indexed_items', ['a', 'b'])")).to.deep.equal([[0, 'a'], [1, 'b']]);
    expect(ev("lookup('first_found', ['nope.txt', 'plain.txt'])")).to.equal(join(dir, 'plain.txt'));
    expect(ev("lookup('env', 'TSPLAY_LOOKUP_TEST', wantlist=true)")).to.deep.equal(['from-env']);
  });
  it('an unknown plugin is an error naming it', () => {
    expect(() => ev("lookup('nosuch', 'x')")).to.throw(TsplayError, "lookup plugin 'nosuch' not found");
  });
  it('works inside strings', () => {
    expect(renderString("key={{ lookup('file', 'key.pub') }}", {}, opts())).to.equal('key=ssh-ed25519 AAAA test');
  });
});

describe('expr: password lookup, random and shuffle', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tsplay-pw-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('password: random with length/chars, stored and reused in a file', () => {
    const a = evaluate("lookup('password', '/dev/null length=12 chars=digits')", {}) as string;
    expect(a).to.match(/^\d{12}$/);
    const p = join(dir, 'creds', 'token');
    const b = evaluate(`lookup('password', '${p} length=16 chars=ascii_lowercase')`, {}) as string;
    expect(b).to.match(/^[a-z]{16}$/);
    expect(evaluate(`lookup('password', '${p} length=16 chars=ascii_lowercase')`, {})).to.equal(b);
  });
  it('random and shuffle (seeded ones are repeatable)', () => {
    const r = evaluate('60 | random', {}) as number;
    expect(r).to.be.within(0, 59);
    expect(evaluate("60 | random(seed='host1')", {})).to.equal(evaluate("60 | random(seed='host1')", {}));
    expect(['a', 'b', 'c']).to.include(evaluate("['a', 'b', 'c'] | random", {}));
    expect((evaluate('[1, 2, 3, 4] | shuffle', {}) as number[]).slice().sort()).to.deep.equal([1, 2, 3, 4]);
    expect(evaluate("[1, 2, 3, 4] | shuffle(seed='x')", {})).to.deep.equal(evaluate("[1, 2, 3, 4] | shuffle(seed='x')", {}));
  });
});
