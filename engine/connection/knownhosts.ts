/**
 * known_hosts parsing and host-key verification (pure apart from `loadKnownHosts` and
 * `appendKnownHost`): plain and hashed (`|1|salt|hash`) host fields, `[host]:port`,
 * comma lists with wildcards and negation, `@revoked` and `@cert-authority` markers.
 * Fingerprints are printed as OpenSSH does: `SHA256:` + unpadded base64.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, existsSync, appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchPatternList } from './pattern.ts';

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The raw host field (comma list or `|1|salt|hash`). */
  hosts: string;
  keyType: string;
  /** The key blob (base64-decoded). */
  key: Buffer;
  file?: string;
  line?: number;
}

/** Parse known_hosts text. Malformed lines are skipped (as OpenSSH does). */
export function parseKnownHosts(text: string, file?: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return;
    const parts = t.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (parts[0].startsWith('@')) {
      const m = parts.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    if (parts.length < 3) return;
    const [hosts, keyType, b64] = parts;
    if (!/^[A-Za-z0-9+/=]+$/.test(b64)) return;
    const key = Buffer.from(b64, 'base64');
    if (key.length < 8) return;
    out.push({ marker, hosts, keyType, key, file, line: i + 1 });
  });
  return out;
}

/** The name OpenSSH stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port = 22): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Does an entry's host field match one of `names` (already in knownHostName form)? */
export function entryMatches(entry: KnownHostEntry, names: readonly string[]): boolean {
  const h = entry.hosts;
  if (h.startsWith('|1|')) {
    const [, , salt64, hash64] = h.split('|');
    if (!salt64 || !hash64) return false;
    const salt = Buffer.from(salt64, 'base64');
    return names.some((n) => createHmac('sha1', salt).update(n).digest('base64') === hash64);
  }
  const patterns = h.split(',').filter(Boolean);
  return names.some((n) => matchPatternList(patterns, n));
}

/** The key type encoded at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > blob.length) return 'unknown';
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Host-key algorithm names a known key type can be negotiated as. */
export function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [keyType];
}

/** Outcome of checking a presented host key against known_hosts. */
export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' }
  | { status: 'revoked'; fingerprint: string }
  | { status: 'changed'; presented: string; known: { fingerprint: string; keyType: string; file?: string; line?: number }[] };

/**
 * Check a presented key against known_hosts entries for any of `names`.
 * `match`: an entry for the host holds this key; `changed`: entries exist for the host
 * but none holds this key; `unknown`: no entry for the host; `revoked`: the key is revoked.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], names: readonly string[], presented: Buffer): HostKeyVerdict {
  const presentedType = keyTypeOf(presented);
  const forHost: KnownHostEntry[] = [];
  for (const e of entries) {
    if (e.marker === 'revoked') {
      if (e.key.equals(presented)) return { status: 'revoked', fingerprint: fingerprint(presented) };
      continue;
    }
    if (e.marker === 'cert-authority') continue; // certificates are not supported: ignore CA lines
    if (entryMatches(e, names)) forHost.push(e);
  }
  if (forHost.some((e) => e.key.equals(presented))) return { status: 'match' };
  if (forHost.length === 0) return { status: 'unknown' };
  // Report keys of the presented type first (that is the one that changed).
  const sameType = forHost.filter((e) => e.keyType === presentedType);
  const known = (sameType.length ? sameType : forHost).map((e) => ({ fingerprint: fingerprint(e.key), keyType: e.keyType, file: e.file, line: e.line }));
  return { status: 'changed', presented: fingerprint(presented), known };
}

/** Load and parse known_hosts files (missing files are skipped). */
export function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    if (f === '/dev/null' || !existsSync(f)) continue;
    try {
      out.push(...parseKnownHosts(readFileSync(f, 'utf8'), f));
    } catch {
      /* unreadable file: as if missing */
    }
  }
  return out;
}

/** The known_hosts line recording `blob` for `name` (plain, or hashed like HashKnownHosts yes). */
export function knownHostsLine(name: string, blob: Buffer, hashed = false): string {
  let host = name;
  if (hashed) {
    const salt = randomBytes(20);
    host = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${host} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`;
}

/** Append a key for `name` to a known_hosts file (accept-new), creating it (0600) if needed. */
export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const cur = readFileSync(file);
    if (cur.length > 0 && cur[cur.length - 1] !== 0x0a) prefix = '\n';
  }
  appendFileSync(file, prefix + knownHostsLine(name, blob), { mode: 0o600 });
}
