/**
 * The benchmark's workloads: one playbook file per workload, run unchanged by tsplay and by
 * ansible-playbook (only the syntax both share), plus the inventory it targets and the commands
 * that reset the hosts before a "fresh hosts" run and read their final state afterwards.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Sizes of the workloads (the CI smoke uses tiny ones). */
export interface Sizes {
  /** tasks in workload 1 */
  trivialTasks: number;
  /** inventory aliases in workload 4 */
  aliases: number;
  /** tasks in workload 4 */
  scaleTasks: number;
}

export const FULL: Sizes = { trivialTasks: 100, aliases: 1000, scaleTasks: 10 };
export const SMOKE: Sizes = { trivialTasks: 4, aliases: 6, scaleTasks: 2 };

/** One workload as run by every engine. */
export interface Workload {
  id: string;
  title: string;
  playbook: string;
  inventory: string;
  /** number of inventory hosts (forks = this for both engines) */
  hosts: number;
  /** shell run on every lab host (not timed) before each engine's first run: fresh state */
  reset?: string;
  /** shell run on every lab host after each engine's run(s): its stdout is the final state */
  state?: string;
  /** run twice per engine: the first run on fresh hosts, then the idempotent second run */
  twice?: boolean;
  /** Ansible is left out (too slow at this scale); said in the results */
  skipAnsible?: string;
}

/** A lab host as the inventory needs it. */
export interface BenchHost {
  name: string;
  ip: string;
}

/** The small file workload 2 copies (fixed content: the state check compares its checksum). */
const SMALL_FILE = Array.from({ length: 40 }, (_, i) => `tsplay benchmark line ${i + 1}: the quick brown fox jumps over the lazy dog`).join('\n') + '\n';

function inventory(lines: string[], vars: string[]): string {
  return ['[bench]', ...lines, '', '[bench:vars]', ...vars, ''].join('\n');
}

/**
 * Write the workloads' files into `dir` for `hosts` (the lab's hosts) and return them.
 * `labVars` are the lab inventory's connection lines (user, key, known_hosts via
 * ansible_ssh_common_args: host-key checking stays on for both engines).
 */
export function writeWorkloads(dir: string, hosts: BenchHost[], labVars: string[], sizes: Sizes): Workload[] {
  mkdirSync(join(dir, 'files'), { recursive: true });
  const invLab = join(dir, 'inventory-lab.ini');
  writeFileSync(invLab, inventory(hosts.map((h) => `${h.name} ansible_host=${h.ip}`), labVars));
  const pad = String(sizes.aliases).length;
  const invScale = join(dir, 'inventory-scale.ini');
  writeFileSync(invScale, inventory(Array.from({ length: sizes.aliases }, (_, i) => `a${String(i + 1).padStart(pad, '0')} ansible_host=${hosts[i % hosts.length].ip}`), labVars));
  writeFileSync(join(dir, 'files', 'small.txt'), SMALL_FILE);

  const play = (name: string, gather: boolean, tasks: string[]) => [`- name: "${name}"`, '  hosts: bench', `  gather_facts: ${gather}`, '  tasks:', ...tasks, ''].join('\n');

  const t1: string[] = [];
  for (let i = 1; i <= sizes.trivialTasks; i++) {
    if (i % 2) t1.push(`    - name: command ${i}`, '      command: "true"');
    else t1.push(`    - name: touch ${i}`, '      file:', '        path: /tmp/tsplay-bench-touch', '        state: touch', '        mode: "0640"');
  }
  writeFileSync(join(dir, 'wl1.yml'), play('workload 1: trivial tasks', false, t1));

  writeFileSync(
    join(dir, 'wl2.yml'),
    play('workload 2: user, file, copy, shell', false, [
      '    - name: user',
      '      user:',
      '        name: benchuser',
      '        shell: /bin/bash',
      '        comment: tsplay bench',
      '    - name: file',
      '      file:',
      '        path: /opt/bench',
      '        state: directory',
      '        mode: "0755"',
      '    - name: copy',
      '      copy:',
      '        src: files/small.txt',
      '        dest: /opt/bench/small.txt',
      '        mode: "0644"',
      '    - name: shell',
      '      shell: wc -l /opt/bench/small.txt',
    ]),
  );

  writeFileSync(join(dir, 'wl3.yml'), play('workload 3: fact gathering', true, ['    - name: show a fact', '      debug:', '        var: ansible_distribution']));

  const t4: string[] = [];
  for (let i = 1; i <= sizes.scaleTasks; i++) t4.push(`    - name: command ${i}`, '      command: "true"');
  writeFileSync(join(dir, 'wl4.yml'), play('workload 4: scale', false, t4));

  const n = hosts.length;
  return [
    {
      id: 'wl1',
      title: `1. ${sizes.trivialTasks} trivial tasks (command: true / file touch) x ${n} hosts`,
      playbook: join(dir, 'wl1.yml'),
      inventory: invLab,
      hosts: n,
      reset: 'rm -f /tmp/tsplay-bench-touch',
      state: "stat -c '%n %a %U %G %s' /tmp/tsplay-bench-touch",
    },
    {
      id: 'wl2',
      title: `2. user, file, copy, shell x ${n} hosts (first run on fresh hosts, then the idempotent second run)`,
      playbook: join(dir, 'wl2.yml'),
      inventory: invLab,
      hosts: n,
      twice: true,
      reset: 'userdel -r benchuser >/dev/null 2>&1; rm -rf /opt/bench /home/benchuser; true',
      state: [
        "getent passwd benchuser | cut -d: -f1,5,6,7",
        "getent group benchuser | cut -d: -f1",
        "stat -c '%n %F %a %U %G' /home/benchuser /opt/bench",
        "stat -c '%n %a %U %G %s' /opt/bench/small.txt",
        'sha256sum /opt/bench/small.txt',
      ].join('; '),
    },
    {
      id: 'wl3',
      title: `3. fact gathering x ${n} hosts`,
      playbook: join(dir, 'wl3.yml'),
      inventory: invLab,
      hosts: n,
    },
    {
      id: 'wl4',
      title: `4. scale: ${sizes.aliases} inventory hosts (aliases onto the ${n} lab hosts) x ${sizes.scaleTasks} tasks`,
      playbook: join(dir, 'wl4.yml'),
      inventory: invScale,
      hosts: sizes.aliases,
    },
  ];
}
