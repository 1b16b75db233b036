/**
 * Task lists: tasks, blocks (rescue/always) and task files; static imports and dynamic
 * includes are in imports.ts.
 */
import { dirname, relative } from 'node:path';
import { posOf } from '../yaml.ts';
import type { SourcePos } from '../types.ts';
import type { BlockNode, Node, TaskNode } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, typeName } from './source.ts';
import { BLOCK_KEYWORDS, HANDLER_KEYWORDS, META_ACTIONS, TASK_KEYWORDS } from './keywords.ts';
import { nearest, didYouMean } from './suggest.ts';
import { parseAction, type ParsedAction } from './action.ts';
import { type Scope, checkUnsupported, inheritablePart, merge, readConditions, readOwn } from './inherit.ts';
import type { LoadState } from './options.ts';
import { makeUid } from './uid.ts';
import { readYaml } from './files.ts';
import { checkKeys } from './checkkeys.ts';
import { readLoop, readLoopControl } from './loops.ts';
import { importRole, importTasks, include } from './imports.ts';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 64;

export { checkKeys };

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
      if (scope.handlers) r.fail(pa.key, 'include in handlers is not supported by tsplay; use import_tasks or list the handlers');
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
