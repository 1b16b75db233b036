/**
 * Task lists: tasks, blocks (rescue/always), static imports (import_tasks, import_role,
 * expanded now) and dynamic includes (include_tasks, include_role, kept as IncludeNode).
 */
import { dirname, relative } from 'node:path';
import { posOf } from '../yaml.ts';
import type { SourcePos } from '../types.ts';
import type { BlockNode, IncludeNode, LoopControl, Node, TaskNode } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, staticPath, typeName } from './source.ts';
import {
  BLOCK_KEYWORDS, HANDLER_KEYWORDS, INCLUDE_KEYWORDS, LOOP_CONTROL_KEYS, META_ACTIONS, ROLE_INCLUDE_ARGS, TASK_KEYWORDS, WITH_LOOPS,
} from './keywords.ts';
import { nearest, didYouMean } from './suggest.ts';
import { parseAction, type ParsedAction } from './action.ts';
import { type Scope, checkUnsupported, inheritablePart, merge, readConditions, readOwn } from './inherit.ts';
import type { LoadState } from './options.ts';
import { makeUid } from './uid.ts';
import { readYaml, resolveTaskFile } from './files.ts';
import { expandRoleRef } from './role.ts';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 64;

/** Reject keys of `r` that are not in `allowed` (with a did-you-mean). */
export function checkKeys(r: Reader, allowed: Set<string>, extra: (k: string) => boolean = () => false): void {
  for (const k of Object.keys(r.ds)) {
    if (allowed.has(k) || extra(k)) continue;
    r.fail(k, `unknown ${r.what} keyword '${k}'${didYouMean(nearest(k, allowed)?.name)}`);
  }
}

/**
 * Load a list of task entries (the value of `tasks:`, `block:`, a task file...).
 * `owner`/`key` locate the list for errors about its type.
 */
export function loadNodeList(value: unknown, scope: Scope, st: LoadState, ownerPos: SourcePos, what: string): Node[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(`${what} must be a list of tasks, got ${typeName(value)}`, ownerPos);
  if (st.fileStack.length + st.roleStack.length > MAX_DEPTH) fail(`imports nested deeper than ${MAX_DEPTH} levels`, ownerPos);
  const listPos = posOf(value) ?? ownerPos;
  const out: Node[] = [];
  value.forEach((entry, i) => loadEntry(entry, scope, st, out, isMap(entry) ? listPos : itemPos(value, i, listPos)));
  return out;
}

function loadEntry(ds: unknown, scope: Scope, st: LoadState, out: Node[], listPos: SourcePos): void {
  if (!isMap(ds)) {
    fail(`each entry of a task list must be a mapping (a task or a block), got ${typeName(ds)}${typeof ds === 'string' ? ` ('${ds.slice(0, 40)}')` : ''}`, listPos);
  }
  if ('block' in ds || 'rescue' in ds || 'always' in ds) {
    loadBlock(ds, scope, st, out, listPos);
    return;
  }
  const r = new Reader(ds, scope.handlers ? 'handler' : 'task', listPos);
  checkUnsupported(r, st);
  const pa = parseAction(r, scope.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS, st);
  switch (pa.action) {
    case 'import_playbook':
      r.fail(pa.key, 'import_playbook is only valid at the top level of a playbook, not in a task list');
    case 'import_tasks':
      out.push(...importTasks(r, pa, scope, st));
      return;
    case 'import_role':
      out.push(...importRole(r, pa, scope, st));
      return;
    case 'include':
      st.opts.warn?.("'include' is deprecated: read as 'include_tasks'", r.pos(pa.key));
      out.push(include(r, { ...pa, action: 'include_tasks' }, scope, st));
      return;
    case 'include_tasks':
    case 'include_role':
      if (scope.handlers) r.fail(pa.key, `${pa.action} in handlers is not supported by tsplay; use import_tasks or list the handlers`);
      out.push(include(r, pa, scope, st));
      return;
    default:
      out.push(task(r, pa, scope, st));
  }
}

function loadBlock(ds: Record<string, unknown>, scope: Scope, st: LoadState, out: Node[], listPos: SourcePos): void {
  const r = new Reader(ds, 'block', listPos);
  checkKeys(r, BLOCK_KEYWORDS);
  checkUnsupported(r, st);
  const pos = r.pos();
  const child = merge(scope, readOwn(r), pos);
  const notify = r.strList('notify');
  if (notify) child.inheritedNotify = notify;
  const name = r.str('name');
  const block = loadNodeList(ds.block, child, st, r.pos('block'), "'block'");
  if (scope.handlers) {
    if (ds.rescue || ds.always) r.fail(ds.rescue ? 'rescue' : 'always', 'rescue/always in handlers are not supported by tsplay');
    out.push(...block);
    return;
  }
  const node: BlockNode = {
    kind: 'block',
    uid: makeUid(st, pos),
    ...(name !== undefined ? { name } : {}),
    ...inheritablePart(child),
    block,
    rescue: loadNodeList(ds.rescue, child, st, r.pos('rescue'), "'rescue'"),
    always: loadNodeList(ds.always, child, st, r.pos('always'), "'always'"),
  };
  out.push(node);
}

/** loop / with_* of a task or include. */
function readLoop(r: Reader): TaskNode['loop'] | undefined {
  const withKeys = Object.keys(r.ds).filter((k) => k.startsWith('with_'));
  for (const k of withKeys) {
    if (!WITH_LOOPS[k]) {
      r.fail(k, `'${k}' is not supported by tsplay${didYouMean(nearest(k, Object.keys(WITH_LOOPS))?.name)}; use 'loop:' with a lookup or filter`);
    }
  }
  const kinds = [...(r.has('loop') ? ['loop'] : []), ...withKeys];
  if (kinds.length > 1) r.fail(kinds[1], `a task can have only one loop: '${kinds[0]}' and '${kinds[1]}' both given`);
  if (kinds.length === 0) return undefined;
  const k = kinds[0];
  const value = r.ds[k];
  if (value === null || value === undefined) r.fail(k, `'${k}' has no value`);
  if (k === 'loop') {
    if (!Array.isArray(value) && typeof value !== 'string') r.wrong('loop', 'a list or an expression');
    return { kind: 'loop', value };
  }
  if (isMap(value) && k !== 'with_dict' && k !== 'with_sequence') r.wrong(k, 'a list or an expression');
  return { kind: WITH_LOOPS[k], value };
}

function readLoopControl(r: Reader): LoopControl | undefined {
  const lc = r.map('loop_control');
  if (!lc) return undefined;
  const sub = new Reader(lc, 'loop_control', r.pos('loop_control'));
  checkKeys(sub, LOOP_CONTROL_KEYS);
  const out: LoopControl = { loopVar: sub.str('loop_var') ?? 'item' };
  if (!VAR_NAME.test(out.loopVar) && !isTemplate(out.loopVar)) sub.fail('loop_var', `loop_var '${out.loopVar}' is not a valid variable name`);
  const iv = sub.str('index_var');
  if (iv !== undefined) out.indexVar = iv;
  const label = sub.ds.label;
  if (label !== undefined && label !== null) out.label = typeof label === 'string' ? label : JSON.stringify(label);
  const pause = sub.num('pause');
  if (pause !== undefined) out.pause = Number(pause);
  const ext = sub.bool('extended');
  if (ext !== undefined) out.extended = ext;
  return out;
}

function task(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): TaskNode {
  const pos = r.pos();
  const own = readOwn(r);
  if (pa.local) own.delegateTo = 'localhost';
  const eff = merge(scope, own, pos);
  const loop = readLoop(r);
  const loopControl = readLoopControl(r);
  if (loopControl && !loop) st.opts.warn?.("'loop_control' without a loop has no effect", r.pos('loop_control'));
  const name = r.str('name');
  const register = r.str('register');
  if (register !== undefined && !VAR_NAME.test(register)) r.fail('register', `register name '${register}' is not a valid variable name`);
  if (pa.action === 'meta') checkMeta(r, pa);
  const node: TaskNode = {
    kind: 'task',
    uid: makeUid(st, pos),
    ...(name !== undefined ? { name } : {}),
    ...inheritablePart(eff),
    action: pa.action,
    args: pa.args,
    notify: r.strList('notify') ?? scope.inheritedNotify ?? [],
  };
  if (loop) node.loop = loop;
  if (loopControl) node.loopControl = loopControl;
  if (register !== undefined) node.register = register;
  const fw = readConditions(r, 'failed_when');
  if (fw) node.failedWhen = fw;
  const cw = readConditions(r, 'changed_when');
  if (cw) node.changedWhen = cw;
  if (r.has('until') && r.ds.until !== null) {
    const u = r.ds.until;
    if (typeof u !== 'string' && typeof u !== 'boolean' && !Array.isArray(u)) r.wrong('until', 'a condition');
    node.until = u;
  }
  const retries = r.num('retries', true);
  if (retries !== undefined) node.retries = retries;
  const delay = r.num('delay', true);
  if (delay !== undefined) node.delay = delay;
  if (scope.handlers) {
    node.isHandler = true;
    const listen = r.strList('listen');
    if (listen) node.listen = listen;
  }
  return node;
}

function checkMeta(r: Reader, pa: ParsedAction): void {
  const what = pa.args._raw_params;
  if (typeof what !== 'string' || what.trim() === '') r.fail(pa.key, `meta needs an action (${META_ACTIONS.join(', ')})`);
  if (!META_ACTIONS.includes(what.trim()) && !isTemplate(what)) {
    r.fail(pa.key, `unknown meta action '${what}'${didYouMean(nearest(what, META_ACTIONS)?.name)}`);
  }
  pa.args._raw_params = what.trim();
}

/** The file argument of import_tasks / include_tasks. */
function fileArg(r: Reader, pa: ParsedAction, allowed: string[]): string {
  for (const k of Object.keys(pa.args)) {
    if (!allowed.includes(k) && k !== '_variable_params') r.fail(pa.key, `unknown argument '${k}' for ${pa.action} (${allowed.filter((a) => a !== '_raw_params').join(', ')})`);
  }
  const f = pa.args._raw_params ?? pa.args.file ?? pa.args._variable_params;
  if (typeof f !== 'string' || f.trim() === '') r.fail(pa.key, `${pa.action} needs a file name`);
  return f.trim();
}

const TASK_ONLY = ['register', 'until', 'retries', 'delay', 'failed_when', 'changed_when', 'loop_control', 'listen'];

/** Keywords that only make sense on a module call are refused on static imports. */
function noTaskOnly(r: Reader, what: string): void {
  for (const k of TASK_ONLY) if (r.has(k)) r.fail(k, `'${k}' has no effect on ${what}: put it on the imported tasks`);
}

function importTasks(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): Node[] {
  noTaskOnly(r, 'import_tasks');
  if (readLoop(r)) r.fail(r.has('loop') ? 'loop' : Object.keys(r.ds).find((k) => k.startsWith('with_'))!, 'loops cannot be used on import_tasks; use include_tasks');
  const file = staticPath(fileArg(r, pa, ['_raw_params', 'file']), { playbook_dir: st.pbDir, role_path: scope.role?.path });
  if (isTemplate(file)) r.fail(pa.key, `import_tasks file name '${file}' is templated: tsplay resolves imports before variables exist; use include_tasks`);
  const pos = r.pos(pa.key);
  const dirs = scope.role ? [`${scope.role.path}/tasks`, scope.role.path, scope.baseDir] : [scope.baseDir, st.baseDir, st.pbDir];
  const path = resolveTaskFile(file, dirs, pos, 'import_tasks');
  const child = merge(scope, readOwn(r), r.pos());
  const notify = r.strList('notify');
  if (notify) child.inheritedNotify = notify;
  return loadTasksFrom(path, child, st, pos, 'import_tasks');
}

/** Load a task file's entries under `scope` (cycle-checked; its dir becomes baseDir). */
export function loadTasksFrom(path: string, scope: Scope, st: LoadState, pos: SourcePos, what: string): Node[] {
  if (st.fileStack.includes(path)) {
    const chain = [...st.fileStack.slice(st.fileStack.indexOf(path)), path].map((p) => relative(st.pbDir, p) || p);
    fail(`circular ${what}: ${chain.join(' -> ')}`, pos);
  }
  const data = readYaml(path);
  st.fileStack.push(path);
  try {
    const child: Scope = { ...scope, baseDir: dirname(path) };
    if (data === null || data === undefined) return [];
    return loadNodeList(data, child, st, { file: path, line: 1 }, 'a task file');
  } finally {
    st.fileStack.pop();
  }
}

function roleArgs(r: Reader, pa: ParsedAction): { name: string; from: IncludeNode['from']; apply?: Record<string, unknown>; allowDuplicates?: boolean } {
  for (const k of Object.keys(pa.args)) {
    if (!ROLE_INCLUDE_ARGS.has(k)) r.fail(pa.key, `unknown argument '${k}' for ${pa.action}${didYouMean(nearest(k, ROLE_INCLUDE_ARGS)?.name)}`);
  }
  const name = pa.args.name ?? pa.args.role;
  if (typeof name !== 'string' || name.trim() === '') r.fail(pa.key, `${pa.action} needs 'name:' (the role)`);
  const from: NonNullable<IncludeNode['from']> = {};
  for (const [arg, field] of [['tasks_from', 'tasks'], ['vars_from', 'vars'], ['defaults_from', 'defaults'], ['handlers_from', 'handlers']] as const) {
    const v = pa.args[arg];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') r.fail(pa.key, `${pa.action} '${arg}' must be a file name, got ${typeName(v)}`);
    from[field] = v;
  }
  let apply: Record<string, unknown> | undefined;
  if (pa.args.apply !== undefined && pa.args.apply !== null) {
    if (!isMap(pa.args.apply)) r.fail(pa.key, `${pa.action} 'apply' must be a mapping of keywords, got ${typeName(pa.args.apply)}`);
    apply = pa.args.apply;
  }
  const ad = pa.args.allow_duplicates;
  return { name: name.trim(), from, apply, allowDuplicates: ad === undefined ? undefined : ad === true || ad === 'yes' || ad === 'true' };
}

function importRole(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): Node[] {
  noTaskOnly(r, 'import_role');
  if (r.has('notify')) r.fail('notify', "'notify' has no effect on import_role: put it on the role's tasks");
  if (readLoop(r)) r.fail(r.has('loop') ? 'loop' : Object.keys(r.ds).find((k) => k.startsWith('with_'))!, 'loops cannot be used on import_role; use include_role');
  const a = roleArgs(r, pa);
  if (a.apply) r.fail(pa.key, "'apply' is only valid on include_role");
  if (isTemplate(a.name)) r.fail(pa.key, `import_role name '${a.name}' is templated: use include_role`);
  const own = readOwn(r);
  const params = own.vars ?? {};
  delete own.vars;
  return expandRoleRef({ name: a.name, pos: r.pos(pa.key), own, params, from: a.from, allowDuplicates: a.allowDuplicates }, scope, st);
}

function include(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): IncludeNode {
  for (const k of Object.keys(r.ds)) {
    if (INCLUDE_KEYWORDS.has(k) || k === pa.key || k.startsWith('with_')) continue;
    if (TASK_KEYWORDS.has(k)) r.fail(k, `'${k}' is not valid on ${pa.action} (it would apply to the include only): put it under 'apply:' or on an enclosing block`);
    r.fail(k, `unknown ${pa.action} keyword '${k}'${didYouMean(nearest(k, INCLUDE_KEYWORDS)?.name)}`);
  }
  const pos = r.pos();
  const eff = merge(scope, readOwn(r), pos);
  const name = r.str('name');
  const node: IncludeNode = {
    kind: 'include',
    uid: makeUid(st, pos),
    ...(name !== undefined ? { name } : {}),
    ...inheritablePart(eff),
    what: pa.action as IncludeNode['what'],
    target: '',
    parentWhen: [...scope.when],
  };
  if (pa.action === 'include_tasks') {
    node.target = fileArg(r, pa, ['_raw_params', 'file', 'apply']);
    const apply = pa.args.apply;
    if (apply !== undefined && apply !== null) {
      if (!isMap(apply)) r.fail(pa.key, `include_tasks 'apply' must be a mapping of keywords, got ${typeName(apply)}`);
      node.apply = apply;
    }
  } else {
    const a = roleArgs(r, pa);
    node.target = a.name;
    if (Object.keys(a.from ?? {}).length) node.from = a.from;
    if (a.apply) node.apply = a.apply;
  }
  if (node.apply) {
    const ar = new Reader(node.apply, 'apply', r.pos(pa.key));
    checkKeys(ar, BLOCK_KEYWORDS);
    readOwn(ar);
  }
  const loop = readLoop(r);
  if (loop) node.loop = loop;
  const lc = readLoopControl(r);
  if (lc) node.loopControl = lc;
  const reg = r.str('register');
  if (reg !== undefined) r.fail('register', `register on ${pa.action} is not supported by tsplay`);
  return node;
}
