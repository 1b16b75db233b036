/**
 * Bind the executor's Services and MutableInventory to the real engine parts:
 * engine/expr, engine/modules, engine/connection (pool + params), engine/facts,
 * engine/playbook (run-time loader API), engine/inventory.
 */
import { evaluate, evalCondition, templateValue, isOmit } from '../expr/index.ts';
import { getModule, isModuleName, suggestModule } from '../modules/registry.ts';
import { runModule } from '../modules/runner.ts';
import { ConnectionPool } from '../connection/pool.ts';
import { connParamsFor, type ConnCliOptions, type ConnParams } from '../connection/params.ts';
import { gatherFacts } from '../facts/index.ts';
import { loadTaskFile, loadRoleForInclude, type LoaderOptions } from '../playbook/load.ts';
import { loadVarsFile } from '../inventory/varsfiles.ts';
import { selectHosts, groupNames, groupsVar, hostVarLayers, clearVarsCache, addDynamicHost, addDynamicGroup, type Inventory } from '../inventory/index.ts';
import { prompt } from '../prompt.ts';
import { renderTemplate } from '../template/handlebars.ts';
import type { Services } from './services.ts';
import type { MutableInventory } from './context.ts';
import { CONTROLLER_ACTIONS } from './actions.ts';
import type { VarLayer } from '../vars/precedence.ts';
import type { EventSink, SourcePos } from '../types.ts';

/** Actions the executor implements itself (the loader must accept them as modules). */
export const EXECUTOR_ACTIONS = new Set([...CONTROLLER_ACTIONS, 'meta', 'include_vars']);

/** A loader warning as one line: `file:line:col: message` when the position is known. */
export function loaderWarning(msg: string, pos?: SourcePos): string {
  const at = pos ? [pos.file, pos.line, pos.col].filter((x) => x !== undefined).join(':') : '';
  return at ? `${at}: ${msg}` : msg;
}

/**
 * Loader options with tsplay's module knowledge. `warn` receives the loader's warnings (ignored
 * keywords such as `collections:`, deprecated `include:`) already formatted as one line.
 */
export function loaderOptions(rolesPath: string[], playbookDir?: string, projectRoot = process.cwd(), warn?: (line: string) => void): LoaderOptions {
  return {
    ...(warn ? { warn: (msg: string, pos?: SourcePos) => warn(loaderWarning(msg, pos)) } : {}),
    rolesPath,
    projectRoot,
    playbookDir,
    isModule: (name, dirs) => EXECUTOR_ACTIONS.has(name) || isModuleName(name, dirs),
    suggestModule: (name) => suggestModule(name),
  };
}

/** Variables that decide a host's connection (bare `host_key_checking: false` included, as Ansible). */
const CONN_KEYS = /^(ansible_(host|port|ssh_port|ssh_host|user|password|ssh_pass|ssh_password|ssh_private_key_file|private_key_file|connection|ssh_common_args|ssh_extra_args|host_key_checking|ssh_host_key_checking|timeout|ssh_timeout|become.*|sudo_pass|ssh_user)|host_key_checking)$/;

/**
 * The connection variables of a host's task variables, templated. Passwords given as numbers
 * (INI `ansible_ssh_pass=123456` is read as an int) become strings.
 */
export function connVarsOf(vars: Record<string, unknown>): Record<string, unknown> {
  const conn: Record<string, unknown> = {};
  for (const k of Object.keys(vars)) {
    if (!CONN_KEYS.test(k)) continue;
    const v = templateValue(vars[k], vars);
    conn[k] = typeof v === 'number' && /pass/.test(k) ? String(v) : v;
  }
  return conn;
}

/** The real services. `template` renders template-module files (handlebars). */
export function realServices(opts: { cli: ConnCliOptions; loader: LoaderOptions; renderTemplate?: Services['renderTemplate']; emit?: EventSink }): Services & { pool: ConnectionPool } {
  const emit = opts.emit;
  // -vvv echoes every command sent (the connection layer has already redacted it).
  const pool = new ConnectionPool(emit ? {
    onCommand: (host, command, become) => emit({ type: 'verbose', level: 3, msg: `<${host}> EXEC ${become ? `(${become}) ` : ''}${command}` }),
    log: (msg) => emit({ type: 'verbose', level: 1, msg }),
    debug: (msg) => emit({ type: 'verbose', level: 3, msg }), // -vvv: why the connection keeper is not used (connection/pool.ts)
  } : {});
  const paramsCache = new Map<string, ConnParams>();
  const warnedHosts = new Set<string>();
  const moduleCache = new Map<string, Promise<import('../types.ts').ModuleDef | undefined>>();
  return {
    pool,
    evaluate,
    evalCondition,
    templateValue,
    isOmit,
    getModule(name, dirs) {
      const key = `${name}\0${dirs.join('\0')}`;
      let p = moduleCache.get(key);
      if (!p) moduleCache.set(key, (p = getModule(name, dirs)));
      return p;
    },
    suggestModule,
    runModule,
    async connect(host, vars) {
      // Connection params depend only on the connection variables: compute them once per host.
      const conn = connVarsOf(vars);
      const key = host + '\0' + JSON.stringify(conn);
      let params = paramsCache.get(key);
      if (!params) {
        paramsCache.set(key, (params = connParamsFor(host, { ...conn, inventory_hostname: host }, opts.cli)));
        if (emit && params.warnings.length && !warnedHosts.has(host)) {
          warnedHosts.add(host);
          for (const w of params.warnings) emit({ type: 'warning', msg: `${host}: ${w}` });
        }
      }
      return pool.get(host, params);
    },
    gatherFacts: (conn, _vars, become) => gatherFacts(conn, { become }),
    loadTaskFile: (path, parent) => loadTaskFile(path, parent, opts.loader),
    loadRoleForInclude: (name, from, parent) => loadRoleForInclude(name, from, parent, opts.loader),
    loadVarsFile,
    renderTemplate: opts.renderTemplate ?? ((text, vars, name) => renderTemplate(text, vars, name)),
    prompt: (q, hidden) => prompt(q, hidden),
    closeAll: () => pool.closeAll(),
  };
}

/** The inventory as the executor sees it (with --limit applied to selections). */
export function inventoryAdapter(inv: Inventory, limit: string | undefined, playbookDir?: string): MutableInventory {
  let groupsCache: Record<string, string[]> | undefined;
  const namesCache = new Map<string, string[]>();
  const layersCache = new Map<string, VarLayer[]>();
  const reset = (): void => {
    groupsCache = undefined;
    namesCache.clear();
    layersCache.clear();
    clearVarsCache(inv);
  };
  const firstFile = [...inv.hosts.values()].find((h) => h.file)?.file;
  const dirOf = (f: string | undefined): string | undefined => (f ? f.replace(/\/[^/]*$/, '') : undefined);
  return {
    hosts: () => [...inv.hosts.keys()],
    varLayers(host) {
      let l = layersCache.get(host);
      if (!l) layersCache.set(host, (l = hostVarLayers(inv, host, playbookDir)));
      return l;
    },
    groups: () => (groupsCache ??= groupsVar(inv)),
    groupNames(host) {
      let n = namesCache.get(host);
      if (!n) namesCache.set(host, (n = groupNames(inv, host)));
      return n;
    },
    inventoryFile: firstFile,
    inventoryDir: dirOf(firstFile),
    has: (h) => inv.hosts.has(h),
    select: (pattern) => selectHosts(inv, pattern, limit),
    inventoryFileOf: (h) => inv.hosts.get(h)?.file ?? firstFile,
    inventoryDirOf: (h) => dirOf(inv.hosts.get(h)?.file ?? firstFile),
    // add_host / group_by: the inventory's own rules (ungrouped clean-up, parents, caches).
    addHost(name, groups, vars) {
      const changed = addDynamicHost(inv, name, groups, vars);
      reset();
      return changed;
    },
    addToGroup(host, group, parents = ['all']) {
      const changed = addDynamicGroup(inv, host, group, parents);
      reset();
      return changed;
    },
  };
}
