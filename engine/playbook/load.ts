/**
 * The loader's entry points: a playbook file (import_playbook flattened), and the run-time
 * API the executor calls for dynamic includes (loadTaskFile, loadRoleForInclude).
 */
import { dirname, join, relative, resolve } from 'node:path';
import { posOf } from '../yaml.ts';
import { ParseError, type SourcePos } from '../types.ts';
import type { IncludeNode, Inheritable, Node, Play, Playbook, RoleInfo, TaskNode } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, staticPath, typeName } from './source.ts';
import { IMPORT_PLAYBOOK_KEYWORDS } from './keywords.ts';
import { type Scope, checkUnsupported, merge, inheritablePart, readOwn } from './inherit.ts';
import { type LoadState, type LoaderOptions, newState } from './options.ts';
import { readYaml, isDir, isFile } from './files.ts';
import { checkKeys, loadTasksFrom } from './tasks.ts';
import { expandRoleRef } from './role.ts';
import { type ImportedBy, loadPlay } from './play.ts';

export type { LoaderOptions } from './options.ts';

const MAX_PLAYBOOK_DEPTH = 32;

function isImport(ds: Record<string, unknown>): string | undefined {
  for (const k of ['import_playbook', 'ansible.builtin.import_playbook', 'ansible.legacy.import_playbook', 'include']) if (k in ds) return k;
  return undefined;
}

function loadPlaybookFile(file: string, st: LoadState, chain: string[], imported: ImportedBy | undefined, pos: SourcePos | undefined): Play[] {
  if (chain.includes(file)) fail(`circular import_playbook: ${[...chain.slice(chain.indexOf(file)), file].map((p) => relative(st.pbDir, p) || p).join(' -> ')}`, pos);
  if (chain.length > MAX_PLAYBOOK_DEPTH) fail(`import_playbook nested deeper than ${MAX_PLAYBOOK_DEPTH} levels`, pos);
  if (!isFile(file)) fail(isDir(file) ? `playbook '${file}' is a directory, not a file` : `playbook file '${file}' not found`, pos ?? { file });
  const data = readYaml(file);
  const top: SourcePos = { file, line: 1 };
  if (data === null || data === undefined || (Array.isArray(data) && data.length === 0)) fail('empty playbook: nothing to do', pos ?? top);
  if (!Array.isArray(data)) fail(`a playbook must be a list of plays, got ${typeName(data)}`, posOf(data) ?? top);
  const listPos = posOf(data) ?? top;
  const savedBase = st.baseDir;
  st.baseDir = dirname(file);
  const lib = join(st.baseDir, 'library');
  if (isDir(lib) && !st.libraryDirs.includes(lib)) st.libraryDirs.push(lib);
  try {
    const plays: Play[] = [];
    for (const [i, entry] of data.entries()) {
      const at = isMap(entry) ? listPos : itemPos(data, i, listPos);
      if (isMap(entry) && isImport(entry)) {
        plays.push(...importPlaybook(entry, isImport(entry)!, st, [...chain, file], imported, at));
      } else {
        plays.push(loadPlay(entry, st, at, imported));
      }
    }
    return plays;
  } finally {
    st.baseDir = savedBase;
  }
}

function importPlaybook(ds: Record<string, unknown>, key: string, st: LoadState, chain: string[], outer: ImportedBy | undefined, listPos: SourcePos): Play[] {
  const r: Reader = new Reader(ds, 'import_playbook', listPos);
  if (key === 'include') r.fail(key, "'include' of a playbook was removed in Ansible; use 'import_playbook'");
  checkKeys(r, IMPORT_PLAYBOOK_KEYWORDS, (k) => k === key);
  checkUnsupported(r, st);
  const raw = ds[key];
  if (typeof raw !== 'string' || raw.trim() === '') r.fail(key, `import_playbook needs a file name, got ${typeName(raw)}`);
  const target = staticPath(raw as string, { playbook_dir: st.pbDir });
  if (isTemplate(target)) r.fail(key, `import_playbook file name '${target}' is templated: tsplay needs a plain path`);
  const own = readOwn(r);
  const imported: ImportedBy = {
    when: [...(outer?.when ?? []), ...(own.when ?? [])],
    tags: [...(outer?.tags ?? []), ...(own.tags ?? [])],
    vars: { ...(outer?.vars ?? {}), ...(own.vars ?? {}) },
  };
  const file = resolve(st.baseDir, target.trim());
  return loadPlaybookFile(file, st, chain, imported, r.pos(key));
}

/**
 * Load a playbook file into the normalized model: plays in order (import_playbook flattened),
 * roles and import_* expanded, every keyword validated. Throws a ParseError (one line,
 * file:line:col and the key) on bad input.
 */
export function loadPlaybook(file: string, opts: LoaderOptions): Playbook {
  const abs = resolve(file);
  const dir = dirname(abs);
  const st = newState({ ...opts, playbookDir: opts.playbookDir ?? dir }, dir);
  const plays = loadPlaybookFile(abs, st, [], undefined, undefined);
  return { file: abs, dir, plays };
}

function stateFor(parent: Inheritable, opts: LoaderOptions): LoadState {
  const pbDir = opts.playbookDir ?? parent.baseDir;
  const st = newState(opts, pbDir);
  const lib = join(pbDir, 'library');
  if (isDir(lib)) st.libraryDirs.push(lib);
  for (let r: RoleInfo | undefined = parent.role; r; r = r.parent) if (r.libraryDir) st.libraryDirs.push(r.libraryDir);
  return st;
}

const INHERITABLE_FIELDS = [
  'become', 'becomeUser', 'becomeMethod', 'becomeFlags', 'environment', 'ignoreErrors', 'ignoreUnreachable', 'noLog',
  'checkMode', 'diff', 'delegateTo', 'runOnce', 'anyErrorsFatal', 'throttle', 'connection', 'remoteUser', 'port',
  'timeout', 'delegateFacts', 'role',
] as const;

/**
 * Only the Inheritable fields of a node (an IncludeNode's loop/target must not leak into its
 * children). For an IncludeNode: its own `when` is dropped (it decided whether the include
 * runs) and its `apply:` keywords are merged in.
 */
function scopeFrom(parent: Inheritable): Scope {
  const inc = (parent as Partial<IncludeNode>).kind === 'include' ? (parent as IncludeNode) : undefined;
  const when = inc?.parentWhen ?? parent.when;
  const s: Scope = { when: [...when], tags: [...parent.tags], vars: { ...parent.vars }, baseDir: parent.baseDir, pos: parent.pos };
  for (const f of INHERITABLE_FIELDS) if (parent[f] !== undefined) (s as unknown as Record<string, unknown>)[f] = parent[f];
  if (inc?.apply) return merge(s, readOwn(new Reader(inc.apply, 'apply', inc.pos)), inc.pos);
  return s;
}

/**
 * Load a task file for include_tasks at run time. `path` is resolved against parent.baseDir
 * (then the role's tasks/ dir) when relative. The nodes inherit `parent`'s keywords: pass the
 * IncludeNode (with `apply:` keywords merged in by the caller if any).
 */
export function loadTaskFile(path: string, parent: Inheritable, opts: LoaderOptions): Node[] {
  const st = stateFor(parent, opts);
  const cands = path.startsWith('/')
    ? [path]
    : [
        ...(parent.role ? [resolve(parent.role.path, 'tasks', path), resolve(parent.role.path, path)] : []),
        resolve(parent.baseDir, path),
        resolve(st.pbDir, path),
      ];
  const found = cands.find((c) => isFile(c));
  if (!found) throw new ParseError(`include_tasks: file '${path}' not found (looked in ${[...new Set(cands.map((c) => dirname(c)))].join(', ')})`, parent.pos);
  return loadTasksFrom(found, scopeFrom(parent), st, parent.pos, 'include_tasks');
}

/**
 * Load a role for include_role at run time: its dependencies' and its own tasks (as blocks),
 * its handlers and its RoleInfo. `parent` is the IncludeNode (its keywords are inherited).
 */
export function loadRoleForInclude(
  name: string,
  from: IncludeNode['from'],
  parent: Inheritable,
  opts: LoaderOptions,
): { nodes: Node[]; handlers: TaskNode[]; role: RoleInfo } {
  const st = stateFor(parent, opts);
  st.play = { seen: new Map(), roleInfos: [], roleHandlers: [] };
  const nodes = expandRoleRef({ name, pos: parent.pos, own: {}, params: {}, from, parentRole: undefined }, scopeFrom(parent), st);
  const role = st.play.roleInfos[st.play.roleInfos.length - 1];
  return { nodes, handlers: st.play.roleHandlers, role };
}

/**
 * The keywords an IncludeNode passes to the tasks it includes: its inherited and own keywords
 * (tags, become, vars, ...) plus `apply:`, without its own `when`. loadTaskFile and
 * loadRoleForInclude do this themselves when given the IncludeNode as parent.
 */
export function includeParent(node: IncludeNode): Inheritable {
  return inheritablePart(scopeFrom(node));
}
