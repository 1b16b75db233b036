/**
 * Ansible's variable precedence, lowest first ("Understanding variable precedence").
 * Layers are merged with top-level replace (Ansible's default hash_behaviour=replace):
 * a later layer's key replaces the earlier value whole, dicts are not deep-merged.
 * Merging is a shallow Object.assign per layer, never a deep copy.
 */

/** The 22 levels, lowest precedence first (index + 1 = Ansible's level number). */
export const PRECEDENCE_LEVELS = [
  'command line values (e.g. -u my_user; these are not variables)',
  'role defaults (roles/x/defaults/main.yml)',
  'inventory file or script group vars',
  'inventory group_vars/all',
  'playbook group_vars/all',
  'inventory group_vars/*',
  'playbook group_vars/*',
  'inventory file or script host vars',
  'inventory host_vars/*',
  'playbook host_vars/*',
  'host facts / cached set_facts',
  'play vars',
  'play vars_prompt',
  'play vars_files',
  'role vars (roles/x/vars/main.yml)',
  'block vars (only for tasks in block)',
  'task vars (only for the task)',
  'include_vars',
  'set_facts / registered vars',
  'role (and include_role) params',
  'include params',
  'extra vars (-e; always win)',
] as const;

/** One named layer of variables. */
export interface VarLayer {
  /** Where the values come from (a PRECEDENCE_LEVELS entry, or a file). */
  source: string;
  vars: Record<string, unknown> | undefined;
}

/**
 * Merge layers lowest first into ONE new flat object (top-level replace).
 * Cost is proportional to the number of keys; values are shared, not copied.
 */
export function mergeLayers(layers: readonly (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const l of layers) if (l) for (const k of Object.keys(l)) out[k] = l[k];
  // A spread copy is a fast-properties object, which V8 clones ~50x faster than the
  // dictionary-mode objects that big incremental merges can produce (taskVars clones it per task).
  return { ...out };
}

/**
 * Which layer a variable's effective value comes from (for `tsplay` debugging output and
 * tests): the highest layer that defines it, or undefined.
 */
export function winningLayer(layers: readonly VarLayer[], name: string): VarLayer | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const v = layers[i].vars;
    if (v && Object.prototype.hasOwnProperty.call(v, name)) return layers[i];
  }
  return undefined;
}
