/**
 * Helpers over a loaded playbook: walk every node, list tasks and tags (for --list-tasks,
 * --list-tags and tests). Output formatting belongs to the executor/reporter.
 */
import type { Node, Play, Playbook, TaskNode } from './model.ts';

/** Every node under `nodes`, depth first, blocks before their children. */
export function* walkNodes(nodes: Node[]): Generator<Node> {
  for (const n of nodes) {
    yield n;
    if (n.kind === 'block') {
      yield* walkNodes(n.block);
      yield* walkNodes(n.rescue);
      yield* walkNodes(n.always);
    }
  }
}

/** A play's task sections in run order. */
export function playSections(play: Play): { section: 'pre_tasks' | 'roles' | 'tasks' | 'post_tasks'; nodes: Node[] }[] {
  return [
    { section: 'pre_tasks', nodes: play.preTasks },
    { section: 'roles', nodes: play.roles },
    { section: 'tasks', nodes: play.tasks },
    { section: 'post_tasks', nodes: play.postTasks },
  ];
}

/** Display name of a task the way Ansible lists it: `role : name`, or the action. */
export function taskDisplayName(t: TaskNode | Extract<Node, { kind: 'include' }>): string {
  const base = t.name ?? (t.kind === 'task' ? t.action : t.what);
  return t.role ? `${t.role.name} : ${base}` : base;
}

/** Tasks and includes of a play, in order (blocks flattened). */
export function playTasks(play: Play): (TaskNode | Extract<Node, { kind: 'include' }>)[] {
  const out: (TaskNode | Extract<Node, { kind: 'include' }>)[] = [];
  for (const s of playSections(play)) for (const n of walkNodes(s.nodes)) if (n.kind !== 'block') out.push(n);
  return out;
}

/** Per play: its name and its tasks with their tags (like --list-tasks). */
export function listTasks(pb: Playbook): { play: string; hosts: string; tags: string[]; tasks: { name: string; tags: string[]; uid: string }[] }[] {
  return pb.plays.map((p) => ({
    play: p.name,
    hosts: p.hosts,
    tags: p.tags,
    tasks: playTasks(p).map((t) => ({ name: taskDisplayName(t), tags: t.tags, uid: t.uid })),
  }));
}

/** Every tag used in the playbook, sorted (like --list-tags). */
export function listTags(pb: Playbook): string[] {
  const tags = new Set<string>();
  for (const p of pb.plays) {
    p.tags.forEach((t) => tags.add(t));
    for (const t of playTasks(p)) t.tags.forEach((x) => tags.add(x));
  }
  return [...tags].sort();
}
