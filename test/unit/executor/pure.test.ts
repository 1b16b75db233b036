import { expect } from 'chai';
import { shouldRunTags } from '../../../engine/executor/tags.ts';
import { serialBatches, pctToInt } from '../../../engine/executor/serial.ts';
import { expandLoop, itemVars } from '../../../engine/executor/loops.ts';
import { Notifications, matchHandlers } from '../../../engine/executor/handlers.ts';
import type { TaskNode } from '../../../engine/playbook/model.ts';

const run = (tags: string[], only: string[] = [], skip: string[] = []) => shouldRunTags(tags, { only, skip });

describe('executor: tag selection (Ansible evaluate_tags)', () => {
  it('runs everything except never without --tags', () => {
    expect(run([])).to.equal(true);
    expect(run(['a'])).to.equal(true);
    expect(run(['never'])).to.equal(false);
    expect(run(['never', 'debug'])).to.equal(false);
  });
  it('--tags selects matching, always, and never-tagged only when named', () => {
    expect(run(['a'], ['a'])).to.equal(true);
    expect(run(['b'], ['a'])).to.equal(false);
    expect(run([], ['a'])).to.equal(false);
    expect(run(['always'], ['a'])).to.equal(true);
    expect(run(['never', 'debug'], ['debug'])).to.equal(true);
    expect(run(['never'], ['all'])).to.equal(false);
  });
  it('tagged / untagged specials', () => {
    expect(run(['a'], ['tagged'])).to.equal(true);
    expect(run([], ['tagged'])).to.equal(false);
    expect(run([], ['untagged'])).to.equal(true);
    expect(run(['a'], ['untagged'])).to.equal(false);
    expect(run(['never', 'x'], ['tagged'])).to.equal(false);
  });
  it('--skip-tags, including always and all', () => {
    expect(run(['a'], [], ['a'])).to.equal(false);
    expect(run(['always'], [], ['a'])).to.equal(true);
    expect(run(['always'], [], ['always'])).to.equal(false);
    expect(run(['always'], [], ['all'])).to.equal(true);
    expect(run(['a'], [], ['all'])).to.equal(false);
    expect(run(['a'], [], ['tagged'])).to.equal(false);
    expect(run([], [], ['tagged'])).to.equal(true);
  });
});

describe('executor: serial batches', () => {
  const hosts = ['a', 'b', 'c', 'd', 'e'];
  it('no serial = one batch', () => expect(serialBatches(hosts, [])).to.deep.equal([hosts]));
  it('number', () => expect(serialBatches(hosts, [2])).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]));
  it('percent (floor, at least 1)', () => {
    expect(pctToInt('30%', 5)).to.equal(1);
    expect(serialBatches(hosts, ['40%'])).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
    expect(pctToInt('1%', 5)).to.equal(1);
  });
  it('list: last size repeats', () => expect(serialBatches(hosts, [1, 3])).to.deep.equal([['a'], ['b', 'c', 'd'], ['e']]));
  it('0 means all remaining', () => expect(serialBatches(hosts, [1, 0])).to.deep.equal([['a'], ['b', 'c', 'd', 'e']]));
  it('bad value is a ParseError', () => expect(() => serialBatches(hosts, ['x'])).to.throw(/invalid serial/));
});

describe('executor: loop expansion', () => {
  it('loop requires a list', () => {
    expect(expandLoop('loop', [1, 2])).to.deep.equal([1, 2]);
    expect(() => expandLoop('loop', 'abc')).to.throw(/requires a list/);
  });
  it('with_items flattens one level', () => expect(expandLoop('items', [1, [2, 3], [[4]]])).to.deep.equal([1, 2, 3, [4]]));
  it('with_dict', () => expect(expandLoop('dict', { a: 1, b: 2 })).to.deep.equal([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]));
  it('with_indexed_items', () => expect(expandLoop('indexed_items', ['x', 'y'])).to.deep.equal([[0, 'x'], [1, 'y']]));
  it('with_sequence', () => {
    expect(expandLoop('sequence', 'start=1 end=3')).to.deep.equal(['1', '2', '3']);
    expect(expandLoop('sequence', 'start=1 end=3 format=web%02d')).to.deep.equal(['web01', 'web02', 'web03']);
    expect(expandLoop('sequence', 'count=2')).to.deep.equal(['1', '2']);
  });
  it('with_nested / with_together', () => {
    expect(expandLoop('nested', [[1, 2], ['a']])).to.deep.equal([[1, 'a'], [2, 'a']]);
    expect(expandLoop('together', [[1, 2], ['a']])).to.deep.equal([[1, 'a'], [2, null]]);
  });
  it('with_subelements', () => {
    const users = [{ name: 'u', keys: ['k1', 'k2'] }];
    expect(expandLoop('subelements', [users, 'keys'])).to.deep.equal([[users[0], 'k1'], [users[0], 'k2']]);
  });
  it('loop_control: loop_var, index_var, extended', () => {
    const v = itemVars(['a', 'b'], 1, { loopVar: 'pkg', indexVar: 'i', extended: true });
    expect(v.pkg).to.equal('b');
    expect(v.i).to.equal(1);
    expect((v.ansible_loop as Record<string, unknown>).last).to.equal(true);
    expect((v.ansible_loop as Record<string, unknown>).revindex).to.equal(1);
  });
});

const h = (name: string, extra: Partial<TaskNode> = {}): TaskNode =>
  ({ kind: 'task', uid: name, name, action: 'debug', args: {}, notify: [], when: [], tags: [], vars: {}, baseDir: '/', pos: { file: 'x' }, isHandler: true, ...extra }) as TaskNode;

describe('executor: handler notifications', () => {
  it('matches by name, role-qualified name and listen topic', () => {
    const hs = [h('restart a', { listen: ['web'] }), h('restart b', { listen: ['web'] }), h('c')];
    expect(matchHandlers(hs, 'web').map((x) => x.name)).to.deep.equal(['restart a', 'restart b']);
    expect(matchHandlers(hs, 'c').map((x) => x.name)).to.deep.equal(['c']);
    expect(matchHandlers(hs, 'nope')).to.deep.equal([]);
  });
  it('flushes in definition order, once per host', () => {
    const hs = [h('first'), h('second'), h('third')];
    const n = new Notifications(hs);
    n.notify('third', 'x');
    n.notify('first', 'x');
    n.notify('first', 'x');
    n.notify('first', 'y');
    const order: string[] = [];
    for (let next = n.next(() => true); next; next = n.next(() => true)) {
      order.push(`${next.handler.name}:${next.hosts.join(',')}`);
      n.clear(next.handler, next.hosts);
    }
    expect(order).to.deep.equal(['first:x,y', 'third:x']);
  });
  it('ineligible (failed) hosts stay pending', () => {
    const n = new Notifications([h('a')]);
    n.notify('a', 'bad');
    expect(n.next((host) => host !== 'bad')).to.equal(undefined);
    expect(n.pendingFor('bad').map((x) => x.name)).to.deep.equal(['a']);
  });
});

import { resolveBecome } from '../../../engine/executor/task.ts';

describe('executor: become resolution (variables > keywords > CLI)', () => {
  const t = (extra: Partial<TaskNode> = {}) => h('t', { isHandler: false, ...extra });
  it('off unless asked', () => expect(resolveBecome(t(), {})).to.equal(undefined));
  it('keyword, then variables override it, CLI is the fallback', () => {
    expect(resolveBecome(t({ become: true, becomeUser: 'pg' }), {})).to.deep.equal({ method: 'sudo', user: 'pg' });
    expect(resolveBecome(t({ become: true, becomeUser: 'pg' }), { ansible_become_user: 'app' })!.user).to.equal('app');
    expect(resolveBecome(t({ become: true }), { ansible_become: false })).to.equal(undefined);
    expect(resolveBecome(t(), {}, { become: true, user: 'x', method: 'su', password: 'pw-secret-1' })).to.deep.equal({ method: 'su', user: 'x', password: 'pw-secret-1' });
    expect(resolveBecome(t({ become: true }), { ansible_become_password: 'abc123' })!.password).to.equal('abc123');
  });
});
