/**
 * The inventory data model every other part of tsplay codes against.
 * Mirrors Ansible's InventoryData: hosts and groups in the order they were first seen,
 * groups with their direct hosts and child groups, inline inventory variables.
 */

/** One inventory host. */
export interface InvHost {
  name: string;
  /** Inline inventory vars (INI host line / YAML host mapping, plus `ansible_port` from `host:port`). */
  vars: Record<string, unknown>;
  /** The inventory source the host was first seen in (Ansible's `inventory_file`); absent for `h1,h2,` lists. */
  file?: string;
}

/** One inventory group. `all` and `ungrouped` always exist. */
export interface InvGroup {
  name: string;
  /** The group's own inventory vars (`[g:vars]`, YAML `vars:`), without group_vars/ files. */
  vars: Record<string, unknown>;
  /** Direct member hosts, in the order they were added. */
  hosts: string[];
  /** Direct child groups, in the order they were added. */
  children: string[];
  /** `ansible_group_priority` (default 1); it is not kept in `vars`, as in Ansible. */
  priority?: number;
}

/** A loaded inventory (one or more `-i` sources merged). */
export interface Inventory {
  /** Every host, in inventory order (order of first appearance). */
  hosts: Map<string, InvHost>;
  /** Every group, in order of first appearance, starting with `all` and `ungrouped`. */
  groups: Map<string, InvGroup>;
  /** The `-i` sources as given (files, directories, `h1,h2,` lists). */
  sources: string[];
  /** Non-fatal problems Ansible would warn about (skipped YAML keys, host/group name clashes). */
  warnings?: string[];
}

/** One layer of host variables, lowest precedence first (see hostVarLayers). */
export interface VarLayer {
  /** Where the layer came from, e.g. `inventory group vars: web` or `/path/group_vars/all.yml`. */
  source: string;
  vars: Record<string, unknown>;
}

/** The names Ansible treats as localhost (implicit localhost when not in the inventory). */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];
