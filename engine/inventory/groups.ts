/**
 * Group relations derived from an Inventory: all hosts of a group (its own and its descendants'),
 * the groups of a host (with ancestors), group depth, and Ansible's `groups` / `group_names`
 * magic variables.
 */
import { leftUngrouped } from './builder.ts';
import type { Inventory } from './types.ts';

/** Every host of a group: its own hosts, then its child groups' hosts breadth-first, deduplicated. */
export function groupHosts(inv: Inventory, name: string): string[] {
  const g = inv.groups.get(name);
  if (!g) return [];
  const ordered = [name];
  const seen = new Set(ordered);
  let frontier = [name];
  while (frontier.length) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const c of inv.groups.get(f)?.children ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          ordered.push(c);
          next.push(c);
        }
      }
    }
    frontier = next;
  }
  const hosts: string[] = [];
  const seenHosts = new Set<string>();
  for (const gname of ordered) {
    for (const h of inv.groups.get(gname)!.hosts) {
      if (!seenHosts.has(h)) {
        seenHosts.add(h);
        hosts.push(h);
      }
    }
  }
  return hosts;
}

/** Derived relations of an inventory, rebuilt whenever its shape changes. */
interface Index {
  signature: string;
  parents: Map<string, string[]>;
  directGroups: Map<string, string[]>;
  depth: Map<string, number>;
}

const indexes = new WeakMap<Inventory, Index>();

/** Cheap fingerprint of the inventory's shape (sizes of every membership list). */
function signature(inv: Inventory): string {
  let s = `${inv.hosts.size}|${inv.groups.size}|`;
  for (const g of inv.groups.values()) s += `${g.hosts.length},${g.children.length};`;
  return s;
}

function indexOf(inv: Inventory): Index {
  const sig = signature(inv);
  const cached = indexes.get(inv);
  if (cached && cached.signature === sig) return cached;
  const parents = new Map<string, string[]>();
  const directGroups = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    for (const c of g.children) {
      if (!parents.has(c)) parents.set(c, []);
      parents.get(c)!.push(g.name);
    }
    for (const h of g.hosts) {
      if (!directGroups.has(h)) directGroups.set(h, []);
      directGroups.get(h)!.push(g.name);
    }
  }
  const depth = new Map<string, number>();
  const visit = (g: string, stack: Set<string>): number => {
    const known = depth.get(g);
    if (known !== undefined) return known;
    if (stack.has(g)) return 0; // cycles are refused at load time; be safe anyway
    stack.add(g);
    let d = 0;
    for (const p of parents.get(g) ?? []) d = Math.max(d, visit(p, stack) + 1);
    stack.delete(g);
    depth.set(g, d);
    return d;
  };
  for (const g of inv.groups.keys()) visit(g, new Set());
  const idx = { signature: sig, parents, directGroups, depth };
  indexes.set(inv, idx);
  return idx;
}

/** Every group a host belongs to, directly or through a child group (includes `all`). */
export function hostGroups(inv: Inventory, host: string): string[] {
  const { parents, directGroups } = indexOf(inv);
  const out = new Set<string>();
  const todo = [...(directGroups.get(host) ?? [])];
  while (todo.length) {
    const g = todo.pop()!;
    if (out.has(g)) continue;
    out.add(g);
    todo.push(...(parents.get(g) ?? []));
  }
  return [...out];
}

/**
 * Depth of each group: the length of the longest parent chain up to `all` (all = 0), which is
 * what Ansible's Group.depth ends up as. Used to order group vars.
 */
export function groupDepths(inv: Inventory): Map<string, number> {
  return indexOf(inv).depth;
}

/** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
export function sortGroups(inv: Inventory, names: string[]): string[] {
  const depth = groupDepths(inv);
  return [...names].sort((a, b) => {
    const da = depth.get(a) ?? 0;
    const db = depth.get(b) ?? 0;
    if (da !== db) return da - db;
    const pa = inv.groups.get(a)?.priority ?? 1;
    const pb = inv.groups.get(b)?.priority ?? 1;
    if (pa !== pb) return pa - pb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Ansible's `group_names` for a host: its groups (with ancestors) sorted, without `all`.
 * As in Ansible, a host in no group has `['ungrouped']`; the implicit localhost has `[]`.
 */
export function groupNames(inv: Inventory, host: string): string[] {
  const dropUngrouped = leftUngrouped(inv, host);
  return hostGroups(inv, host)
    .filter((g) => g !== 'all' && !(dropUngrouped && g === 'ungrouped'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Ansible's `groups` magic var: every group (incl. `all` and `ungrouped`) -> its hosts. */
export function groupsVar(inv: Inventory): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) out[name] = groupHosts(inv, name);
  return out;
}
