/**
 * The executor end to end on the controller itself (ansible_connection=local hosts: a real
 * LocalConnection, no mocks): block/rescue/always, failure handling, any_errors_fatal,
 * max_fail_percentage, run_once, meta, start-at-task, undefined variables, delegate_to,
 * free strategy, includes and loops. Playbooks are written to a temp dir per test.
 */
import { expect } from 'chai';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, HostStats } from '../../../engine/types.ts';
import { writePlayDir, executePlay } from './localplay.ts';

const INV = `[web]\nw1 ansible_connection=local\nw2 ansible_connection=local\n[db]\nd1 ansible_connection=local\n`;

interface Ran {
  code: number;
  events: RunEvent[];
  stats: Record<string, HostStats>;
  /** "task name|host|status" lines in event order (final results only). */
  lines: string[];
  msgs: Record<string, unknown[]>;
  asked?: string[];
}

async function play(yaml: string, opts: { files?: Record<string, string>; extraVars?: Record<string, unknown>; startAtTask?: string; forks?: number; tags?: string[]; journalRoot?: string; dir?: string; step?: string[]; check?: boolean } = {}): Promise<Ran> {
  const dir = writePlayDir(yaml, INV, opts.files, opts.dir);
  const answers = [...(opts.step ?? [])];
  const asked: string[] = [];
  const out = await executePlay(dir, {
    cfg: { check: opts.check ?? false, forks: opts.forks ?? 5, tags: { only: opts.tags ?? [], skip: [] }, step: !!opts.step, startAtTask: opts.startAtTask, journalRoot: opts.journalRoot },
    extraVars: opts.extraVars,
    prepare: (svc) => {
      if (opts.step) svc.prompt = async (q: string) => (asked.push(q), answers.shift() ?? 'n');
    },
  });
  const events = out.events;
  const lines: string[] = [];
  const msgs: Record<string, unknown[]> = {};
  for (const e of events) {
    if (e.type !== 'host_result' || e.item !== undefined) continue;
    lines.push(`${e.task.name}|${e.host}|${e.status}`);
    if (e.task.action === 'debug' && e.status === 'ok' && !Array.isArray(e.result.results)) (msgs[e.host] ??= []).push(e.result.msg);
  }
  return { code: out.code, events, stats: out.stats, lines, msgs, asked };
}

describe('executor on local hosts', function () {
  this.timeout(60_000);

  it('block/rescue/always: rescue only for failed hosts, always for all, failed_task visible, rescued counted', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  tasks:
    - name: blk
      block:
        - {name: maybe fail, command: /bin/false, when: inventory_hostname == 'w2'}
        - {name: after, debug: {msg: after}}
      rescue:
        - {name: in rescue, debug: {msg: "rescued {{ ansible_failed_task.name }}"}}
      always:
        - {name: in always, debug: {msg: always}}
    - {name: tail, debug: {msg: tail}}
`);
    expect(r.code).to.equal(0);
    expect(r.msgs.w2).to.deep.equal(['rescued maybe fail', 'always', 'tail']);
    expect(r.msgs.w1).to.deep.equal(['after', 'always', 'tail']);
    expect(r.stats.w2.rescued).to.equal(1);
    expect(r.stats.w2.failures).to.equal(0);
  });

  it('a failure inside always-only block still fails the host after always ran', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - block:
        - {name: boom, fail: {msg: x}}
      always:
        - {name: cleanup, debug: {msg: cleanup}}
    - {name: never reached, debug: {msg: nope}}
`);
    expect(r.code).to.equal(2);
    expect(r.msgs.w1).to.deep.equal(['cleanup']);
    expect(r.stats.w1.failures).to.equal(1);
  });

  it('ignore_errors, failed_when, changed_when with the registered result', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - {name: ignored, command: /bin/false, ignore_errors: true}
    - name: custom failure
      shell: echo ERROR
      register: out
      failed_when: "'ERROR' in out.stdout"
      ignore_errors: true
    - name: never changed
      command: echo hi
      register: c
      changed_when: false
    - {name: check, assert: {that: ["c is not changed", "out is failed"]}}
`);
    expect(r.code).to.equal(0);
    expect(r.stats.w1.ignored).to.equal(2);
    // ansible-core counts an ignored failure as ok + ignored (+ changed when it changed).
    expect(r.stats.w1.changed).to.equal(2);
    expect(r.stats.w1.ok).to.equal(4);
  });

  it('any_errors_fatal stops the play for every host (exit 2)', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - {name: fail one, command: /bin/false, when: inventory_hostname == 'd1'}
    - {name: next, debug: {msg: next}}
- hosts: all
  gather_facts: false
  tasks:
    - {name: second play, debug: {msg: p2}}
`);
    expect(r.code).to.equal(2);
    expect(r.lines.filter((l) => l.startsWith('next|'))).to.deep.equal([]);
    expect(r.lines.filter((l) => l.startsWith('second play|'))).to.deep.equal([]);
  });

  it('max_fail_percentage aborts when exceeded; otherwise the others continue', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  max_fail_percentage: 50
  tasks:
    - {name: fail one, command: /bin/false, when: inventory_hostname == 'd1'}
    - {name: next, debug: {msg: next}}
`);
    expect(r.lines.filter((l) => l.startsWith('next|')).length).to.equal(2);
    const r2 = await play(`
- hosts: all
  gather_facts: false
  max_fail_percentage: 30
  tasks:
    - {name: fail one, command: /bin/false, when: inventory_hostname == 'd1'}
    - {name: next, debug: {msg: next}}
`);
    expect(r2.lines.filter((l) => l.startsWith('next|'))).to.deep.equal([]);
    expect(r2.code).to.equal(2);
  });

  it('run_once runs on the first host and registers for all; delegate_to localhost', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  tasks:
    - {name: once, command: echo once, register: o, run_once: true}
    - {name: show, debug: {msg: "{{ o.stdout }}"}}
    - {name: delegated, command: hostname, delegate_to: localhost, register: d}
    - {name: same, assert: {that: [d.rc == 0]}}
`);
    expect(r.code).to.equal(0);
    expect(r.lines.filter((l) => l.startsWith('once|'))).to.deep.equal(['once|w1|changed']);
    expect(r.msgs.d1).to.deep.equal(['once']);
  });

  it('meta: end_host, end_play, flush_handlers', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  tasks:
    - {name: notify, command: "true", notify: h}
    - meta: flush_handlers
    - {name: after flush, debug: {msg: after}}
    - {meta: end_host, when: inventory_hostname == 'w2'}
    - {name: not for w2, debug: {msg: x}}
    - meta: end_play
    - {name: never, debug: {msg: never}}
  handlers:
    - {name: h, debug: {msg: handled}}
- hosts: w2
  gather_facts: false
  tasks:
    - {name: next play, debug: {msg: p2}}
`);
    expect(r.code).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['handled', 'after', 'x']);
    expect(r.msgs.w2).to.deep.equal(['handled', 'after', 'p2']);
  });

  it('--start-at-task skips earlier tasks', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - {name: one, debug: {msg: 1}}
    - {name: two, debug: {msg: 2}}
    - {name: three, debug: {msg: 3}}
`, { startAtTask: 'tw*' });
    expect(r.msgs.w1).to.deep.equal([2, 3]);
  });

  it('an undefined variable fails the task naming the variable, the task and file:line', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - name: uses missing
      debug: {msg: "{{ missing_var }}"}
`);
    expect(r.code).to.equal(2);
    const ev = r.events.find((e) => e.type === 'host_result') as Extract<RunEvent, { type: 'host_result' }>;
    expect(ev.status).to.equal('failed');
    expect(ev.result.msg).to.match(/missing_var/);
    expect(ev.result.msg).to.match(/uses missing/);
    expect(ev.result.msg).to.match(/site\.yml:5/);
  });

  it('loops: results registered per item, when per item, loop_control label/index_var', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - name: looped
      command: echo {{ it.n }}
      loop: [{n: 1}, {n: 2}, {n: 3}]
      loop_control: {loop_var: it, index_var: i, label: "{{ it.n }}"}
      when: it.n != 2
      register: res
    - assert:
        that:
          - res.results | length == 3
          - res.results[0].stdout == '1'
          - res.results[1].skipped
          - res.results[2].i == 2
          - res.changed
`);
    expect(r.code).to.equal(0);
    const items = r.events.filter((e) => e.type === 'host_result' && e.item !== undefined) as Extract<RunEvent, { type: 'host_result' }>[];
    expect(items.map((e) => String(e.item))).to.deep.equal(['1', '2', '3']);
  });

  it('include_tasks with a loop, and include_role with tasks_from and handlers', async () => {
    const r = await play(`
- hosts: w1:d1
  gather_facts: false
  tasks:
    - include_tasks: inc.yml
      loop: [a, b]
    - include_role: {name: r1, tasks_from: other}
`, {
      files: {
        'inc.yml': '- {name: "inc {{ item }}", debug: {msg: "inc {{ item }}"}}\n',
        'roles/r1/tasks/other.yml': '- {name: role task, command: "true", notify: role handler}\n',
        'roles/r1/handlers/main.yml': '- {name: role handler, debug: {msg: role handled}}\n',
      },
    });
    expect(r.code).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['inc a', 'inc b', 'role handled']);
    // 2 hosts x 2 included files; include_role emits no `include` (ansible-core 2.14: no `included:`
    // line and no ok count for it)
    expect(r.events.filter((e) => e.type === 'include').length).to.equal(4);
  });

  it('free strategy: each host runs its tasks independently', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - {name: slow on w1, command: sleep 0.5, when: inventory_hostname == 'w1'}
    - {name: marker, debug: {msg: done}}
`);
    expect(r.code).to.equal(0);
    const order = r.lines.filter((l) => l.startsWith('marker|')).map((l) => l.split('|')[1]);
    expect(order[order.length - 1]).to.equal('w1');
  });

  it('forks bounds parallelism', async () => {
    const t = Date.now();
    await play(`
- hosts: all
  gather_facts: false
  tasks:
    - {command: sleep 0.3}
`, { forks: 1 });
    expect(Date.now() - t).to.be.greaterThan(850);
  });

  it('pending handlers are journaled when a host fails and fire on the next run (once)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsp-jr-'));
    const dir = mkdtempSync(join(tmpdir(), 'tsp-jp-'));
    const pb = `
- hosts: w1
  gather_facts: false
  tasks:
    - {name: change, command: "true", notify: h, when: fail_now | default(false)}
    - {name: boom, fail: {msg: x}, when: fail_now | default(false)}
  handlers:
    - {name: h, debug: {msg: handled}}
`;
    const r1 = await play(pb, { journalRoot: root, dir, extraVars: { fail_now: true } });
    expect(r1.code).to.equal(2);
    expect(r1.msgs.w1 ?? []).to.deep.equal([]);
    const r2 = await play(pb, { journalRoot: root, dir });
    expect(r2.code).to.equal(0);
    expect(r2.msgs.w1).to.deep.equal(['handled']);
    const r3 = await play(pb, { journalRoot: root, dir });
    expect(r3.msgs.w1 ?? []).to.deep.equal([]);
  });

  it('add_host / group_by change the inventory for later plays; hostvars renders against the other host', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  vars:
    me: "{{ inventory_hostname }}-x"
  tasks:
    - {group_by: {key: "kind_{{ 'web' if inventory_hostname.startswith('w') else 'db' }}"}}
    - {add_host: {name: extra1, groups: [added], ansible_connection: local, color: blue}, run_once: true}
    - {name: hv, debug: {msg: "{{ hostvars['d1'].me }}"}, when: inventory_hostname == 'w1'}
- hosts: kind_web
  gather_facts: false
  tasks:
    - {name: webs, debug: {msg: "{{ groups['kind_web'] | sort | join(',') }}"}}
- hosts: added
  gather_facts: false
  tasks:
    - {name: added host, debug: {msg: "{{ color }}"}}
`);
    expect(r.code).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['d1-x', 'w1,w2']);
    expect(r.msgs.extra1).to.deep.equal(['blue']);
    expect(r.msgs.d1 ?? []).to.deep.equal([]);
  });

  it('with_fileglob lists controller files; include_vars file and dir', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - {name: globbed, debug: {msg: "{{ item | basename }}"}, with_fileglob: "conf/*.conf"}
    - include_vars: {file: more.yml}
    - include_vars: {dir: vars.d, name: bundle}
    - {name: iv, debug: {msg: "{{ from_file }} {{ bundle.a }} {{ bundle.b }}"}}
`, { files: { 'files/conf/a.conf': 'x', 'files/conf/b.conf': 'y', 'files/conf/c.txt': 'z', 'vars/more.yml': 'from_file: yes-file\n', 'vars.d/1.yml': 'a: 1\n', 'vars.d/2.yml': 'b: 2\n' } });
    expect(r.code, JSON.stringify(r.events.filter((e) => e.type === 'host_result' && e.status === 'failed'))).to.equal(0);
    expect(r.msgs.w1).to.deep.equal(['yes-file 1 2']);
    const items = r.events.filter((e) => e.type === 'host_result' && e.item !== undefined) as Extract<RunEvent, { type: 'host_result' }>[];
    expect(items.map((e) => String(e.item).split('/').pop())).to.deep.equal(['a.conf', 'b.conf']);
  });

  it('--step asks before each task: no skips, yes runs, continue stops asking', async () => {
    const r = await play(`
- hosts: w1
  gather_facts: false
  tasks:
    - {name: one, debug: {msg: 1}}
    - {name: two, debug: {msg: 2}}
    - {name: three, debug: {msg: 3}}
    - {name: four, debug: {msg: 4}}
`, { step: ['n', 'y', 'c'] });
    expect(r.msgs.w1).to.deep.equal([2, 3, 4]);
    expect(r.asked).to.have.length(3);
    expect(r.asked![0]).to.equal('Perform task: TASK: one (N)o/(y)es/(c)ontinue: ');
  });

  it('ansible_failed_result in rescue is per host', async () => {
    const r = await play(`
- hosts: web
  gather_facts: false
  tasks:
    - block:
        - {name: fail differently, fail: {msg: "bad {{ inventory_hostname }}"}}
      rescue:
        - {name: r, debug: {msg: "{{ ansible_failed_result.msg }}"}}
`);
    expect(r.code).to.equal(0);
    expect(r.msgs).to.deep.equal({ w1: ['bad w1'], w2: ['bad w2'] });
  });

  it('check mode: command skipped, check_mode: false runs anyway, ansible_check_mode set; throttle honoured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-chk-'));
    const r = await play(`
- hosts: web
  gather_facts: false
  tasks:
    - {name: skipped in check, command: "touch ${dir}/a-{{ inventory_hostname }}"}
    - {name: forced, command: "touch ${dir}/b-{{ inventory_hostname }}", check_mode: false}
    - {name: flag, debug: {msg: "{{ ansible_check_mode }}"}}
    - {name: one at a time, command: sleep 0.3, throttle: 1, check_mode: false}
`, { check: true });
    expect(r.code).to.equal(0);
    expect(r.lines).to.include.members(['skipped in check|w1|skipped', 'forced|w1|changed']);
    expect(existsSync(join(dir, 'a-w1'))).to.equal(false);
    expect(existsSync(join(dir, 'b-w1'))).to.equal(true);
    expect(r.msgs.w1).to.deep.equal([true]);
    const starts = r.events.filter((e) => e.type === 'task_end' && e.task.name === 'one at a time') as Extract<RunEvent, { type: 'task_end' }>[];
    expect(starts[0].durationMs).to.be.greaterThan(550);
  });

  it('vars_files (templated per host, first existing of a list) and ansible_play_hosts after a failure', async () => {
    const r = await play(`
- hosts: all
  gather_facts: false
  vars_files:
    - common.yml
    - ["{{ inventory_hostname }}.yml", default.yml]
  tasks:
    - {name: vf, debug: {msg: "{{ common }} {{ which }}"}}
    - {name: drop d1, fail: {msg: x}, when: inventory_hostname == 'd1'}
    - {name: ph, debug: {msg: "{{ ansible_play_hosts | join(',') }}"}, run_once: true}
`, { files: { 'common.yml': 'common: c\n', 'w1.yml': 'which: own\n', 'default.yml': 'which: default\n' } });
    expect(r.msgs.w1).to.deep.equal(['c own', 'w1,w2']);
    expect(r.msgs.w2).to.deep.equal(['c default']);
    expect(r.code).to.equal(2);
  });
});
