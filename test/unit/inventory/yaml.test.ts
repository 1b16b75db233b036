import { expect } from 'chai';
import { join } from 'node:path';
import { loadInventory } from '../../../engine/inventory/index.ts';
import { ansibleView, ansibleViews, tsplayView, FIXTURES, type OracleView } from './oracle.ts';
import { parseErrorOf, tree } from './helpers.ts';

describe('inventory: YAML format', () => {
  const file = join(FIXTURES, 'yaml/hosts.yml');

  it('matches ansible-core (nesting, ranges in host keys, null values, string hosts, priority)', () => {
    const req = { sources: [file] };
    const ours = tsplayView(loadInventory([file]), req);
    const theirs = ansibleView(req);
    expect(theirs.load_error, theirs.stderr).to.equal(undefined);
    expect(ours.order).to.deep.equal(theirs.order);
    expect(ours.hosts).to.deep.equal(theirs.hosts);
    expect(ours.groups).to.deep.equal(theirs.groups);
    expect(ours.group_names).to.deep.equal(theirs.group_names);
    expect(ours.groups_var).to.deep.equal(theirs.groups_var);
    expect(ours.hostvars).to.deep.equal(theirs.hostvars);
  });

  it('reads the structure', () => {
    const inv = loadInventory([file]);
    expect(inv.groups.get('webservers')!.hosts).to.deep.equal(['web1', 'web2', 'web3', 'web-extra']);
    expect(inv.hosts.get('web-extra')!.vars).to.deep.equal({ ansible_port: 2222 });
    expect(inv.hosts.get('db-primary')!.vars).to.deep.equal({ role: 'primary', settings: { max_conn: 100 } });
    expect(inv.groups.get('replicas')!.priority).to.equal(3);
    expect(inv.groups.get('dbservers')!.children).to.deep.equal(['replicas']);
    expect(inv.groups.get('empty_group')!.hosts).to.deep.equal([]);
    expect(inv.groups.get('string_hosts')!.hosts).to.deep.equal(['lonely']);
    // a host directly under all: is also "ungrouped", as in Ansible
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['bastion.example.com']);
  });

  it('a .yaml/.json extension or none selects YAML; unexpected keys are warnings, not silence', () => {
    const dir = tree({
      'inv.json': JSON.stringify({ all: { hosts: { j1: { a: 1 } } } }),
      'noext': 'g:\n  hosts:\n    n1:\n  bogus:\n    x: 1\n',
    });
    expect(loadInventory([join(dir, 'inv.json')]).hosts.get('j1')!.vars).to.deep.equal({ a: 1 });
    const inv = loadInventory([join(dir, 'noext')]);
    expect(inv.groups.get('g')!.hosts).to.deep.equal(['n1']);
    expect(inv.warnings!.join('\n')).to.match(/Skipping unexpected key \(bogus\) in group \(g\)/);
  });

  describe('errors name file:line', () => {
    const bad: [string, string, RegExp, number | undefined][] = [
      ['hosts as a list', 'all:\n  children:\n    web:\n      hosts:\n        - web1\n        - web2\n', /Invalid "hosts" entry for "web" group, requires a dictionary, found "<class 'list'>"/, 4],
      ['YAML syntax error', 'all:\n  hosts:\n    a: [\n', /YAML syntax error/, undefined],
      ['duplicate key', 'all:\n  hosts:\n    a:\n    a:\n', /duplicate|YAML/, 4],
      ['only a document marker', '---\n# nothing\n', /Parsed empty YAML file/, undefined],
      ['plugin config', 'plugin: aws_ec2\n', /Plugin configuration YAML file/, undefined],
      ['host vars not a mapping', 'all:\n  hosts:\n    h1: 5\n', /expected a dictionary/, 3],
      ['a group that is its own ancestor', 'a:\n  children:\n    b:\n      children:\n        a:\n', /recursive dependency loop/, undefined],
    ];
    const dir = tree(Object.fromEntries(bad.map(([, text], i) => [`hosts${i}.yml`, text])));
    let theirsAll: OracleView[] = [];
    before(() => {
      theirsAll = ansibleViews(bad.map((_, i) => ({ sources: [join(dir, `hosts${i}.yml`)] })), dir);
    });
    bad.forEach(([what, , re, line], i) => {
      it(what, () => {
        const f = join(dir, `hosts${i}.yml`);
        const e = parseErrorOf(() => loadInventory([f]));
        expect(e.message).to.match(re);
        expect(e.pos?.file).to.equal(f);
        if (line !== undefined) expect(e.pos?.line).to.equal(line);
        expect(e.oneLine()).to.match(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)*: `));
        if (what !== 'duplicate key') {
          const theirs = theirsAll[i];
          expect(theirs.load_error, `ansible accepted what tsplay refused (${what})`).to.be.a('string');
        }
      });
    });
  });
});
