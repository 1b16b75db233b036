/**
 * Registry of secret values (passwords, vault plaintexts, no_log values).
 * Every output path (reporter, logs, error messages) passes its text through `redact()`
 * so a registered secret never reaches a terminal, a --json document or a log file.
 */

const REDACTED = '********';
const secrets = new Set<string>();
/** Sorted longest first so a secret containing another one is replaced whole. */
let ordered: string[] = [];

/**
 * Remember a secret value so `redact()` hides it everywhere. Values shorter than 3
 * characters are ignored (redacting every "a" or "1" would destroy output, and such values
 * cannot be protected by redaction anyway). Returns the value, for inline use.
 */
export function registerSecret(value: string | undefined | null): string | undefined | null {
  if (typeof value !== 'string' || value.length < 3 || secrets.has(value)) return value;
  secrets.add(value);
  // A multi-line secret (a key, a vault file) is also hidden line by line, so that
  // an output path that splits text into lines still cannot show any of it.
  if (value.includes('\n')) {
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) secrets.add(line);
  }
  ordered = [...secrets].sort((a, b) => b.length - a.length);
  return value;
}

/** Replace every registered secret in `text` with '********'. */
export function redact(text: string): string {
  if (ordered.length === 0 || typeof text !== 'string' || text.length === 0) return text;
  let out = text;
  for (const s of ordered) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Deep-redact every string inside a JSON-like value (results, events). Returns a copy. */
export function redactValue<T>(value: T): T {
  if (ordered.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = walk(x);
      return o;
    }
    return v;
  };
  return walk(value) as T;
}

/** True when `text` contains a registered secret (for assertions and self-checks). */
export function containsSecret(text: string): boolean {
  return ordered.some((s) => text.includes(s));
}

/** Forget every registered secret (tests only). */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

/** The placeholder that replaces secrets. */
export const REDACTION = REDACTED;
