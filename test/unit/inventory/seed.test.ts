import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory, hostVarLayers, mergeLayers, selectHosts, groupNames, type Inventory } from '../../../engine/inventory/index.ts';
import { FIXTURES } from './oracle.ts';

/** tsplay's inventory in the shape of `ansible-inventory --list`. */
function asAnsibleList(inv: Inventory): Record<string, any> {
  const out: Record<string, any> = { _meta: { hostvars: {} } };
  for (const h of inv.hosts.keys()) {
    const vars = mergeLayers(hostVarLayers(inv, h));
    if (Object.keys(vars).length) out._meta.hostvars[h] = vars;
  }
  for (const g of inv.groups.values()) {
    const entry: Record<string, unknown> = {};
    if (g.children.length) entry.children = g.children;
    if (g.hosts.length) entry.hosts = g.hosts;
    if (Object.keys(entry).length) out[g.name] = entry;
  }
  return out;
}

describe('inventory: the seed guide\'s k8s inventory (002, section 3.1) parses as-is', () => {
  const seed = join(FIXTURES, 'seed-k8s.ini');

  it('equals `ansible-inventory -i seed --list`', () => {
    expect(existsSync('/usr/bin/ansible-inventory'), 'ansible-inventory is required: apt-get install ansible-core').to.equal(true);
    const r = spawnSync('/usr/bin/ansible-inventory', ['-i', seed, '--list'], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: '1', ANSIBLE_NOCOLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(asAnsibleList(loadInventory([seed]))).to.deep.equal(JSON.parse(r.stdout));
  });

  it('has the guide\'s groups, hosts and connection vars', () => {
    const inv = loadInventory([seed]);
    expect(selectHosts(inv, 'k8s-master')).to.deep.equal(['192.168.208.190', '192.168.208.191', '192.168.208.192']);
    expect(selectHosts(inv, 'k8s-worker')).to.have.length(4);
    expect(selectHosts(inv, 'volume')).to.deep.equal(['192.168.208.195']);
    expect(selectHosts(inv, 'k8s')).to.have.length(7);
    expect(selectHosts(inv, 'all')).to.have.length(8);
    expect(groupNames(inv, '192.168.208.201')).to.deep.equal(['k8s', 'k8s-worker']);
    // As in Ansible, ansible_ssh_pass='123456' becomes the integer 123456 (shlex drops the quotes,
    // then literal_eval); the connection layer must stringify passwords.
    expect(inv.hosts.get('192.168.208.190')!.vars).to.deep.equal({ ansible_ssh_user: 'root', ansible_ssh_pass: 123456 });
  });
});
