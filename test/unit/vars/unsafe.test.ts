/**
 * Unsafe propagation (Ansible's AnsibleUnsafeText): a registered command output containing
 * `{{ x }}` re-used via set_fact (directly, through filters, lists, dicts, a lazy play var,
 * a cacheable fact, run_once, a loop) or as a loop item is never templated again. Expected
 * values are what ansible-playbook 2.14 printed for the same playbook (connection: local).
 */
import { expect } from 'chai';
import { localPlay } from '../executor/localplay.ts';
import { templateTracked, wrapUnsafe } from '../../../engine/vars/unsafe.ts';
import { UnsafeText } from '../../../engine/yaml.ts';
import { templateValue, VARS_SCOPE, markUnsafe } from '../../../engine/expr/index.ts';

const REG = `    - command: echo 'raw {{ '{{' }} x }}'\n      register: r\n`;
const play = (tasks: string, hosts = 'w1') => `- hosts: ${hosts}\n  gather_facts: false\n  vars:\n    x: EXPANDED\n    lazy: "{{ r.stdout }}"\n  tasks:\n${REG}${tasks}`;

describe('unsafe propagation through set_fact and loops', function () {
  this.timeout(60_000);

  it('set_fact of a registered string (direct, filtered, concatenated, in a list, a dict, lines joined, a lazy var, chained) is not templated again', async () => {
    const r = await localPlay(play(`    - set_fact:
        y: "{{ r.stdout }}"
        z: "{{ r.stdout | upper }}"
        w: "prefix {{ r.stdout }}"
        l: "{{ [r.stdout, 'a'] }}"
        d: "{{ r }}"
        joined: "{{ r.stdout_lines | join(',') }}"
        fromlazy: "{{ lazy }}"
    - set_fact:
        y2: "{{ y }}"
    - debug: msg="{{ y }}"
    - debug: msg="{{ z }}"
    - debug: msg="{{ w }}"
    - debug: msg="{{ l }}"
    - debug: msg="{{ d.stdout }}"
    - debug: msg="{{ joined }}"
    - debug: msg="{{ fromlazy }}"
    - debug: msg="{{ y2 }}"
    - debug: msg="{{ lazy }}"
    - debug: var=y
`));
    expect(r.code, JSON.stringify(r.failures)).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['raw {{ x }}', 'RAW {{ X }}', 'prefix raw {{ x }}', ['raw {{ x }}', 'a'], 'raw {{ x }}', 'raw {{ x }}', 'raw {{ x }}', 'raw {{ x }}', 'raw {{ x }}']);
    const shown = r.events.find((e) => e.type === 'host_result' && e.task.action === 'debug' && 'y' in e.result);
    expect(shown && shown.type === 'host_result' ? shown.result.y : undefined).to.equal('raw {{ x }}');
  });

  it('the set_fact result shows plain values (no wrapper objects in output)', async () => {
    const r = await localPlay(play('    - set_fact: { y: "{{ r.stdout }}" }\n'));
    const sf = r.events.find((e) => e.type === 'host_result' && e.task.action === 'set_fact');
    expect(sf && sf.type === 'host_result' ? JSON.stringify(sf.result.ansible_facts) : '').to.equal('{"y":"raw {{ x }}"}');
  });

  it('a value from {% raw %} is templated again when used, as Ansible (only unsafe data is protected)', async () => {
    const r = await localPlay(play('    - set_fact: { rawblock: "{% raw %}{{ x }}{% endraw %}" }\n    - debug: msg="{{ rawblock }}"\n'));
    expect(r.msgs.w1).to.deep.equal(['EXPANDED']);
  });

  it('loop items from registered lines stay unsafe (debug of item, set_fact accumulating, include_tasks loop)', async () => {
    const r = await localPlay(play(`    - debug: msg="{{ item }}"
      loop: "{{ r.stdout_lines }}"
    - set_fact:
        acc: "{{ (acc | default([])) + [item] }}"
      loop: "{{ r.stdout_lines }}"
    - debug: msg="{{ acc }}"
    - include_tasks: inc.yml
      loop: "{{ r.stdout_lines }}"
`), { files: { 'inc.yml': '- debug: msg="inc {{ item }}"\n' } });
    expect(r.code, JSON.stringify(r.failures)).to.equal(0);
    const items = r.events.filter((e) => e.type === 'host_result' && e.task.action === 'debug' && e.item !== undefined).map((e) => (e.type === 'host_result' ? e.result.msg : ''));
    expect(items).to.deep.equal(['raw {{ x }}']);
    expect(r.msgs.w1).to.deep.equal([['raw {{ x }}'], 'inc raw {{ x }}']);
  });

  it('cacheable set_fact and run_once keep the mark on every host', async () => {
    const r = await localPlay(play(`    - set_fact: { cached: "{{ r.stdout }}", cacheable: true }
    - debug: msg="{{ cached }}"
    - set_fact: { once: "{{ r.stdout }}" }
      run_once: true
    - debug: msg="{{ once }}"
`, 'web'));
    expect(r.code, JSON.stringify(r.failures)).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['raw {{ x }}', 'raw {{ x }}']);
    expect(r.msgs.w2).to.deep.equal(['raw {{ x }}', 'raw {{ x }}']);
  });

  it('wrapUnsafe: only strings with template markers are wrapped; containers are marked copies; scalars as they are', () => {
    expect(wrapUnsafe('10.0.0.1')).to.equal('10.0.0.1');
    expect(wrapUnsafe('a {{ b }}')).to.be.instanceOf(UnsafeText);
    expect(wrapUnsafe(3)).to.equal(3);
    const list = ['{{ x }}'];
    const w = wrapUnsafe(list) as unknown[];
    expect(w).to.not.equal(list);
    expect((w as unknown as Record<symbol, unknown>)[VARS_SCOPE]).to.not.equal(undefined);
    expect((list as unknown as Record<symbol, unknown>)[VARS_SCOPE]).to.equal(undefined);
  });

  it('templateTracked: per key, notes the values read from unsafe data (keys templated too)', () => {
    const vars = { reg: markUnsafe({ out: 'o {{ x }}' }), plain: 'p', k: 'named', x: 'X' };
    const t = templateTracked({ a: '{{ reg.out }}', b: '{{ plain }}', '{{ k }}': 'lit' }, (v) => templateValue(v, vars));
    expect(t.args).to.deep.equal({ a: 'o {{ x }}', b: 'p', named: 'lit' });
    expect([...t.unsafe]).to.deep.equal(['a']);
  });
});
