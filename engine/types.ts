/**
 * Core contracts shared by every part of tsplay: results, errors, connections,
 * modules and the event union the reporter consumes. Keep this file small and stable:
 * every other part of the engine codes against it.
 */

/** A value or an expected failure (wireit/zx style): no exceptions for expected errors. */
export type Result<T, E = TsplayError> = { ok: true; value: T } | { ok: false; error: E };

/** Build a successful Result. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
/** Build a failed Result. */
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** A position in a source file (1-based line and column). */
export interface SourcePos {
  file: string;
  line?: number;
  col?: number;
}

/**
 * ansible-playbook's documented exit codes.
 * 0 ok, 1 error, 2 host failed, 3 host unreachable, 4 parser error, 5 bad options,
 * 99 user interrupted, 250 unexpected error.
 */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  HOST_FAILED: 2,
  HOST_UNREACHABLE: 3,
  PARSER_ERROR: 4,
  BAD_OPTIONS: 5,
  INTERRUPTED: 99,
  UNEXPECTED: 250,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on: printed as ONE line (`file:line:col: message`),
 * never with a stack trace unless -vvv. `exitCode` is the process exit code it implies.
 */
export class TsplayError extends Error {
  constructor(
    message: string,
    public readonly pos?: SourcePos,
    public readonly exitCode: ExitCode = ExitCode.ERROR,
  ) {
    super(message);
    this.name = 'TsplayError';
  }
  /** `file:line:col: message` (position parts omitted when unknown). */
  oneLine(): string {
    const p = this.pos;
    if (!p) return this.message;
    const where = [p.file, p.line, p.col].filter((x) => x !== undefined && x !== '').join(':');
    return `${where}: ${this.message}`;
  }
}

/** Bad playbook / inventory / vars / template input (exit 4). */
export class ParseError extends TsplayError {
  constructor(message: string, pos?: SourcePos) {
    super(message, pos, ExitCode.PARSER_ERROR);
    this.name = 'ParseError';
  }
}

/** Bad command-line options (exit 5). */
export class OptionsError extends TsplayError {
  constructor(message: string) {
    super(message, undefined, ExitCode.BAD_OPTIONS);
    this.name = 'OptionsError';
  }
}

/** A variable used in a template or condition is not defined. */
export class UndefinedVariableError extends TsplayError {
  constructor(public readonly variable: string, pos?: SourcePos) {
    super(`'${variable}' is undefined`, pos, ExitCode.ERROR);
    this.name = 'UndefinedVariableError';
  }
}

/** The host could not be reached (connect, auth, host key, or the connection dropped). */
export class UnreachableError extends TsplayError {
  constructor(message: string, public readonly host: string) {
    super(message, undefined, ExitCode.HOST_UNREACHABLE);
    this.name = 'UnreachableError';
  }
}

/* ------------------------------------------------------------------ connections */

/** Privilege escalation for one command (Ansible's become*). */
export interface BecomeSpec {
  method: 'sudo' | 'su';
  user: string; // default 'root'
  password?: string; // never printed
  flags?: string;
}

export interface ExecOptions {
  /** Data written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Exported before the command runs (Ansible's `environment`). */
  env?: Record<string, string>;
  /** Run in this directory (`cd DIR && ...`). */
  cwd?: string;
  become?: BecomeSpec;
  /** Kill the command and fail after this many ms. */
  timeoutMs?: number;
  /**
   * Stop the command when this signal aborts: a queued command never starts, a running one is
   * killed on the host (its whole process tree), and the call rejects with CommandAbortedError.
   */
  signal?: AbortSignal;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface PutFileOptions {
  /** Octal string such as '0644' (applied before the rename). */
  mode?: string;
  owner?: string;
  group?: string;
  become?: BecomeSpec;
  /** Stop the write when this signal aborts (as ExecOptions.signal; the destination stays as it was). */
  signal?: AbortSignal;
}

/**
 * One persistent connection to one host (ssh2 or local). Every task on the host reuses it.
 * Methods reject with UnreachableError when the host cannot be reached.
 */
export interface Connection {
  /** inventory_hostname this connection serves. */
  readonly host: string;
  /** Run a /bin/sh command line. Never rejects for a non-zero rc. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Write a file atomically: temp file in the same directory, chmod/chown, then rename. */
  putFile(remotePath: string, content: Buffer, opts?: PutFileOptions): Promise<void>;
  /** Read a whole remote file. Rejects with TsplayError if it is missing or unreadable. */
  getFile(remotePath: string, become?: BecomeSpec): Promise<Buffer>;
  close(): Promise<void>;
}

/* ------------------------------------------------------------------ modules */

/** Ansible argument_spec types. */
export type ArgType = 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict' | 'path' | 'raw' | 'json';

/** One argument of a module (mirrors Ansible's argument_spec; also drives `tsplay doc`). */
export interface ArgSpec {
  type?: ArgType; // default 'str'
  required?: boolean;
  default?: unknown;
  choices?: readonly unknown[];
  aliases?: readonly string[];
  elements?: ArgType; // for lists
  /** Value is secret: redacted in every output. */
  no_log?: boolean;
  description: string;
}

export type ArgSchema = Record<string, ArgSpec>;

/** Documentation of a module, shown by `tsplay doc NAME`. */
export interface ModuleDoc {
  short: string;
  description?: string;
  examples?: string;
  returns?: Record<string, string>;
  /** How check mode behaves: 'full' (plan reported), 'none' (skipped in check mode). */
  check?: 'full' | 'none';
  diff?: boolean;
}

/** A before/after pair shown with --diff. */
export interface FileDiff {
  before: string;
  after: string;
  beforeHeader?: string;
  afterHeader?: string;
}

/** What a module's read-only plan found: the steps needed to reach the desired state. */
export interface Plan<S = unknown> {
  /** True when there are steps to take ("changed" means "there were steps"). */
  changed: boolean;
  /** Human-readable steps (shown with -v and in check mode). */
  steps?: string[];
  diff?: FileDiff[];
  /** Result values available even in check mode (stat, slurp, ...). */
  result?: Record<string, unknown>;
  /** Module-private data carried from plan to apply. */
  state?: S;
  /** Set when the plan itself found the task must fail (e.g. unknown unit). */
  failed?: boolean;
  msg?: string;
  /** Check mode cannot predict this module (command/shell): report skipped in check mode. */
  skipInCheck?: boolean;
}

/** The registered result of a task on a host (Ansible's result dict). */
export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  diff?: FileDiff[];
  [key: string]: unknown;
}

/** What a module sees while planning/applying on one host. */
export interface ModuleContext {
  /** inventory_hostname */
  host: string;
  conn: Connection;
  /** All variables of the host for this task (facts included as ansible_facts and ansible_*). */
  vars: Record<string, unknown>;
  check: boolean;
  diff: boolean;
  become?: BecomeSpec;
  /** Environment for commands (task/play `environment`). */
  env?: Record<string, string>;
  /** Resolve a controller-side file the way Ansible does (role files/ or templates/, playbook dir). */
  findFile(kind: 'files' | 'templates' | 'vars' | 'tasks', name: string): string;
  /** Render a template file's text (handlebars) with the task's variables. */
  renderTemplate(text: string, sourceName: string): string;
  /** Evaluate a Jinja-style expression/string against the task's variables. */
  template(value: unknown): unknown;
  /** Verbose log line (-v levels). */
  log(level: number, msg: string): void;
}

/**
 * The one module interface, for built-in and user modules alike.
 * `plan` is read-only (only reads facts from the host); `apply` performs the plan's steps.
 * Check mode = plan, report, stop; so no module can forget it.
 */
export interface ModuleDef<A = Record<string, any>, S = unknown> {
  name: string;
  aliases?: readonly string[];
  doc: ModuleDoc;
  args: ArgSchema;
  /** Accepts a free-form string (`shell: echo hi`), passed as `_raw_params`. */
  freeForm?: boolean;
  /** Argument combinations the schema cannot express; return an error message or undefined. */
  validate?(args: A): string | undefined;
  /** Runs entirely on the controller (debug, assert, set_fact, ...): no connection needed. */
  controllerOnly?: boolean;
  plan(args: A, ctx: ModuleContext): Promise<Plan<S>>;
  /** Perform the plan's steps. Absent for read-only modules. Returns the result (changed etc). */
  apply?(args: A, plan: Plan<S>, ctx: ModuleContext): Promise<ModuleResult>;
}

/* ------------------------------------------------------------------ events */

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskInfo {
  /** Unique id within the run. */
  uid: string;
  name: string;
  action: string;
  pos?: SourcePos;
  isHandler?: boolean;
  /** Secrets in this task's args/results must never be shown. */
  noLog?: boolean;
  /** Role the task comes from: the banner reads `TASK [role : name]` (omit if `name` already has it). */
  role?: string;
  /** Task-level `diff:` keyword; when set it overrides --diff for showing this task's diffs. */
  diff?: boolean;
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failures: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** The typed event union: the engine emits these, ONE reporter prints them. */
export type RunEvent =
  | { type: 'playbook_start'; file: string }
  | { type: 'play_start'; name: string; hosts: string[]; uid: string }
  | { type: 'task_start'; task: TaskInfo; hosts: string[] }
  | {
      type: 'host_result';
      task: TaskInfo;
      host: string;
      /** delegated target, if any */
      delegatedTo?: string;
      status: HostStatus;
      /** failure was ignored (ignore_errors / ignore_unreachable) */
      ignored?: boolean;
      /** failure was caught by a block's rescue: counts as `rescued`, not `failures` */
      rescued?: boolean;
      /**
       * loop item label, for per-item results. A looped task emits one event per item (item set)
       * and then ONE final event for the host without `item` (result.results = the item results);
       * the recap counts only the final one (derived from the items if it never comes).
       */
      item?: unknown;
      result: ModuleResult;
      durationMs: number;
    }
  | { type: 'task_end'; task: TaskInfo; durationMs: number }
  | {
      type: 'include';
      file: string;
      host: string;
      /** the include_tasks/include_role task, so its `TASK [...]` banner is shown (optional) */
      task?: TaskInfo;
    }
  | { type: 'warning'; msg: string }
  | { type: 'deprecation'; msg: string }
  | { type: 'verbose'; level: number; msg: string; host?: string }
  | { type: 'no_hosts'; play: string }
  | { type: 'recap'; stats: Record<string, HostStats>; durationMs: number; slowest: { task: TaskInfo; durationMs: number }[] }
  | { type: 'error'; error: TsplayError };

/** Receives events. The reporter is the only code that prints. */
export type EventSink = (event: RunEvent) => void;
