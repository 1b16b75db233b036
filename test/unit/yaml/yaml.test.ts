/** YAML loading: YAML 1.1 scalars as Ansible (PyYAML) reads them, positions, one-line errors. */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { parseYaml, posOf, VaultText, UnsafeText } from '../../../engine/yaml.ts';

const load = (s: string) => {
  const r = parseYaml(s, 'x.yml');
  if (!r.ok) throw new Error(r.error.oneLine());
  return r.value as Record<string, unknown>;
};

describe('engine/yaml', () => {
  it('reads booleans and integers the way PyYAML (Ansible) does', () => {
    const cases = ['yes', 'no', 'Yes', 'NO', 'on', 'Off', 'true', 'False', 'y', 'n', '0755', '0x1F', '0b101', '1_000', '-12', '0', '1.5', '"0644"', 'null', '~'];
    const doc = cases.map((c, i) => `k${i}: ${c}`).join('\n') + '\n';
    const ours = load(doc);
    const py = JSON.parse(execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: doc, encoding: 'utf8' }));
    expect(ours).to.deep.equal(py);
  });
  it('asks for quotes around an unquoted {{ }} value, naming file:line:col', () => {
    const r = parseYaml('- name: x\n  debug:\n    msg: {{ foo }}\n', 'pb.yml');
    expect(r.ok).to.equal(false);
    expect(!r.ok && r.error.oneLine()).to.match(/^pb\.yml:3:\d+: a value starting with "\{\{" must be quoted/);
  });
  it('remembers where mappings and sequences came from', () => {
    const v = load('a:\n  - name: t\n    shell: x\n') as any;
    expect(posOf(v.a[0])).to.deep.equal({ file: 'x.yml', line: 2, col: 5 });
  });
  it('syntax errors, duplicate keys and binary junk are one-line ParseErrors', () => {
    for (const [text, re] of [['a: [1, 2\n', /^x\.yml:\d+:\d+: YAML syntax error/], ['a: 1\na: 2\n', /duplicated mapping key/], ['a: \u0001\u0002', /binary data/]] as const) {
      const r = parseYaml(text, 'x.yml');
      expect(!r.ok && r.error.oneLine()).to.match(re);
      expect(!r.ok && r.error.oneLine()).to.not.include('\n');
    }
  });
  it('keeps !vault and !unsafe values', () => {
    const v = load('s: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nu: !unsafe "{{ x }}"\n');
    expect(v.s).to.be.instanceOf(VaultText);
    expect(v.u).to.be.instanceOf(UnsafeText);
  });
});
