import { expect } from 'chai';
import { VarStore, type InventoryView } from '../../../engine/vars/store.ts';
import { PRECEDENCE_LEVELS } from '../../../engine/vars/precedence.ts';
import type { RoleInfo } from '../../../engine/playbook/model.ts';

const inv = (layers: Record<string, { source: string; vars: Record<string, unknown> }[]> = {}): InventoryView => ({
  hosts: () => ['h1', 'h2'],
  varLayers: (h) => layers[h] ?? [],
  groups: () => ({ all: ['h1', 'h2'], ungrouped: [], web: ['h1', 'h2'] }),
  groupNames: () => ['web'],
});
const run = (extraVars: Record<string, unknown> = {}) => ({ extraVars, playbookDir: '/pb', check: false, diff: false, runTags: [], skipTags: [], verbosity: 0 });
const role: RoleInfo = { name: 'r', path: '/roles/r', defaults: { x: 'role_default', d: 'role_default' }, vars: { x: 'role_vars', rv: 1 }, params: {} };

function store(extra: Record<string, unknown> = {}) {
  const s = new VarStore(run(extra), inv({ h1: [{ source: 'group_vars/all', vars: { x: 'group_all', g: 1 } }, { source: 'group_vars/web', vars: { x: 'group_web' } }, { source: 'host_vars/h1', vars: { x: 'host_vars' } }] }));
  s.startPlay({ vars: {}, roles: [role], playHostsAll: ['h1', 'h2'], playHosts: ['h1', 'h2'], batch: ['h1', 'h2'], playName: 'p' });
  return s;
}

describe('vars: the 22 precedence levels', () => {
  it('lists 22 levels, extra vars last', () => {
    expect(PRECEDENCE_LEVELS).to.have.length(22);
    expect(PRECEDENCE_LEVELS[21]).to.match(/extra vars/);
    expect(PRECEDENCE_LEVELS[1]).to.match(/role defaults/);
  });
  it('role defaults < inventory < facts < play vars < role vars < block/task vars < include_vars < set_fact < role params < include params < extra vars', () => {
    const s = new VarStore(run(), inv({ h1: [{ source: 'group_vars/all', vars: { x: 'group_all' } }, { source: 'host_vars/h1', vars: { x: 'host_vars' } }] }));
    const r: RoleInfo = { name: 'r', path: '/r', defaults: { x: 'role_default' }, vars: {}, params: {} };
    const chain: [string, (st: VarStore, scope: Record<string, unknown>) => void][] = [
      ['role_default', () => undefined],
      ['host_vars', (st) => st.startPlay({ vars: {}, roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p' })],
    ];
    void chain;
    s.startPlay({ vars: {}, roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p' });
    expect(s.taskVars('h1', { role: r }).x).to.equal('host_vars');
    expect(s.taskVars('h2', { role: r }).x).to.equal('role_default');
    s.setFacts('h1', { x: 'fact' });
    expect(s.taskVars('h1').ansible_x).to.equal('fact');
    s.startPlay({ vars: { x: 'play' }, roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p' });
    expect(s.taskVars('h1', { role: r }).x).to.equal('play');
    s.startPlay({ vars: { x: 'play' }, varsFiles: new Map([['h1', { x: 'vars_files' }]]), roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p' });
    expect(s.taskVars('h1').x).to.equal('vars_files');
    const r2 = { ...r, vars: { x: 'role_vars' } };
    expect(s.taskVars('h1', { role: r2 }).x).to.equal('role_vars');
    expect(s.taskVars('h1', { role: r2, blockVars: [{ x: 'block' }] }).x).to.equal('block');
    expect(s.taskVars('h1', { role: r2, blockVars: [{ x: 'block' }], vars: { x: 'task' } }).x).to.equal('task');
    s.addIncludeVars('h1', { x: 'include_vars' });
    expect(s.taskVars('h1', { vars: { x: 'task' } }).x).to.equal('include_vars');
    s.setHostVars('h1', { x: 'set_fact' });
    expect(s.taskVars('h1', { vars: { x: 'task' } }).x).to.equal('set_fact');
    expect(s.taskVars('h1', { role: { ...r2, params: { x: 'role_param' } } }).x).to.equal('role_param');
    expect(s.taskVars('h1', { includeParams: { x: 'include_param' } }).x).to.equal('include_param');
    const s2 = store({ x: 'extra' });
    s2.setHostVars('h1', { x: 'set_fact' });
    expect(s2.taskVars('h1', { includeParams: { x: 'p' }, vars: { x: 't' } }).x).to.equal('extra');
  });
  it('top-level replace, never deep merge', () => {
    const s = new VarStore(run(), inv({ h1: [{ source: 'g', vars: { d: { a: 1, b: 2 } } }] }));
    s.startPlay({ vars: { d: { a: 9 } }, roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p' });
    expect(s.taskVars('h1').d).to.deep.equal({ a: 9 });
  });
  it('all play roles defaults are visible; the task role wins among defaults', () => {
    const a: RoleInfo = { name: 'a', path: '/a', defaults: { x: 'a', onlya: 1 }, vars: {}, params: {} };
    const b: RoleInfo = { name: 'b', path: '/b', defaults: { x: 'b' }, vars: {}, params: {} };
    const s = new VarStore(run(), inv());
    s.startPlay({ vars: {}, roles: [a, b], playHostsAll: [], playHosts: [], batch: [], playName: 'p' });
    expect(s.taskVars('h1', { role: a }).x).to.equal('a');
    expect(s.taskVars('h1', { role: b }).x).to.equal('b');
    expect(s.taskVars('h1').onlya).to.equal(1);
  });
  it('magic variables', () => {
    const s = store();
    const v = s.taskVars('h1', { role });
    expect(v.inventory_hostname).to.equal('h1');
    expect(v.group_names).to.deep.equal(['web']);
    expect((v.groups as Record<string, string[]>).web).to.deep.equal(['h1', 'h2']);
    expect(v.ansible_play_hosts).to.deep.equal(['h1', 'h2']);
    expect(v.role_path).to.equal('/roles/r');
    expect(v.role_name).to.equal('r');
    expect(v.playbook_dir).to.equal('/pb');
    expect(v.ansible_check_mode).to.equal(false);
    expect(v.ansible_run_tags).to.deep.equal(['all']);
    expect(v.inventory_hostname_short).to.equal('h1');
    expect((v.vars as Record<string, unknown>).inventory_hostname).to.equal('h1');
  });
  it('hostvars is lazy and reflects set_fact of other hosts', () => {
    const s = store();
    s.setHostVars('h2', { token: 'abc' });
    const hv = s.taskVars('h1').hostvars as Record<string, Record<string, unknown>>;
    expect(hv.h2.token).to.equal('abc');
    expect(hv.h1.g).to.equal(1);
    expect(Object.keys(hv)).to.deep.equal(['h1', 'h2']);
    expect(hv.nope).to.equal(undefined);
  });
  it('set_fact survives a new play; include_vars too', () => {
    const s = store();
    s.setHostVars('h1', { kept: 1 });
    s.startPlay({ vars: {}, roles: [], playHostsAll: [], playHosts: [], batch: [], playName: 'p2' });
    expect(s.taskVars('h1').kept).to.equal(1);
  });
  it('is cheap: 10k task var builds in well under 3 s (shallow layers, no deep copies)', () => {
    const s = store();
    s.setFacts('h1', Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`f${i}`, i])));
    const t = Date.now();
    for (let i = 0; i < 10000; i++) s.taskVars('h1', { role, vars: { a: i } });
    expect(Date.now() - t).to.be.below(3000);
  });
});
