/**
 * One play: host selection (pattern + --limit, minus hosts that failed earlier), vars_files,
 * serial batches, fact gathering (one round trip per host, cached for the run), the three
 * sections (pre_tasks, roles + tasks, post_tasks) each followed by a handler flush, pending
 * handler notifications from the journal, and the play's result code (Ansible's TQM codes).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import pLimit from 'p-limit';
import { ExitCode, TsplayError } from '../types.ts';
import type { Node, Play, TaskNode } from '../playbook/model.ts';
import type { PlayRun, RunCtx, HostState } from './context.ts';
import { isActive } from './context.ts';
import { Notifications } from './handlers.ts';
import { serialBatches } from './serial.ts';
import { flushHandlers, walk, runTask } from './walk.ts';
import type { Section } from './journal.ts';
import { resolveVarsPrompt, type VarsPromptIO } from '../playbook/varsprompt.ts';

/**
 * Run result codes: Ansible's TaskQueueManager codes, except that unreachable hosts give the
 * DOCUMENTED exit code 3 (ExitCode.HOST_UNREACHABLE); ansible-core 2.14 actually returns 4.
 */
export const RUN_OK = 0;
export const RUN_FAILED_HOSTS = 2;
export const RUN_UNREACHABLE_HOSTS = ExitCode.HOST_UNREACHABLE;

/** Result of one play. */
export interface PlayResult {
  code: number;
  /** Stop the playbook (every host of a batch failed, any_errors_fatal, max_fail_percentage). */
  breakPlaybook: boolean;
}

function orderHosts(hosts: string[], order: Play['order']): string[] {
  switch (order) {
    case 'reverse_inventory':
      return hosts.slice().reverse();
    case 'sorted':
      return hosts.slice().sort();
    case 'reverse_sorted':
      return hosts.slice().sort().reverse();
    case 'shuffle': {
      const a = hosts.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
      }
      return a;
    }
    default:
      return hosts;
  }
}

/** Load vars_files for every host (files without templates are loaded once and shared). */
function loadVarsFiles(run: RunCtx, play: Play, hosts: string[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!play.varsFiles.length) return out;
  const cache = new Map<string, Record<string, unknown>>();
  const load = (p: string): Record<string, unknown> => {
    let v = cache.get(p);
    if (!v) cache.set(p, (v = run.svc.loadVarsFile(p)));
    return v;
  };
  const abs = (p: string) => (isAbsolute(p) ? p : join(play.baseDir, p));
  for (const h of hosts) {
    const merged: Record<string, unknown> = {};
    const vars = run.store.taskVars(h);
    for (const entry of play.varsFiles) {
      const cands = (Array.isArray(entry) ? entry : [entry]).map((e) => abs(String(run.svc.templateValue(e, vars, { pos: play.pos }))));
      const found = cands.find((c) => existsSync(c));
      if (!found) {
        throw new TsplayError(`vars file ${cands.join(' or ')} was not found (vars_files of play '${play.name}')`, play.pos);
      }
      Object.assign(merged, load(found));
    }
    out.set(h, merged);
  }
  return out;
}

function factsTask(play: Play): TaskNode {
  return {
    ...play,
    kind: 'task',
    uid: `${play.uid}#facts`,
    name: 'Gathering Facts',
    action: 'gather_facts',
    args: {},
    when: [],
    tags: ['always'],
    vars: {},
    notify: [],
    role: undefined,
  } as TaskNode;
}

/** Fire journaled (pending from an earlier failed run) notifications for this section. */
function injectJournal(pr: PlayRun, section: Section, hosts: string[]): void {
  const j = pr.run.cfg.journal;
  if (!j) return;
  for (const h of hosts) {
    for (const p of j.pending(h)) {
      if (p.playIndex !== pr.playIndex || p.play !== pr.play.name || p.section !== section) continue;
      const handler = pr.notes.handlers.find((x) => (x.name ?? x.uid) === p.handler);
      if (handler) pr.notes.add(handler, h);
    }
  }
}

/** Warnings already shown in a run (Ansible shows each warning text once). */
const warned = new WeakMap<RunCtx, Set<string>>();

const NOT_INTERACTIVE: VarsPromptIO = {
  interactive: () => false,
  ask: async () => '',
  note: () => undefined,
};

/** The play's vars_prompt answers (asked before the play starts, as ansible-playbook). */
async function varsPrompt(run: RunCtx, play: Play): Promise<Record<string, unknown> | undefined> {
  if (!play.varsPrompt?.length) return undefined;
  const extraVars = run.store.run.extraVars;
  const vars = { ...play.vars, playbook_dir: run.store.run.playbookDir, ...extraVars };
  return resolveVarsPrompt(play.varsPrompt, run.cfg.varsPromptIO ?? NOT_INTERACTIVE, {
    extraVars,
    template: (v, pos) => run.svc.templateValue(v, vars, { pos }),
    warn: (msg) => {
      let seen = warned.get(run);
      if (!seen) warned.set(run, (seen = new Set()));
      if (seen.has(msg)) return;
      seen.add(msg);
      run.emit({ type: 'warning', msg });
    },
  });
}

/** Run one play. */
export async function runPlay(run: RunCtx, play: Play, playIndex: number, allowed: (h: string) => boolean): Promise<PlayResult> {
  const prompted = await varsPrompt(run, play);
  const selected = run.inv.select(play.hosts);
  const hosts = orderHosts(selected.filter((h) => !run.failedHosts.has(h) && !run.unreachableHosts.has(h) && allowed(h)), play.order);
  if (hosts.length === 0) {
    run.emit({ type: 'play_start', name: play.name, hosts, uid: play.uid });
    run.emit({ type: 'no_hosts', play: play.name });
    // Earlier failures still decide the exit code (ansible-playbook: 2 when a later play finds
    // only failed hosts; before, this returned 0 while the recap showed failed=1).
    return { code: runCode(run, false), breakPlaybook: false };
  }
  run.store.startPlay({ vars: play.vars, varsPrompt: prompted, roles: play.roleInfos, playHostsAll: hosts, playHosts: hosts, batch: hosts, playName: play.name });
  const varsFiles = loadVarsFiles(run, play, hosts);
  // A copy: include_role `public: true` adds roles to it while the play runs.
  run.store.startPlay({ vars: play.vars, varsPrompt: prompted, varsFiles, roles: [...play.roleInfos], playHostsAll: hosts, playHosts: hosts.slice(), batch: hosts, playName: play.name });
  const scope = run.store.playScope!;
  const limiter = pLimit(Math.max(1, run.cfg.forks));
  const pr: PlayRun = {
    run,
    play,
    playIndex,
    hosts,
    batch: [],
    state: new Map<string, HostState>(),
    notes: new Notifications(play.handlers),
    limit: (fn) => limiter(fn),
    section: 'pre_tasks',
    stopBatch: false,
    stopPlay: false,
    breakPlay: false,
  };
  let anyFailed = false;
  let breakPlaybook = false;
  const sections: [Section, Node[]][] = [
    ['pre_tasks', play.preTasks],
    ['tasks', [...play.roles, ...play.tasks]],
    ['post_tasks', play.postTasks],
  ];
  for (const batch of serialBatches(hosts, play.serial, play.pos)) {
    if (run.interrupted) break;
    // Ansible announces the play once per serial batch.
    run.emit({ type: 'play_start', name: play.name, hosts: batch, uid: play.uid });
    pr.batch = batch;
    pr.stopBatch = false;
    for (const h of batch) pr.state.set(h, { failed: false, unreachable: false, ended: false });
    scope.batch = batch;
    if (play.gatherFacts) {
      pr.section = 'pre_tasks';
      await runTask(pr, factsTask(play), batch, { rescuable: false });
    }
    for (const [name, nodes] of sections) {
      if (pr.stopBatch || run.interrupted) break;
      pr.section = name;
      injectJournal(pr, name, batch);
      if (play.strategy === 'free') {
        await Promise.all(batch.map(async (h) => {
          await walk(pr, nodes, [h], { rescuable: false });
          if (!pr.stopBatch && !run.interrupted) await flushHandlers(pr, [h]);
        }));
      } else {
        await walk(pr, nodes, batch, { rescuable: false });
        if (!pr.stopBatch && !run.interrupted) await flushHandlers(pr, batch);
      }
    }
    // --force-handlers: notified handlers run even on hosts that failed / ended the play.
    if ((run.cfg.forceHandlers || play.forceHandlers) && !run.interrupted && !pr.breakPlay) await flushHandlers(pr, batch);
    const failedInBatch = batch.filter((h) => {
      const s = pr.state.get(h)!;
      return s.failed || s.unreachable;
    });
    if (batch.some((h) => pr.state.get(h)!.failed)) anyFailed = true;
    if (pr.breakPlay) {
      breakPlaybook = true;
      anyFailed = true;
      break;
    }
    if (failedInBatch.length === batch.length) {
      breakPlaybook = true;
      break;
    }
    if (pr.stopPlay) break;
    scope.playHosts = hosts.filter((h) => !pr.state.has(h) || isActive(pr, h));
  }
  // ansible-core 2.14 returns 2 after a run in which any host failed, even when a later play
  // succeeded on the remaining hosts (verified with ansible-playbook). Unreachable hosts win
  // over failed ones (its StrategyBase.run checks unreachable first); we return the documented
  // 3 for them where ansible-core returns 4.
  return { code: runCode(run, anyFailed), breakPlaybook };
}

/** The run's code so far: unreachable hosts win over failed ones (as ansible-core's StrategyBase.run). */
function runCode(run: RunCtx, anyFailed: boolean): number {
  return run.unreachableHosts.size > 0 ? RUN_UNREACHABLE_HOSTS : anyFailed || run.failedHosts.size > 0 ? RUN_FAILED_HOSTS : RUN_OK;
}
