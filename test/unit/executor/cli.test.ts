/** The playbook command as a process on local hosts: exit codes, listings, retry file. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;

function tsplay(args: string[], cwd: string): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [join(ROOT, 'bin/tsplay.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TSPLAY_HOME: join(cwd, '.tsplay') } }, (e, stdout, stderr) =>
      resolve({ rc: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('tsplay PLAYBOOK (process, local hosts)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsp-cli-'));
  writeFileSync(join(dir, 'hosts'), '[web]\nw1 ansible_connection=local\nw2 ansible_connection=local\n');
  writeFileSync(join(dir, 'site.yml'), `
- name: demo
  hosts: web
  gather_facts: false
  tags: [play]
  tasks:
    - {name: ok task, debug: {msg: hi}, tags: [a]}
    - {name: fail w2, command: /bin/false, when: inventory_hostname == 'w2'}
    - {name: hidden, debug: {msg: x}, tags: [never]}
`);
  writeFileSync(join(dir, 'bad.yml'), '- hosts: all\n  tasks:\n    - name: x\n      debg: {msg: 1}\n');

  it('a failed host: exit 2 and the opt-in retry file for --limit @file', async () => {
    const r = await tsplay(['site.yml', '-i', 'hosts', '--retry-file'], dir);
    expect(r.rc).to.equal(2);
    expect(readFileSync(join(dir, 'site.retry'), 'utf8')).to.equal('w2\n');
    expect(r.stderr).to.include('--limit @');
    const again = await tsplay(['site.yml', '-i', 'hosts', '--limit', '@site.retry', '-t', 'a'], dir);
    expect(again.rc).to.equal(0);
    expect(again.stdout).to.include('ok: [w2]');
    expect(again.stdout).to.not.include('[w1]');
  });
  it('no retry file unless asked', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'tsp-cli2-'));
    writeFileSync(join(d2, 'hosts'), 'w2 ansible_connection=local\n');
    writeFileSync(join(d2, 'p.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: /bin/false\n');
    expect((await tsplay(['p.yml', '-i', 'hosts'], d2)).rc).to.equal(2);
    expect(existsSync(join(d2, 'p.retry'))).to.equal(false);
  });
  it('--list-tasks / --list-tags / --list-hosts in ansible-playbook format', async () => {
    const r = await tsplay(['site.yml', '-i', 'hosts', '--list-tasks', '--list-tags', '--list-hosts'], dir);
    expect(r.rc).to.equal(0);
    expect(r.stdout).to.equal(
      '\nplaybook: site.yml\n\n  play #1 (web): demo\tTAGS: [play]\n    pattern: [\'web\']\n    hosts (2):\n      w1\n      w2\n    tasks:\n      ok task\tTAGS: [a, play]\n      fail w2\tTAGS: [play]\n      TASK TAGS: [a, play]\n',
    );
  });
  it('--syntax-check, parse errors (exit 4), bad options (exit 5), a missing playbook (exit 1, as ansible-playbook)', async () => {
    const s = await tsplay(['site.yml', '--syntax-check'], dir);
    expect(s.rc).to.equal(0);
    expect(s.stdout).to.equal('\nplaybook: site.yml\n');
    const p = await tsplay(['bad.yml', '-i', 'hosts'], dir);
    expect(p.rc).to.equal(4);
    expect(p.stderr).to.match(/bad\.yml:\d+/);
    expect(p.stderr.trim().split('\n')).to.have.length(1);
    const o = await tsplay(['site.yml', '--forks', 'many'], dir);
    expect(o.rc).to.equal(5);
    const m = await tsplay(['missing.yml'], dir);
    expect(m.rc).to.equal(1);
    expect(m.stderr.trim()).to.equal('ERROR! the playbook: missing.yml could not be found');
  });
});
