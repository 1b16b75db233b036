import { expect } from 'chai';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import {
  loadInventory, selectHosts, selectHostsDetailed, splitHostPattern, isImplicitLocalhost, hostVarLayers, mergeLayers, groupNames, inventoryHostnameShort,
} from '../../../engine/inventory/index.ts';
import { TsplayError } from '../../../engine/types.ts';
import { ansibleView, ansibleViews, FIXTURES } from './oracle.ts';
import { tree, tsplayErrorOf } from './helpers.ts';

const PATTERNS = [
  'all', '*', 'web', 'db', 'prod', 'ungrouped', 'stepped', 'backends',
  'web:db', 'web,db', 'db:web', 'web:&db', 'prod:!db', 'prod:!web:!backends', 'web:db:&prod:!lb', '!db', '&web', 'all:!prod',
  'web*', 'web0*', 'db-?', 'db-[ab]', 'db-[!a]', '*.example.com', 'node1*', 'api[12]', 'web0[1-2]*',
  '~web\\d+', '~db-(a|c)$', '~^(api|node)1', '~.*extra',
  'web[0]', 'web[-1]', 'web[1:3]', 'web[2:]', 'prod[0:1]', 'web[10]', 'web[1-2]', 'stepped[5]', 'stepped[-6]', 'stepped[-7]', 'web*[0]',
  'lb', 'lb:standalone', 'standalone,lb,standalone', 'nosuchhost', 'nosuch*', 'localhost', 'all:localhost', 'web:!localhost',
  'web[01:02].example.com', 'web01.example.com:web03.example.com', ' web , db ', 'db-a:&db-a',
];

describe('inventory: host patterns', () => {
  const file = join(FIXTURES, 'ini/features.ini');
  const inv = loadInventory([file]);

  it(`agrees with ansible-core on ${PATTERNS.length} patterns (results and order)`, () => {
    const theirs = ansibleView({ sources: [file], patterns: PATTERNS });
    for (const p of PATTERNS) {
      const expected = theirs.patterns[p];
      if (Array.isArray(expected)) {
        expect(selectHosts(inv, p), `pattern ${p}`).to.deep.equal(expected);
      } else {
        expect(() => selectHosts(inv, p), `pattern ${p} should fail like ansible: ${expected.error}`).to.throw(TsplayError);
      }
    }
  });

  it('agrees with ansible-core under --limit, including @file', () => {
    const dir = tree({ 'retry': 'web02.example.com\n\ndb-b\nnot-a-host\n' });
    const limitFile = join(dir, 'retry');
    const limits = ['web', 'prod:!web', `@${limitFile}`, `@${limitFile},api1`, 'db[0]', '~^(web|api)'];
    const pats = ['all', 'prod', 'web:db', 'localhost'];
    const theirs = ansibleViews(limits.map((limit) => ({ sources: [file], patterns: pats, limit })));
    limits.forEach((limit, i) => {
      for (const p of pats) expect(selectHosts(inv, p, [limit]), `${p} --limit ${limit}`).to.deep.equal(theirs[i].patterns[p]);
    });
  });

  it('applies unions, then intersections, then exclusions, whatever the written order', () => {
    expect(selectHosts(inv, '!db:web:&prod')).to.deep.equal(selectHosts(inv, 'web:&prod:!db'));
    expect(selectHosts(inv, 'web:!lb')).to.deep.equal(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web-extra']);
    // only exclusions/intersections: start from all
    expect(selectHosts(inv, '!prod')).to.deep.equal(['standalone', 'node1', 'node5', 'node9', 'node10', 'node11', 'node12']);
  });

  it('reports patterns that matched nothing (Ansible warns about them)', () => {
    const s = selectHostsDetailed(inv, 'web:nosuch:&nosuch2');
    expect(s.hosts).to.deep.equal([]);
    expect(s.unmatched).to.deep.equal(['nosuch', 'nosuch2']);
  });

  it('splits patterns like Ansible (commas first, then colons, ranges and IPv6 kept whole)', () => {
    expect(splitHostPattern('a:b:&c:!d')).to.deep.equal(['a', 'b', '&c', '!d']);
    expect(splitHostPattern('a, b ,c')).to.deep.equal(['a', 'b', 'c']);
    expect(splitHostPattern('web[1:3]')).to.deep.equal(['web[1:3]']);
    expect(splitHostPattern('g[1:3]:h')).to.deep.equal(['g[1:3]', 'h']);
    expect(splitHostPattern('fe80::1')).to.deep.equal(['fe80::1']);
    expect(splitHostPattern(['a:b', 'c'])).to.deep.equal(['a', 'b', 'c']);
  });

  it('implicit localhost: matched by name only, connection local, gets all-group vars, no groups', () => {
    expect(selectHosts(inv, 'localhost')).to.deep.equal(['localhost']);
    expect(selectHosts(inv, '127.0.0.1')).to.deep.equal(['127.0.0.1']);
    expect(selectHosts(inv, 'localhost', ['web'])).to.deep.equal([]);
    expect(selectHosts(inv, 'all')).to.not.include('localhost');
    expect(isImplicitLocalhost(inv, 'localhost')).to.equal(true);
    expect(isImplicitLocalhost(inv, 'web-extra')).to.equal(false);
    expect(groupNames(inv, 'localhost')).to.deep.equal([]);
    expect(mergeLayers(hostVarLayers(inv, 'localhost'))).to.deep.equal({ ansible_user: 'root', tier: 'all', ansible_connection: 'local' });
    const explicit = loadInventory(['localhost,h1,']);
    expect(isImplicitLocalhost(explicit, 'localhost')).to.equal(false);
    expect(mergeLayers(hostVarLayers(explicit, 'localhost'))).to.deep.equal({});
  });

  it('bad patterns are clear TsplayErrors', () => {
    expect(tsplayErrorOf(() => selectHosts(inv, '~web(')).message).to.equal('Invalid host list pattern: ~web(');
    expect(tsplayErrorOf(() => selectHosts(inv, 'web[99]')).message).to.equal("No hosts matched the subscripted pattern 'web[99]'");
    expect(tsplayErrorOf(() => selectHosts(inv, '')).message).to.match(/empty host pattern/);
    expect(tsplayErrorOf(() => selectHosts(inv, 'web,!')).message).to.match(/nothing after '!'/);
    expect(tsplayErrorOf(() => selectHosts(inv, 'all', ['@/nonexistent/retry'])).message).to.match(/Unable to find limit file/);
    expect(tsplayErrorOf(() => selectHosts(inv, 'all', [`@${FIXTURES}`])).message).to.match(/must be a file, not a directory/);
    expect(tsplayErrorOf(() => hostVarLayers(inv, 'nosuchhost')).message).to.match(/not in the inventory/);
  });

  it('limit with several values intersects with their union', () => {
    const dir = tree({});
    const f = join(dir, 'l');
    writeFileSync(f, 'db-a\n');
    expect(selectHosts(inv, 'all', ['web[0]', `@${f}`])).to.deep.equal(['web01.example.com', 'db-a']);
    expect(selectHosts(inv, 'prod', 'api*')).to.deep.equal(['api1', 'api2']);
  });

  it('the seed inventory (k8s) selects what ansible selects', () => {
    const seed = join(FIXTURES, 'seed-k8s.ini');
    const kinv = loadInventory([seed]);
    const pats = ['all', 'k8s', 'k8s-master', 'k8s-worker', 'volume', 'k8s-master[0]', 'k8s[1:3]:!k8s-worker[0]', 'all:!k8s', '192.168.208.19*', 'k8s-*'];
    const theirs = ansibleView({ sources: [seed], patterns: pats });
    for (const p of pats) expect(selectHosts(kinv, p), p).to.deep.equal(theirs.patterns[p]);
  });
});

describe('inventory: inventory_hostname_short', () => {
  it('keeps IP addresses whole and cuts names at the first dot (as Ansible)', () => {
    expect(inventoryHostnameShort('web01.example.com')).to.equal('web01');
    expect(inventoryHostnameShort('192.168.208.190')).to.equal('192.168.208.190');
    expect(inventoryHostnameShort('fe80::1')).to.equal('fe80::1');
    expect(inventoryHostnameShort('k8s-master1')).to.equal('k8s-master1');
  });
});
