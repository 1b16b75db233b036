/**
 * Inheritable keywords (when, tags, vars, become*, environment, ...): read them from a play,
 * block, role reference, import or task, and merge them into a child's effective values
 * (parents' `when` first, tags unioned, vars overlaid, scalars: nearest wins).
 */
import type { SourcePos } from '../types.ts';
import type { Inheritable, RoleInfo } from './model.ts';
import { Reader, isMap, isTemplate, typeName } from './source.ts';
import { IGNORED, UNSUPPORTED } from './keywords.ts';
import type { LoadState } from './options.ts';

/** The keywords an object sets itself (before inheritance). */
export type OwnKeywords = Partial<Omit<Inheritable, 'baseDir' | 'pos' | 'role'>>;

/** A loader scope: the effective keywords children inherit, plus loader-only inherited values. */
export interface Scope extends Inheritable {
  /** Block-level `notify` (used by tasks that set none). */
  inheritedNotify?: string[];
  /** Loading handlers (listen allowed, isHandler set). */
  handlers?: boolean;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Split a tags value: 'a,b' / ['a', 'b'] / 5 -> ['a', 'b']. */
export function readTags(r: Reader, key = 'tags'): string[] | undefined {
  const v = r.ds[key];
  if (v === undefined || v === null) return undefined;
  const one = (x: unknown): string[] => {
    if (typeof x === 'string') return x.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (typeof x === 'number') return [String(x)];
    r.wrong(key, 'a string or a list of strings');
  };
  if (Array.isArray(v)) return v.flatMap(one);
  return one(v);
}

/** A list of conditions: 'x is defined' / true / ['a', 'b']. */
export function readConditions(r: Reader, key: string): unknown[] | undefined {
  const v = r.ds[key];
  if (v === undefined || v === null) return undefined;
  const check = (x: unknown): unknown => {
    if (typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number') return x;
    r.fail(key, `${r.what} keyword '${key}' must be a condition (a string or boolean) or a list of conditions, got ${typeName(x)}`);
  };
  if (Array.isArray(v)) return v.map(check);
  return [check(v)];
}

/** A vars mapping (plays also accept a list of mappings); names are checked. */
export function readVars(r: Reader, key = 'vars', allowList = false): Record<string, unknown> | undefined {
  const v = r.ds[key];
  if (v === undefined || v === null) return undefined;
  let out: Record<string, unknown> = {};
  if (isMap(v)) out = { ...v };
  else if (allowList && Array.isArray(v)) {
    for (const m of v) {
      if (!isMap(m)) r.wrong(key, 'a mapping or a list of mappings');
      Object.assign(out, m);
    }
  } else r.wrong(key, allowList ? 'a mapping or a list of mappings' : 'a mapping');
  for (const name of Object.keys(out)) {
    if (!VAR_NAME.test(name)) r.fail(key, `invalid variable name '${name}' in ${r.what} ${key}: use letters, digits and underscores, not starting with a digit`);
  }
  return out;
}

function readEnvironment(r: Reader): (Record<string, unknown> | string)[] | undefined {
  const v = r.ds.environment;
  if (v === undefined || v === null) return undefined;
  const one = (x: unknown): Record<string, unknown> | string => {
    if (isMap(x)) return x;
    if (isTemplate(x)) return x as string;
    r.wrong('environment', 'a mapping, an expression such as "{{ proxy_env }}", or a list of those');
  };
  return Array.isArray(v) ? v.map(one) : [one(v)];
}

/** Refuse unsupported keywords and warn about ignored ones. */
export function checkUnsupported(r: Reader, st: LoadState): void {
  for (const k of Object.keys(r.ds)) {
    const v = r.ds[k];
    if (UNSUPPORTED[k] && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) r.fail(k, UNSUPPORTED[k]);
    if (IGNORED[k]) st.opts.warn?.(IGNORED[k], r.pos(k));
  }
}

/** Read the inheritable keywords an object sets itself. `when` only where `withWhen`. */
export function readOwn(r: Reader, withWhen = true): OwnKeywords {
  const o: OwnKeywords = {};
  if (withWhen) {
    const w = readConditions(r, 'when');
    if (w) o.when = w;
  }
  const tags = readTags(r);
  if (tags) o.tags = tags;
  const vars = readVars(r, 'vars', true);
  if (vars) o.vars = vars;
  const b = r.bool('become');
  if (b !== undefined) o.become = b;
  const bu = r.str('become_user');
  if (bu !== undefined) o.becomeUser = bu;
  const bm = r.str('become_method');
  if (bm !== undefined) {
    if (bm !== 'sudo' && bm !== 'su') r.fail('become_method', `become_method '${bm}' is not supported (sudo, su)`);
    o.becomeMethod = bm;
  }
  const bf = r.str('become_flags');
  if (bf !== undefined) o.becomeFlags = bf;
  const env = readEnvironment(r);
  if (env) o.environment = env;
  for (const [key, field] of [
    ['ignore_errors', 'ignoreErrors'],
    ['ignore_unreachable', 'ignoreUnreachable'],
    ['no_log', 'noLog'],
    ['check_mode', 'checkMode'],
    ['diff', 'diff'],
    ['run_once', 'runOnce'],
    ['delegate_facts', 'delegateFacts'],
  ] as const) {
    const v = r.boolish(key);
    if (v !== undefined) (o as Record<string, unknown>)[field] = v;
  }
  const dt = r.str('delegate_to');
  if (dt !== undefined) o.delegateTo = dt;
  const aef = r.bool('any_errors_fatal');
  if (aef !== undefined) o.anyErrorsFatal = aef;
  const th = r.int('throttle');
  if (th !== undefined) o.throttle = th;
  const conn = r.str('connection');
  if (conn !== undefined) {
    const c = conn === 'smart' || conn === 'paramiko' ? 'ssh' : conn;
    if (c !== 'ssh' && c !== 'local' && !isTemplate(c)) r.fail('connection', `connection '${conn}' is not supported (ssh, local)`);
    o.connection = c;
  }
  const ru = r.str('remote_user');
  if (ru !== undefined) o.remoteUser = ru;
  const port = r.int('port');
  if (port !== undefined) o.port = port;
  const to = r.int('timeout');
  if (to !== undefined) o.timeout = to;
  return o;
}

function union(a: string[], b: string[] | undefined): string[] {
  if (!b || b.length === 0) return a;
  const out = [...a];
  for (const t of b) if (!out.includes(t)) out.push(t);
  return out;
}

/** A child's effective keywords: parent's, overlaid with its own. */
export function merge(parent: Scope, own: OwnKeywords, pos: SourcePos, baseDir = parent.baseDir, role: RoleInfo | undefined = parent.role): Scope {
  const out: Scope = { ...parent, ...stripUndefined(own) } as Scope;
  out.when = [...parent.when, ...(own.when ?? [])];
  out.tags = union(parent.tags, own.tags);
  out.vars = own.vars ? { ...parent.vars, ...own.vars } : { ...parent.vars };
  if (parent.environment || own.environment) out.environment = [...(parent.environment ?? []), ...(own.environment ?? [])];
  out.pos = pos;
  out.baseDir = baseDir;
  if (role) out.role = role;
  else delete out.role;
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}

/** The Inheritable part of a scope, without loader-only fields (what goes on a node). */
export function inheritablePart(s: Scope): Inheritable {
  const { inheritedNotify: _n, handlers: _h, ...rest } = s;
  const out: Inheritable = { ...rest, when: [...rest.when], tags: [...rest.tags], vars: { ...rest.vars } };
  if (rest.environment) out.environment = [...rest.environment];
  else delete out.environment;
  return out;
}

/** An empty root scope (for a play, or for loadTaskFile without a parent). */
export function rootScope(baseDir: string, pos: SourcePos): Scope {
  return { when: [], tags: [], vars: {}, baseDir, pos };
}
