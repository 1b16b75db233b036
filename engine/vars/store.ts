/**
 * The per-run variable store: everything a host's variables are built from, and the
 * builder that layers them in Ansible's precedence order (see precedence.ts).
 *
 * Speed: this runs for every task on every host. Levels 1-15 (which change only with facts,
 * the play, or the task's role) are merged once per host per play per role and cached;
 * per task only the few upper layers are assigned on top (one shallow Object.assign chain).
 * No deep copies anywhere: values are shared.
 */
import type { RoleInfo } from '../playbook/model.ts';
import { mergeLayers, type VarLayer } from './precedence.ts';
import { factVars } from './facts.ts';
import { buildHostvars } from './hostvars.ts';
import { OMIT } from '../expr/values.ts';
import { markUnsafe } from '../expr/context.ts';
import { LOCALHOST_NAMES } from '../inventory/types.ts';

/** What the store needs to know about the inventory (adapted from engine/inventory). */
export interface InventoryView {
  /** Every host name, inventory order. */
  hosts(): string[];
  /** Inventory variable layers for a host, lowest first (Ansible levels 3-10). */
  varLayers(host: string): VarLayer[];
  /** `groups` magic variable: group name -> host names. */
  groups(): Record<string, string[]>;
  /** `group_names`: groups of the host, sorted, without `all`/`ungrouped`. */
  groupNames(host: string): string[];
  inventoryDir?: string;
  inventoryFile?: string;
  /** `inventory_file` of one host (the source it was first seen in); falls back to inventoryFile. */
  inventoryFileOf?(host: string): string | undefined;
  /** `inventory_dir` of one host; falls back to inventoryDir. */
  inventoryDirOf?(host: string): string | undefined;
}

/** Play-level inputs (levels 12-15 and the play's magic variables). */
export interface PlayScope {
  vars: Record<string, unknown>;
  varsPrompt?: Record<string, unknown>;
  /** vars_files, per host (paths may be templated per host). */
  varsFiles?: Map<string, Record<string, unknown>>;
  roles: RoleInfo[];
  /** Hosts of the play (ansible_play_hosts_all). */
  playHostsAll: string[];
  /** Hosts of the play still active (ansible_play_hosts). Updated by the executor. */
  playHosts: string[];
  /** Hosts of the current serial batch (ansible_play_batch). */
  batch: string[];
  playName: string;
}

/** Per-task inputs (levels 16-21). */
export interface TaskScope {
  role?: RoleInfo;
  /** Enclosing block vars (level 16), lowest first. */
  blockVars?: Record<string, unknown>[];
  /** The task's own vars (level 17). */
  vars?: Record<string, unknown>;
  /** include_tasks / include_role params (level 21). */
  includeParams?: Record<string, unknown>;
  /** Extra variables set last (item, ansible_loop, ansible_failed_task, ...). */
  extra?: Record<string, unknown>;
}

/** Run-wide inputs. */
export interface RunScope {
  extraVars: Record<string, unknown>;
  /** Level 1 (e.g. ansible_user from -u). Empty unless the caller maps flags. */
  cliVars?: Record<string, unknown>;
  playbookDir: string;
  check: boolean;
  diff: boolean;
  runTags: string[];
  skipTags: string[];
  verbosity: number;
  forks?: number;
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** Builds host variables; owns facts, set_facts/registered vars and include_vars per host. */
export class VarStore {
  /** Bare-name facts per host (`ansible_facts`). */
  readonly facts = new Map<string, Record<string, unknown>>();
  /** set_fact and register results per host (level 19); survives across plays. */
  readonly hostFacts = new Map<string, Record<string, unknown>>();
  /** include_vars results per host (level 18). */
  readonly includeVars = new Map<string, Record<string, unknown>>();
  private play?: PlayScope;
  /** host -> role key -> merged levels 1-15 (plus static magic). */
  private baseCache = new Map<string, Map<string, Record<string, unknown>>>();
  private hv = buildHostvars(
    () => this.hostvarNames(),
    (h) => this.hostPlayVars(h),
    // Ansible's implicit localhost: hostvars['localhost'] always resolves (all-group vars, local connection).
    (h) => LOCALHOST_NAMES.includes(h),
  );

  /** Inventory hosts, plus an implicit localhost once it ran tasks (as Ansible lists it then). */
  private hostvarNames(): string[] {
    const hs = this.inventory.hosts();
    const used = LOCALHOST_NAMES.filter((l) => (this.hostFacts.has(l) || this.facts.has(l)) && !hs.includes(l));
    return used.length ? [...hs, ...used] : hs;
  }
  /** host -> extra vars + static magic variables (the top layers), cached per play. */
  private topCache = new Map<string, Record<string, unknown>>();

  constructor(public readonly run: RunScope, public inventory: InventoryView) {}

  /** Begin a play: drop cached bases (play vars changed). */
  startPlay(play: PlayScope): void {
    this.play = play;
    this.invalidate();
  }

  /** The current play scope. */
  get playScope(): PlayScope | undefined {
    return this.play;
  }

  /** Forget cached merged layers (all hosts, or one). Cheap; called on facts/inventory changes. */
  invalidate(host?: string): void {
    if (host === undefined) {
      this.baseCache.clear();
      this.topCache.clear();
    } else this.baseCache.delete(host);
    this.hv.reset();
  }

  /** Replace/merge gathered facts (bare names) for a host. */
  setFacts(host: string, facts: Record<string, unknown>, merge = true): void {
    const cur = this.facts.get(host);
    const next = merge && cur ? { ...cur, ...facts } : { ...facts };
    // Facts are data, never templated again (Ansible's facts are unsafe).
    for (const v of Object.values(next)) if (v !== null && typeof v === 'object') markUnsafe(v);
    this.facts.set(host, markUnsafe(next));
    this.invalidate(host);
  }

  /** meta: clear_facts. */
  clearFacts(host: string): void {
    this.facts.delete(host);
    this.hostFacts.delete(host);
    this.invalidate(host);
  }

  /** set_fact / register (level 19). `cacheable` also records them as facts (level 11). */
  setHostVars(host: string, vars: Record<string, unknown>, cacheable = false): void {
    let cur = this.hostFacts.get(host);
    if (!cur) this.hostFacts.set(host, (cur = {}));
    Object.assign(cur, vars);
    if (cacheable) this.setFacts(host, vars);
    this.hv.reset();
  }

  /** include_vars (level 18). */
  addIncludeVars(host: string, vars: Record<string, unknown>): void {
    let cur = this.includeVars.get(host);
    if (!cur) this.includeVars.set(host, (cur = {}));
    Object.assign(cur, vars);
    this.hv.reset();
  }

  /** Levels 1-15 for a host and the task's role, merged and cached. */
  private base(host: string, role: RoleInfo | undefined): Record<string, unknown> {
    const key = role?.path ?? '';
    let perHost = this.baseCache.get(host);
    if (!perHost) this.baseCache.set(host, (perHost = new Map()));
    const hit = perHost.get(key);
    if (hit) return hit;
    const play = this.play;
    const roles = play?.roles ?? [];
    const layers: (Record<string, unknown> | undefined)[] = [this.run.cliVars];
    for (const r of roles) layers.push(r.defaults);
    if (role) layers.push(role.defaults);
    for (const l of this.inventory.varLayers(host)) layers.push(l.vars);
    const f = this.facts.get(host);
    if (f) layers.push(factVars(f));
    layers.push(play?.vars, play?.varsPrompt, play?.varsFiles?.get(host));
    for (const r of roles) layers.push(r.vars);
    if (role) layers.push(role.vars);
    const merged = mergeLayers(layers);
    perHost.set(key, merged);
    return merged;
  }

  /** Extra vars plus the static magic variables of a host (levels 22 and up), cached. */
  private top(host: string): Record<string, unknown> {
    let t = this.topCache.get(host);
    if (!t) this.topCache.set(host, (t = mergeLayers([this.run.extraVars, this.magic(host)])));
    return t;
  }

  /** Static magic variables of a host in the current play. */
  private magic(host: string): Record<string, unknown> {
    const play = this.play;
    const r = this.run;
    return {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      group_names: this.inventory.groupNames(host),
      groups: this.inventory.groups(),
      hostvars: this.hostvars(),
      ansible_play_hosts_all: play?.playHostsAll ?? [],
      ansible_play_name: play?.playName ?? '',
      ansible_check_mode: r.check,
      ansible_diff_mode: r.diff,
      ansible_run_tags: r.runTags.length ? r.runTags : ['all'],
      ansible_skip_tags: r.skipTags,
      ansible_verbosity: r.verbosity,
      ansible_forks: r.forks ?? 5,
      playbook_dir: r.playbookDir,
      inventory_dir: (this.inventory.inventoryDirOf ? this.inventory.inventoryDirOf(host) : this.inventory.inventoryDir) ?? null,
      inventory_file: (this.inventory.inventoryFileOf ? this.inventory.inventoryFileOf(host) : this.inventory.inventoryFile) ?? null,
      ansible_version: { full: '2.14.0', major: 2, minor: 14, revision: 0, string: '2.14.0 (tsplay)' },
      omit: OMIT_PLACEHOLDER,
    };
  }

  /**
   * All variables of `host` for one task, in precedence order (levels 1-22, then magic).
   * Returns a fresh flat object the caller may add loop variables to.
   */
  taskVars(host: string, task: TaskScope = {}): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.base(host, task.role) };
    if (task.blockVars) for (const b of task.blockVars) Object.assign(out, b);
    if (task.vars) Object.assign(out, task.vars);
    Object.assign(out, this.includeVars.get(host) ?? EMPTY, this.hostFacts.get(host) ?? EMPTY);
    if (task.role) Object.assign(out, task.role.params);
    if (task.includeParams) Object.assign(out, task.includeParams);
    Object.assign(out, this.top(host));
    // play hosts and batch change during a play: read them live.
    const play = this.play;
    out.ansible_play_hosts = out.play_hosts = play?.playHosts ?? [];
    out.ansible_play_batch = play?.batch ?? [];
    if (task.role) {
      out.role_path = task.role.path;
      out.role_name = task.role.name;
      out.ansible_role_name = task.role.name;
      out.ansible_parent_role_names = parents(task.role);
    }
    if (task.extra) Object.assign(out, task.extra);
    Object.defineProperty(out, 'vars', { value: out, enumerable: false, writable: true, configurable: true });
    return out;
  }

  /** Play-level variables of a host (what `hostvars[host]` shows: no task/role layers). */
  hostPlayVars(host: string): Record<string, unknown> {
    return this.taskVars(host);
  }

  /** The lazily built `hostvars` mapping (templated on access when a templater is set). */
  hostvars(): Record<string, unknown> {
    return this.hv.hostvars;
  }
}

/** Ansible's `omit` placeholder string; args whose value is this are dropped. */
export const OMIT_PLACEHOLDER: unknown = OMIT;

function parents(role: RoleInfo): string[] {
  const out: string[] = [];
  for (let r = role.parent; r; r = r.parent) out.push(r.name);
  return out;
}

export { EMPTY as EMPTY_VARS };
