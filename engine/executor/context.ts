/**
 * Run-time state shared by the executor's parts: the run (options, stats, events) and the
 * play being run (its hosts, per-host state, pending handlers, parallelism limit).
 */
import type { EventSink, HostStats, TaskInfo } from '../types.ts';
import type { Play, TaskNode, RoleInfo } from '../playbook/model.ts';
import type { VarStore, InventoryView } from '../vars/store.ts';
import type { Services } from './services.ts';
import type { TagFilter } from './tags.ts';
import type { HandlerJournal, Section } from './journal.ts';
import type { Notifications } from './handlers.ts';
import type { VarsPromptIO } from '../playbook/varsprompt.ts';

/** Inventory view plus the mutations add_host / group_by need. */
export interface MutableInventory extends InventoryView {
  has(host: string): boolean;
  addHost(name: string, groups: string[], vars: Record<string, unknown>): boolean;
  addToGroup(host: string, group: string, parents?: string[]): boolean;
  /** Hosts matching a pattern (with --limit applied), inventory order. */
  select(pattern: string): string[];
}

/** Options of one run (from the command line). */
export interface RunConfig {
  check: boolean;
  diff: boolean;
  forks: number;
  tags: TagFilter;
  startAtTask?: string;
  step: boolean;
  forceHandlers: boolean;
  verbosity: number;
  playbookDir: string;
  /** library/ dirs of the playbook (role library dirs are added per task). */
  libraryDirs: string[];
  journal?: HandlerJournal;
  /** Where vars_prompt asks (the terminal for `tsplay PLAYBOOK`); absent: not interactive (defaults, one warning). */
  varsPromptIO?: VarsPromptIO;
}

/** Per-host state within a play. */
export interface HostState {
  failed: boolean;
  unreachable: boolean;
  /** meta: end_host, or end_play/end_batch for everyone. */
  ended: boolean;
}

/** The whole run. */
export interface RunCtx {
  cfg: RunConfig;
  emit: EventSink;
  store: VarStore;
  inv: MutableInventory;
  svc: Services;
  stats: Record<string, HostStats>;
  /** Hosts that failed in any play (removed from later plays, as Ansible's tqm._failed_hosts). */
  failedHosts: Set<string>;
  unreachableHosts: Set<string>;
  interrupted: boolean;
  startAtDone: boolean;
  /** Step mode answered 'continue'. */
  stepContinue: boolean;
  timings: { task: TaskInfo; durationMs: number }[];
  uidSeq: number;
}

/** One play (one serial batch at a time). */
export interface PlayRun {
  run: RunCtx;
  play: Play;
  playIndex: number;
  /** All hosts of the play. */
  hosts: string[];
  batch: string[];
  state: Map<string, HostState>;
  notes: Notifications;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  section: Section;
  /** meta: end_play / end_batch / any_errors_fatal. */
  stopBatch: boolean;
  stopPlay: boolean;
  /** Ansible's RUN_FAILED_BREAK_PLAY (any_errors_fatal, max_fail_percentage). */
  breakPlay: boolean;
  /** import_role/include_role instances (BlockNode.roleRun key) -> hosts that ran them (allow_duplicates: false). */
  roleRuns?: Map<string, Set<string>>;
  /** The last failure (ansible_failed_task / ansible_failed_result in rescue). */
  lastFailure?: { task: Record<string, unknown>; result: Record<string, unknown> };
}

/** Variables a task sees besides its own node: enclosing scope of the walk. */
export interface WalkScope {
  /** include params (and loop item) of the dynamic include we are in (level 21). */
  includeParams?: Record<string, unknown>;
  /** Set inside a block with a rescue section: failures count as rescued. */
  rescuable: boolean;
  /** Extra vars set last (ansible_failed_task / ansible_failed_result in rescue). */
  extra?: Record<string, unknown>;
  /** Role of an include_role (overrides the node's role for variable layers). */
  role?: RoleInfo;
  /** Files (include_tasks) and `role NAME` entries (include_role) of the dynamic includes we are nested in, outermost first (recursion guard). */
  includeChain?: string[];
}

/** Is the host still running tasks in this play? */
export function isActive(pr: PlayRun, host: string): boolean {
  const s = pr.state.get(host);
  return !!s && !s.failed && !s.unreachable && !s.ended;
}

/** TaskInfo for events. */
export function taskInfo(task: TaskNode, noLog: boolean): TaskInfo {
  const name = task.name ?? task.action;
  const info: TaskInfo & { role?: string } = { uid: task.uid, name, action: task.action, pos: task.pos };
  if (task.role) info.role = task.role.name;
  if (task.isHandler) info.isHandler = true;
  if (noLog) info.noLog = true;
  return info;
}
