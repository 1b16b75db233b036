/**
 * Host patterns and --limit, as Ansible's InventoryManager evaluates them (ansible-core 2.14):
 * `all`, `*`, `a:b` / `a,b` (union), `a:&b` (intersection), `a:!b` (exclusion), globs `web*`,
 * regexes `~web\d+`, subscripts `g[0]`, `g[-1]`, `g[1:3]`, `g[1:]`, implicit localhost, and
 * `--limit` (same syntax plus `@file` with one host per line). Unions are applied first, then
 * intersections, then exclusions; results keep inventory order.
 */
import { readFileSync, statSync } from 'node:fs';
import { TsplayError } from '../types.ts';
import { parseAddress } from './address.ts';
import { globToRegExp } from './fnmatch.ts';
import { groupHosts } from './groups.ts';
import { LOCALHOST_NAMES, type Inventory } from './types.ts';

const SUBSCRIPT_RE = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;

/**
 * `re.findall(r'(?:[^\s:\[\]]|\[[^\]]*\])+', pattern)` in linear time: runs of characters other
 * than whitespace, `:` and brackets, where a `[...]` group (up to the next `]`) counts as one unit.
 */
function splitOnColons(p: string): string[] {
  const nextClose = new Int32Array(p.length + 1).fill(-1);
  for (let i = p.length - 1, nx = -1; i >= 0; i--) {
    if (p[i] === ']') nx = i;
    nextClose[i] = nx;
  }
  const out: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur) out.push(cur);
    cur = '';
  };
  for (let i = 0; i < p.length; ) {
    const c = p[i];
    if (c === '[') {
      const j = nextClose[i + 1];
      if (j >= 0) {
        cur += p.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      flush();
      i++;
    } else if (c === ']' || c === ':' || /\s/.test(c)) {
      flush();
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  flush();
  return out;
}

/**
 * Ansible's split_host_pattern: `a,b` splits on commas; otherwise a single address or range
 * (`web[1:3]`, `fe80::1`) is one pattern, and anything else splits on `:`.
 */
export function splitHostPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap((p) => splitHostPattern(String(p)));
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else parts = splitOnColons(pattern);
  return parts.map((p) => p.trim()).filter((p) => p);
}

/** Regular patterns first, then `&` intersections, then `!` exclusions (Ansible's order_patterns). */
export function orderPatterns(patterns: string[]): string[] {
  const regular: string[] = [];
  const inter: string[] = [];
  const excl: string[] = [];
  for (const p of patterns) {
    if (!p) continue;
    if (p[0] === '!') excl.push(p);
    else if (p[0] === '&') inter.push(p);
    else regular.push(p);
  }
  return [...(regular.length ? regular : ['all']), ...inter, ...excl];
}

/** A pattern shown in an error message (long junk is cut). */
const shown = (p: string): string => (p.length > 200 ? `${p.slice(0, 200)}...` : p);

function compile(pattern: string): RegExp {
  try {
    if (pattern[0] !== '~') return globToRegExp(pattern);
    const re = new RegExp(pattern.slice(1), 'y');
    re.test(''); // V8 compiles lazily: surface "too large" and the like here
    return re;
  } catch {
    throw new TsplayError(`Invalid host list pattern: ${shown(pattern)}`);
  }
}

function matchList(items: Iterable<string>, pattern: string): string[] {
  const re = compile(pattern);
  const out: string[] = [];
  try {
    for (const item of items) {
      re.lastIndex = 0;
      if (re.test(item)) out.push(item);
    }
  } catch {
    throw new TsplayError(`Invalid host list pattern: ${shown(pattern)}`);
  }
  return out;
}

/** What one evaluation found: the hosts, and patterns that matched nothing (Ansible warns). */
export interface Selection {
  hosts: string[];
  unmatched: string[];
}

class Evaluator {
  private readonly cache = new Map<string, string[]>();
  constructor(private readonly inv: Inventory, private readonly unmatched: string[]) {}

  evaluate(patterns: string[]): string[] {
    let hosts: string[] = [];
    for (const p of orderPatterns(patterns)) {
      if (this.inv.hosts.has(p)) {
        hosts.push(p);
        continue;
      }
      const that = this.matchOne(p);
      if (p[0] === '!') {
        const s = new Set(that);
        hosts = hosts.filter((h) => !s.has(h));
      } else if (p[0] === '&') {
        const s = new Set(that);
        hosts = hosts.filter((h) => s.has(h));
      } else {
        const existing = new Set(hosts);
        hosts.push(...that.filter((h) => !existing.has(h)));
      }
    }
    return [...new Set(hosts)];
  }

  private matchOne(pattern: string): string[] {
    const original = pattern;
    if (pattern[0] === '&' || pattern[0] === '!') pattern = pattern.slice(1);
    if (!pattern) throw new TsplayError(`bad host pattern '${shown(original)}': nothing after '${original[0]}'`);
    const cached = this.cache.get(pattern);
    if (cached) return cached;
    let expr = pattern;
    let sub: [number, number | undefined] | undefined;
    if (pattern[0] !== '~') {
      const m = SUBSCRIPT_RE.exec(pattern);
      if (m) {
        expr = m[1];
        if (m[2] !== undefined) sub = [parseInt(m[2], 10), undefined];
        else sub = [parseInt(m[3], 10), m[5] ? parseInt(m[5], 10) : -1];
      }
    }
    let hosts = this.enumerate(expr);
    if (hosts.length && sub) {
      const [start, end] = sub;
      if (end) {
        hosts = hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
      } else {
        const i = start < 0 ? hosts.length + start : start;
        if (i < 0 || i >= hosts.length) throw new TsplayError(`No hosts matched the subscripted pattern '${shown(pattern)}'`);
        hosts = [hosts[i]];
      }
    }
    this.cache.set(pattern, hosts);
    return hosts;
  }

  private enumerate(pattern: string): string[] {
    const results: string[] = [];
    const groups = matchList(this.inv.groups.keys(), pattern);
    for (const g of groups) results.push(...groupHosts(this.inv, g));
    if (!groups.length || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
      results.push(...matchList(this.inv.hosts.keys(), pattern));
    }
    if (!results.length && LOCALHOST_NAMES.includes(pattern)) {
      const explicit = [...this.inv.hosts.keys()].find((h) => LOCALHOST_NAMES.includes(h));
      results.push(explicit ?? pattern);
    }
    if (!results.length && !groups.length && pattern !== 'all') this.unmatched.push(pattern);
    return results;
  }
}

/** Host names listed in a `--limit @file` (one per line). */
function readLimitFile(file: string): string[] {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new TsplayError(`Unable to find limit file ${file}`);
  }
  if (!st.isFile()) throw new TsplayError(`Limit starting with "@" must be a file, not a directory: ${file}`);
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim());
}

/** selectHosts with the patterns that matched nothing (to warn about, as Ansible does). */
export function selectHostsDetailed(inv: Inventory, pattern: string | string[], limit?: string | string[]): Selection {
  const patterns = splitHostPattern(pattern);
  if (!patterns.length) throw new TsplayError(`empty host pattern '${shown(Array.isArray(pattern) ? pattern.join(',') : pattern)}'`);
  const unmatched: string[] = [];
  let hosts = new Evaluator(inv, unmatched).evaluate(patterns);
  const limits = limit === undefined ? [] : Array.isArray(limit) ? limit : [limit];
  if (limits.length) {
    const subset: string[] = [];
    for (const x of splitHostPattern(limits)) {
      if (x[0] === '@') subset.push(...readLimitFile(x.slice(1)));
      else subset.push(x);
    }
    const allowed = new Set(new Evaluator(inv, unmatched).evaluate(subset));
    hosts = hosts.filter((h) => allowed.has(h));
  }
  return { hosts, unmatched };
}

/**
 * Hosts matching an Ansible host pattern (a play's `hosts:` or an ad-hoc pattern), restricted by
 * `--limit` when given (Ansible keeps only the last `-l`; several values here are combined like
 * `a,b`; `@file` reads host names, one per line), in Ansible's order (a group's own hosts, then
 * its child groups' hosts breadth first). `localhost` / `127.0.0.1` / `::1` match the
 * implicit localhost when the inventory does not define them (see isImplicitLocalhost).
 * Throws TsplayError on a bad pattern (invalid regex, subscript out of range, missing limit file).
 */
export function selectHosts(inv: Inventory, pattern: string | string[], limit?: string | string[]): string[] {
  return selectHostsDetailed(inv, pattern, limit).hosts;
}

/** True when `host` is Ansible's implicit localhost (a localhost name not in the inventory). */
export function isImplicitLocalhost(inv: Inventory, host: string): boolean {
  return LOCALHOST_NAMES.includes(host) && !inv.hosts.has(host);
}
