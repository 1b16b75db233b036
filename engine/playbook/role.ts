/**
 * Roles: finding a role directory (Ansible's search order), reading defaults/vars/meta,
 * expanding a role reference into blocks (dependencies first, once per play unless
 * allow_duplicates or other params), and collecting its handlers.
 */
import { basename, join, resolve } from 'node:path';
import type { SourcePos } from '../types.ts';
import type { BlockNode, IncludeNode, Node, RoleInfo, TaskNode } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, typeName } from './source.ts';
import { posOf } from '../yaml.ts';
import { ROLE_REF_KEYWORDS } from './keywords.ts';
import { nearest } from './suggest.ts';
import { type OwnKeywords, type Scope, checkUnsupported, inheritablePart, merge, readOwn } from './inherit.ts';
import type { LoadState } from './options.ts';
import { makeUid } from './uid.ts';
import { findVarsFiles, isDir, loadVarsFiles, readYaml } from './files.ts';
import { loadTasksFrom } from './tasks.ts';

/** A reference to a role: from `roles:`, meta dependencies, import_role or include_role. */
export interface RoleRef {
  name: string;
  pos: SourcePos;
  /** Keywords on the reference (when, tags, become, ...), applied to everything in the role. */
  own: OwnKeywords;
  /** Role params (`vars:` of the reference and its non-keyword keys). */
  params: Record<string, unknown>;
  from?: IncludeNode['from'];
  allowDuplicates?: boolean;
  /**
   * Referenced by an import_role task (not `roles:` or meta dependencies). As Ansible: not
   * de-duplicated against `roles:`; its own `allow_duplicates` (default true) decides, at run
   * time per host, against earlier import_role/include_role runs of the same instance.
   */
  viaTask?: boolean;
  /** The role whose meta/main.yml lists this one. */
  parentRole?: RoleInfo;
}

/** The directories searched for roles, in Ansible's order (plus the tsplay project's roles/). */
export function roleSearchPath(st: LoadState, parentRolePath?: string): string[] {
  const dirs = [join(st.baseDir, 'roles'), ...st.opts.rolesPath.map((p) => resolve(p))];
  if (st.opts.projectRoot) dirs.push(join(st.opts.projectRoot, 'roles'));
  if (parentRolePath) dirs.push(resolve(parentRolePath, '..'));
  dirs.push(st.baseDir);
  return [...new Set(dirs)];
}

/** Absolute path of role NAME, or a ParseError listing where it was looked for. */
export function findRole(name: string, st: LoadState, pos: SourcePos, parentRolePath?: string): string {
  if (isTemplate(name)) fail(`role name '${name}' is templated: tsplay resolves roles before variables exist`, pos);
  const dirs = roleSearchPath(st, parentRolePath);
  if (!name.startsWith('/')) {
    for (const d of dirs) {
      const p = resolve(d, name);
      if (isDir(p)) return p;
    }
  }
  const asPath = resolve(st.baseDir, name);
  if (isDir(asPath)) return asPath;
  fail(`role '${name}' not found (looked in ${dirs.join(', ')})`, pos);
}

interface RoleMeta {
  deps: unknown[];
  depsPos: SourcePos;
  allowDuplicates: boolean;
}

function readMeta(path: string): RoleMeta {
  const files = findVarsFiles(join(path, 'meta'), 'main');
  const meta: RoleMeta = { deps: [], depsPos: { file: join(path, 'meta', 'main.yml'), line: 1 }, allowDuplicates: false };
  if (!files.length) return meta;
  const file = files[0];
  const data = readYaml(file);
  if (data === null || data === undefined) return meta;
  if (!isMap(data)) fail(`role meta file must hold a mapping, got ${typeName(data)}`, { file, line: 1 });
  const r = new Reader(data, 'role meta', { file, line: 1 });
  meta.depsPos = r.pos('dependencies');
  meta.deps = r.list('dependencies') ?? [];
  meta.allowDuplicates = r.bool('allow_duplicates') ?? false;
  return meta;
}

/** Parse one entry of `roles:` or meta `dependencies:` into a RoleRef. */
export function parseRoleRef(entry: unknown, st: LoadState, listPos: SourcePos, parentRole?: RoleInfo): RoleRef {
  if (typeof entry === 'string') {
    if (entry.trim() === '') fail('empty role name', listPos);
    return { name: entry.trim(), pos: listPos, own: {}, params: {}, parentRole };
  }
  if (!isMap(entry)) fail(`a role reference must be a role name or a mapping with 'role:', got ${typeName(entry)}`, listPos);
  const r: Reader = new Reader(entry, 'role', listPos);
  const nameKey = r.has('role') ? 'role' : 'name';
  const name = r.str(nameKey);
  if (name === undefined || name.trim() === '') r.fail('', "a role reference needs 'role:' (the role name)");
  checkUnsupported(r, st);
  const own = readOwn(r);
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (ROLE_REF_KEYWORDS.has(k) || k === nameKey) continue;
    if (k === 'name' && nameKey === 'role') continue;
    const kw = nearest(k, ROLE_REF_KEYWORDS);
    if (kw && kw.distance <= 1) r.fail(k, `unknown role keyword '${k}' (did you mean '${kw.name}'? other keys are role params)`);
    params[k] = v;
  }
  Object.assign(params, own.vars ?? {});
  delete own.vars;
  return { name: name!.trim(), pos: r.pos(nameKey), own, params, parentRole };
}

function roleFiles(path: string, sub: string, name: string | undefined, pos: SourcePos): string[] {
  const files = findVarsFiles(join(path, sub), name ?? 'main');
  if (!files.length && name) fail(`file '${sub}/${name}' not found in role ${path}`, pos);
  return files;
}

function roleFile(path: string, sub: string, name: string | undefined, pos: SourcePos): string | undefined {
  return roleFiles(path, sub, name, pos)[0];
}

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (isMap(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/**
 * The identity of a role instance run by import_role / include_role (Ansible's ROLE_CACHE
 * entry: role, params/vars, *_from files): a host that ran it skips it again when the
 * import/include says `allow_duplicates: false`.
 */
export function roleRunKey(path: string, params: Record<string, unknown>, from: IncludeNode['from'] | undefined): string {
  return `${path}|${sortedJson(params)}|${sortedJson(from ?? {})}`;
}

/**
 * Expand a role reference into nodes: its dependencies' blocks, then one block holding the
 * role's tasks. Handlers go to the play state; the RoleInfo to `st.play.roleInfos`.
 * Returns [] when the role already ran in this play with the same params.
 */
export function expandRoleRef(ref: RoleRef, scope: Scope, st: LoadState): Node[] {
  const path = findRole(ref.name, st, ref.pos, ref.parentRole?.path);
  const roleName = ref.name.includes('/') ? basename(path) : ref.name;
  if (st.roleStack.includes(path)) {
    const chain = [...st.roleStack.slice(st.roleStack.indexOf(path)), path].map((p) => basename(p));
    fail(`circular role dependency: ${chain.join(' -> ')}`, ref.pos);
  }
  const meta = readMeta(path);
  const key = roleRunKey(path, ref.params, ref.from);
  const allowDup = ref.allowDuplicates ?? meta.allowDuplicates;
  // import_role is de-duplicated at run time (roleRun below), not against `roles:`.
  if (!ref.viaTask && st.play?.seen.has(key) && !allowDup) return [];

  const info: RoleInfo = {
    name: roleName,
    path,
    defaults: loadVarsFiles(roleFiles(path, 'defaults', ref.from?.defaults, ref.pos)),
    vars: loadVarsFiles(roleFiles(path, 'vars', ref.from?.vars, ref.pos)),
    params: ref.params,
  };
  if (ref.parentRole) info.parent = ref.parentRole;
  const lib = join(path, 'library');
  if (isDir(lib)) {
    info.libraryDir = lib;
    if (!st.libraryDirs.includes(lib)) st.libraryDirs.push(lib);
  }
  const roleScope = merge(scope, ref.own, ref.pos, join(path, 'tasks'), info);
  delete roleScope.inheritedNotify;
  delete roleScope.handlers;

  st.roleStack.push(path);
  try {
    const out: Node[] = [];
    meta.deps.forEach((d, i) => {
      const dref = parseRoleRef(d, st, posOf(d) ?? itemPos(meta.deps, i, meta.depsPos), info);
      out.push(...expandRoleRef(dref, roleScope, st));
    });
    // Seen after the dependencies: a dependency listed again later is skipped, the role itself too.
    if (!ref.viaTask) st.play?.seen.set(key, info);
    st.play?.roleInfos.push(info);

    const handlersFile = roleFile(path, 'handlers', ref.from?.handlers, ref.pos);
    // A role's handlers are added once per play, even when the role runs with several param sets.
    const handlersKey = `handlers|${path}|${ref.from?.handlers ?? 'main'}`;
    if (handlersFile && st.play && !st.play.seen.has(handlersKey)) {
      st.play.seen.set(handlersKey, info);
      const hs = loadTasksFrom(handlersFile, { ...roleScope, handlers: true }, st, ref.pos, 'role handlers');
      st.play.roleHandlers.push(...(hs as TaskNode[]));
    }
    const tasksFile = roleFile(path, 'tasks', ref.from?.tasks, ref.pos);
    const tasks = tasksFile ? loadTasksFrom(tasksFile, roleScope, st, ref.pos, 'role tasks') : [];
    const block: BlockNode = {
      kind: 'block',
      uid: makeUid(st, ref.pos),
      name: roleName,
      ...inheritablePart(roleScope),
      block: tasks,
      rescue: [],
      always: [],
    };
    if (ref.viaTask) block.roleRun = { key, allowDuplicates: ref.allowDuplicates ?? true };
    out.push(block);
    return out;
  } finally {
    st.roleStack.pop();
  }
}
