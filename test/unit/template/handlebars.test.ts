import { expect } from 'chai';
import { hostname } from 'node:os';
import { ParseError, TsplayError, UndefinedVariableError } from '../../../engine/types.ts';
import { VaultText } from '../../../engine/yaml.ts';
import { VARS_SCOPE, markUnsafe, setVaultDecryptor } from '../../../engine/expr/index.ts';
import { renderTemplate, templateCacheSize } from '../../../engine/template/handlebars.ts';

const vars: Record<string, unknown> = {
  groups: { 'k8s-master': ['m1', 'm2'], etcd: ['e1', 'e2', 'e3'], all: ['m1', 'm2', 'e1'] },
  hostvars: { m1: { ansible_host: '198.18.0.11' }, m2: { ansible_host: '198.18.0.12' } },
  port: 6443,
  api: 'https://{{ hostvars["m1"].ansible_host }}:{{ port }}',
  cfg: { a: 1, list: [1, 2], name: 'x<y>&"z"' },
  first: 'a variable named like a filter',
  ver: '1.25.3',
  flag: true,
  empty: [],
};
const R = (t: string, v = vars) => renderTemplate(t, v, 'templates/app.conf.hbs');

describe('template: handlebars', () => {
  it('renders plain text and variables without HTML escaping', () => {
    expect(R('port={{port}} name={{cfg.name}}\n')).to.equal('port=6443 name=x<y>&"z"\n');
  });
  it('hyphenated names work in paths; numeric indexes use .[n]', () => {
    expect(R('{{groups.k8s-master.[0]}} {{groups.[k8s-master].[1]}}')).to.equal('m1 m2');
    expect(R('{{lookup groups "k8s-master"}}')).to.equal('m1,m2');
  });
  it('each and if work as usual', () => {
    expect(R('{{#each groups.etcd}}{{@index}}:{{this}}{{#unless @last}},{{/unless}}{{/each}}')).to.equal('0:e1,1:e2,2:e3');
    expect(R('{{#if flag}}on{{else}}off{{/if}} {{#if empty}}x{{else}}none{{/if}}')).to.equal('on none');
    expect(R('{{#each cfg}}{{@key}};{{/each}}')).to.equal('a;list;name;');
    expect(R('{{#each groups.etcd}}{{@first}}/{{@last}} {{/each}}', { groups: vars.groups })).to.equal('true/false false/false false/true ');
  });
  it('filters are helpers, with arguments and keyword arguments', () => {
    expect(R('{{join groups.k8s-master ","}}')).to.equal('m1,m2');
    expect(R('{{default missing "fallback"}}')).to.equal('fallback');
    expect(R('{{upper (join groups.etcd " ")}}')).to.equal('E1 E2 E3');
    expect(R('{{to_json cfg}}')).to.equal('{"a": 1, "list": [1, 2], "name": "x<y>&\\"z\\""}');
    expect(R('{{to_nice_yaml cfg indent=2}}')).to.equal('a: 1\nlist:\n- 1\n- 2\nname: x<y>&"z"\n');
    expect(R('{{ipaddr "198.18.0.5/15" "network"}}')).to.equal('198.18.0.0');
    expect(R('{{password_hash "secret" "sha512" "mysalt"}}')).to.equal('$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1');
    expect(R('{{indent (to_nice_yaml cfg) 4}}')).to.match(/^a: 1\n {4}list:/);
  });
  it('a filter name used without arguments reads the variable of that name', () => {
    expect(R('{{first}}')).to.equal('a variable named like a filter');
  });
  it('tests are is_<name> helpers; comparison and logic helpers', () => {
    expect(R('{{#if (is_version ver "1.24" ">=")}}new{{else}}old{{/if}}')).to.equal('new');
    expect(R('{{#if (is_defined missing)}}d{{else}}u{{/if}}')).to.equal('u');
    expect(R('{{#if (eq port 6443)}}a{{/if}}{{#if (ne port 1)}}b{{/if}}{{#if (lt 1 2)}}c{{/if}}{{#if (gt 1 2)}}X{{/if}}{{#if (ge 2 2)}}d{{/if}}{{#if (le 3 2)}}X{{/if}}'))
      .to.equal('abcd');
    expect(R('{{#if (and flag (not empty))}}y{{/if}}{{#if (or empty flag)}}z{{/if}}{{#if (in "m1" groups.all)}}w{{/if}}')).to.equal('yzw');
  });
  it('x evaluates an Ansible expression in the current context', () => {
    expect(R(`{{x "groups['k8s-master'] | join(',')"}}`)).to.equal('m1,m2');
    expect(R(`{{#each (x "groups['etcd'] | reverse | list")}}{{this}} {{/each}}`)).to.equal('e3 e2 e1 ');
    expect(R(`{{#each groups.k8s-master}}{{x "hostvars[item].ansible_host"}} {{/each}}`)).to.equal('198.18.0.11 198.18.0.12 ');
    expect(R(`{{#each groups.etcd}}{{x "index + 1"}}{{/each}}`)).to.equal('123');
    expect(R(`{{#each (x "[{'n': 'a', 'v': 1}]")}}{{x "n ~ '=' ~ v"}}{{/each}}`)).to.equal('a=1');
    expect(R('{{x "port + 1"}}')).to.equal('6444');
  });
  it('Jinja-templated variables are rendered when read', () => {
    expect(R('{{api}}')).to.equal('https://198.18.0.11:6443');
    expect(R('{{x "api"}}')).to.equal('https://198.18.0.11:6443');
  });
  it('hostvars of another host render against that host; unsafe data is shown as it is', () => {
    const h2: Record<string, unknown> = { inventory_hostname: 'n2', addr: '{{ inventory_hostname }}.lab' };
    (h2 as any)[VARS_SCOPE] = h2;
    const reg = markUnsafe({ stdout: 'has {{ braces }}' });
    const v = { inventory_hostname: 'n1', hostvars: { n2: h2 }, reg };
    expect(R('{{hostvars.n2.addr}} {{reg.stdout}}', v)).to.equal('n2.lab has {{ braces }}');
  });
  it('vaulted variables are decrypted when read', () => {
    const v = new VaultText('$ANSIBLE_VAULT;1.1;AES256\n00');
    setVaultDecryptor(() => 'pw');
    try {
      expect(R('{{secret}}', { secret: v })).to.equal('pw');
    } finally {
      setVaultDecryptor(undefined);
    }
  });
  it('provides ansible_managed, template_host, template_path', () => {
    expect(R('{{ansible_managed}}|{{template_host}}|{{template_path}}')).to.equal(`Ansible managed|${hostname()}|templates/app.conf.hbs`);
    expect(R('{{ansible_managed}}', { ansible_managed: 'custom' })).to.equal('custom');
  });
  describe('errors', () => {
    const fails = (t: string, cls: Function, re: RegExp) => {
      try {
        R(t);
        expect.fail('no error');
      } catch (e) {
        expect(e).to.be.instanceOf(cls);
        expect((e as TsplayError).oneLine()).to.match(re);
        expect((e as TsplayError).oneLine()).to.not.include('\n');
      }
    };
    it('an undefined variable names the variable and template:line:col', () => {
      fails('line1\nx {{missing}}', UndefinedVariableError, /^templates\/app\.conf\.hbs:2:5: 'missing' is undefined/);
      fails('a\nb\n{{cfg.nope}}', UndefinedVariableError, /^templates\/app\.conf\.hbs:3:3: 'nope' is undefined/);
    });
    it('an undefined helper argument names the helper and line', () => {
      fails('\n{{join missing ","}}', UndefinedVariableError, /^templates\/app\.conf\.hbs:2:1: argument 1 of helper 'join' is undefined/);
    });
    it('syntax errors are ParseErrors with the line', () => {
      fails('ok\n{{#if flag}}never closed', ParseError, /^templates\/app\.conf\.hbs:2: template syntax error/);
      fails('{{#each l}}{{/if}}', ParseError, /^templates\/app\.conf\.hbs:1:\d+: template syntax error: each doesn't match if/);
    });
    it('errors inside x expressions carry the template position', () => {
      fails('\n\n  {{x "nope.bar"}}', UndefinedVariableError, /^templates\/app\.conf\.hbs:3:3: 'nope' is undefined/);
      fails('{{x "port +"}}', ParseError, /^templates\/app\.conf\.hbs:1:1: syntax error in expression "port \+"/);
    });
    it('filter errors carry the template position', () => {
      fails('{{from_json "{"}}', TsplayError, /^templates\/app\.conf\.hbs:1:1: from_json: invalid JSON/);
    });
    it('prototype properties are not reachable', () => {
      expect(R('[{{cfg.constructor}}][{{cfg.__proto__}}]')).to.equal('[][]');
    });
  });
  it('caches compiled templates (the same text compiles once)', () => {
    const t = 'cache {{port}} ' + Math.random();
    const before = templateCacheSize();
    R(t);
    expect(templateCacheSize()).to.equal(before + 1);
    for (let i = 0; i < 5; i++) expect(R(t, { ...vars, port: i })).to.match(new RegExp(`^cache ${i} `));
    expect(templateCacheSize()).to.equal(before + 1);
  });
});
