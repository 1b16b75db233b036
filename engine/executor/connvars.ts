/**
 * Connection keywords (`connection:`, `remote_user:`, `port:` of a play, block or task) as
 * connection variables. As in Ansible, a host's own ansible_connection / ansible_user /
 * ansible_port variables win; the keyword applies when the variable is not set.
 */
import type { TaskNode } from '../playbook/model.ts';
import type { PlayRun } from './context.ts';

const KEYWORDS: [keyof TaskNode, string[]][] = [
  ['connection', ['ansible_connection']],
  ['remoteUser', ['ansible_user', 'ansible_ssh_user']],
  ['port', ['ansible_port', 'ansible_ssh_port']],
];

/** `vars` with the task's connection keywords filled in where the host sets no variable. */
export function withConnKeywords(pr: PlayRun, task: TaskNode, vars: Record<string, unknown>): Record<string, unknown> {
  let out = vars;
  for (const [kw, names] of KEYWORDS) {
    const v = task[kw];
    if (v === undefined || v === null || v === '') continue;
    if (names.some((n) => vars[n] !== undefined && vars[n] !== null && vars[n] !== '')) continue;
    if (out === vars) out = { ...vars };
    out[names[0]] = typeof v === 'string' && v.includes('{{') ? pr.run.svc.templateValue(v, vars, { pos: task.pos }) : v;
  }
  return out;
}
