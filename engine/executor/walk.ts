/**
 * The linear walk: hosts march through the node tree together, task by task (Ansible's
 * linear strategy); the free strategy walks the same tree once per host. Blocks with
 * rescue/always, dynamic includes (per host, grouped by resolved file), meta tasks,
 * tags, --start-at-task, --step, run_once, throttle, any_errors_fatal,
 * max_fail_percentage and handler flushing live here.
 */
import { basename, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import pLimit from 'p-limit';
import { TsplayError, type ModuleResult, type TaskInfo } from '../types.ts';
import type { BlockNode, IncludeNode, Node, RoleInfo, TaskNode } from '../playbook/model.ts';
import { roleRunKey } from '../playbook/role.ts';
import { countOutcome } from '../report/stats.ts';
import { isActive, taskInfo, type PlayRun, type WalkScope } from './context.ts';
import { shouldRunTags } from './tags.ts';
import { keywordBool, runTaskOnHost, type HostOutcome } from './task.ts';
import { expandLoop, itemVars } from './loops.ts';
import { storedFacts, wrapUnsafe } from '../vars/unsafe.ts';
import { trackUnsafe } from '../expr/index.ts';

/** Walk `nodes` for `hosts` (those still active at each step). */
export async function walk(pr: PlayRun, nodes: readonly Node[], hosts: readonly string[], scope: WalkScope): Promise<void> {
  for (const node of nodes) {
    if (pr.stopBatch || pr.run.interrupted) return;
    const active = hosts.filter((h) => isActive(pr, h));
    if (active.length === 0) return;
    if (node.kind === 'block') await runBlock(pr, node, active, scope);
    else if (node.kind === 'include') await runInclude(pr, node, active, scope);
    else await runTask(pr, node, active, scope);
  }
}

async function runBlock(pr: PlayRun, b: BlockNode, hosts: string[], scope: WalkScope): Promise<void> {
  if (b.roleRun) {
    // A role from import_role/include_role: with allow_duplicates: false, hosts that already ran
    // the same instance skip it (Ansible's Role.has_run); the hosts that get through are recorded.
    const runs = (pr.roleRuns ??= new Map());
    let done = runs.get(b.roleRun.key);
    if (!done) runs.set(b.roleRun.key, (done = new Set()));
    if (!b.roleRun.allowDuplicates) hosts = hosts.filter((h) => !done!.has(h));
    if (hosts.length === 0) return;
    try {
      return await runBlockBody(pr, b, hosts, scope);
    } finally {
      for (const h of hosts) {
        const s = pr.state.get(h);
        if (s && !s.failed && !s.unreachable) done.add(h);
      }
    }
  }
  return runBlockBody(pr, b, hosts, scope);
}

async function runBlockBody(pr: PlayRun, b: BlockNode, hosts: string[], scope: WalkScope): Promise<void> {
  const rescuable = b.rescue.length > 0;
  const failedBefore = new Set(hosts.filter((h) => pr.state.get(h)?.failed));
  await walk(pr, b.block, hosts, { ...scope, rescuable: rescuable || scope.rescuable });
  const failedInBlock = hosts.filter((h) => {
    const s = pr.state.get(h)!;
    return s.failed && !s.unreachable && !failedBefore.has(h);
  });
  const rescued = new Set<string>();
  if (rescuable && failedInBlock.length && !pr.run.interrupted && !pr.stopBatch) {
    for (const h of failedInBlock) pr.state.get(h)!.failed = false;
    await walk(pr, b.rescue, failedInBlock, scope);
    for (const h of failedInBlock) {
      const s = pr.state.get(h)!;
      if (!s.failed && !s.unreachable) {
        rescued.add(h);
        pr.run.failedHosts.delete(h);
      }
    }
  }
  if (b.always.length && !pr.run.interrupted && !pr.stopBatch) {
    const alwaysHosts = hosts.filter((h) => {
      const s = pr.state.get(h)!;
      return !s.unreachable && !s.ended && !failedBefore.has(h);
    });
    const stillFailed = alwaysHosts.filter((h) => pr.state.get(h)!.failed);
    for (const h of stillFailed) pr.state.get(h)!.failed = false;
    await walk(pr, b.always, alwaysHosts, scope);
    for (const h of stillFailed) pr.state.get(h)!.failed = true;
  }
}

/** Does this task match --start-at-task? (name, or `role : name`, or a glob) */
function matchesStart(task: TaskNode, start: string): boolean {
  const names = [task.name ?? '', task.role && task.name ? `${task.role.name} : ${task.name}` : ''];
  const re = new RegExp('^' + start.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return names.some((n) => n && (n === start || re.test(n)));
}

/** Should the task run at all under tags / --start-at-task? */
function selected(pr: PlayRun, node: TaskNode | IncludeNode): boolean {
  if (node.kind === 'task' && node.isHandler) return true;
  if (!shouldRunTags(node.tags, pr.run.cfg.tags)) return false;
  const start = pr.run.cfg.startAtTask;
  if (start && !pr.run.startAtDone) {
    if (node.kind === 'task' && matchesStart(node, start)) pr.run.startAtDone = true;
    else if (node.kind === 'task') return false;
  }
  return true;
}

async function stepPrompt(pr: PlayRun, info: TaskInfo): Promise<boolean> {
  if (!pr.run.cfg.step || pr.run.stepContinue || !pr.run.svc.prompt) return true;
  const ans = (await pr.run.svc.prompt(`Perform task: TASK: ${info.name} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
  if (ans === 'c' || ans === 'continue') {
    pr.run.stepContinue = true;
    return true;
  }
  return ans === 'y' || ans === 'yes';
}

const META_NOOPS = new Set(['noop', 'refresh_inventory', 'reset_connection']);

/** meta: tasks act on the play. Returns true when handled. */
async function runMeta(pr: PlayRun, task: TaskNode, hosts: string[], scope: WalkScope): Promise<void> {
  const what = String(task.args._raw_params ?? task.args.free_form ?? '').trim();
  const { svc, store } = pr.run;
  const condHosts = hosts.filter((h) => {
    if (!task.when.length) return true;
    const vars = store.taskVars(h, { role: scope.role ?? task.role, vars: task.vars, includeParams: scope.includeParams, extra: scope.extra });
    return svc.evalCondition(task.when, vars, { pos: task.pos });
  });
  switch (what) {
    case 'flush_handlers':
      await flushHandlers(pr, hosts);
      return;
    case 'end_play':
      if (condHosts.length) {
        for (const h of pr.batch) if (pr.state.get(h)) pr.state.get(h)!.ended = true;
        pr.stopBatch = true;
        pr.stopPlay = true;
      }
      return;
    case 'end_batch':
      if (condHosts.length) {
        for (const h of pr.batch) if (pr.state.get(h)) pr.state.get(h)!.ended = true;
        pr.stopBatch = true;
      }
      return;
    case 'end_host':
      for (const h of condHosts) pr.state.get(h)!.ended = true;
      return;
    case 'clear_facts':
      for (const h of condHosts) store.clearFacts(h);
      return;
    case 'clear_host_errors':
      for (const h of pr.batch) {
        const s = pr.state.get(h);
        if (s && s.failed) {
          s.failed = false;
          pr.run.failedHosts.delete(h);
        }
      }
      return;
    default:
      if (META_NOOPS.has(what)) return;
      throw new Error(`invalid meta action requested: ${what}`);
  }
}

/** Run one task on the hosts (in parallel, bounded by forks and throttle). */
export async function runTask(pr: PlayRun, task: TaskNode, hosts: string[], scope: WalkScope): Promise<void> {
  if (!selected(pr, task)) return;
  if (task.action === 'meta') {
    const what = String(task.args._raw_params ?? '').trim();
    // meta tasks are not shown, except when they do something on hosts
    await runMeta(pr, task, hosts, scope).catch((e: Error) => {
      for (const h of hosts) hostFailed(pr, h, task, { changed: false, failed: true, msg: e.message }, scope);
    });
    void what;
    return;
  }
  const { emit, svc, store } = pr.run;
  const noLog = typeof task.noLog === 'boolean' ? task.noLog : task.noLog !== undefined && String(task.noLog) !== 'false' && String(task.noLog) !== 'no';
  const info = taskInfo(task, noLog);
  if (info.name.includes('{{')) info.name = templateName(pr, task, hosts[0], scope) ?? info.name;
  if (!(await stepPrompt(pr, info))) return;
  const t0 = Date.now();
  const runOnceVal = task.runOnce === undefined ? false : keywordBool(pr, task.runOnce, store.taskVars(hosts[0], { role: task.role, vars: task.vars }), task) ?? false;
  const targets = runOnceVal ? hosts.slice(0, 1) : hosts;
  emit({ type: 'task_start', task: info, hosts: targets });
  const throttle = task.throttle && task.throttle > 0 && task.throttle < pr.run.cfg.forks ? pLimit(task.throttle) : undefined;
  const one = (h: string): Promise<HostOutcome> => {
    const fn = () => runTaskOnHost(pr, task, h, scope, info);
    return pr.limit(() => (throttle ? throttle(fn) : fn()));
  };
  const outcomes = await Promise.all(targets.map(async (h) => [h, await one(h)] as const));
  if (runOnceVal && outcomes.length) {
    // run_once: every host of the batch gets the result (register, facts).
    const [, o] = outcomes[0];
    for (const h of hosts.slice(1)) {
      if (task.register) store.setHostVars(h, { [task.register]: o.result });
      if (task.action === 'set_fact' && o.result.ansible_facts) store.setHostVars(h, storedFacts(o.result)!);
    }
  }
  for (const [h, o] of outcomes) if (!o.interrupted) record(pr, task, h, o, scope);
  if (runOnceVal && outcomes.length) {
    // As Ansible: a failed run_once task fails every host of the batch (stats count the one that ran).
    const [h0, o] = outcomes[0];
    if (!o.interrupted && o.status === 'failed' && !o.ignored && pr.state.get(h0)?.failed) {
      for (const h of hosts.slice(1)) if (!pr.state.get(h)?.unreachable) hostFailed(pr, h, task, o.result, scope, false);
    }
  }
  if (outcomes.some(([, o]) => o.status === 'failed' || o.status === 'unreachable')) {
    // ansible_play_hosts: hosts of the play that have not failed / become unreachable.
    const ps = pr.run.store.playScope;
    if (ps) ps.playHosts = pr.hosts.filter((h) => !pr.state.has(h) || isActive(pr, h));
  }
  if (runOnceVal && outcomes.length) {
    const [, o] = outcomes[0];
    if (o.status === 'changed' || (o.result.changed && o.status !== 'failed')) for (const h of hosts.slice(1)) notify(pr, task, h, svc, o.result);
  }
  const ms = Date.now() - t0;
  emit({ type: 'task_end', task: info, durationMs: ms });
  pr.run.timings.push({ task: info, durationMs: ms });
  checkFailLimits(pr, task, outcomes.map(([h]) => h));
}

/** Stats, host state and notifications after a task's outcome on a host. */
function record(pr: PlayRun, task: TaskNode, host: string, o: HostOutcome, scope: WalkScope): void {
  const s = pr.state.get(host)!;
  const changed = o.result.changed === true;
  const ignoreUnreachable = o.status === 'unreachable' && (keywordBoolSafe(pr, task, host) ?? false);
  countOutcome(pr.run.stats, host, { status: o.status, changed, ignored: o.ignored || ignoreUnreachable, rescued: scope.rescuable && o.status === 'failed' && !o.ignored });
  if (o.status === 'unreachable' && !ignoreUnreachable) {
    s.unreachable = true;
    pr.run.unreachableHosts.add(host);
    return;
  }
  if (o.status === 'failed' && !o.ignored) {
    hostFailed(pr, host, task, o.result, scope, false);
    return;
  }
  // Ansible notifies only from results that did not fail (an ignored failure notifies nothing).
  if (changed && o.status !== 'failed' && o.status !== 'skipped') notify(pr, task, host, pr.run.svc, o.result);
}

function keywordBoolSafe(pr: PlayRun, task: TaskNode, host: string): boolean | undefined {
  try {
    return keywordBool(pr, task.ignoreUnreachable, pr.run.store.taskVars(host, { role: task.role, vars: task.vars }), task);
  } catch {
    return undefined;
  }
}

/** Mark a host failed (and remember the failure for a rescue section). */
function hostFailed(pr: PlayRun, host: string, task: TaskNode, result: ModuleResult, scope: WalkScope, count = true): void {
  const s = pr.state.get(host);
  if (!s) return;
  if (count) countOutcome(pr.run.stats, host, { status: 'failed', changed: false, rescued: scope.rescuable });
  s.failed = true;
  pr.run.failedHosts.add(host);
  pr.lastFailure = { task: { name: task.name ?? task.action, action: task.action, uid: task.uid }, result };
  // As Ansible: the failure is visible to the rescue section as host facts (per host).
  if (scope.rescuable) pr.run.store.setHostVars(host, { ansible_failed_task: { ...pr.lastFailure.task, args: task.args }, ansible_failed_result: result });
}

/**
 * The handler names a task notifies: templated with the task's variables, and for a loop once
 * per (not skipped) item with that item's loop variables, as Ansible does.
 */
function notifyNames(pr: PlayRun, task: TaskNode, host: string, result: ModuleResult | undefined, svc: PlayRun['run']['svc']): string[] {
  if (!task.notify.some((n) => n.includes('{{'))) return task.notify;
  const base = pr.run.store.taskVars(host, { role: task.role, vars: task.vars });
  const scopes: Record<string, unknown>[] = [];
  const items = result && Array.isArray(result.results) ? (result.results as ModuleResult[]) : undefined;
  if (items && task.loop) {
    for (const r of items) {
      if (!r || r.skipped) continue;
      const lv = typeof r.ansible_loop_var === 'string' ? r.ansible_loop_var : 'item';
      const extra: Record<string, unknown> = { [lv]: r[lv] };
      if (typeof r.ansible_index_var === 'string') extra[r.ansible_index_var] = r[r.ansible_index_var];
      scopes.push({ ...base, ...extra });
    }
  } else scopes.push(base);
  const out: string[] = [];
  for (const raw of task.notify) {
    for (const vars of raw.includes('{{') ? scopes : [base]) {
      let name = raw;
      try {
        name = String(svc.templateValue(raw, vars, { pos: task.pos }));
      } catch {
        /* keep the raw name: reported as not found */
      }
      if (!out.includes(name)) out.push(name);
    }
  }
  return out;
}

/** Queue the task's notify entries for `host` (templated names; unknown names error as Ansible). */
function notify(pr: PlayRun, task: TaskNode, host: string, svc: PlayRun['run']['svc'], result?: ModuleResult): void {
  if (!task.notify.length) return;
  for (const name of notifyNames(pr, task, host, result, svc)) {
    const hit = pr.notes.notify(name, host);
    if (hit.length === 0) {
      pr.run.emit({ type: 'warning', msg: `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list` });
      continue;
    }
    if (pr.run.cfg.journal && !pr.run.cfg.check) {
      for (const h of hit) pr.run.cfg.journal.add(host, { play: pr.play.name, playIndex: pr.playIndex, handler: h.name ?? h.uid, section: pr.section });
    }
  }
}

/** any_errors_fatal / max_fail_percentage after a task. */
function checkFailLimits(pr: PlayRun, task: TaskNode, hosts: string[]): void {
  const down = (h: string) => {
    const s = pr.state.get(h);
    return Boolean(s && (s.failed || s.unreachable));
  };
  const fatal = (task.anyErrorsFatal ?? pr.play.anyErrorsFatal) && hosts.some(down);
  const pct = pr.play.maxFailPercentage;
  const tooMany = !fatal && pct !== undefined && pr.batch.length > 0 && pr.batch.filter(down).length / pr.batch.length > pct / 100;
  if (!fatal && !tooMany) return;
  // fail the rest of the batch and end the play
  for (const h of pr.batch) {
    const s = pr.state.get(h);
    if (s && !s.unreachable && !s.failed) {
      s.failed = true;
      pr.run.failedHosts.add(h);
    }
  }
  pr.breakPlay = true;
  pr.stopBatch = true;
  pr.stopPlay = true;
}

/** Run notified handlers for `hosts` (definition order; handlers notifying handlers run too). */
export async function flushHandlers(pr: PlayRun, hosts: readonly string[]): Promise<void> {
  const scope = new Set(hosts);
  const force = pr.run.cfg.forceHandlers || pr.play.forceHandlers === true;
  const eligible = (h: string): boolean => {
    const s = pr.state.get(h);
    if (!s || !scope.has(h) || s.unreachable || s.ended) return false;
    return !s.failed || force;
  };
  for (let guard = 0; guard < 1000; guard++) {
    if (pr.run.interrupted) return;
    const next = pr.notes.next(eligible);
    if (!next) return;
    const { handler, hosts: hs } = next;
    pr.notes.clear(handler, hs);
    // failed hosts run handlers only under --force-handlers; they stay failed.
    const wasFailed = hs.filter((h) => pr.state.get(h)!.failed);
    for (const h of wasFailed) pr.state.get(h)!.failed = false;
    await runTask(pr, handler, hs, { rescuable: false, role: handler.role });
    for (const h of wasFailed) pr.state.get(h)!.failed = true;
    const j = pr.run.cfg.journal;
    if (j && !pr.run.cfg.check) {
      for (const h of hs) {
        const s = pr.state.get(h)!;
        if (!s.unreachable && (!s.failed || wasFailed.includes(h))) j.remove(h, { play: pr.play.name, playIndex: pr.playIndex, handler: handler.name ?? handler.uid });
      }
    }
  }
}

/** include_tasks / include_role: per host, grouped by resolved file + item. */
async function runInclude(pr: PlayRun, node: IncludeNode, hosts: string[], scope: WalkScope): Promise<void> {
  if (!selected(pr, node)) return;
  const { svc, store, emit } = pr.run;
  const opts = { pos: node.pos };
  type Group = { key: string; target: string; params: Record<string, unknown>; hosts: string[] };
  const groups = new Map<string, Group>();
  // an unnamed include_role reads `include_role : NAME`, as ansible-core's IncludeRole.get_name()
  const unnamed = node.what === 'include_role' ? `include_role : ${node.target}` : node.what;
  const info: TaskInfo = { uid: node.uid, name: node.name ?? unnamed, action: node.what, pos: node.pos };
  // an include_role's banner never carries the enclosing role (IncludeRole.get_name())
  if (node.role && node.what === 'include_tasks') (info as TaskInfo & { role?: string }).role = node.role.name;
  if (info.name.includes('{{')) info.name = templateName(pr, node, hosts[0], scope) ?? info.name;
  const t0 = Date.now();
  emit({ type: 'task_start', task: info, hosts });
  for (const h of hosts) {
    const role = scope.role ?? node.role;
    const vars = store.taskVars(h, { role, vars: node.vars, includeParams: scope.includeParams, extra: scope.extra });
    try {
      const looped = node.loop ? trackUnsafe(() => svc.templateValue(node.loop!.value, vars, opts)) : undefined;
      const items = node.loop ? expandLoop(node.loop.kind, looped!.value) : [undefined];
      for (let i = 0; i < items.length; i++) {
        const iv = node.loop ? itemVars(items, i, node.loopControl) : {};
        // Items from unsafe data stay unsafe in the included tasks (not templated again).
        if (looped?.unsafe) iv[node.loopControl?.loopVar || 'item'] = wrapUnsafe(items[i]);
        const v = node.loop ? { ...vars, ...iv } : vars;
        if (!svc.evalCondition(node.when, v, opts)) {
          emit({ type: 'host_result', task: info, host: h, status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, durationMs: 0 });
          countOutcome(pr.run.stats, h, { status: 'skipped', changed: false });
          continue;
        }
        const target = String(svc.templateValue(node.target, v, opts));
        const params = { ...node.vars, ...iv };
        const key = `${target}\0${JSON.stringify(iv)}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { key, target, params, hosts: [] }));
        g.hosts.push(h);
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const result = { changed: false, failed: true, msg };
      emit({ type: 'host_result', task: info, host: h, status: 'failed', result, durationMs: 0 });
      hostFailed(pr, h, node as unknown as TaskNode, result, scope);
    }
  }
  emit({ type: 'task_end', task: info, durationMs: Date.now() - t0 });
  // Ansible reports every included file first, then runs them in order.
  if (node.what === 'include_tasks') for (const g of groups.values()) for (const h of g.hosts) emit({ type: 'include', file: resolveTaskFile(node, g.target), host: h });
  for (const g of groups.values()) {
    if (pr.run.interrupted || pr.stopBatch) return;
    try {
      if (node.what === 'include_tasks') {
        const file = resolveTaskFile(node, g.target);
        const chain = includeChain(scope, file, node);
        const nodes = svc.loadTaskFile(file, node);
        await walk(pr, nodes, g.hosts, { ...scope, includeChain: chain, includeParams: { ...scope.includeParams, ...g.params } });
      } else {
        const chain = includeChain(scope, `role ${g.target}${node.from?.tasks ? ` (${node.from.tasks})` : ''}`, node);
        const loaded = svc.loadRoleForInclude(g.target, node.from, node);
        // no `included:` line and no ok count for include_role (ansible-core 2.14: a play with only
        // `include_role: r` whose role runs one debug recaps ok=1)
        pr.notes.addHandlers(loaded.handlers);
        if (node.public) makePublic(pr, loaded.role);
        const nodes = withRoleRun(loaded.nodes, roleRunKey(loaded.role.path, g.params, node.from), node.allowDuplicates ?? true);
        await walk(pr, nodes, g.hosts, { ...scope, role: undefined, includeChain: chain, includeParams: { ...scope.includeParams, ...g.params } });
      }
    } catch (e) {
      const msg = e instanceof Error ? (e as Error & { oneLine?: () => string }).oneLine?.() ?? e.message : String(e);
      for (const h of g.hosts) {
        const result = { changed: false, failed: true, reason: msg, msg };
        emit({ type: 'host_result', task: info, host: h, status: 'failed', result, durationMs: 0 });
        hostFailed(pr, h, node as unknown as TaskNode, result, scope);
      }
    }
  }
}

/**
 * include_role `public: true`: the role's defaults and vars join the play's roles, so every
 * later task of the play (on every host) sees them, as Ansible appends it to play.roles.
 */
function makePublic(pr: PlayRun, role: RoleInfo): void {
  const ps = pr.run.store.playScope;
  if (!ps || ps.roles.some((r) => r === role || (r.path === role.path && JSON.stringify([r.defaults, r.vars]) === JSON.stringify([role.defaults, role.vars])))) return;
  ps.roles.push(role);
  pr.run.store.invalidate();
}

/** The include_role's nodes with its role block (the last node; dependencies come first) marked as a role run. */
function withRoleRun(nodes: Node[], key: string, allowDuplicates: boolean): Node[] {
  const last = nodes[nodes.length - 1];
  if (!last || last.kind !== 'block') return nodes;
  return [...nodes.slice(0, -1), { ...last, roleRun: { key, allowDuplicates } }];
}

/** Nesting limit of dynamic includes (include_tasks and include_role together): deeper is endless recursion. */
export const MAX_INCLUDE_DEPTH = 100;

/**
 * The include chain with `entry` (a task file, or `role NAME`) appended; throws the one-line
 * recursion error at the include's file:line when it gets deeper than MAX_INCLUDE_DEPTH.
 * include_tasks and include_role share the chain, so mixed recursion (a role whose tasks file
 * includes the role again) is caught too. Ansible: endless loop (include_tasks) or a Python
 * RecursionError (include_role); a recursion that stops (a `when:` on a counter) still runs.
 */
function includeChain(scope: WalkScope, entry: string, node: IncludeNode): string[] {
  const chain = [...(scope.includeChain ?? []), entry];
  if (chain.length > MAX_INCLUDE_DEPTH) {
    const seen = chain.slice(-4).map((f) => (f.startsWith('role ') ? f : basename(f))).join(' -> ');
    throw new TsplayError(`${node.what} nested more than ${MAX_INCLUDE_DEPTH} levels deep (endless recursion? ... ${seen})`, node.pos);
  }
  return chain;
}

function resolveTaskFile(node: IncludeNode, target: string): string {
  if (isAbsolute(target)) return target;
  const cands: string[] = [];
  if (node.role) cands.push(join(node.role.path, 'tasks', target));
  cands.push(join(node.baseDir, target), join(node.baseDir, 'tasks', target));
  for (const c of cands) if (existsSync(c)) return c;
  return cands[0];
}

/** A task name with `{{ }}` rendered for the first host (as Ansible templates names); undefined on error. */
function templateName(pr: PlayRun, node: TaskNode | IncludeNode, host: string | undefined, scope: WalkScope): string | undefined {
  if (!host || !node.name) return undefined;
  try {
    const vars = pr.run.store.taskVars(host, { role: scope.role ?? node.role, vars: node.vars, includeParams: scope.includeParams, extra: scope.extra });
    return String(pr.run.svc.templateValue(node.name, vars, { pos: node.pos }));
  } catch {
    return undefined;
  }
}
