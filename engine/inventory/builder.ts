/**
 * Builds an Inventory the way Ansible's InventoryData does: `all` and `ungrouped` always exist,
 * hosts/groups keep first-seen order, child links refuse cycles, setting a dict var onto a dict var
 * replaces (Ansible's set_variable with hash_behaviour=replace), and `reconcile()` applies the final rules
 * (parentless groups become children of `all`; hosts in no group go to `ungrouped`).
 */
import { TsplayError } from '../types.ts';
import type { InvGroup, InvHost, Inventory } from './types.ts';

/**
 * Ansible's Host/Group set_variable. With the default hash_behaviour (replace) a later value
 * replaces an earlier one, mappings included.
 */
export function setVariable(vars: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a variable named __proto__ is data, never the object's prototype
  Object.defineProperty(vars, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Python's int(value) for what inventories hold (numbers, booleans, digit strings), else a TsplayError. */
function pythonInt(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) return parseInt(value.replace(/_/g, ''), 10);
  throw new TsplayError(`${what} must be an integer, got ${JSON.stringify(value) ?? String(value)}`);
}

/** Mutable inventory under construction; `finish()` returns the Inventory. */
export class InventoryBuilder {
  readonly hosts: Map<string, InvHost>;
  readonly groups: Map<string, InvGroup>;
  readonly warnings: string[];
  private readonly parents = new Map<string, string[]>();
  /** Hosts taken out of `ungrouped` by reconcile (Ansible then drops `ungrouped` from their groups). */
  private readonly leftUngrouped: Set<string>;
  /** The source currently being parsed (recorded as InvHost.file for new hosts). */
  currentFile?: string;

  /** A new inventory from `sources`, or (with `existing`) a builder that edits that inventory in place. */
  constructor(readonly sources: string[], existing?: Inventory) {
    if (existing) {
      this.hosts = existing.hosts;
      this.groups = existing.groups;
      this.warnings = existing.warnings ?? (existing.warnings = []);
      this.leftUngrouped = leftUngroupedOf.get(existing) ?? new Set();
      leftUngroupedOf.set(existing, this.leftUngrouped);
      for (const g of this.groups.values()) if (!this.parents.has(g.name)) this.parents.set(g.name, []);
      for (const g of this.groups.values()) for (const c of g.children) this.parents.get(c)?.push(g.name);
      return;
    }
    this.hosts = new Map();
    this.groups = new Map();
    this.warnings = [];
    this.leftUngrouped = new Set();
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string): string {
    if (typeof name !== 'string' || name === '') throw new TsplayError(`invalid empty group name`);
    if (!this.groups.has(name)) {
      this.groups.set(name, { name, vars: {}, hosts: [], children: [], priority: 1 });
      this.parents.set(name, []);
    }
    return name;
  }

  /** Add a host (and put it in `group`, which must exist). `port` applies only when the host is new. */
  addHost(name: string, group?: string, port?: number): string {
    if (typeof name !== 'string' || name === '') throw new TsplayError('invalid empty host name');
    if (group !== undefined && !this.groups.has(group)) throw new TsplayError(`could not find group ${group} in inventory`);
    if (!this.hosts.has(name)) {
      const h: InvHost = { name, vars: {} };
      if (this.currentFile !== undefined) h.file = this.currentFile;
      if (port) h.vars.ansible_port = port;
      this.hosts.set(name, h);
    }
    if (group !== undefined) {
      const g = this.groups.get(group)!;
      if (!g.hosts.includes(name)) g.hosts.push(name);
    }
    return name;
  }

  /** Set a variable on a group or host (groups win when both have the name, as in Ansible). */
  setVar(entity: string, key: string, value: unknown): void {
    const g = this.groups.get(entity);
    if (g) {
      if (key === 'ansible_group_priority') {
        g.priority = pythonInt(value, key);
      } else setVariable(g.vars, key, value);
      return;
    }
    const h = this.hosts.get(entity);
    if (!h) throw new TsplayError(`could not identify group or host named ${entity}`);
    setVariable(h.vars, key, value);
  }

  /** Ancestors of a group (transitive parents). */
  ancestors(name: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(this.parents.get(name) ?? [])];
    while (todo.length) {
      const g = todo.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      todo.push(...(this.parents.get(g) ?? []));
    }
    return seen;
  }

  /** Make `child` (a group, or else a host) a member of `group`. Refuses dependency loops. */
  addChild(group: string, child: string): void {
    const g = this.groups.get(group);
    if (!g) throw new TsplayError(`${group} is not a known group`);
    if (this.groups.has(child)) {
      if (child === group) throw new TsplayError(`can't add group ${group} to itself`);
      if (g.children.includes(child)) return;
      if (this.ancestors(group).has(child)) {
        throw new TsplayError(`Adding group '${child}' as child to '${group}' creates a recursive dependency loop.`);
      }
      g.children.push(child);
      const ps = this.parents.get(child)!;
      if (!ps.includes(group)) ps.push(group);
    } else if (this.hosts.has(child)) {
      if (!g.hosts.includes(child)) g.hosts.push(child);
    } else throw new TsplayError(`${child} is not a known host nor group`);
  }

  /** Ansible's reconcile_inventory. */
  reconcile(): void {
    for (const name of this.groups.keys()) {
      if (name !== 'all' && this.ancestors(name).size === 0) this.addChild('all', name);
    }
    const memberOf = new Map<string, Set<string>>();
    for (const g of this.groups.values()) {
      for (const h of g.hosts) {
        if (!memberOf.has(h)) memberOf.set(h, new Set());
        memberOf.get(h)!.add(g.name);
      }
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.keys()) {
      const direct = memberOf.get(h) ?? new Set<string>();
      if (direct.has('ungrouped')) {
        // the host's groups include ancestors: `[p:children] ungrouped` takes hosts out of ungrouped
        const mine = new Set(direct);
        for (const g of direct) for (const a of this.ancestors(g)) mine.add(a);
        if ([...mine].some((g) => g !== 'ungrouped' && g !== 'all')) {
          ungrouped.hosts = ungrouped.hosts.filter((x) => x !== h);
          this.leftUngrouped.add(h);
        }
      } else if ([...direct].every((g) => g === 'all')) {
        // Ansible's add_child: a group of the same name wins over the host (it warns about the clash)
        this.addChild('ungrouped', h);
      }
    }
    for (const name of this.groups.keys()) {
      const w = `Found both group and host with same name: ${name}`;
      if (this.hosts.has(name) && !this.warnings.includes(w)) this.warnings.push(w);
    }
  }

  /** A copy of the current state, to undo a failed parse attempt with restore(). */
  snapshot(): unknown {
    return {
      hosts: [...this.hosts.values()].map((h) => ({ ...h, vars: { ...h.vars } })),
      groups: [...this.groups.values()].map((g) => ({ ...g, vars: { ...g.vars }, hosts: [...g.hosts], children: [...g.children] })),
      parents: [...this.parents.entries()].map(([k, v]) => [k, [...v]] as const),
      warnings: this.warnings.length,
    };
  }

  /** Go back to a snapshot() (set_variable never mutates nested values, so shallow copies suffice). */
  restore(snap: unknown): void {
    const s = snap as { hosts: InvHost[]; groups: InvGroup[]; parents: (readonly [string, string[]])[]; warnings: number };
    this.hosts.clear();
    for (const h of s.hosts) this.hosts.set(h.name, h);
    this.groups.clear();
    for (const g of s.groups) this.groups.set(g.name, g);
    this.parents.clear();
    for (const [k, v] of s.parents) this.parents.set(k, v);
    this.warnings.length = s.warnings;
  }

  finish(): Inventory {
    this.reconcile();
    const inv: Inventory = { hosts: this.hosts, groups: this.groups, sources: this.sources, warnings: this.warnings };
    if (this.leftUngrouped.size) leftUngroupedOf.set(inv, this.leftUngrouped);
    return inv;
  }
}

const leftUngroupedOf = new WeakMap<Inventory, Set<string>>();

/**
 * Whether reconcile took `host` out of `ungrouped` (it had other groups). Ansible then no longer
 * counts `ungrouped` among the host's groups, even when `ungrouped` is an ancestor of one of them.
 */
export function leftUngrouped(inv: Inventory, host: string): boolean {
  return leftUngroupedOf.get(inv)?.has(host) ?? false;
}
