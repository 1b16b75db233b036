/**
 * Test helper: ask Debian's ansible-core (2.14, installed by .ci/run) what it makes of an
 * inventory, and build the same view from tsplay's inventory layer, so tests compare the two.
 * If ansible-core is missing the tests FAIL with a message saying how to install it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  groupNames,
  groupsVar,
  hostVarLayers,
  mergeLayers,
  selectHostsDetailed,
  type Inventory,
} from '../../../engine/inventory/index.ts';
import { groupDepths } from '../../../engine/inventory/groups.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/inventory');
const ORACLE = join(FIXTURES, 'ansible_oracle.py');
const PYTHON = '/usr/bin/python3';

export interface OracleView {
  groups: Record<string, { hosts: string[]; children: string[]; vars: Record<string, unknown>; priority: number; depth: number }>;
  hosts: Record<string, Record<string, unknown>>;
  patterns: Record<string, string[] | { error: string }>;
  group_names: Record<string, string[]>;
  hostvars: Record<string, Record<string, unknown>>;
  groups_var: Record<string, string[]>;
  order: string[];
  /** Set when ansible could not parse the sources; `stderr` then holds its per-plugin reasons. */
  load_error?: string;
  stderr?: string;
}

export interface OracleRequest {
  sources: string[];
  patterns?: string[];
  limit?: string;
  playbook_dir?: string;
  /** add_host / group_by operations applied after loading (see dynamic.test.ts). */
  dynamic?: ({ op: 'host'; name: string; groups?: string[]; vars?: Record<string, unknown> } | { op: 'group'; host: string; group: string; parents?: string[] })[];
}

/** Run ansible-core's InventoryManager/VariableManager on the request (in `cwd`). */
export function ansibleView(req: OracleRequest, cwd = FIXTURES): OracleView {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: install Debian's ansible-core (apt-get install ansible-core) to run the inventory comparison tests`);
  const r = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify(req), cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || r.error) {
    if (/No module named 'ansible'/.test(r.stderr ?? '')) {
      throw new Error(`ansible-core is not installed for ${PYTHON}: apt-get install ansible-core (the inventory tests compare against it)`);
    }
    throw new Error(`ansible oracle failed (status ${r.status}): ${r.error?.message ?? ''}${r.stderr}`);
  }
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as OracleView;
}

/** Normalise values the way JSON does (Ansible's tuples/sets are lists, floats like 1000.0 are 1000). */
const plain = (v: unknown): any => JSON.parse(JSON.stringify(v));

/** The same view, built from tsplay's inventory layer. */
export function tsplayView(inv: Inventory, req: OracleRequest): OracleView {
  const depth = groupDepths(inv);
  const view: OracleView = { groups: {}, hosts: {}, patterns: {}, group_names: {}, hostvars: {}, groups_var: groupsVar(inv), order: [...inv.hosts.keys()] };
  for (const g of inv.groups.values()) {
    view.groups[g.name] = { hosts: g.hosts, children: g.children, vars: plain(g.vars), priority: g.priority ?? 1, depth: depth.get(g.name) ?? 0 };
  }
  for (const h of inv.hosts.values()) {
    view.hosts[h.name] = plain(h.vars);
    view.group_names[h.name] = groupNames(inv, h.name);
    view.hostvars[h.name] = plain(mergeLayers(hostVarLayers(inv, h.name, req.playbook_dir)));
  }
  for (const p of req.patterns ?? []) {
    try {
      view.patterns[p] = selectHostsDetailed(inv, p, req.limit === undefined ? undefined : [req.limit]).hosts;
    } catch (e) {
      view.patterns[p] = { error: (e as Error).message };
    }
  }
  return view;
}

/** Many oracle requests in one python process (for differential fuzzing). */
export function ansibleViews(reqs: OracleRequest[], cwd = FIXTURES): OracleView[] {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: install Debian's ansible-core (apt-get install ansible-core) to run the inventory comparison tests`);
  const r = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify({ batch: reqs }), cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 || r.error) throw new Error(`ansible oracle failed (status ${r.status}): ${r.error?.message ?? ''}${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as OracleView[];
}
