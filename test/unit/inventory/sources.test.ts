import { expect } from 'chai';
import { join } from 'node:path';
import { truncateSync } from 'node:fs';
import { loadInventory, selectHosts, mergeLayers, hostVarLayers } from '../../../engine/inventory/index.ts';
import { ansibleView, tsplayView } from './oracle.ts';
import { parseErrorOf, tree } from './helpers.ts';

describe('inventory: sources (-i)', () => {
  it('a comma list: h1,h2, (ports allowed, ranges not expanded), all ungrouped', () => {
    const inv = loadInventory(['h1, h2:2222,h1,web[1:2],']);
    expect([...inv.hosts.keys()]).to.deep.equal(['h1', 'h2', 'web[1:2]']);
    expect(inv.hosts.get('h2')!.vars).to.deep.equal({ ansible_port: 2222 });
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['h1', 'h2', 'web[1:2]']);
    const theirs = ansibleView({ sources: ['h1, h2:2222,h1,web[1:2],'] });
    expect(tsplayView(inv, { sources: [] }).groups).to.deep.equal(theirs.groups);
    expect(theirs.hosts).to.deep.equal({ h1: {}, h2: { ansible_port: 2222 }, 'web[1:2]': {} });
  });

  it('a single host needs the trailing comma; a missing path is a clear error', () => {
    expect([...loadInventory(['solo,']).hosts.keys()]).to.deep.equal(['solo']);
    const e = parseErrorOf(() => loadInventory(['/nonexistent/inventory']));
    expect(e.oneLine()).to.match(/^\/nonexistent\/inventory: inventory source not found .*'host1,'/);
  });

  it('a directory: every inventory file (sorted, recursive), skipping .ini/.cfg/.retry/hidden/group_vars; its group_vars apply', () => {
    const dir = tree({
      'inv/01-static': '[web]\nw1\n[web:vars]\nfrom=ini_noext\n',
      'inv/02.yml': 'all:\n  children:\n    db:\n      hosts:\n        d1:\n',
      'inv/sub/03.yaml': 'extra:\n  hosts:\n    e1:\n',
      'inv/ignored.ini': '[ignored]\ni1\n',
      'inv/ignored.cfg': '[ignored]\ni2\n',
      'inv/notes.txt': 'not an inventory\n',
      'inv/.hidden': '[ignored]\ni3\n',
      'inv/hosts.retry': 'i4\n',
      'inv/group_vars/web.yml': 'gv: from_group_vars\n',
      'inv/host_vars/d1/main.yml': 'hv: 1\n',
    });
    const src = join(dir, 'inv');
    const inv = loadInventory([src]);
    expect([...inv.hosts.keys()]).to.deep.equal(['w1', 'd1', 'e1']);
    expect([...inv.groups.keys()]).to.deep.equal(['all', 'ungrouped', 'web', 'db', 'extra']);
    expect(mergeLayers(hostVarLayers(inv, 'w1'))).to.deep.equal({ from: 'ini_noext', gv: 'from_group_vars' });
    expect(mergeLayers(hostVarLayers(inv, 'd1'))).to.deep.equal({ hv: 1 });
    const req = { sources: [src] };
    const ours = tsplayView(inv, req);
    const theirs = ansibleView(req, dir);
    expect(theirs.load_error, theirs.stderr).to.equal(undefined);
    expect(ours.groups).to.deep.equal(theirs.groups);
    expect(ours.hosts).to.deep.equal(theirs.hosts);
    expect(ours.hostvars).to.deep.equal(theirs.hostvars);
  });

  it('several -i sources merge: groups and hosts combine, later host vars win, group_vars of each source apply', () => {
    const dir = tree({
      'a/hosts': '[web]\nw1 x=1 y=1\n[db]\nd1\n',
      'a/group_vars/web.yml': 'from_a: true\nshared: a\n',
      'b/hosts.yml': 'web:\n  hosts:\n    w1:\n      y: 2\n    w2:\n',
      'b/group_vars/web.yml': 'from_b: true\nshared: b\n',
    });
    const sources = [join(dir, 'a/hosts'), join(dir, 'b/hosts.yml'), 'extra1,extra2'];
    const inv = loadInventory(sources);
    expect(inv.groups.get('web')!.hosts).to.deep.equal(['w1', 'w2']);
    expect(inv.hosts.get('w1')!.vars).to.deep.equal({ x: 1, y: 2 });
    expect(selectHosts(inv, 'all')).to.deep.equal(['extra1', 'extra2', 'w1', 'w2', 'd1']);
    expect(mergeLayers(hostVarLayers(inv, 'w1'))).to.deep.equal({ from_a: true, from_b: true, shared: 'b', x: 1, y: 2 });
    const req = { sources, patterns: ['all', 'web', 'ungrouped'] };
    const ours = tsplayView(inv, req);
    const theirs = ansibleView(req, dir);
    expect(ours.groups).to.deep.equal(theirs.groups);
    expect(ours.hosts).to.deep.equal(theirs.hosts);
    expect(ours.hostvars).to.deep.equal(theirs.hostvars);
    expect(ours.patterns).to.deep.equal(theirs.patterns);
  });

  it('a file that is neither valid YAML nor valid INI reports the error of the format it looks like', () => {
    const dir = tree({ 'y.yml': 'all:\n  hosts: [a, b]\n', 'i': '[g]\nh1 broken\n' });
    expect(parseErrorOf(() => loadInventory([join(dir, 'y.yml')])).message).to.match(/Invalid "hosts" entry/);
    expect(parseErrorOf(() => loadInventory([join(dir, 'i')])).message).to.match(/Expected key=value/);
  });

  it('a 50 MB file is refused before it is read', () => {
    const dir = tree({ big: '' });
    truncateSync(join(dir, 'big'), 50 * 1024 * 1024);
    const e = parseErrorOf(() => loadInventory([join(dir, 'big')]));
    expect(e.oneLine()).to.equal(`${join(dir, 'big')}:1: file is 50.0 MB; an inventory must be under 20 MB`);
  });

  it('binary junk is a one-line error with a line number', () => {
    const dir = tree({ 'bin': '[g]\nh1\n\u0000\u0001\u0002junk\n' });
    const e = parseErrorOf(() => loadInventory([join(dir, 'bin')]));
    expect(e.pos?.line).to.equal(3);
    expect(e.message).to.match(/binary/);
  });
});
