/**
 * Controller-side actions, run by the executor itself (no module, no connection unless
 * noted): debug, set_fact, assert, fail, include_vars, setup/gather_facts, add_host,
 * group_by, pause. `meta` is handled by the walker (it acts on the play, not one host).
 */
import { withConnKeywords } from './connvars.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, extname } from 'node:path';
import type { ModuleResult } from '../types.ts';
import type { TaskNode } from '../playbook/model.ts';
import type { PlayRun } from './context.ts';
import { Undefined } from '../expr/values.ts';
import { withStoredFacts, wrapUnsafe } from '../vars/unsafe.ts';

/** Names of the actions implemented here. */
export const CONTROLLER_ACTIONS = new Set(['debug', 'set_fact', 'assert', 'fail', 'include_vars', 'setup', 'gather_facts', 'add_host', 'group_by', 'pause', 'set_stats']);

const truthyArg = (v: unknown): boolean => v === true || (typeof v === 'string' && ['yes', 'true', 'on', '1', 'y'].includes(v.toLowerCase())) || v === 1;

/** Input of one controller action on one host. */
export interface ActionCall {
  pr: PlayRun;
  task: TaskNode;
  host: string;
  /** Templated args (omit dropped). */
  args: Record<string, unknown>;
  /** Raw (untemplated) args, for `that` and `var`. */
  rawArgs: Record<string, unknown>;
  /** set_fact: the args whose values were templated from unsafe data (stored unsafe). */
  unsafeKeys?: Set<string>;
  vars: Record<string, unknown>;
  check: boolean;
  /** Become for this task (fact gathering uses it, as Ansible does). */
  become?: import('../types.ts').BecomeSpec;
  findFile(kind: 'files' | 'templates' | 'vars' | 'tasks', name: string): string;
}

/** Run a controller action. */
export async function runAction(c: ActionCall): Promise<ModuleResult> {
  switch (c.task.action) {
    case 'debug':
      return debug(c);
    case 'set_fact':
      return setFact(c);
    case 'assert':
      return assert(c);
    case 'fail':
      return { changed: false, failed: true, msg: c.args.msg !== undefined ? String(c.args.msg) : 'Failed as requested from task' };
    case 'include_vars':
      return includeVars(c);
    case 'setup':
    case 'gather_facts':
      return setup(c);
    case 'add_host':
      return addHost(c);
    case 'group_by':
      return groupBy(c);
    case 'pause':
      return pause(c);
    case 'set_stats':
      return { changed: false, ansible_stats: { data: c.args.data ?? {}, per_host: truthyArg(c.args.per_host), aggregate: c.args.aggregate ?? true } };
    default:
      return { changed: false, failed: true, msg: `unknown controller action ${c.task.action}` };
  }
}

function debug(c: ActionCall): ModuleResult {
  const { args, pr } = c;
  const need = Number(args.verbosity ?? 0);
  if (pr.run.cfg.verbosity < need) return { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.' };
  if (args.msg !== undefined && args.var !== undefined) return { changed: false, failed: true, msg: "'msg' and 'var' are incompatible options" };
  if (args.var !== undefined) {
    const name = String(c.rawArgs.var);
    let value: unknown;
    try {
      value = pr.run.svc.evaluate(name.replace(/^\{\{\s*|\s*\}\}$/g, ''), c.vars, { pos: c.task.pos });
    } catch (e) {
      if ((e as Error).name === 'UndefinedVariableError') value = 'VARIABLE IS NOT DEFINED!';
      else throw e;
    }
    if (value instanceof Undefined) value = 'VARIABLE IS NOT DEFINED!';
    return { changed: false, [name]: value };
  }
  return { changed: false, msg: (args.msg === undefined ? 'Hello world!' : args.msg) as string };
}

function setFact(c: ActionCall): ModuleResult {
  const facts: Record<string, unknown> = {};
  let cacheable = false;
  for (const [k, v] of Object.entries(c.args)) {
    if (k === 'cacheable') cacheable = truthyArg(v);
    else if (k === '_raw_params') return { changed: false, failed: true, msg: 'set_fact takes key=value pairs or a mapping' };
    else {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return { changed: false, failed: true, msg: `The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.` };
      facts[k] = v;
    }
  }
  if (Object.keys(facts).length === 0) return { changed: false, failed: true, msg: 'No key/value pairs provided, at least one is required for this action to succeed' };
  // Values templated from unsafe data stay unsafe (Ansible's AnsibleUnsafeText); the result shows them plain.
  let stored = facts;
  if (c.unsafeKeys?.size) {
    stored = { ...facts };
    for (const k of c.unsafeKeys) if (k in stored) stored[k] = wrapUnsafe(stored[k]);
  }
  c.pr.run.store.setHostVars(c.host, stored, cacheable);
  return withStoredFacts({ changed: false, ansible_facts: facts, ...(cacheable ? { _ansible_facts_cacheable: true } : {}) }, stored);
}

function assert(c: ActionCall): ModuleResult {
  const { svc } = c.pr.run;
  const raw = c.rawArgs.that;
  if (raw === undefined) return { changed: false, failed: true, msg: "missing required arguments: that" };
  const conds = Array.isArray(raw) ? raw : [raw];
  const failMsg = c.args.fail_msg ?? c.args.msg;
  for (const cond of conds) {
    if (!svc.evalCondition(cond, c.vars, { pos: c.task.pos })) {
      return { changed: false, failed: true, assertion: cond, evaluated_to: false, msg: (failMsg !== undefined ? failMsg : 'Assertion failed') as string };
    }
  }
  return { changed: false, msg: (c.args.success_msg !== undefined ? c.args.success_msg : 'All assertions passed') as string, ...(truthyArg(c.args.quiet) ? { _ansible_verbose_always: false } : {}) };
}

const VARS_EXT = ['.yml', '.yaml', '.json'];

function includeVars(c: ActionCall): ModuleResult {
  const { args } = c;
  const svc = c.pr.run.svc;
  const files: string[] = [];
  const file = (args.file ?? args._raw_params) as string | undefined;
  if (file !== undefined) {
    const p = c.findFile('vars', String(file));
    if (!existsSync(p)) return { changed: false, failed: true, msg: `Could not find or access '${file}'\nSearched in the role/playbook vars/ directories and ${c.task.baseDir}` };
    files.push(p);
  } else if (args.dir !== undefined) {
    const dir = c.findFile('vars', String(args.dir));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return { changed: false, failed: true, msg: `${args.dir} directory does not exist` };
    const exts = Array.isArray(args.extensions) ? (args.extensions as string[]).map((e) => '.' + String(e).replace(/^\./, '')) : VARS_EXT;
    const ignore = Array.isArray(args.ignore_files) ? (args.ignore_files as string[]) : [];
    const match = args.files_matching ? new RegExp(String(args.files_matching)) : undefined;
    const depth = Number(args.depth ?? 0);
    const walk = (d: string, level: number): void => {
      for (const n of readdirSync(d).sort()) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) {
          if (depth === 0 || level < depth) walk(p, level + 1);
        } else if (exts.includes(extname(n)) && !ignore.includes(n) && (!match || match.test(n))) files.push(p);
      }
    };
    walk(dir, 1);
  } else return { changed: false, failed: true, msg: 'include_vars needs file, dir or a free-form file name' };
  let data: Record<string, unknown> = {};
  for (const f of files) Object.assign(data, svc.loadVarsFile(f));
  if (args.name !== undefined) data = { [String(args.name)]: data };
  c.pr.run.store.addIncludeVars(c.host, data);
  return { changed: false, ansible_facts: data, ansible_included_var_files: files };
}

async function setup(c: ActionCall): Promise<ModuleResult> {
  const { svc, store } = c.pr.run;
  const cached = c.task.action === 'gather_facts' && !c.args.refresh ? store.facts.get(c.host) : undefined;
  if (cached) return { changed: false, ansible_facts: cached };
  const conn = await svc.connect(c.host, withConnKeywords(c.pr, c.task, c.vars));
  const facts = await svc.gatherFacts(conn, c.vars, c.become);
  const filter = c.args.filter;
  store.setFacts(c.host, facts);
  let shown: Record<string, unknown> = facts;
  if (typeof filter === 'string' && filter !== '*') {
    const re = new RegExp('^' + filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    shown = Object.fromEntries(Object.entries(facts).filter(([k]) => re.test(k) || re.test('ansible_' + k)));
  }
  return { changed: false, ansible_facts: shown };
}

function addHost(c: ActionCall): ModuleResult {
  const a = { ...c.args };
  const name = (a.name ?? a.hostname ?? a.host) as string | undefined;
  if (!name) return { changed: false, failed: true, msg: 'add_host requires name' };
  const g = a.groups ?? a.group ?? a.groupname;
  const groups = g === undefined ? [] : Array.isArray(g) ? g.map(String) : String(g).split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of ['name', 'hostname', 'host', 'groups', 'group', 'groupname']) delete a[k];
  let hostName = String(name);
  const m = /^([^:\s]+):(\d+)$/.exec(hostName);
  if (m) {
    hostName = m[1];
    a.ansible_port = Number(m[2]);
  }
  const changed = c.pr.run.inv.addHost(hostName, groups, a);
  c.pr.run.store.invalidate();
  return { changed, add_host: { host_name: hostName, groups, host_vars: a } };
}

function groupBy(c: ActionCall): ModuleResult {
  const key = c.args.key;
  if (key === undefined || key === '') return { changed: false, failed: true, msg: "the 'key' param is required when using group_by" };
  const group = String(key).replace(/[^A-Za-z0-9_]/g, '_');
  const parents = c.args.parents === undefined ? ['all'] : Array.isArray(c.args.parents) ? c.args.parents.map(String) : [String(c.args.parents)];
  const changed = c.pr.run.inv.addToGroup(c.host, group, parents);
  c.pr.run.store.invalidate();
  return { changed, add_group: group, parent_groups: parents };
}

async function pause(c: ActionCall): Promise<ModuleResult> {
  const secs = Number(c.args.seconds ?? 0) + Number(c.args.minutes ?? 0) * 60;
  const start = Date.now();
  if (secs > 0) await new Promise((r) => setTimeout(r, secs * 1000));
  else if (c.args.prompt !== undefined || secs === 0) {
    const svc = c.pr.run.svc;
    if (process.stdin.isTTY && svc.prompt) {
      const answer = await svc.prompt(`[${c.task.name ?? 'pause'}]\n${c.args.prompt ?? 'Press enter to continue, Ctrl+C to interrupt'}:\n`, c.args.echo === false);
      return { changed: false, user_input: answer, start: new Date(start).toISOString(), stop: new Date().toISOString(), delta: 0 };
    }
    return { changed: false, user_input: '', msg: 'pause: no terminal, not waiting for input', start: new Date(start).toISOString(), stop: new Date().toISOString(), delta: 0 };
  }
  return { changed: false, start: new Date(start).toISOString(), stop: new Date().toISOString(), delta: Math.round((Date.now() - start) / 1000), echo: true, user_input: '' };
}

/** Resolve a controller file Ansible-style (role dir/kind, task dir/kind, task dir, playbook dir). */
export function findControllerFile(task: TaskNode, playbookDir: string, kind: 'files' | 'templates' | 'vars' | 'tasks', name: string): string {
  if (isAbsolute(name)) return name;
  const cands: string[] = [];
  if (task.role) cands.push(join(task.role.path, kind, name), join(task.role.path, name));
  cands.push(join(task.baseDir, kind, name), join(task.baseDir, name), join(playbookDir, kind, name), join(playbookDir, name));
  for (const c of cands) if (existsSync(c)) return c;
  return resolve(task.role ? join(task.role.path, kind) : task.baseDir, name);
}
