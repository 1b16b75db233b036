/**
 * The inventory part of Ansible's variable precedence for one host (levels 3-10 of the 22):
 *   1. inventory file vars of group `all`
 *   2. inventory file vars of the host's other groups, by depth, ansible_group_priority, name
 *   3. inventory group_vars/all          4. playbook group_vars/all
 *   5. inventory group_vars/<group>      6. playbook group_vars/<group>   (same group order)
 *   7. inventory file host vars          8. inventory host_vars/<host>    9. playbook host_vars/<host>
 * This is ansible-core's VariableManager order with the default VARIABLE_PRECEDENCE. "Inventory"
 * group_vars/host_vars sit beside each inventory source (beside a file, or inside a directory
 * source), in source order. Merging is Ansible's default hash_behaviour=replace.
 */
import { dirname, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { TsplayError } from '../types.ts';
import { hostGroups, sortGroups } from './groups.ts';
import { isHostList } from './load.ts';
import { isImplicitLocalhost } from './patterns.ts';
import type { Inventory, VarLayer } from './types.ts';
import { findVarsFiles, loadVarsFile } from './varsfiles.ts';

/** Per-inventory cache of loaded vars files (files do not change during a run). */
const fileCache = new WeakMap<Inventory, Map<string, Record<string, unknown>>>();

function cachedVarsFile(inv: Inventory, file: string): Record<string, unknown> {
  let m = fileCache.get(inv);
  if (!m) fileCache.set(inv, (m = new Map()));
  let v = m.get(file);
  if (!v) m.set(file, (v = loadVarsFile(file)));
  return v;
}

/** Per-inventory cache of which vars files exist for a (directory, name). */
const foundCache = new WeakMap<Inventory, Map<string, string[]>>();

/** Forget cached group_vars/host_vars files of an inventory (e.g. after a test rewrote them). */
export function clearVarsCache(inv: Inventory): void {
  fileCache.delete(inv);
  foundCache.delete(inv);
  baseDirCache.delete(inv);
}

/** The directories whose group_vars/ and host_vars/ belong to the inventory, in source order. */
export function inventoryBaseDirs(inv: Inventory): string[] {
  const key = inv.sources.join('\0');
  const cached = baseDirCache.get(inv);
  if (cached && cached.key === key) return cached.dirs;
  const out: string[] = [];
  for (const s of inv.sources) {
    if (isHostList(s)) continue;
    let isDir = false;
    try {
      isDir = statSync(s).isDirectory();
    } catch {
      continue;
    }
    out.push(isDir ? resolve(s) : dirname(resolve(s)));
  }
  baseDirCache.set(inv, { key, dirs: out });
  return out;
}

const baseDirCache = new WeakMap<Inventory, { key: string; dirs: string[] }>();

/** Layers for `<baseDir>/<subdir>/<name>` (one per file, lexical order for the directory form). */
function fileLayers(inv: Inventory, baseDir: string, subdir: 'group_vars' | 'host_vars', name: string): VarLayer[] {
  if (name.startsWith('/')) return []; // Ansible skips chroot-style names
  const dir = join(baseDir, subdir);
  let m = foundCache.get(inv);
  if (!m) foundCache.set(inv, (m = new Map()));
  const key = `${dir}\0${name}`;
  let files = m.get(key);
  if (!files) {
    let isDir = m.has(dir) ? m.get(dir)!.length > 0 : undefined;
    if (isDir === undefined) {
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        isDir = false;
      }
      m.set(dir, isDir ? [dir] : []); // remembers whether the group_vars/host_vars directory exists
    }
    m.set(key, (files = isDir ? findVarsFiles(dir, name) : []));
  }
  return files.map((f) => ({ source: f, vars: cachedVarsFile(inv, f) }));
}

/**
 * Variable layers for `host`, lowest precedence first (see the file comment for the order).
 * `playbookDir` adds the playbook's group_vars/ and host_vars/. Layers may be empty.
 * The implicit localhost gets `all` vars and `ansible_connection: local`.
 * Throws TsplayError for an unknown host, ParseError for a bad vars file.
 * The layers' `vars` are the inventory's own objects (shared between hosts): do not mutate them.
 */
export function hostVarLayers(inv: Inventory, host: string, playbookDir?: string): VarLayer[] {
  const implicit = isImplicitLocalhost(inv, host);
  const h = inv.hosts.get(host);
  if (!h && !implicit) throw new TsplayError(`host '${host}' is not in the inventory`);
  const bases = inventoryBaseDirs(inv);
  const play = playbookDir ? [resolve(playbookDir)] : [];
  const groups = implicit ? [] : sortGroups(inv, hostGroups(inv, host).filter((g) => g !== 'all'));
  const layers: VarLayer[] = [];
  const all = inv.groups.get('all')!;
  layers.push({ source: 'inventory vars of group all', vars: all.vars });
  for (const g of groups) layers.push({ source: `inventory vars of group ${g}`, vars: inv.groups.get(g)!.vars });
  for (const b of bases) layers.push(...fileLayers(inv, b, 'group_vars', 'all'));
  for (const b of play) layers.push(...fileLayers(inv, b, 'group_vars', 'all'));
  for (const b of bases) for (const g of groups) layers.push(...fileLayers(inv, b, 'group_vars', g));
  for (const b of play) for (const g of groups) layers.push(...fileLayers(inv, b, 'group_vars', g));
  layers.push({ source: `inventory vars of host ${host}`, vars: h ? h.vars : { ansible_connection: 'local' } });
  for (const b of bases) layers.push(...fileLayers(inv, b, 'host_vars', host));
  for (const b of play) layers.push(...fileLayers(inv, b, 'host_vars', host));
  return layers;
}

/** Merge layers with Ansible's default hash_behaviour (replace): later layers win per top-level key. */
export function mergeLayers(layers: VarLayer[]): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const l of layers) out = { ...out, ...l.vars };
  return out;
}
