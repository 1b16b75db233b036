import { expect } from 'chai';
import { join, relative } from 'node:path';
import { loadInventory, hostVarLayers, mergeLayers, loadVarsPath, groupNames, groupsVar, clearVarsCache } from '../../../engine/inventory/index.ts';
import { setVaultFileDecryptor } from '../../../engine/yaml.ts';
import { configureVault, vaultEncrypt } from '../../../engine/vault/index.ts';
import { ansibleView, tsplayView, FIXTURES } from './oracle.ts';
import { parseErrorOf, tree } from './helpers.ts';

describe('inventory: group_vars / host_vars and precedence', () => {
  const project = join(FIXTURES, 'project');
  const hosts = join(project, 'inventory/hosts');
  const playbooks = join(project, 'playbooks');

  it('merged host vars equal ansible-core\'s (inventory + playbook group_vars/host_vars, file and dir forms)', () => {
    const req = { sources: [hosts], playbook_dir: playbooks };
    const ours = tsplayView(loadInventory([hosts]), req);
    const theirs = ansibleView(req);
    expect(theirs.load_error, theirs.stderr).to.equal(undefined);
    expect(ours.hostvars).to.deep.equal(theirs.hostvars);
    expect(ours.hostvars.w1.winner).to.equal('pb_host_vars_w1');
    expect(ours.hostvars.w2.winner).to.equal('pb_group_vars_web');
    expect(ours.hostvars.d1.winner).to.equal('inv_host_vars_d1_b');
  });

  it('layers come in Ansible\'s order (levels 3-10), lowest first', () => {
    const inv = loadInventory([hosts]);
    const layers = hostVarLayers(inv, 'w1', playbooks).map((l) => (l.source.startsWith('/') ? relative(project, l.source) : l.source));
    expect(layers).to.deep.equal([
      'inventory vars of group all',
      'inventory vars of group app',
      'inventory vars of group web',
      'inventory/group_vars/all.yml',
      'playbooks/group_vars/all.yaml',
      'inventory/group_vars/app',
      'inventory/group_vars/web/10-a.yml',
      'inventory/group_vars/web/20-b.yaml',
      'inventory/group_vars/web/sub/30-c.json',
      'playbooks/group_vars/web.yml',
      'inventory vars of host w1',
      'inventory/host_vars/w1.yml',
      'playbooks/host_vars/w1.yml',
    ]);
  });

  it('only the first of NAME, NAME.yml, NAME.yaml, NAME.json is read; hidden, backup and .txt files in a vars dir are not', () => {
    const inv = loadInventory([hosts]);
    const merged = mergeLayers(hostVarLayers(inv, 'd1'));
    expect(merged.mark_gv_db).to.equal('yml');
    const all = JSON.stringify(hostVarLayers(inv, 'w1', playbooks));
    expect(all).to.not.include('must_not_load');
  });

  it('inventory-file group vars: parents before children (depth), then ansible_group_priority, then name', () => {
    const dir = tree({
      hosts: [
        '[a_low_prio]\nh1\n[b_default]\nh1\n[z_first_by_prio]\nh1\n[parent:children]\nchild\n[child]\nh1\n',
        '[a_low_prio:vars]\nv=a_low_prio\nansible_group_priority=50\n',
        '[b_default:vars]\nv=b_default\n',
        '[z_first_by_prio:vars]\nv=z\nansible_group_priority=0\n',
        '[parent:vars]\nv=parent\n',
        '[child:vars]\nv=child\n',
      ].join(''),
    });
    const inv = loadInventory([join(dir, 'hosts')]);
    const order = hostVarLayers(inv, 'h1').map((l) => l.source).filter((s) => s.startsWith('inventory vars of group'));
    expect(order).to.deep.equal([
      'inventory vars of group all',
      'inventory vars of group z_first_by_prio',
      'inventory vars of group b_default',
      'inventory vars of group parent',
      'inventory vars of group a_low_prio',
      'inventory vars of group child',
    ]);
    const theirs = ansibleView({ sources: [join(dir, 'hosts')] }, dir);
    expect(mergeLayers(hostVarLayers(inv, 'h1'))).to.deep.equal(theirs.hostvars.h1);
    expect(theirs.hostvars.h1.v).to.equal('child');
    expect(tsplayView(inv, { sources: [] }).groups).to.deep.equal(theirs.groups);
  });

  it('hash_behaviour=replace: a dict in a later layer replaces the whole dict', () => {
    const dir = tree({ hosts: '[g]\nh1\n', 'group_vars/all.yml': 'cfg: {a: 1, b: 2}\n', 'group_vars/g.yml': 'cfg: {b: 3}\n' });
    const inv = loadInventory([join(dir, 'hosts')]);
    expect(mergeLayers(hostVarLayers(inv, 'h1')).cfg).to.deep.equal({ b: 3 });
    expect(ansibleView({ sources: [join(dir, 'hosts')] }, dir).hostvars.h1.cfg).to.deep.equal({ b: 3 });
  });

  it('group_names (sorted, without all; ungrouped as Ansible has it) and groups', () => {
    const inv = loadInventory([hosts, 'loner,']);
    expect(groupNames(inv, 'w2')).to.deep.equal(['app', 'blue', 'red', 'web']);
    expect(groupNames(inv, 'loner')).to.deep.equal(['ungrouped']);
    const g = groupsVar(inv);
    // `all` lists hosts breadth-first through the group tree (blue/red are top-level, web/db under app)
    expect(g.all).to.deep.equal(['loner', 'w2', 'w1', 'd1']);
    const theirs = ansibleView({ sources: [hosts, 'loner,'] });
    expect(g).to.deep.equal(theirs.groups_var);
    expect(theirs.group_names.loner).to.deep.equal(['ungrouped']);
    expect(g.ungrouped).to.deep.equal(['loner']);
    expect(g.app).to.deep.equal(['w1', 'w2', 'd1']);
  });

  describe('loadVarsPath (vars files and directories)', () => {
    it('a file, an empty file, and a directory merged in lexical order', () => {
      const dir = tree({ 'v.yml': 'a: 1\n', 'empty.yml': '', 'd/1.yml': 'x: 1\ny: 1\n', 'd/2.json': '{"y": 2}', 'd/sub/3': 'z: 3\n', 'd/no.md': 'q: 1\n' });
      expect(loadVarsPath(join(dir, 'v.yml'))).to.deep.equal({ a: 1 });
      expect(loadVarsPath(join(dir, 'empty.yml'))).to.deep.equal({});
      expect(loadVarsPath(join(dir, 'd'))).to.deep.equal({ x: 1, y: 2, z: 3 });
    });
    it('errors: not a mapping, YAML syntax, missing file - each ParseError with file:line', () => {
      const dir = tree({ 'list.yml': '# a list\n- a\n- b\n', 'bad.yml': 'a: 1\nb: [\n', 'gv/hosts': '[g]\nh\n', 'gv/group_vars/g.yml': 'x: 1\n  y: 2\n' });
      let e = parseErrorOf(() => loadVarsPath(join(dir, 'list.yml')));
      expect(e.oneLine()).to.match(/list\.yml:2(:\d+)?: vars file must contain a mapping/);
      e = parseErrorOf(() => loadVarsPath(join(dir, 'bad.yml')));
      expect(e.pos).to.deep.include({ file: join(dir, 'bad.yml') });
      expect(e.pos?.line).to.be.a('number');
      e = parseErrorOf(() => loadVarsPath(join(dir, 'missing.yml')));
      expect(e.oneLine()).to.match(/missing\.yml: no such vars file/);
      const inv = loadInventory([join(dir, 'gv/hosts')]);
      e = parseErrorOf(() => hostVarLayers(inv, 'h'));
      expect(e.pos?.file).to.equal(join(dir, 'gv/group_vars/g.yml'));
      expect(e.pos?.line).to.equal(2);
    });
  });
});

describe('inventory: vault-encrypted group_vars/host_vars', () => {
  after(() => setVaultFileDecryptor(undefined));

  it('decrypt once the vault is configured; without a password the error names the file', () => {
    const dir = tree({
      hosts: '[g]\nh1\n',
      'group_vars/g/plain.yml': 'visible: 1\n',
      'group_vars/g/vault.yml': vaultEncrypt('db_password: s3cr3t-canary\n', 'pw'),
      'host_vars/h1': vaultEncrypt('host_secret: another-canary\n', 'pw'),
    });
    setVaultFileDecryptor(undefined);
    const inv = loadInventory([join(dir, 'hosts')]);
    const e = parseErrorOf(() => hostVarLayers(inv, 'h1'));
    expect(e.pos?.file).to.equal(join(dir, 'group_vars/g/vault.yml'));
    configureVault([{ label: 'default', password: 'pw' }]);
    clearVarsCache(inv);
    expect(mergeLayers(hostVarLayers(inv, 'h1'))).to.deep.equal({ visible: 1, db_password: 's3cr3t-canary', host_secret: 'another-canary' });
  });

  it('a vault-encrypted inventory file (INI or YAML) is decrypted too', () => {
    const dir = tree({ 'hosts': vaultEncrypt('[g]\nh1 a=1\n', 'pw'), 'hosts.yml': vaultEncrypt('y:\n  hosts:\n    h2:\n', 'pw') });
    setVaultFileDecryptor(undefined);
    expect(parseErrorOf(() => loadInventory([join(dir, 'hosts')])).message).to.match(/vault-encrypted/);
    configureVault([{ label: 'default', password: 'pw' }]);
    const inv = loadInventory([join(dir, 'hosts'), join(dir, 'hosts.yml')]);
    expect(inv.hosts.get('h1')!.vars).to.deep.equal({ a: 1 });
    expect(inv.groups.get('y')!.hosts).to.deep.equal(['h2']);
  });
});
