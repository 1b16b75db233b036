/**
 * include_role on local hosts: the recursion guard (shared with include_tasks), `public:`
 * (role vars/defaults visible to the rest of the play) and `allow_duplicates:` (include_role's
 * own option, and the role's meta/main.yml for roles:/import_role), as ansible-core 2.14.
 */
import { expect } from 'chai';
import { localPlay } from './localplay.ts';

const PLAY = (tasks: string, extra = '') => `- hosts: web\n  gather_facts: false\n${extra}  tasks:\n${tasks}`;

describe('include_role', function () {
  this.timeout(60_000);

  describe('recursion guard', () => {
    it('a role that includes itself fails with one line at the include (file:line), exit 2, as include_tasks', async () => {
      const r = await localPlay(PLAY('    - include_role: { name: selfish }\n'), { files: { 'roles/selfish/tasks/main.yml': '- debug: msg=again\n- include_role: name=selfish\n' } });
      expect(r.code).to.equal(2);
      for (const h of ['w1', 'w2']) {
        const f = r.failures[h] ?? [];
        expect(f, h).to.have.length(1);
        expect(f[0]).to.match(/roles\/selfish\/tasks\/main\.yml:2:\d+: include_role nested more than 100 levels deep \(endless recursion\? \.\.\. role selfish -> role selfish/);
        expect(f[0]).to.not.include('\n');
        expect(r.stats[h].failures).to.equal(1);
      }
    });
    it('indirect recursion (a -> b -> a) and mixed include_role / include_tasks recursion are caught', async () => {
      const r = await localPlay(PLAY('    - include_role: { name: a }\n'), {
        files: {
          'roles/a/tasks/main.yml': '- include_role: name=b\n',
          'roles/b/tasks/main.yml': '- include_tasks: more.yml\n',
          'roles/b/tasks/more.yml': '- include_role: name=a\n',
        },
      });
      expect(r.code).to.equal(2);
      expect(r.failures.w1?.[0]).to.match(/nested more than 100 levels deep \(endless recursion\?/);
    });
    it('a recursion that stops (a when: on a counter) runs to the end', async () => {
      const r = await localPlay(PLAY('    - include_role: { name: count }\n'), {
        files: { 'roles/count/tasks/main.yml': '- set_fact: { n: "{{ (n | default(0) | int) + 1 }}" }\n- debug: msg="depth {{ n }}"\n- include_role: { name: count }\n  when: n | int < 5\n' },
      });
      expect(r.code).to.equal(0);
      expect(r.msgs.w1).to.deep.equal(['depth 1', 'depth 2', 'depth 3', 'depth 4', 'depth 5']);
    });
  });
});
