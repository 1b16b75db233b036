/**
 * Changing the inventory during a run, as Ansible's add_host and group_by modules do
 * (InventoryManager.add_dynamic_host / add_dynamic_group): new hosts and groups, memberships and
 * host vars, then the usual rules (new top-level groups under `all`, `ungrouped` kept right).
 */
import { InventoryBuilder } from './builder.ts';
import type { Inventory } from './types.ts';

/**
 * add_host: add `name` (if new) with `vars` merged over its inline vars, and put it in `groups`
 * (created when missing). Returns true when the inventory changed.
 */
export function addDynamicHost(inv: Inventory, name: string, groups: string[] = [], vars: Record<string, unknown> = {}): boolean {
  const b = new InventoryBuilder(inv.sources, inv);
  let changed = false;
  if (!inv.hosts.has(name)) {
    b.addHost(name, 'all');
    changed = true;
  }
  const h = inv.hosts.get(name)!;
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in h.vars) || JSON.stringify(h.vars[k]) !== JSON.stringify(v)) changed = true;
    b.setVar(name, k, v);
  }
  for (const g of groups) {
    if (!inv.groups.has(g)) {
      b.addGroup(g);
      changed = true;
    }
    if (!inv.groups.get(g)!.hosts.includes(name)) {
      b.addHost(name, g);
      changed = true;
    }
  }
  if (changed) b.reconcile();
  return changed;
}

/**
 * group_by: put `host` in group `group` (created when missing) under `parents` (also created).
 * Returns true when the inventory changed. Throws TsplayError for an unknown host or a loop.
 */
export function addDynamicGroup(inv: Inventory, host: string, group: string, parents: string[] = []): boolean {
  const b = new InventoryBuilder(inv.sources, inv);
  let changed = false;
  if (!inv.groups.has(group)) {
    b.addGroup(group);
    changed = true;
  }
  for (const p of parents) {
    if (!inv.groups.has(p)) {
      b.addGroup(p);
      changed = true;
    }
    if (!inv.groups.get(p)!.children.includes(group)) {
      b.addChild(p, group);
      changed = true;
    }
  }
  if (!inv.groups.get(group)!.hosts.includes(host)) {
    b.addChild(group, host);
    changed = true;
  }
  if (changed) b.reconcile();
  return changed;
}
