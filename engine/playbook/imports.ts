/**
 * Static imports (import_tasks, import_role: expanded now) and dynamic includes
 * (include_tasks, include_role: kept as IncludeNode for the executor).
 */
import type { Node, IncludeNode } from './model.ts';
import { Reader, isMap, isTemplate, staticPath, typeName } from './source.ts';
import { BLOCK_KEYWORDS, INCLUDE_KEYWORDS, ROLE_INCLUDE_ARGS, TASK_KEYWORDS } from './keywords.ts';
import { nearest, didYouMean } from './suggest.ts';
import type { ParsedAction } from './action.ts';
import { type Scope, inheritablePart, merge, readOwn } from './inherit.ts';
import type { LoadState } from './options.ts';
import { makeUid } from './uid.ts';
import { resolveTaskFile } from './files.ts';
import { expandRoleRef } from './role.ts';
import { checkKeys } from './checkkeys.ts';
import { readLoop, readLoopControl } from './loops.ts';
import { loadTasksFrom } from './tasks.ts';

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

/** import_tasks: the imported file's nodes, with the import's keywords inherited. */
export function importTasks(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): Node[] {
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

/** A boolean argument of import_role/include_role (YAML bools, yes/no/true/false/on/off/1/0 strings). */
function boolArg(r: Reader, pa: ParsedAction, arg: string): boolean | undefined {
  const v = pa.args[arg];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['yes', 'true', 'on', '1', 'y'].includes(s)) return true;
  if (['no', 'false', 'off', '0', 'n'].includes(s)) return false;
  r.fail(pa.key, `${pa.action} '${arg}' must be a boolean (true/false), got '${String(v)}'`);
}

function roleArgs(r: Reader, pa: ParsedAction): { name: string; from: IncludeNode['from']; apply?: Record<string, unknown>; allowDuplicates?: boolean; public?: boolean } {
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
  return { name: name.trim(), from, apply, allowDuplicates: boolArg(r, pa, 'allow_duplicates'), public: boolArg(r, pa, 'public') };
}

/** import_role: the role expanded now (dependencies first). */
export function importRole(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): Node[] {
  noTaskOnly(r, 'import_role');
  if (r.has('notify')) r.fail('notify', "'notify' has no effect on import_role: put it on the role's tasks");
  if (readLoop(r)) r.fail(r.has('loop') ? 'loop' : Object.keys(r.ds).find((k) => k.startsWith('with_'))!, 'loops cannot be used on import_role; use include_role');
  const a = roleArgs(r, pa);
  if (a.apply) r.fail(pa.key, "'apply' is only valid on include_role");
  if (isTemplate(a.name)) r.fail(pa.key, `import_role name '${a.name}' is templated: use include_role`);
  const own = readOwn(r);
  const params = own.vars ?? {};
  delete own.vars;
  // import_role is always public (its vars/defaults are play-wide from the start), as Ansible.
  return expandRoleRef({ name: a.name, pos: r.pos(pa.key), own, params, from: a.from, allowDuplicates: a.allowDuplicates, viaTask: true }, scope, st);
}

/** include_tasks / include_role: an IncludeNode. */
export function include(r: Reader, pa: ParsedAction, scope: Scope, st: LoadState): IncludeNode {
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
    if (a.public !== undefined) node.public = a.public;
    if (a.allowDuplicates !== undefined) node.allowDuplicates = a.allowDuplicates;
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
