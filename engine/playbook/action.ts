/**
 * Which module a task calls and with what arguments (Ansible's ModuleArgsParser):
 * `mod: {k: v}`, `mod: k=v free text`, `action: mod k=v`, `local_action: ...`, plus `args:`.
 * Unknown keys are reported as an unknown keyword or an unknown module, with a suggestion.
 */
import { Reader, isMap, isTemplate, typeName } from './source.ts';
import { UnsafeText } from '../yaml.ts';
import { FREEFORM_MODULES, LOADER_ACTIONS, RAW_PARAM_MODULES, canonicalModule } from './keywords.ts';
import { nearest, didYouMean, editDistance } from './suggest.ts';
import { parseKv, splitArgs, SplitArgsError } from './splitargs.ts';
import type { LoadState } from './options.ts';

/** The module call found in a task. */
export interface ParsedAction {
  /** Canonical module name (prefix stripped). */
  action: string;
  /** The key the module was given under ('copy', 'ansible.builtin.copy', 'action', 'local_action'). */
  key: string;
  args: Record<string, unknown>;
  /** `local_action` implies delegate_to: localhost. */
  local: boolean;
}

function isKnownAction(name: string, st: LoadState): boolean {
  const c = canonicalModule(name);
  if (LOADER_ACTIONS.has(c)) return true;
  if (st.opts.isModule(c, st.libraryDirs)) return true;
  return c !== name && st.opts.isModule(name, st.libraryDirs);
}

function canonical(name: string, st: LoadState): string {
  const c = canonicalModule(name);
  if (c !== name && !LOADER_ACTIONS.has(c) && !st.opts.isModule(c, st.libraryDirs) && st.opts.isModule(name, st.libraryDirs)) return name;
  return c;
}

function split(r: Reader, key: string, text: string, checkRaw: boolean): Record<string, unknown> {
  try {
    return parseKv(text, checkRaw);
  } catch (e) {
    if (e instanceof SplitArgsError) r.fail(key, `cannot parse the arguments of '${key}': unbalanced quotes or {{ }} block`);
    throw e;
  }
}

/** Arguments given under the module key. */
function normalizeArgs(r: Reader, key: string, action: string, value: unknown, st: LoadState): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (isMap(value)) return { ...value };
  if (typeof value === 'string') return split(r, key, value, FREEFORM_MODULES.has(action));
  if (value instanceof UnsafeText) return { _raw_params: value };
  if ((typeof value === 'number' || typeof value === 'boolean') && (RAW_PARAM_MODULES.has(action) || st.opts.isFreeForm?.(action))) {
    return { _raw_params: String(value) };
  }
  r.fail(key, `arguments of '${key}' must be a mapping or a 'k=v' string, got ${typeName(value)}`);
}

/** `action:` / `local_action:` forms: 'mod k=v' or {module: mod, k: v}. */
function oldStyle(r: Reader, key: string, st: LoadState): { action: string; args: Record<string, unknown> } {
  const value = r.ds[key];
  let modStr: string;
  let rest: Record<string, unknown> = {};
  if (typeof value === 'string') {
    modStr = value;
  } else if (isMap(value) && typeof value.module === 'string') {
    modStr = value.module;
    rest = { ...value };
    delete rest.module;
    // `action: {module: copy, args: {src: a}}` (Ansible folds a nested `args` in)
    if (isMap(rest.args)) {
      const nested = rest.args;
      delete rest.args;
      rest = { ...rest, ...nested };
    }
  } else {
    r.fail(key, `'${key}' must be a string such as 'copy src=a dest=b' or a mapping with 'module:', got ${typeName(value)}`);
  }
  let tokens: string[];
  try {
    tokens = splitArgs(modStr.trim());
  } catch {
    r.fail(key, `cannot parse '${key}': unbalanced quotes or {{ }} block`);
  }
  if (tokens.length === 0 || tokens[0].trim() === '') r.fail(key, `'${key}' names no module`);
  const name = tokens[0].trim();
  if (!isKnownAction(name, st)) unknownModule(r, key, name, st);
  const action = canonical(name, st);
  const args = { ...rest, ...split(r, key, tokens.slice(1).join(' '), FREEFORM_MODULES.has(action)) };
  return { action, args };
}

/** Actions run by the executor itself, considered for suggestions when the registry has none. */
const COMMON_ACTIONS = ['debug', 'set_fact', 'assert', 'fail', 'pause', 'add_host', 'group_by', 'meta', 'include_vars', 'include_tasks', 'import_tasks', 'include_role', 'import_role', 'setup', 'ping'];

/** The nearest known module to NAME: the registry's suggestion or a known executor action, whichever is nearer. */
function suggest(name: string, st: LoadState): { name: string; distance: number } | undefined {
  const short = canonicalModule(name);
  const cands: { name: string; distance: number }[] = [];
  const fromRegistry = st.opts.suggestModule?.(short);
  if (fromRegistry) cands.push({ name: fromRegistry, distance: editDistance(short.toLowerCase(), fromRegistry.toLowerCase()) });
  const local = nearest(short, COMMON_ACTIONS.filter((a) => LOADER_ACTIONS.has(a) || st.opts.isModule(a, st.libraryDirs)));
  if (local) cands.push(local);
  return cands.sort((a, b) => a.distance - b.distance)[0];
}

function unknownModule(r: Reader, key: string, name: string, st: LoadState): never {
  r.fail(key, `unknown module '${name}'${didYouMean(suggest(name, st)?.name)}`);
}

/**
 * Find the module of a task mapping. `keywords` are the keys that are not modules
 * (task or handler keywords); `with_*` keys are loops, never modules.
 */
export function parseAction(r: Reader, keywords: Set<string>, st: LoadState): ParsedAction {
  const ds = r.ds;
  const candidates = Object.keys(ds).filter((k) => !keywords.has(k) && !k.startsWith('with_'));
  const modules = candidates.filter((k) => isKnownAction(k, st));
  const unknown = candidates.filter((k) => !modules.includes(k));
  const hasAction = r.has('action');
  const hasLocal = r.has('local_action');
  if (hasAction && hasLocal) r.fail('local_action', "'action' and 'local_action' cannot both be used in one task");
  const explicit = hasAction ? 'action' : hasLocal ? 'local_action' : undefined;

  if (modules.length > 1) r.fail(modules[1], `conflicting action statements: '${modules[0]}' and '${modules[1]}' in one task (a task calls exactly one module)`);
  if (explicit && modules.length) r.fail(modules[0], `conflicting action statements: '${explicit}' and '${modules[0]}' in one task (a task calls exactly one module)`);

  if (unknown.length) {
    const u = unknown[0];
    const kw = nearest(u, keywords);
    const hasModule = modules.length > 0 || explicit !== undefined;
    // With no module in the task, the unknown key is a misspelled module unless a keyword is clearly nearer.
    const modDist = suggest(u, st)?.distance ?? Infinity;
    if (hasModule || (kw && kw.distance <= 2 && kw.distance < modDist)) {
      r.fail(u, `unknown ${r.what} keyword '${u}'${didYouMean(kw?.name)}`);
    }
    unknownModule(r, u, u, st);
  }

  let action: string;
  let key: string;
  let args: Record<string, unknown>;
  if (explicit) {
    ({ action, args } = oldStyle(r, explicit, st));
    key = explicit;
  } else if (modules.length === 1) {
    key = modules[0];
    action = canonical(key, st);
    args = normalizeArgs(r, key, action, ds[key], st);
  } else {
    r.fail('', `no module/action in this ${r.what}: give a module such as 'debug:' or 'shell:'`);
  }

  // `args:` gives defaults that the module key's own arguments override.
  if (r.has('args') && ds.args !== null) {
    const extra = ds.args;
    if (isMap(extra)) args = { ...extra, ...args };
    else if (isTemplate(extra)) args = { _variable_params: extra, ...args };
    else r.wrong('args', 'a mapping');
  }

  const raw = args._raw_params;
  if (raw !== undefined && raw !== '' && !RAW_PARAM_MODULES.has(action) && !st.opts.isFreeForm?.(action)) {
    if (isTemplate(raw)) {
      delete args._raw_params;
      args._variable_params = raw;
    } else {
      r.fail(key, `'${action}' does not take free-form text ('${String(raw)}'): give its arguments as k=v or a mapping`);
    }
  }
  return { action, key, args, local: explicit === 'local_action' };
}
