/**
 * Facts as variables: gathered facts are stored with bare names (`os_family`) and exposed
 * both as `ansible_facts.os_family` and as `ansible_os_family` (Ansible's
 * inject_facts_as_vars). The result is cached per facts object (no rebuild per task).
 */

const cache = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

/** `{ansible_facts: facts, ansible_<name>: value...}` for a bare-name facts dict. */
export function factVars(facts: Record<string, unknown>): Record<string, unknown> {
  const hit = cache.get(facts);
  if (hit) return hit;
  const out: Record<string, unknown> = { ansible_facts: facts };
  for (const [k, v] of Object.entries(facts)) {
    if (k.startsWith('ansible_')) out[k] = v;
    else out[`ansible_${k}`] = v;
  }
  // Ansible exposes a few facts without the prefix too.
  if ('module_setup' in facts) out.module_setup = facts.module_setup;
  cache.set(facts, out);
  return out;
}
