/**
 * The normalized playbook model: what the loader (engine/playbook/load*.ts) produces from
 * YAML and what the executor (engine/executor/*) runs. Static imports (import_playbook,
 * import_tasks, import_role, play `roles:`) are already expanded here; dynamic includes
 * (include_tasks, include_role, include_vars) stay as nodes the executor expands per host
 * at run time through the loader's API.
 *
 * Expressions (`when`, `failed_when`, templated args, ...) are kept as raw strings/values:
 * they are evaluated by engine/expr at run time, per host.
 */
import type { SourcePos } from '../types.ts';

/** Where a role's files live and the variables it brings. */
export interface RoleInfo {
  name: string;
  /** Absolute path of the role directory (role_path). */
  path: string;
  /** defaults/main.yml (lowest precedence). */
  defaults: Record<string, unknown>;
  /** vars/main.yml (high precedence). */
  vars: Record<string, unknown>;
  /** vars given where the role was referenced (`roles: - {role: x, vars: ...}` or import_role vars). */
  params: Record<string, unknown>;
  /** library/ directory of the role, if it has one (custom modules). */
  libraryDir?: string;
  /** The role this one was pulled in by, through meta dependencies. */
  parent?: RoleInfo;
}

/** Keywords that can sit on a play, block, role reference, include or task and are inherited. */
export interface Inheritable {
  /** Each entry is one condition (all must hold). Parents' conditions come first. */
  when: unknown[];
  /** Own tags plus every enclosing block/include/role/play tag. */
  tags: string[];
  /**
   * vars of enclosing blocks, imports, includes and the task itself (child wins).
   * Play vars are NOT merged in (they are `Play.vars`, a lower precedence level), nor role
   * params/vars (those are in `role`).
   */
  vars: Record<string, unknown>;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: 'sudo' | 'su';
  becomeFlags?: string;
  /** Parents' entries first; later entries win. A string entry is an expression (`'{{ proxy_env }}'`) giving a mapping. */
  environment?: (Record<string, unknown> | string)[];
  ignoreErrors?: unknown;
  ignoreUnreachable?: unknown;
  noLog?: unknown;
  checkMode?: unknown;
  diff?: unknown;
  delegateTo?: string;
  runOnce?: unknown;
  anyErrorsFatal?: boolean;
  throttle?: number;
  /** `connection:` keyword ('ssh' or 'local'; smart/paramiko are read as 'ssh'). */
  connection?: string;
  /** `remote_user:` keyword. */
  remoteUser?: string;
  /** `port:` keyword. */
  port?: number;
  /** `timeout:` keyword: seconds a task may run. */
  timeout?: number;
  /** `delegate_facts:` (raw; bool or expression). */
  delegateFacts?: unknown;
  /** The role this node belongs to (for role_path, files/, templates/, role vars). */
  role?: RoleInfo;
  /** Directory relative paths in this node resolve against (the including file's dir). */
  baseDir: string;
  pos: SourcePos;
}

export interface LoopControl {
  loopVar: string; // default 'item'
  indexVar?: string;
  label?: string;
  pause?: number;
  extended?: boolean;
}

/** A single module invocation. */
export interface TaskNode extends Inheritable {
  kind: 'task';
  /** Unique id within the run (stable for the same file/line). */
  uid: string;
  name?: string;
  /** Canonical module name, `ansible.builtin.` stripped (e.g. 'shell'). */
  action: string;
  /** Module arguments; a free-form string is stored under `_raw_params`. */
  args: Record<string, unknown>;
  /** `loop:` / `with_items:` / `with_dict:` ... normalized: the raw expression and its kind. */
  loop?: { kind: 'loop' | 'items' | 'dict' | 'list' | 'indexed_items' | 'fileglob' | 'sequence' | 'nested' | 'together' | 'subelements'; value: unknown };
  loopControl?: LoopControl;
  register?: string;
  notify: string[];
  failedWhen?: unknown[];
  changedWhen?: unknown[];
  until?: unknown;
  retries?: number | string;
  delay?: number | string;
  /** Only on handlers: topics this handler listens to. */
  listen?: string[];
  isHandler?: boolean;
}

export interface BlockNode extends Inheritable {
  kind: 'block';
  uid: string;
  name?: string;
  block: Node[];
  rescue: Node[];
  always: Node[];
  /**
   * Set on the block of a role run by import_role / include_role: the role instance (path,
   * params, *_from) and whether it may run again on a host that already ran it
   * (`allow_duplicates:` of the import/include, default true, as Ansible).
   */
  roleRun?: { key: string; allowDuplicates: boolean };
}

/** include_tasks / include_role / include_vars: expanded per host at run time. */
export interface IncludeNode extends Inheritable {
  kind: 'include';
  uid: string;
  name?: string;
  what: 'include_tasks' | 'include_role';
  /** include_tasks: the file (may be templated). include_role: the role name. */
  target: string;
  /** include_role: tasks_from / vars_from / defaults_from / handlers_from. */
  from?: { tasks?: string; vars?: string; defaults?: string; handlers?: string };
  /** `apply:` keywords for the included tasks. */
  apply?: Record<string, unknown>;
  /** include_role `public:` the role's defaults/vars are visible to the rest of the play after it ran. */
  public?: boolean;
  /** include_role `allow_duplicates:` (default true): false skips hosts that already ran the same role instance. */
  allowDuplicates?: boolean;
  /**
   * Conditions of the enclosing blocks/imports only. The include's own `when` decides whether
   * the include runs; the included tasks do not inherit it (Ansible's dynamic include semantics).
   */
  parentWhen?: unknown[];
  loop?: TaskNode['loop'];
  loopControl?: LoopControl;
}

export type Node = TaskNode | BlockNode | IncludeNode;

/** One `vars_prompt:` entry of a play (values kept raw: prompt/default/flags are templated at play start). */
export interface VarsPromptSpec {
  name: string;
  /** Question shown (default: the name). */
  prompt?: unknown;
  default?: unknown;
  /** No echo (default true). */
  private?: unknown;
  /** Ask twice until both answers match. */
  confirm?: unknown;
  /** Hash the answer: sha512_crypt, sha256_crypt or md5_crypt (crypt(3) formats). */
  encrypt?: unknown;
  salt?: unknown;
  saltSize?: unknown;
  /** Keep the answer unsafe (never templated). */
  unsafe?: unknown;
  pos: SourcePos;
}

export interface Play extends Inheritable {
  uid: string;
  name: string;
  /** Host pattern, e.g. 'k8s-master:&etcd'. */
  hosts: string;
  gatherFacts: boolean;
  /** Files from `vars_files` (entries may be lists: first existing wins). */
  varsFiles: (string | string[])[];
  /** serial: batch sizes (numbers or 'N%'), empty = all hosts at once. */
  serial: (number | string)[];
  strategy: 'linear' | 'free';
  maxFailPercentage?: number;
  forceHandlers?: boolean;
  /** Sections in run order; handlers are flushed after each of pre_tasks, roles+tasks, post_tasks. */
  preTasks: Node[];
  /** `roles:` of the play, already expanded into blocks (one per role, dependencies first). */
  roles: Node[];
  tasks: Node[];
  postTasks: Node[];
  /** Play handlers plus every role's handlers. */
  handlers: TaskNode[];
  /** Roles used by the play (for role defaults/vars precedence). */
  roleInfos: RoleInfo[];
  order?: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  /** `vars_prompt:` entries, asked at the start of the play (values from -e skip the question). */
  varsPrompt?: VarsPromptSpec[];
}

export interface Playbook {
  /** Absolute path of the top playbook file. */
  file: string;
  /** Directory of the playbook (playbook_dir; group_vars/host_vars beside it are loaded). */
  dir: string;
  /** Plays in order, import_playbook already flattened. */
  plays: Play[];
}
