// include_role's banner, `included:` lines and recap counts, side by side with Debian's
// ansible-core 2.14 on the same playbooks (connection: local; both engines really run).
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const FILES: Record<string, string> = {
  'roles/r/tasks/main.yml': '- debug: msg=hi\n',
  'roles/outer/tasks/main.yml': '- include_role: name=r\n- name: pull r in\n  include_role: name=r\n- name: inc t\n  include_tasks: t.yml\n- include_tasks: t.yml\n',
  'roles/outer/tasks/t.yml': '- debug: msg=t\n',
  'tasks.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_role: name=r\n    - import_role: name=r\n    - include_role:\n        name: r\n      loop: [1, 2]\n',
  'inrole.yml': '- hosts: localhost\n  gather_facts: false\n  roles: [outer]\n',
};

/** TASK banners, `included:` lines and the recap line, in order. */
function shape(out: string): string[] {
  return out.split('\n').filter((l) => /^(TASK \[|included: |localhost\s+: )/.test(l)).map((l) => l.replace(/\s+\*+$/, '').replace(/\s+/g, ' ').trim());
}

describe('report: include_role output and recap match ansible-playbook 2.14', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsp-increp-'));
  before(() => {
    for (const [f, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    expect(spawnSync('ansible-playbook', ['--version']).status, 'ansible-playbook (Debian ansible-core) must be installed: .ci/run installs it').to.equal(0);
  });
  for (const pb of ['tasks.yml', 'inrole.yml']) {
    it(pb, () => {
      const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' };
      const a = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', pb], { cwd: dir, env }).toString();
      const t = execFileSync(process.execPath, [join(ROOT, 'bin/tsplay.js'), pb, '-i', 'localhost,', '-c', 'local'], { cwd: dir, env }).toString();
      expect(shape(a).length).to.be.greaterThan(3);
      expect(shape(t)).to.deep.equal(shape(a));
    });
  }
});
