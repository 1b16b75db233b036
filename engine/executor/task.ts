/**
 * One task on one host: variables, `when` (per item when looping), loops, templated args
 * (omit dropped), become / environment / delegate_to, controller actions or module via the
 * runner, until/retries, changed_when / failed_when, register. Emits host_result events;
 * returns the final outcome for the caller's bookkeeping (stats, handlers, failures).
 */
import type { BecomeSpec, Connection, HostStatus, ModuleContext, ModuleResult } from '../types.ts';
import { TsplayError, UnreachableError } from '../types.ts';
import type { TaskNode } from '../playbook/model.ts';
import { LOCALHOST_NAMES } from '../inventory/types.ts';
import { registerSecret } from '../secrets.ts';
import type { PlayRun, WalkScope } from './context.ts';
import type { TaskInfo } from '../types.ts';
import { expandLoop, itemVars } from './loops.ts';
import { CONTROLLER_ACTIONS, findControllerFile, runAction } from './actions.ts';
import { readdirSync, statSync } from 'node:fs';
import { dirname as pathDirname, basename as pathBasename, join as pathJoin } from 'node:path';
import { globToRegExp } from '../inventory/fnmatch.ts';
import { withConnKeywords } from './connvars.ts';
import { markUnsafe, trackUnsafe } from '../expr/index.ts';
import { storedFacts, templateTracked, wrapUnsafe } from '../vars/unsafe.ts';

/** The final outcome of a task on a host. */
export interface HostOutcome {
  status: HostStatus;
  result: ModuleResult;
  ignored: boolean;
  /** Hosts the task ran against via delegation. */
  delegatedTo?: string;
  /** The run was interrupted (SIGINT) while this task ran: nothing is recorded. */
  interrupted?: boolean;
}

const asBool = (v: unknown): boolean | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const s = String(v).trim().toLowerCase();
  if (['yes', 'y', 'true', 't', 'on', '1'].includes(s)) return true;
  if (['no', 'n', 'false', 'f', 'off', '0', ''].includes(s)) return false;
  return undefined;
};

/** Evaluate a boolean keyword (may be templated) for this host. */
export function keywordBool(pr: PlayRun, v: unknown, vars: Record<string, unknown>, task: TaskNode): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const t = pr.run.svc.templateValue(v, vars, { pos: task.pos });
  const b = asBool(t);
  if (b === undefined && typeof t === 'string') return pr.run.svc.evalCondition(t, vars, { pos: task.pos });
  return b;
}

function statusOf(r: ModuleResult): HostStatus {
  if (r.unreachable) return 'unreachable';
  if (r.failed) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** Drop `omit` values from a templated args dict (top level, as Ansible). */
function dropOmit(pr: PlayRun, args: unknown): Record<string, unknown> {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) if (!pr.run.svc.isOmit(v)) out[k] = v;
  return out;
}

/** Become for a task: ansible_become* variables over task keywords over -b flags. */
export function resolveBecome(task: TaskNode, vars: Record<string, unknown>, cliBecome?: { become?: boolean; user?: string; method?: string; password?: string }): BecomeSpec | undefined {
  const enabled = asBool(vars.ansible_become) ?? task.become ?? cliBecome?.become ?? false;
  if (!enabled) return undefined;
  const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
  // Ansible: connection variables override playbook keywords, which override the CLI.
  const method = (str(vars.ansible_become_method) ?? task.becomeMethod ?? cliBecome?.method ?? 'sudo') as 'sudo' | 'su';
  const password = str(vars.ansible_become_password) ?? str(vars.ansible_become_pass) ?? str(vars.ansible_sudo_pass) ?? cliBecome?.password;
  if (password) registerSecret(password);
  const flags = str(vars.ansible_become_flags) ?? task.becomeFlags;
  return {
    method: method === 'su' ? 'su' : 'sudo',
    user: str(vars.ansible_become_user) ?? task.becomeUser ?? cliBecome?.user ?? 'root',
    ...(password ? { password } : {}),
    ...(flags ? { flags } : {}),
  };
}

/** Extra CLI become settings, set once by the command (so resolveBecome sees -b/-K). */
export const cliBecome: { become?: boolean; user?: string; method?: string; password?: string } = {};

function envFor(pr: PlayRun, task: TaskNode, vars: Record<string, unknown>): Record<string, string> | undefined {
  if (!task.environment || task.environment.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of task.environment) {
    const t = pr.run.svc.templateValue(e, vars, { pos: task.pos });
    if (t && typeof t === 'object' && !Array.isArray(t)) {
      for (const [k, v] of Object.entries(t as Record<string, unknown>)) if (v !== null && v !== undefined && !pr.run.svc.isOmit(v)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return out;
}

function errorResult(e: unknown, task: TaskNode): ModuleResult {
  if (e instanceof UnreachableError) return { changed: false, unreachable: true, msg: e.message };
  if (e instanceof TsplayError) {
    const where = e.pos ?? task.pos;
    const at = where ? ` (task '${task.name ?? task.action}' at ${[where.file, where.line, where.col].filter((x) => x !== undefined).join(':')})` : '';
    const msg = e.name === 'UndefinedVariableError'
      ? `The task includes an option with an undefined variable. The error was: ${e.message}${at}`
      : `${e.message}${at}`;
    return { changed: false, failed: true, msg };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { changed: false, failed: true, msg: `unexpected error: ${msg}`, exception: e instanceof Error ? e.stack : undefined };
}

/** Vars of the delegated host (connection variables come from it). */
function delegateVars(pr: PlayRun, target: string): Record<string, unknown> {
  const { inv, store } = pr.run;
  if (inv.has(target)) return store.hostPlayVars(target);
  if (LOCALHOST_NAMES.includes(target)) return { inventory_hostname: target, ansible_connection: 'local' };
  return { inventory_hostname: target, ansible_host: target };
}

/** Run the module/action once (no loop, no retries). */
async function invoke(pr: PlayRun, task: TaskNode, host: string, vars: Record<string, unknown>): Promise<{ result: ModuleResult; delegatedTo?: string }> {
  const { svc, cfg } = pr.run;
  const opts = { pos: task.pos };
  // set_fact: each value templated on its own, noting those read from unsafe data (kept unsafe).
  const tracked = task.action === 'set_fact' && task.args && typeof task.args === 'object' ? templateTracked(task.args, (v) => svc.templateValue(v, vars, opts)) : undefined;
  const args = dropOmit(pr, tracked ? tracked.args : svc.templateValue(task.args, vars, opts));
  const check = keywordBool(pr, task.checkMode, vars, task) ?? cfg.check;
  const diff = keywordBool(pr, task.diff, vars, task) ?? cfg.diff;
  const findFile = (kind: 'files' | 'templates' | 'vars' | 'tasks', name: string) => findControllerFile(task, cfg.playbookDir, kind, name);
  let delegatedTo: string | undefined;
  if (task.delegateTo !== undefined) delegatedTo = String(svc.templateValue(task.delegateTo, vars, opts));
  const noLog = keywordBool(pr, task.noLog, vars, task) ?? false;

  if (noLog && CONTROLLER_ACTIONS.has(task.action)) registerNoLogArgs(task.action, args, undefined);
  if (CONTROLLER_ACTIONS.has(task.action)) {
    const target = delegatedTo && (task.action === 'setup' || task.action === 'gather_facts') ? delegatedTo : host;
    const become = task.action === 'setup' || task.action === 'gather_facts' ? resolveBecome(task, vars, cliBecome) : undefined;
    const result = await runAction({ pr, task, host: target, args, rawArgs: task.args, vars, check, findFile, become, unsafeKeys: tracked?.unsafe });
    return { result, delegatedTo };
  }
  const libDirs = task.role?.libraryDir ? [task.role.libraryDir, ...cfg.libraryDirs] : cfg.libraryDirs;
  const def = await svc.getModule(task.action, libDirs);
  if (!def) {
    const hint = svc.suggestModule?.(task.action);
    return { result: { changed: false, failed: true, msg: `couldn't resolve module/action '${task.action}'${hint ? `; did you mean '${hint}'?` : ''}` }, delegatedTo };
  }
  if (noLog) registerNoLogArgs(task.action, args, def.args);
  const connHost = delegatedTo ?? host;
  const connVars = withConnKeywords(pr, task, delegatedTo ? delegateVars(pr, delegatedTo) : vars);
  const become = resolveBecome(task, connVars === vars ? vars : { ...connVars, ...pick(vars, /^ansible_become/) }, cliBecome);
  // Connect lazily, as Ansible does: a module that fails on the controller first (a template
  // that does not render, bad arguments) never touches the host. An unreachable host is still
  // reported as unreachable, whatever the module made of the connection error.
  let connectError: unknown;
  const conn = def.controllerOnly
    ? undefined
    : lazyConnection(connHost, () =>
        svc.connect(connHost, connVars).catch((e: unknown) => {
          connectError = e;
          throw e;
        }),
      );
  const ctx: ModuleContext = {
    host,
    conn: conn ?? (undefined as unknown as Connection),
    vars,
    check,
    diff,
    become,
    env: envFor(pr, task, vars),
    findFile,
    renderTemplate: (text, name) => svc.renderTemplate(text, vars, name),
    template: (v) => svc.templateValue(v, vars, opts),
    log: (level, msg) => pr.run.emit(msg.startsWith('<') ? { type: 'verbose', level, msg } : { type: 'verbose', level, msg, host }),
  };
  let result: ModuleResult;
  try {
    result = await svc.runModule(def, args, ctx);
  } catch (e) {
    throw connectError ?? e;
  }
  if (connectError) throw connectError;
  return { result, delegatedTo };
}

/** A Connection that opens the real one (once) on first use. */
function lazyConnection(host: string, open: () => Promise<Connection>): Connection {
  let p: Promise<Connection> | undefined;
  const get = () => (p ??= open());
  return {
    host,
    exec: async (command, o) => (await get()).exec(command, o),
    putFile: async (path, content, o) => (await get()).putFile(path, content, o),
    getFile: async (path, become) => (await get()).getFile(path, become),
    close: async () => {
      if (p) await (await p).close();
    },
  };
}

function pick(o: Record<string, unknown>, re: RegExp): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (re.test(k)) out[k] = o[k];
  return out;
}

/** One attempt-loop: invoke, changed_when/failed_when, until/retries/delay. */
async function executeOnce(pr: PlayRun, task: TaskNode, host: string, vars: Record<string, unknown>, info: TaskInfo): Promise<{ result: ModuleResult; delegatedTo?: string }> {
  const { svc } = pr.run;
  const opts = { pos: task.pos };
  const hasUntil = task.until !== undefined;
  let retries = 1;
  let delay = 0;
  if (hasUntil) {
    const r = task.retries === undefined ? 3 : Number(svc.templateValue(task.retries, vars, opts));
    retries = Number.isFinite(r) && r > 0 ? r + 1 : 1;
    const d = task.delay === undefined ? 5 : Number(svc.templateValue(task.delay, vars, opts));
    delay = Number.isFinite(d) && d >= 0 ? d : 1;
  }
  let out: { result: ModuleResult; delegatedTo?: string } = { result: { changed: false } };
  for (let attempt = 1; attempt <= retries; attempt++) {
    out = await invoke(pr, task, host, vars);
    const r = out.result;
    if (r.unreachable) return out;
    // Ansible never templates registered data again (its results are unsafe).
    const scoped = task.register ? { ...vars, [task.register]: markUnsafe(r) } : vars;
    if (task.changedWhen && !r.skipped) {
      try {
        r.changed = svc.evalCondition(task.changedWhen, scoped, opts);
      } catch (e) {
        return { result: { ...errorResult(e, task), changed: false }, delegatedTo: out.delegatedTo };
      }
    }
    if (task.failedWhen && !r.skipped) {
      try {
        const f = svc.evalCondition(task.failedWhen, { ...scoped, ...(task.register ? { [task.register]: r } : {}) }, opts);
        r.failed_when_result = f;
        r.failed = f;
      } catch (e) {
        return { result: { ...errorResult(e, task), changed: false }, delegatedTo: out.delegatedTo };
      }
    }
    if (!hasUntil) return out;
    r.attempts = attempt;
    let done: boolean;
    try {
      done = svc.evalCondition(task.until, task.register ? { ...vars, [task.register]: r } : { ...vars, ...r }, opts);
    } catch (e) {
      return { result: { ...errorResult(e, task), attempts: attempt }, delegatedTo: out.delegatedTo };
    }
    if (done) {
      return out;
    }
    if (attempt < retries) {
      pr.run.emit({ type: 'verbose', level: 0, msg: `FAILED - RETRYING: [${host}]: ${info.name} (${retries - attempt} retries left).` });
      if (delay > 0) await new Promise((res) => setTimeout(res, delay * 1000));
      if (pr.run.interrupted) break;
    } else {
      // ansible-core 2.14 reports attempts = retries when it ran out (one less than it made).
      r.attempts = retries - 1;
      r.failed = true;
    }
  }
  return out;
}

/** Run `task` on `host` (with its loop). Emits host_result events; returns the outcome. */
export async function runTaskOnHost(pr: PlayRun, task: TaskNode, host: string, scope: WalkScope, info: TaskInfo): Promise<HostOutcome> {
  const { svc, store, emit } = pr.run;
  const t0 = Date.now();
  const opts = { pos: task.pos };
  const role = scope.role ?? task.role;
  const vars = store.taskVars(host, { role, vars: task.vars, includeParams: scope.includeParams, extra: scope.extra });
  let ignoreErrors = false;
  let ignoreUnreachable = false;
  /** Ansible's '...ignoring': a failure under ignore_errors, an unreachable host under ignore_unreachable. */
  const isIgnored = (st: HostStatus): boolean => (st === 'failed' && ignoreErrors) || (st === 'unreachable' && ignoreUnreachable);
  const send = (status: HostStatus, result: ModuleResult, item?: unknown, delegatedTo?: string, ignored?: boolean): void => {
    emit({ type: 'host_result', task: info, host, status, result, durationMs: Date.now() - t0, ...(item !== undefined ? { item } : {}), ...(delegatedTo && delegatedTo !== host ? { delegatedTo } : {}), ...(ignored ? { ignored } : {}), ...(scope.rescuable && status === 'failed' && !ignored ? { rescued: true } : {}) });
  };
  let final: ModuleResult;
  let delegatedTo: string | undefined;
  try {
    ignoreErrors = keywordBool(pr, task.ignoreErrors, vars, task) ?? false;
    ignoreUnreachable = keywordBool(pr, task.ignoreUnreachable, vars, task) ?? false;
    if (task.loop) {
      let items: unknown[];
      let loopUnsafe = false;
      try {
        // Items from unsafe data (a registered stdout_lines) stay unsafe: `{{ item }}` is not templated again.
        const t = trackUnsafe(() => svc.templateValue(task.loop!.value, vars, opts));
        loopUnsafe = t.unsafe;
        items = expandLoop(task.loop.kind, t.value);
        if (task.loop.kind === 'fileglob') items = items.flatMap((p) => fileglob(String(p), (n) => findControllerFile(task, pr.run.cfg.playbookDir, 'files', n)));
      } catch (e) {
        if (e instanceof TsplayError) throw e;
        throw new TsplayError((e as Error).message, task.pos);
      }
      const results: ModuleResult[] = [];
      const lc = task.loopControl;
      for (let i = 0; i < items.length; i++) {
        if (pr.run.interrupted) break;
        const iv = itemVars(items, i, lc);
        if (loopUnsafe) iv[lc?.loopVar || 'item'] = wrapUnsafe(items[i]);
        const ivars = Object.assign(Object.create(null) as Record<string, unknown>, vars, iv);
        Object.setPrototypeOf(ivars, Object.prototype);
        const label = lc?.label !== undefined ? svc.templateValue(lc.label, ivars, opts) : items[i];
        let r: ModuleResult;
        let st: HostStatus;
        try {
          if (!svc.evalCondition(task.when, ivars, opts)) r = { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: lastFalse(pr, task, ivars) };
          else {
            const o = await executeOnce(pr, task, host, ivars, info);
            r = o.result;
            delegatedTo = o.delegatedTo;
          }
        } catch (e) {
          r = errorResult(e, task);
        }
        r[lc?.loopVar || 'item'] = items[i];
        r.ansible_loop_var = lc?.loopVar || 'item';
        if (lc?.indexVar) {
          r[lc.indexVar] = i;
          r.ansible_index_var = lc.indexVar;
        }
        if (lc?.label !== undefined) r._ansible_item_label = label;
        st = statusOf(r);
        results.push(r);
        // As Ansible: facts set by one item are visible to the next (set_fact accumulating a list).
        if ((task.action === 'set_fact' || task.action === 'include_vars') && !r.failed && r.ansible_facts && typeof r.ansible_facts === 'object') Object.assign(vars, storedFacts(r));
        send(st, r, label, delegatedTo, isIgnored(st));
        if (r.unreachable) break;
        if (lc?.pause && i < items.length - 1) await new Promise((res) => setTimeout(res, Number(lc.pause) * 1000));
      }
      const anyFailed = results.some((r) => r.failed);
      final = {
        changed: results.some((r) => r.changed),
        results,
        msg: anyFailed ? 'One or more items failed' : results.length && results.every((r) => r.skipped) ? 'All items skipped' : 'All items completed',
        skipped_reason: undefined,
      };
      delete final.skipped_reason;
      if (anyFailed) final.failed = true;
      if (results.some((r) => r.unreachable)) final.unreachable = true;
      if (results.length === 0 || results.every((r) => r.skipped)) {
        final.skipped = true;
        if (results.length === 0) final.skipped_reason = 'No items in the list';
      }
    } else {
      if (!svc.evalCondition(task.when, vars, opts)) {
        final = { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: lastFalse(pr, task, vars) };
      } else {
        const o = await executeOnce(pr, task, host, vars, info);
        final = o.result;
        delegatedTo = o.delegatedTo;
      }
    }
  } catch (e) {
    final = errorResult(e, task);
  }
  if (pr.run.interrupted) {
    // SIGINT: the command was killed with the connection; report nothing for it.
    return { status: 'failed', result: { changed: false, failed: true, msg: 'interrupted by the user' }, ignored: false, interrupted: true };
  }
  const status = statusOf(final);
  const ignored = isIgnored(status);
  if (task.register) {
    const reg = { ...final };
    if (task.loop === undefined && reg.skipped === undefined) reg.skipped = false;
    if (reg.failed === undefined) reg.failed = false;
    if (keywordBool(pr, task.noLog, vars, task)) registerRegistered(reg);
    store.setHostVars(host, { [task.register]: markUnsafe(reg) });
  }
  if (!task.loop || !Array.isArray(final.results) || final.skipped_reason === 'No items in the list') send(status, final, undefined, delegatedTo, ignored);
  else emit({ type: 'host_result', task: info, host, status, result: final, durationMs: Date.now() - t0, ...(ignored ? { ignored } : {}), ...(scope.rescuable && status === 'failed' && !ignored ? { rescued: true } : {}) });
  return { status, result: final, ignored, delegatedTo };
}

/** Argument / result keys whose values are treated as secrets under no_log. */
const SECRET_KEY = /pass|secret|token|key|auth|cred|private|vault/i;
/** Free-form command lines and file contents (what a no_log command / copy usually carries). */
const COMMAND_KEYS = new Set(['_raw_params', 'cmd', 'argv', 'stdin', 'content']);
/** Result keys holding a no_log command's output. */
const OUTPUT_KEYS = new Set(['stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'content', 'json', 'cmd']);

/** Register every string (of at least `min` characters) inside `v`. */
function registerStrings(v: unknown, min: number): void {
  if (typeof v === 'string') {
    if (v.length >= min) registerSecret(v);
  } else if (Array.isArray(v)) for (const x of v) registerStrings(x, min);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) registerStrings(x, min);
}

/**
 * Secrets of a no_log task's arguments: values of arguments the module declares no_log, of
 * secret-looking keys, of free-form command lines and file contents, and every value a no_log set_fact sets
 * (how playbooks define secrets). Ordinary arguments (dest: /etc/kubernetes) are not
 * registered: the task's own output is censored by the reporter, and registering plain words
 * would hide them in every other task's output.
 */
function registerNoLogArgs(action: string, args: Record<string, unknown>, spec: Record<string, { no_log?: boolean }> | undefined): void {
  for (const [k, v] of Object.entries(args)) {
    if (action === 'set_fact') {
      if (k !== 'cacheable') registerStrings(v, 4);
    } else if (spec?.[k]?.no_log || SECRET_KEY.test(k)) registerStrings(v, 3);
    else if (COMMAND_KEYS.has(k)) registerStrings(v, 4);
  }
}

/** Secrets of a no_log task's registered result: its output and secret-looking keys. */
function registerRegistered(v: unknown, key = ''): void {
  if (Array.isArray(v)) for (const x of v) registerRegistered(x, key);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'results' || k === 'ansible_facts') registerRegistered(x, k);
      else if (OUTPUT_KEYS.has(k) || SECRET_KEY.test(k) || (key === 'ansible_facts' && k !== 'cacheable')) registerStrings(x, 4);
    }
  }
}

/** The first `when` condition that is false (Ansible's false_condition). */
function lastFalse(pr: PlayRun, task: TaskNode, vars: Record<string, unknown>): unknown {
  for (const c of task.when) {
    try {
      if (!pr.run.svc.evalCondition(c, vars, { pos: task.pos })) return c;
    } catch {
      return c;
    }
  }
  return undefined;
}

/** with_fileglob: files (not directories) on the controller matching a pattern in one directory. */
export function fileglob(pattern: string, resolveDir: (name: string) => string): string[] {
  const dir = resolveDir(pathDirname(pattern) === '.' ? '.' : pathDirname(pattern));
  const re = globToRegExp(pathBasename(pattern));
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.filter((n) => re.test(n)).map((n) => pathJoin(dir, n)).filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}
