/**
 * A pure ~/.ssh/config parser and resolver: Host blocks with wildcard and negated
 * patterns, first value wins (as OpenSSH), IdentityFile accumulates. The keys tsplay uses:
 * HostName, User, Port, IdentityFile, IdentitiesOnly, ProxyJump, UserKnownHostsFile,
 * StrictHostKeyChecking, ConnectTimeout, ServerAliveInterval, ServerAliveCountMax.
 * `Match` blocks other than `Match all` are skipped (their options are not applied).
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, dirname } from 'node:path';
import { matchPatternList } from './pattern.ts';

/** One `Host` (or `Match all`) block: its patterns and its options in file order. */
export interface SshConfigBlock {
  patterns: string[];
  options: [key: string, value: string][];
}

/** The options resolved for one host (lowercase keys; identityfile is a list). */
export interface SshHostConfig {
  hostname?: string;
  user?: string;
  port?: number;
  identityfile: string[];
  identitiesonly?: boolean;
  proxyjump?: string;
  userknownhostsfile?: string[];
  stricthostkeychecking?: string;
  connecttimeout?: number;
  serveraliveinterval?: number;
  serveralivecountmax?: number;
  /** Every other option, first value wins (lowercase key). */
  other: Record<string, string>;
}

/** Split a config line into words, honouring double quotes. */
export function splitWords(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2]);
  return out;
}

/** Parse one `Key value` / `Key=value` line into [lowercase key, value], or undefined. */
export function parseOptionLine(line: string): [string, string] | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(t);
  if (!m) return undefined;
  let value = m[2].trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"') && !value.slice(1, -1).includes('"')) {
    value = value.slice(1, -1);
  }
  return [m[1].toLowerCase(), value];
}

/**
 * Parse ssh_config text into blocks. Options before the first Host line belong to an
 * implicit `Host *` block. `Include` is resolved through `readInclude` when given.
 */
export function parseSshConfig(text: string, readInclude?: (pattern: string) => string[]): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], options: [] }];
  let cur: SshConfigBlock | undefined = blocks[0];
  for (const raw of text.split(/\r?\n/)) {
    const kv = parseOptionLine(raw);
    if (!kv) continue;
    const [key, value] = kv;
    if (key === 'host') {
      cur = { patterns: splitWords(value).flatMap((w) => w.split(',')).filter(Boolean), options: [] };
      blocks.push(cur);
    } else if (key === 'match') {
      const words = splitWords(value).map((w) => w.toLowerCase());
      cur = words.length === 1 && words[0] === 'all' ? { patterns: ['*'], options: [] } : undefined;
      if (cur) blocks.push(cur);
    } else if (key === 'include') {
      if (!readInclude) continue;
      for (const pat of splitWords(value)) {
        for (const inc of readInclude(pat)) {
          const sub = parseSshConfig(inc, readInclude);
          // Included options apply within the current block's scope (OpenSSH semantics).
          const scope = cur ? cur.patterns : ['!*'];
          for (const b of sub) {
            blocks.push({ patterns: b.patterns.length === 1 && b.patterns[0] === '*' ? scope : b.patterns, options: b.options });
          }
        }
      }
    } else if (cur) {
      cur.options.push([key, value]);
    }
  }
  return blocks;
}

const num = (v: string): number | undefined => (/^\d+$/.test(v) ? Number(v) : undefined);
const yes = (v: string): boolean => /^(yes|true)$/i.test(v);

/**
 * Resolve the options for `host` (the name given to ssh: ansible_host or the inventory name).
 * First obtained value wins; IdentityFile and UserKnownHostsFile keep all values of the first
 * line that set them (IdentityFile accumulates over lines, as OpenSSH does).
 */
export function resolveSshConfig(blocks: readonly SshConfigBlock[], host: string): SshHostConfig {
  const out: SshHostConfig = { identityfile: [], other: {} };
  const seen = new Set<string>();
  for (const b of blocks) {
    if (!matchPatternList(b.patterns, host)) continue;
    for (const [key, value] of b.options) {
      if (key === 'identityfile') {
        out.identityfile.push(value);
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      switch (key) {
        case 'hostname': out.hostname = value.replace(/%h/g, host); break;
        case 'user': out.user = value; break;
        case 'port': out.port = num(value); break;
        case 'identitiesonly': out.identitiesonly = yes(value); break;
        case 'proxyjump': out.proxyjump = value; break;
        case 'userknownhostsfile': out.userknownhostsfile = splitWords(value); break;
        case 'stricthostkeychecking': out.stricthostkeychecking = value.toLowerCase(); break;
        case 'connecttimeout': out.connecttimeout = num(value); break;
        case 'serveraliveinterval': out.serveraliveinterval = num(value); break;
        case 'serveralivecountmax': out.serveralivecountmax = num(value); break;
        default: out.other[key] = value;
      }
    }
  }
  return out;
}

/** Expand `~`, `%d` (home), `%u` (local user), `%h` (host), `%r` (remote user), `%p`, `%%`. */
export function expandSshPath(p: string, ctx: { home: string; localUser?: string; host?: string; user?: string; port?: number }): string {
  let s = p.replace(/%([%duhrp])/g, (_m, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'd': return ctx.home;
      case 'u': return ctx.localUser ?? '';
      case 'h': return ctx.host ?? '';
      case 'r': return ctx.user ?? '';
      case 'p': return String(ctx.port ?? 22);
    }
    return c;
  });
  if (s === '~') s = ctx.home;
  else if (s.startsWith('~/')) s = join(ctx.home, s.slice(2));
  return s;
}

/** Load and parse an ssh_config file (missing file = no blocks). Includes are resolved relative to ~/.ssh. */
export function loadSshConfig(path = join(homedir(), '.ssh', 'config')): SshConfigBlock[] {
  if (!existsSync(path)) return [];
  const base = dirname(path);
  const readInclude = (pat: string): string[] => {
    const full = expandSshPath(pat, { home: homedir() });
    const abs = isAbsolute(full) ? full : join(base, full);
    if (!/[*?]/.test(abs)) return existsSync(abs) ? [readFileSync(abs, 'utf8')] : [];
    // simple glob in the last path component only
    const dir = dirname(abs);
    const re = new RegExp('^' + abs.slice(dir.length + 1).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
    try {
      return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
    } catch {
      return [];
    }
  };
  return parseSshConfig(readFileSync(path, 'utf8'), readInclude);
}
