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

  // Roles for the public/allow_duplicates cases: r (defaults D, vars V), m (meta allow_duplicates: true).
  const ROLES = {
    'roles/r/tasks/main.yml': '- debug: msg="r ran {{ rp | default(0) }}"\n',
    'roles/r/defaults/main.yml': 'r_default: D\n',
    'roles/r/vars/main.yml': 'r_var: V\n',
    'roles/m/tasks/main.yml': '- debug: msg="m ran"\n',
    'roles/m/meta/main.yml': 'allow_duplicates: true\n',
  };
  const SHOW = '{{ r_default | default(\'undef\') }} {{ r_var | default(\'undef\') }}';

  describe('public', () => {
    it('private (default): the role vars/defaults are not visible after the include; public: true makes them visible to the rest of the play only', async () => {
      const r = await localPlay(`- hosts: web
  gather_facts: false
  tasks:
    - debug: msg="before ${SHOW}"
    - include_role: { name: r }
    - debug: msg="private ${SHOW}"
    - include_role: { name: r, public: true }
      when: inventory_hostname == 'w1'
    - debug: msg="public ${SHOW}"
- hosts: web
  gather_facts: false
  tasks:
    - debug: msg="next play ${SHOW}"
`, { files: ROLES });
      expect(r.code, JSON.stringify(r.failures)).to.equal(0);
      expect(r.msgs.w1).to.deep.equal(['before undef undef', 'r ran 0', 'private undef undef', 'r ran 0', 'public D V', 'next play undef undef']);
      // play-wide, as Ansible appends the role to play.roles: w2 (which skipped the include) sees them too
      expect(r.msgs.w2).to.deep.equal(['before undef undef', 'r ran 0', 'private undef undef', 'public D V', 'next play undef undef']);
    });
    it('public role defaults lose to play vars, role vars beat them; set_fact beats role vars', async () => {
      const r = await localPlay(`- hosts: w1
  gather_facts: false
  vars: { r_var: playvar, r_default: playdefault }
  tasks:
    - include_role: { name: r, public: yes }
    - debug: msg="public {{ r_default }} {{ r_var }}"
    - set_fact: { r_var: fact }
    - debug: msg="{{ r_var }}"
`, { files: ROLES });
      expect(r.msgs.w1).to.deep.equal(['r ran 0', 'public playdefault V', 'fact']);
    });
    it('a non-boolean public: is a load error naming the file:line', async () => {
      let e: unknown;
      try {
        await localPlay(PLAY('    - include_role: { name: r, public: maybe }\n'), { files: ROLES });
      } catch (x) {
        e = x;
      }
      expect((e as Error).message).to.match(/include_role 'public' must be a boolean/);
      expect((e as { oneLine(): string }).oneLine()).to.match(/site\.yml:4:\d+: /);
    });
  });

  describe('allow_duplicates (as ansible-playbook 2.14 on the same playbooks)', () => {
    const count = async (roles: string, tasks: string) => {
      const r = await localPlay(`- hosts: w1\n  gather_facts: false\n  roles: ${roles}\n  tasks:\n${tasks}`, { files: ROLES });
      expect(r.code, JSON.stringify(r.failures)).to.equal(0);
      return (r.msgs.w1 ?? []).filter((m) => / ran/.test(String(m))).length;
    };
    const cases: [string, string, string, number][] = [
      ['roles: [r] then import_role r (separate instances)', '[r]', '    - import_role: name=r\n', 2],
      ['roles: [r] then include_role r, allow_duplicates: false', '[r]', '    - include_role: { name: r, allow_duplicates: false }\n', 2],
      ['import_role twice (default allow_duplicates: true)', '[]', '    - import_role: name=r\n    - import_role: name=r\n', 2],
      ['roles: [r, r] (meta default: once)', '[r, r]', '    - debug: msg=x\n', 1],
      ['roles: [m, m] (meta allow_duplicates: true)', '[m, m]', '    - debug: msg=x\n', 2],
      ['include_role twice (default true)', '[]', '    - include_role: name=r\n    - include_role: name=r\n', 2],
      ['include_role twice, allow_duplicates: false (overrides meta true)', '[]', '    - include_role: { name: m, allow_duplicates: false }\n    - include_role: { name: m, allow_duplicates: false }\n', 1],
      ['import_role twice, allow_duplicates: false', '[]', '    - import_role: { name: r, allow_duplicates: false }\n    - import_role: { name: r, allow_duplicates: false }\n', 1],
      ['include_role, then include_role allow_duplicates: false', '[]', '    - include_role: { name: r }\n    - include_role: { name: r, allow_duplicates: false }\n', 1],
      ['import_role, then include_role allow_duplicates: false (shared instance)', '[]', '    - import_role: { name: r }\n    - include_role: { name: r, allow_duplicates: false }\n', 1],
      ['other vars make another instance', '[]', '    - include_role: { name: r, allow_duplicates: false }\n    - include_role: { name: r, allow_duplicates: false }\n      vars: { rp: 2 }\n', 2],
    ];
    for (const [name, roles, tasks, n] of cases) it(`${name}: runs ${n}x`, async () => expect(await count(roles, tasks)).to.equal(n));

    it('per host: a host that did not run the role yet still runs it', async () => {
      const r = await localPlay(PLAY("    - include_role: { name: r }\n      when: inventory_hostname == 'w1'\n    - include_role: { name: r, allow_duplicates: false }\n"), { files: ROLES });
      expect(r.msgs.w1).to.deep.equal(['r ran 0']);
      expect(r.msgs.w2).to.deep.equal(['r ran 0']);
    });
  });
});
