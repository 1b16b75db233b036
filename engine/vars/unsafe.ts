/**
 * Unsafe propagation through set_fact, as Ansible: a value templated from unsafe data
 * (a registered result, a fact, an `!unsafe` value) stays unsafe (AnsibleUnsafeText), so a
 * command's output containing `{{ x }}` is never templated again when re-used via set_fact.
 *
 * Only what re-templating could change is wrapped: a string that still holds template
 * markers (as UnsafeText), and lists/dicts (a copy marked with markUnsafe). Other strings and
 * scalars are stored as they are (templating them again is a no-op), so connection variables
 * and the like keep plain values.
 */
import { UnsafeText } from '../yaml.ts';
import { isTemplated, markUnsafe, trackUnsafe } from '../expr/index.ts';

/** Ansible's wrap_var, limited to what re-templating could change (see the file comment). */
export function wrapUnsafe(v: unknown): unknown {
  if (typeof v === 'string') return isTemplated(v) ? new UnsafeText(v) : v;
  if (Array.isArray(v)) return markUnsafe(v.slice());
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return markUnsafe({ ...(v as Record<string, unknown>) });
  return v;
}

/**
 * Template each entry of a set_fact-style mapping on its own (keys too), noting which values
 * read unsafe data. `template` is the task's templater (one call per key and per value).
 */
export function templateTracked(
  args: Record<string, unknown>,
  template: (v: unknown) => unknown,
): { args: Record<string, unknown>; unsafe: Set<string> } {
  const out: Record<string, unknown> = {};
  const unsafe = new Set<string>();
  for (const [k, raw] of Object.entries(args)) {
    const key = isTemplated(k) ? String(template(k)) : k;
    const t = trackUnsafe(() => template(raw));
    Object.defineProperty(out, key, { value: t.value, enumerable: true, writable: true, configurable: true });
    if (t.unsafe) unsafe.add(key);
  }
  return { args: out, unsafe };
}

/** Where set_fact keeps the facts as stored (unsafe values wrapped) on its result, unseen by output. */
const STORED = Symbol.for('tsplay.storedFacts');

/** Attach the stored (wrapped) facts to a set_fact result without changing what is shown. */
export function withStoredFacts<T extends object>(result: T, facts: Record<string, unknown>): T {
  Object.defineProperty(result, STORED, { value: facts, enumerable: false, configurable: true });
  return result;
}

/** The facts a set_fact result stored (unsafe values wrapped), else its plain `ansible_facts`. */
export function storedFacts(result: Record<string, unknown>): Record<string, unknown> | undefined {
  const s = (result as Record<symbol, unknown>)[STORED] as Record<string, unknown> | undefined;
  if (s) return s;
  const f = result.ansible_facts;
  return f && typeof f === 'object' ? (f as Record<string, unknown>) : undefined;
}
