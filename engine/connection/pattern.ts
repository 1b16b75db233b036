/**
 * OpenSSH host pattern matching (ssh_config `Host`, known_hosts host fields):
 * `*` and `?` wildcards, comma/space separated lists, `!` negation.
 */

const compiled = new Map<string, RegExp>();
const CACHE_MAX = 1000;
const ASCII = /^[\x00-\x7f]*$/;

function wildcardRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    if (compiled.size >= CACHE_MAX) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Match one wildcard pattern (`*`, `?`) against a name, case-insensitively. */
export function matchWildcard(pattern: string, name: string): boolean {
  // a plain ASCII name (most known_hosts and Host entries): no regular expression at all
  if (!pattern.includes('*') && !pattern.includes('?') && ASCII.test(pattern) && ASCII.test(name)) {
    return pattern.length === name.length && pattern.toLowerCase() === name.toLowerCase();
  }
  return wildcardRegExp(pattern).test(name);
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
