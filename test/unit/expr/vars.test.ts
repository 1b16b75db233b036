import { expect } from 'chai';
import { ParseError, TsplayError, UndefinedVariableError } from '../../../engine/types.ts';
import { UnsafeText, VaultText } from '../../../engine/yaml.ts';
import {
  ExprError, OMIT, VARS_SCOPE, markUnsafe, evalCondition, evaluate, isOmit, isTemplated, renderString, setVaultDecryptor, templateValue,
} from '../../../engine/expr/index.ts';

describe('expr: variables, conditions, templateValue', () => {
  describe('lazy templated variables', () => {
    const vars: Record<string, unknown> = {
      port: 6443,
      host: '198.18.0.10',
      api: 'https://{{ host }}:{{ port }}',
      api_list: ['{{ api }}/a', 'plain'],
      cfg: { url: '{{ api }}/v1', n: '{{ port + 1 }}' },
      alias: '{{ cfg }}',
      self: '{{ self }}',
      ping: '{{ pong }}',
      pong: 'x{{ ping }}',
      broken: '{{ missing_thing }}',
    };
    it('renders strings found in variables, recursively', () => {
      expect(renderString('{{ api }}', vars)).to.equal('https://198.18.0.10:6443');
      expect(renderString('{{ cfg.url }}', vars)).to.equal('https://198.18.0.10:6443/v1');
      expect(renderString('{{ cfg.n }}', vars)).to.equal(6444);
      expect(renderString('{{ api_list[0] }}', vars)).to.equal('https://198.18.0.10:6443/a');
      expect(renderString('{{ cfg }}', vars)).to.deep.equal({ url: 'https://198.18.0.10:6443/v1', n: 6444 });
      expect(renderString('{{ alias.url }}', vars)).to.equal('https://198.18.0.10:6443/v1');
      expect(evaluate('api_list | join(" ")', vars)).to.equal('https://198.18.0.10:6443/a plain');
      expect(evaluate("cfg | to_json", vars)).to.equal('{"url": "https://198.18.0.10:6443/v1", "n": 6444}');
    });
    it('does not modify the variables', () => {
      renderString('{{ cfg }}', vars);
      expect(vars.cfg).to.deep.equal({ url: '{{ api }}/v1', n: '{{ port + 1 }}' });
    });
    it('detects cycles with a one-line error', () => {
      expect(() => renderString('{{ self }}', vars)).to.throw(ExprError, "recursive loop detected in template for 'self'");
      expect(() => renderString('{{ ping }}', vars)).to.throw(ExprError, /recursive loop detected/);
    });
    it('undefined variables inside a variable are reported', () => {
      expect(() => renderString('{{ broken }}', vars)).to.throw(UndefinedVariableError, "'missing_thing' is undefined (in variable 'broken')");
      // as in Ansible: a variable whose template is undefined counts as undefined
      expect(evaluate('broken | default("d")', vars)).to.equal('d');
      expect(evaluate('broken is defined', vars)).to.equal(false);
      try {
        renderString('x {{ broken }}', vars);
      } catch (e) {
        expect((e as UndefinedVariableError).variable).to.equal('missing_thing');
      }
    });
    it('VARS_SCOPE renders another host\'s strings against its own variables', () => {
      const h2 = { inventory_hostname: 'node2', addr: '{{ inventory_hostname }}.lab' };
      (h2 as any)[VARS_SCOPE] = h2;
      const mine = { inventory_hostname: 'node1', hostvars: { node2: h2 }, addr: '{{ inventory_hostname }}.lab' };
      expect(renderString("{{ hostvars['node2'].addr }}", mine)).to.equal('node2.lab');
      expect(renderString('{{ addr }}', mine)).to.equal('node1.lab');
    });
  });

  describe('vault and unsafe values', () => {
    afterEach(() => setVaultDecryptor(undefined));
    it('vault values are decrypted through the hook when read', () => {
      const v = new VaultText('$ANSIBLE_VAULT;1.1;AES256\n...');
      expect(() => renderString('{{ pw }}', { pw: v })).to.throw(TsplayError, /no vault password/);
      setVaultDecryptor((x) => (x === v ? 's3cret' : 'other'));
      expect(renderString('{{ pw }}', { pw: v })).to.equal('s3cret');
      expect(renderString('{{ pw | length }}', { pw: v })).to.equal(6);
    });
    it('unsafe text is never templated', () => {
      const u = new UnsafeText('{{ lookup("pipe", "id") }}');
      expect(renderString('{{ u }}', { u })).to.equal('{{ lookup("pipe", "id") }}');
      expect(templateValue(u, {})).to.equal(u);
      expect(templateValue({ a: u }, {})).to.deep.equal({ a: u });
    });
  });

  describe('markUnsafe', () => {
    it('strings under marked data (registered results, facts) are never templated', () => {
      const r = markUnsafe({ stdout: 'x {{ boom }}', lines: ['{{ a }}'], nested: { s: '{% if %}' } });
      const vars = { r, a: 1 };
      expect(renderString('{{ r.stdout }}', vars)).to.equal('x {{ boom }}');
      expect(renderString('{{ r.lines[0] }}', vars)).to.equal('{{ a }}');
      expect(renderString('{{ r.nested.s }}', vars)).to.equal('{% if %}');
      expect(renderString('{{ r }}', vars)).to.deep.equal({ stdout: 'x {{ boom }}', lines: ['{{ a }}'], nested: { s: '{% if %}' } });
      expect(evaluate('r | to_json', vars)).to.equal('{"stdout": "x {{ boom }}", "lines": ["{{ a }}"], "nested": {"s": "{% if %}"}}');
      expect(evaluate("[r] | map(attribute='stdout') | first", vars)).to.equal('x {{ boom }}');
    });
  });

  describe('omit', () => {
    it('is a sentinel recognised by isOmit', () => {
      expect(renderString('{{ omit }}', {})).to.equal(OMIT);
      expect(isOmit(renderString('{{ nope | default(omit) }}', {}))).to.equal(true);
      expect(isOmit(renderString('x{{ omit }}', {}))).to.equal(false);
      expect(isOmit('__omit_place_holder__tsplay')).to.equal(true);
      expect(isOmit('x')).to.equal(false);
    });
  });

  describe('templateValue', () => {
    it('templates nested values and keys, leaving the input untouched', () => {
      const input = { '{{ k }}': ['{{ a }}', 2, { x: '{{ a + 1 }}' }], plain: 'v', n: null };
      const out = templateValue(input, { k: 'key', a: 1 });
      expect(out).to.deep.equal({ key: [1, 2, { x: 2 }], plain: 'v', n: null });
      expect(input).to.deep.equal({ '{{ k }}': ['{{ a }}', 2, { x: '{{ a + 1 }}' }], plain: 'v', n: null });
    });
    it('returns the same object when nothing needs templating', () => {
      const v = { a: [1, 'x'], b: { c: 'd' } };
      expect(templateValue(v, {})).to.equal(v);
    });
    it('isTemplated', () => {
      expect(isTemplated('a {{ b }}')).to.equal(true);
      expect(isTemplated('{% if x %}{% endif %}')).to.equal(true);
      expect(isTemplated('{# c #}')).to.equal(true);
      expect(isTemplated('a { b }')).to.equal(false);
      expect(isTemplated(5)).to.equal(false);
    });
  });

  describe('evalCondition', () => {
    const vars = { a: 1, s: 'false', t: true, res: { rc: 0 }, l: [] };
    const cases: [unknown, boolean][] = [
      [true, true], [false, false], ['a == 1', true], ['a == 2', false], ['t', true], ['not t', false], ['s', true], ['s | bool', false],
      ['{{ a == 1 }}', true], ['{{ s }}', false], ['res.rc == 0', true], ['l', false], ['l | length == 0', true],
      [['a == 1', 't'], true], [['a == 1', 'not t'], false], ['', true], [null, true], [0, false],
      ['a is defined and nope is undefined', true], ["res.rc != 0 or 'x' in 'xyz'", true],
    ];
    for (const [c, want] of cases) it(`${JSON.stringify(c)} => ${want}`, () => expect(evalCondition(c, vars)).to.equal(want));
    it('undefined variables in conditions are errors with the position', () => {
      try {
        evalCondition('nope == 1', vars, { pos: { file: 'tasks/main.yml', line: 9 } });
        expect.fail('no error');
      } catch (e) {
        expect(e).to.be.instanceOf(UndefinedVariableError);
        expect((e as TsplayError).oneLine()).to.equal(`tasks/main.yml:9: 'nope' is undefined (in "nope == 1")`);
      }
    });
    it('syntax errors are ParseErrors', () => expect(() => evalCondition('a ==', vars)).to.throw(ParseError));
  });
});

describe('expr: results are never templated twice (as in Ansible 2.14)', () => {
  const vars = { a: 1, lazy: "{{ '{{' }} a }}", l: ['{{ a }}'], d: { k: '{{ a + 1 }}' } };
  const cases: [string, unknown][] = [
    ["{{ '{{ a }}' }}", '{{ a }}'], ["{{ ['{{ a }}'] | first }}", '{{ a }}'], ['{{ lazy }}', '{{ a }}'], ['x{{ lazy }}', 'x{{ a }}'],
    ['{{ l }}', [1]], ['{{ [l] }}', [[1]]], ['{{ [d] | map(attribute="k") | list }}', [2]], ["{{ {'x': d} }}", { x: { k: 2 } }], ['{{ l + l }}', [1, 1]],
  ];
  for (const [s, want] of cases) it(`${s}`, () => expect(renderString(s, vars)).to.deep.equal(want));
});

describe('expr: rendered strings that look like literals become values (Ansible 2.14)', () => {
  const vars = { a: 'x', b: 2, t: true };
  const cases: [string, unknown][] = [
    ["[ '{{ a }}', '{{ b }}' ]", ['x', '2']], ['[{{ b }}, 3]', [2, 3]], ["{'k': '{{ a }}'}", { k: 'x' }], ['{% if t %}True{% endif %}', true],
    ['[{{ a }}]', '[x]'], ['{x: {{ b }}}', '{x: 2}'], ['[ {{ b }} ] extra', '[ 2 ] extra'], ['{{ a }}{{ b }}', 'x2'],
  ];
  for (const [s, want] of cases) it(`${s}`, () => expect(renderString(s, vars)).to.deep.equal(want));
});
