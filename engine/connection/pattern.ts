/**
 * OpenSSH host pattern matching (ssh_config `Host`, known_hosts host fields):
 * `*` and `?` wildcards, comma/space separated lists, `!` negation.
 */

/** Match one wildcard pattern (`*`, `?`) against a name, case-insensitively. */
export function matchWildcard(pattern: string, name: string): boolean {
  const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re, 'i').test(name);
}

/**
 * Match a pattern list (already split) against a name: any negated pattern that matches
 * rejects the name; otherwise at least one positive pattern must match.
 */
export function matchPatternList(patterns: readonly string[], name: string): boolean {
  let positive = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchWildcard(p.slice(1), name)) return false;
    } else if (matchWildcard(p, name)) {
      positive = true;
    }
  }
  return positive;
}
