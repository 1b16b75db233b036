/**
 * Regression tests for executor bugs reported by other engineers, end to end on the
 * controller (LocalConnection, no mocks). Each test names the bug it guards.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, HostStats } from '../../../engine/types.ts';
import { clearSecrets, redact, containsSecret } from '../../../engine/secrets.ts';
import { limitPattern } from '../../../engine/commands/playbook.ts';
import { writePlayDir, executePlay } from './localplay.ts';

interface Ran {
  code: number;
  events: RunEvent[];
  stats: Record<string, HostStats>;
  /** debug msgs per host (non-loop results). */
  msgs: Record<string, unknown[]>;
}

/** Run `yaml` against the INI inventory `inv` in a fresh temp dir. */
export async function runLocal(yaml: string, inv: string, opts: { files?: Record<string, string>; verbosity?: number; moreInventories?: string[] } = {}): Promise<Ran> {
  const dir = writePlayDir(yaml, inv, opts.files);
  const out = await executePlay(dir, { invFiles: ['hosts.ini', ...(opts.moreInventories ?? [])], cfg: { verbosity: opts.verbosity ?? 0 } });
  const events = out.events;
  const msgs: Record<string, unknown[]> = {};
  for (const e of events) {
    if (e.type !== 'host_result' || e.item !== undefined) continue;
    if (e.task.action === 'debug' && e.status === 'ok' && !Array.isArray(e.result.results)) (msgs[e.host] ??= []).push(e.result.msg ?? e.result);
  }
  return { code: out.code, events, stats: out.stats, msgs };
}

const failures = (r: Ran): string[] => r.events.flatMap((e) => (e.type === 'host_result' && (e.status === 'failed' || e.status === 'unreachable') ? [`${e.host}: ${String(e.result.msg)}`] : []));

describe('reported executor bugs', function () {
  this.timeout(60_000);

  it('bug 1: play/task `connection: local` overrides a host without ansible_connection (no SSH to ansible_host)', async () => {
    // 198.18.0.250 is a lab address nobody listens on: reaching for it would be unreachable.
    const inv = 'h1 ansible_host=198.18.0.250 ansible_port=1 ansible_ssh_timeout=1\n';
    const r = await runLocal(`
- hosts: all
  gather_facts: true
  connection: local
  tasks:
    - command: echo play-level
      register: a
    - block:
        - command: echo block-level
          connection: local
          register: b
      connection: ssh
    - debug: msg="{{ a.stdout }} {{ b.stdout }}"
`, inv);
    expect(failures(r)).to.deep.equal([]);
    expect(r.code).to.equal(0);
    expect(r.msgs.h1).to.deep.equal(['play-level block-level']);
  });

  it('bug 2: registered results (plain, looped, inside changed_when/until) are never templated again', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: echo '{{ "{{" }} x }}'
      register: r
      changed_when: r.stdout.startswith('{' ~ '{')
      until: r.stdout is defined
    - command: echo '{{ "{{" }} item }}'
      register: rl
      loop: [1]
    - set_fact:
        copied: "{{ r }}"
    - debug: msg="{{ r.stdout }}|{{ rl.results[0].stdout }}|{{ r.changed }}|{{ copied.stdout }}"
`, 'h1 ansible_connection=local\n');
    expect(failures(r)).to.deep.equal([]);
    expect(r.msgs.h1).to.deep.equal(['{{ x }}|{{ item }}|True|{{ x }}']);
  });

  it('bug 4: set_fact in a loop sees the previous iteration (accumulates)', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - set_fact:
        acc: "{{ acc | default([]) + [item] }}"
      loop: [a, b, c]
    - debug: msg="{{ acc | join(',') }}"
`, 'h1 ansible_connection=local\n');
    expect(failures(r)).to.deep.equal([]);
    expect(r.msgs.h1).to.deep.equal(['a,b,c']);
  });

  it('bug 3: hostvars with extract / to_json / loops over groups (no "data nested too deep")', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg="{{ groups['k8s-master'] | map('extract', hostvars, 'ansible_host') | join(',') }}"
    - debug: msg="{{ (hostvars[inventory_hostname] | to_json | from_json).ansible_host }}"
    - debug: msg="{{ groups['k8s-master'] | map('extract', hostvars) | map(attribute='ansible_host') | join(',') }}"
    - debug: msg="{{ hostvars[item].ansible_host }}"
      loop: "{{ groups['k8s-master'] }}"
`, '[k8s-master]\nm1 ansible_connection=local ansible_host=198.18.0.11\nm2 ansible_connection=local ansible_host=198.18.0.12\n');
    expect(failures(r)).to.deep.equal([]);
    expect(r.msgs.m1).to.deep.equal(['198.18.0.11,198.18.0.12', '198.18.0.11', '198.18.0.11,198.18.0.12']);
  });

  it('bug 5: hostvars["localhost"] resolves for the implicit localhost (all-group vars), listed once it ran tasks', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg="{{ hostvars['localhost'].inventory_hostname }} {{ hostvars['localhost'].gv }} {{ hostvars['localhost'].ansible_connection }} {{ 'localhost' in hostvars }}"
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: lf=1
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg="{{ hostvars['localhost'].lf }} {{ hostvars.keys() | list | join(',') }}"
`, 'm1 ansible_connection=local\n[all:vars]\ngv=GV\n');
    expect(failures(r)).to.deep.equal([]);
    expect(r.msgs.m1).to.deep.equal(['localhost GV local True', '1 m1,localhost']);
  });

  it('bug 7: notify is templated, per item in a loop (all items once the task changed, as Ansible)', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  vars: {svc: web}
  tasks:
    - command: echo {{ item }}
      loop: [a, b]
      changed_when: item == 'a'
      notify: "restart {{ item }}"
    - command: echo x
      notify: "restart {{ svc }}"
  handlers:
    - name: restart a
      debug: msg=HA
    - name: restart b
      debug: msg=HB
    - name: restart web
      debug: msg=HWEB
`, 'h1 ansible_connection=local\n');
    expect(failures(r)).to.deep.equal([]);
    expect(r.events.filter((e) => e.type === 'warning')).to.deep.equal([]);
    expect(r.msgs.h1).to.deep.equal(['HA', 'HB', 'HWEB']);
  });

  it('bug 8: a failing run_once + delegate_to loop item fails every host of the batch and the run exits 2', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: "{{ item }}"
      loop: ["true", "false"]
      run_once: true
      delegate_to: localhost
    - debug: msg=after
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg=play2
`, 'h1 ansible_connection=local\nh2 ansible_connection=local\nh3 ansible_connection=local\n');
    expect(r.code).to.equal(2);
    expect(r.msgs).to.deep.equal({});
    expect(r.stats.h1.failures).to.equal(1);
  });

  it('bug 8: a failing run_once task in a block sends every host to rescue', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - block:
        - command: "false"
          run_once: true
      rescue:
        - debug: msg=rescued
`, 'h1 ansible_connection=local\nh2 ansible_connection=local\n');
    expect(r.msgs).to.deep.equal({ h1: ['rescued'], h2: ['rescued'] });
  });

  it('bug 6: no_log registers secrets (set_fact values, secret-looking args), not ordinary argument words', async () => {
    clearSecrets();
    const dir = mkdtempSync(join(tmpdir(), 'tsp-nolog-'));
    const canary = 'CANARY-' + Math.random().toString(36).slice(2);
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - set_fact:
        held: "${canary}"
      no_log: true
    - copy:
        content: "plain text"
        dest: "${dir}/kubernetes"
        owner_password_unused: "${canary}-pw"
      no_log: true
      ignore_errors: true
    - debug: var=held
    - debug: msg="{{ 'kubernetes' }} {{ 'plain text' }} ${dir}/kubernetes"
`, 'h1 ansible_connection=local\n');
    const shown = r.events.filter((e) => e.type === 'host_result' && e.task.action === 'debug').map((e) => redact(JSON.stringify((e as { result: unknown }).result)));
    expect(shown.join('\n')).to.not.include(canary);
    expect(shown[0]).to.include('********');
    expect(shown[1]).to.include(`kubernetes ******** ${dir}/kubernetes`);
    expect(containsSecret(`${canary}-pw`)).to.equal(true);
    clearSecrets();
  });

  it('bug 9: unreachable hosts exit with the documented 3 (and win over failed hosts)', async () => {
    // 198.18.0.250 (lab range) port 1: nothing listens, the connection is refused or times out.
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: "false"
`, 'ok1 ansible_connection=local\nghost ansible_host=198.18.0.250 ansible_port=1 ansible_ssh_timeout=2 ansible_ssh_pass=x\n');
    expect(r.stats.ghost.unreachable, JSON.stringify(r.stats)).to.equal(1);
    expect(r.stats.ok1.failures).to.equal(1);
    expect(r.code).to.equal(3);
  });

  it('bug 11: add_host / group_by through the inventory (ungrouped clean-up, parents); inventory_file per host; empty --limit @file', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - add_host: { name: dyn1, ansible_connection: local }
      run_once: true
    - add_host: { name: dyn2, groups: [newg], ansible_connection: local }
      run_once: true
    - group_by: { key: "by_{{ inventory_hostname }}", parents: [parentg] }
    - debug: msg="{{ inventory_file | basename }}"
    - debug: msg="{{ groups['ungrouped'] | sort | join(',') }}|{{ groups['newg'] | join(',') }}|{{ groups['parentg'] | sort | join(',') }}"
      run_once: true
- hosts: dyn1:dyn2
  gather_facts: false
  tasks:
    - debug: msg="{{ group_names | join(',') }}"
`, 'h1 ansible_connection=local\n', { files: { 'more.ini': '[other]\nh2 ansible_connection=local\n' }, moreInventories: ['more.ini'] });
    expect(failures(r)).to.deep.equal([]);
    expect(r.msgs.h1).to.deep.equal(['hosts.ini', 'dyn1|dyn2|h1,h2']);
    expect(r.msgs.h2).to.deep.equal(['more.ini']);
    expect(r.msgs.dyn1).to.deep.equal(['ungrouped']);
    expect(r.msgs.dyn2).to.deep.equal(['newg']);
    const dir = mkdtempSync(join(tmpdir(), 'tsp-limit-'));
    writeFileSync(join(dir, 'empty.retry'), '\n');
    expect(limitPattern([`@${join(dir, 'empty.retry')}`])).to.equal(undefined);
  });

  it('bug 13: an unreachable host under ignore_unreachable is reported ignored (ok+ignored, continues)', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: "true"
      ignore_unreachable: true
    - debug: msg=after
      when: false
`, 'g ansible_host=198.18.0.250 ansible_port=1 ansible_ssh_timeout=2 ansible_ssh_pass=x\n');
    const res = r.events.find((e) => e.type === 'host_result' && e.task.action === 'command');
    expect(res && res.type === 'host_result' && res.status).to.equal('unreachable');
    expect(res && res.type === 'host_result' && res.ignored).to.equal(true);
    expect(r.stats.g).to.deep.include({ ok: 1, ignored: 1, unreachable: 0, skipped: 1 });
    expect(r.code).to.equal(0);
  });

  it('bug 8: a later play that finds only failed hosts keeps exit code 2 (was 0 with failed=1 in the recap)', async () => {
    const r = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: "{{ item }}"
      loop: ["false"]
      run_once: true
      delegate_to: localhost
- hosts: h1
  gather_facts: false
  tasks:
    - debug: msg=x
`, 'h1 ansible_connection=local\nh2 ansible_connection=local\n');
    expect(r.stats.h1.failures).to.equal(1);
    expect(r.code).to.equal(2);
    const r2 = await runLocal(`
- hosts: all
  gather_facts: false
  tasks:
    - command: "false"
      when: inventory_hostname == 'h1'
- hosts: h1
  gather_facts: false
  tasks:
    - debug: msg=x
`, 'h1 ansible_connection=local\nh2 ansible_connection=local\n');
    expect(r2.code).to.equal(2);
  });
});
