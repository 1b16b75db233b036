/**
 * The `hostvars` magic variable: a read-only mapping host -> that host's variables, built
 * lazily (a host's variables are only merged when a template reads them). Each host's
 * object carries the expression engine's VARS_SCOPE marker, so a template string found
 * under `hostvars[h]` (e.g. `"{{ ansible_host }}:6443"`) is rendered against h's variables.
 */
import { VARS_SCOPE } from '../expr/context.ts';

/**
 * Build the lazy `hostvars` object. `hosts` lists the names, `varsOf` builds one host's variables.
 * `reset()` forgets built views (after set_fact, facts or inventory changes); the object stays the same.
 */
export function buildHostvars(hosts: () => string[], varsOf: (host: string) => Record<string, unknown>, implicit: (host: string) => boolean = () => false): { hostvars: Record<string, unknown>; reset(): void } {
  const built = new Map<string, Record<string, unknown>>();
  let names: Set<string> | undefined;
  const reset = (): void => {
    built.clear();
    names = undefined;
  };
  const nameSet = (): Set<string> => (names ??= new Set(hosts()));
  /** Listed hosts, or a host that exists implicitly (Ansible's implicit localhost). */
  const known = (key: string): boolean => nameSet().has(key) || implicit(key);
  const hostView = (host: string): Record<string, unknown> => {
    let v = built.get(host);
    if (v) return v;
    v = varsOf(host);
    Object.defineProperty(v, VARS_SCOPE, { value: v, enumerable: false });
    // As Ansible, hostvars[h] has no `hostvars` key (it stays readable for templates rendered
    // in h's scope): to_json / deep walks of one host's variables do not recurse into all hosts.
    if ('hostvars' in v) Object.defineProperty(v, 'hostvars', { value: v.hostvars, enumerable: false, writable: true, configurable: true });
    built.set(host, v);
    return v;
  };
  const target: Record<string, unknown> = {};
  const hostvars = new Proxy(target, {
    get(_t, key) {
      if (typeof key !== 'string') return undefined;
      return known(key) ? hostView(key) : undefined;
    },
    has: (_t, key) => typeof key === 'string' && known(key),
    ownKeys: () => [...nameSet()],
    getOwnPropertyDescriptor: (_t, key) =>
      typeof key === 'string' && known(key) ? { value: hostView(key), enumerable: true, configurable: true, writable: false } : undefined,
    set: () => false,
    deleteProperty: () => false,
  });
  return { hostvars, reset };
}
