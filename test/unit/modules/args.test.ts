import { expect } from 'chai';
import { TsplayError, type ModuleDef } from '../../../engine/types.ts';
import { coerce, toBool, validateArgs } from '../../../engine/modules/args.ts';

const def: ModuleDef = {
  name: 'copy',
  doc: { short: 'test' },
  args: {
    dest: { type: 'path', required: true, description: 'd' },
    force: { type: 'bool', default: true, aliases: ['thirsty'], description: 'f' },
    state: { type: 'str', choices: ['present', 'absent'], default: 'present', description: 's' },
    count: { type: 'int', description: 'c' },
    ratio: { type: 'float', description: 'r' },
    names: { type: 'list', elements: 'str', description: 'n' },
    ports: { type: 'list', elements: 'int', description: 'p' },
    opts: { type: 'dict', description: 'o' },
    mode: { type: 'raw', description: 'm' },
    body: { type: 'json', description: 'j' },
  },
  async plan() {
    return { changed: false };
  },
};

function errOf(raw: Record<string, unknown>, d: ModuleDef = def): string {
  try {
    validateArgs(d, raw);
  } catch (e) {
    expect(e).to.be.instanceOf(TsplayError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('modules/args validateArgs', () => {
  it('fills defaults and resolves aliases', () => {
    const a = validateArgs(def, { dest: '/x', thirsty: 'no' });
    expect(a).to.deep.equal({ dest: '/x', force: false, state: 'present' });
  });

  it('the canonical name wins over its alias', () => {
    expect(validateArgs(def, { dest: '/x', thirsty: 'no', force: 'yes' }).force).to.equal(true);
    expect(validateArgs(def, { dest: '/x', force: 'yes', thirsty: 'no' }).force).to.equal(true);
  });

  it('rejects unknown parameters in Ansible wording, listing the supported ones', () => {
    const m = errOf({ dest: '/x', foo: 1, bar: 2 });
    expect(m).to.match(/^Unsupported parameters for \(copy\) module: bar, foo\. Supported parameters include: /);
    expect(m).to.include('thirsty');
    expect(m).to.not.include('\n');
  });

  it('reports missing required arguments (null counts as missing)', () => {
    expect(errOf({})).to.equal('missing required arguments: dest');
    expect(errOf({ dest: null })).to.equal('missing required arguments: dest');
  });

  it('names the allowed choices', () => {
    expect(errOf({ dest: '/x', state: 'gone' })).to.equal('value of state must be one of: present, absent, got: gone');
  });

  it('coerces like Ansible', () => {
    const a = validateArgs(def, { dest: '/x', count: '10', ratio: '1.5', names: 'a,b', ports: ['80', 443], opts: 'k=v x="y z"', mode: '0644', body: { a: 1 } });
    expect(a.count).to.equal(10);
    expect(a.ratio).to.equal(1.5);
    expect(a.names).to.deep.equal(['a', 'b']);
    expect(a.ports).to.deep.equal([80, 443]);
    expect(a.opts).to.deep.equal({ k: 'v', x: 'y z' });
    expect(a.mode).to.equal('0644');
    expect(a.body).to.equal('{"a":1}');
    expect(validateArgs(def, { dest: 5 }).dest).to.equal('5');
    expect(validateArgs(def, { dest: '/x', opts: '{"a": 2}' }).opts).to.deep.equal({ a: 2 });
  });

  it('rejects values it cannot convert, naming the argument', () => {
    expect(errOf({ dest: '/x', count: 'ten' })).to.match(/argument 'count' is of type str and we were unable to convert to int/);
    expect(errOf({ dest: '/x', force: 'maybe' })).to.match(/argument 'force' .* not a valid boolean/);
    expect(errOf({ dest: ['a'] })).to.match(/argument 'dest' is of type list and we were unable to convert to path/);
    expect(errOf({ dest: '/x', ports: ['x'] })).to.match(/argument 'ports\[0\]'/);
    expect(errOf({ dest: '/x', opts: 'nonsense' })).to.match(/argument 'opts'.*dictionary requested/);
  });

  it('keeps _raw_params only for free-form modules', () => {
    const ff: ModuleDef = { ...def, name: 'shell', freeForm: true };
    expect(validateArgs(ff, { _raw_params: 'echo hi', dest: '/x' })._raw_params).to.equal('echo hi');
    expect(errOf({ _raw_params: 'echo hi', dest: '/x' })).to.match(/Unsupported parameters for \(copy\) module: _raw_params/);
  });

  it("runs the module's own validate()", () => {
    const v: ModuleDef = { ...def, validate: (a) => (a.count === 3 ? 'three is not allowed' : undefined) };
    expect(errOf({ dest: '/x', count: 3 }, v)).to.equal('three is not allowed');
  });

  it('ignores _ansible_* internal keys', () => {
    expect(validateArgs(def, { dest: '/x', _ansible_check_mode: true })).to.not.have.property('_ansible_check_mode');
  });

  it('toBool accepts the Ansible spellings and nothing else', () => {
    for (const t of [true, 'yes', 'Yes', 'on', 'true', 'TRUE', 'y', '1', 1, 't']) expect(toBool(t), String(t)).to.equal(true);
    for (const f of [false, 'no', 'off', 'false', 'n', '0', 0, 'f']) expect(toBool(f), String(f)).to.equal(false);
    for (const x of ['maybe', 2, null, [], '']) expect(toBool(x), String(x)).to.equal(undefined);
  });

  it('coerce list from scalars', () => {
    expect(coerce(5, 'list', 'x')).to.deep.equal(['5']);
    expect(coerce('', 'list', 'x')).to.deep.equal([]);
  });

  it('str/path arguments get native numbers and booleans as Python str() does (True, not true)', () => {
    const a = validateArgs(def, { dest: 5, state: 'present', names: [true, 1.5, 'x'] });
    expect(a.dest).to.equal('5');
    expect(a.names).to.deep.equal(['True', '1.5', 'x']);
    const d2: ModuleDef = { ...def, args: { dest: { type: 'path', required: true, description: 'd' }, line: { description: 'l' } } };
    expect(validateArgs(d2, { dest: '/x', line: false }).line).to.equal('False');
  });
});
