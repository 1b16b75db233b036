/**
 * ConnectionPool: one connection per host (and per distinct set of connection parameters,
 * e.g. another remote user) for the whole run. `get` connects lazily once; concurrent callers
 * share the same pending connect; a connection that dropped is re-established on the next
 * `get` (or the next command), so a later task / a re-run converges.
 *
 * Connection persistence (like Ansible's ControlPersist=60s): in the tsplay CLI, ssh hosts are
 * served by the per-user connection keeper (persist/), which keeps each connection open for
 * TSPLAY_SSH_PERSIST seconds (default 60; 0 = off) after the run, so the next run pays no
 * handshakes. When the keeper cannot be used (it does not start, a key needs a passphrase)
 * the host is connected directly, as without persistence.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Connection } from '../types.ts';
import type { ConnParams } from './params.ts';
import { SshConnection, type SshHooks } from './ssh.ts';
import { LocalConnection } from './local.ts';
import { MuxClient, MuxConnection, KeeperGoneError } from './persist/client.ts';
import { installRoot, persistSeconds } from './persist/paths.ts';

/**
 * SSH handshakes in flight at once across the pool. The others wait their turn, and the wait does
 * not count toward the connect timeout: with forks in the hundreds, starting every handshake at once
 * on a busy controller made all of them time out together (1000 hosts: every one unreachable).
 */
export const MAX_HANDSHAKES = 32;

/** Hooks of the pool: the connection hooks plus `debug` (-vvv notes, e.g. why the keeper is not used). */
export interface PoolHooks extends SshHooks {
  debug?: (msg: string) => void;
}

/** Pool options. */
export interface PoolOptions {
  /**
   * Keep ssh connections in the connection keeper for this many seconds after use (0: no
   * keeper, every run connects itself). Default: TSPLAY_SSH_PERSIST (60) in the tsplay CLI, 0 elsewhere.
   */
  persistSeconds?: number;
}

/** True when this process is the tsplay CLI (bin/tsplay.js of this install). */
function isCliProcess(): boolean {
  const a = process.argv[1];
  if (!a) return false;
  try {
    return realpathSync(a) === realpathSync(join(installRoot().root, 'bin', 'tsplay.js'));
  } catch {
    return false;
  }
}

/** The persistence default: TSPLAY_SSH_PERSIST (default 60 s) in the CLI, off in library use. */
export function defaultPersistSeconds(): number {
  return isCliProcess() ? persistSeconds() : 0;
}

type Conn = SshConnection | LocalConnection | MuxConnection;

/** Pool of connections keyed by inventory hostname + connection parameters. */
export class ConnectionPool {
  private readonly conns = new Map<string, Conn>();
  private readonly pending = new Map<string, Promise<Connection>>();
  private readonly handshakes = pLimit(MAX_HANDSHAKES);
  /** Keys connected directly although persistence is on (a key needed a passphrase). */
  private readonly direct = new Set<string>();
  private readonly persistS: number;
  private mux?: Promise<MuxClient | undefined>;
  private muxOff = false;
  /** Closes in progress: a second closeAll (SIGINT, then the end of the run) waits for the first. */
  private closing: Promise<unknown> = Promise.resolve();

  constructor(private readonly hooks: PoolHooks = {}, opts: PoolOptions = {}) {
    this.persistS = opts.persistSeconds ?? defaultPersistSeconds();
  }

  /**
   * The connection for `host` (connected). `params` come from `connParamsFor`.
   * Rejects with UnreachableError when the host cannot be reached.
   */
  get(host: string, params: ConnParams): Promise<Connection> {
    const key = `${host}\0${poolKey(params)}`;
    const existing = this.conns.get(key);
    if (existing && (existing instanceof LocalConnection || existing.isAlive)) return Promise.resolve(existing);
    const pend = this.pending.get(key);
    if (pend) return pend;
    const p = (async () => {
      let conn: Conn;
      if (params.connection === 'local') conn = existing instanceof LocalConnection ? existing : new LocalConnection(host, this.hooks);
      else {
        const kept = existing instanceof SshConnection || this.direct.has(key) ? undefined : await this.viaKeeper(key, host, params);
        if (kept) conn = kept;
        else {
          // reuse the object after a drop: connect() re-establishes the transport
          const ssh = existing instanceof SshConnection ? existing : new SshConnection(params, this.hooks);
          await this.handshakes(() => ssh.connect());
          conn = ssh;
        }
      }
      this.conns.set(key, conn);
      return conn as Connection;
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  /** The keeper's connection for the host, or undefined to connect directly. */
  private async viaKeeper(key: string, host: string, params: ConnParams): Promise<MuxConnection | undefined> {
    if (this.persistS <= 0) return undefined;
    const client = await this.muxClient();
    if (!client) return undefined;
    try {
      const r = await client.connectHost(params, this.persistS * 1000);
      if ('fallback' in r) {
        this.direct.add(key);
        this.hooks.debug?.(`<${host}> connection keeper not used: ${r.fallback}; connecting directly`);
        return undefined;
      }
      for (const n of r.notes) this.hooks.log?.(n);
      return new MuxConnection(host, client, r.cid, this.hooks);
    } catch (e) {
      if (e instanceof KeeperGoneError) {
        this.hooks.debug?.(`<${host}> the connection keeper went away; connecting directly`);
        return undefined;
      }
      throw e;
    }
  }

  /** This pool's connection to the keeper (started on first need); undefined when it is not usable. */
  private async muxClient(): Promise<MuxClient | undefined> {
    if (this.muxOff) return undefined;
    if (this.mux) {
      const c = await this.mux;
      if (c?.alive) return c;
      if (!c) return undefined;
      this.mux = undefined;
    }
    this.mux ??= MuxClient.connect((msg) => this.hooks.debug?.(msg));
    const c = await this.mux;
    if (!c) this.muxOff = true; // do not try to start it again for every host
    return c;
  }

  /** The keeper's pid when this pool uses one (for tests and the benchmark). */
  async keeperPid(): Promise<number | undefined> {
    const c = await this.mux;
    return c?.alive ? c.keeperPid : undefined;
  }

  /** A pooled connection for a host, if one was made (the first one when there are several). */
  peek(host: string): Connection | undefined {
    for (const [k, c] of this.conns) if (k.startsWith(`${host}\0`)) return c;
    return undefined;
  }

  /** Close and forget one host's connections. */
  async close(host: string): Promise<void> {
    const mine = [...this.conns].filter(([k]) => k.startsWith(`${host}\0`));
    for (const [k] of mine) this.conns.delete(k);
    await this.settle(mine.map(([, c]) => c.close()));
  }

  /** Wait for `closes` and for every close started before them. */
  private async settle(closes: Promise<void>[]): Promise<void> {
    const all = Promise.all([this.closing, Promise.allSettled(closes)]);
    this.closing = all;
    await all;
  }

  /**
   * Close every connection (end of run, SIGINT): running commands are killed first. Kept
   * connections are released to the keeper (which stays up with them); direct ones are closed.
   */
  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await this.settle(all.map((c) => c.close()));
    const m = this.mux;
    this.mux = undefined;
    if (m) (await m)?.close();
  }
}

/** Identity of a connection's parameters (what would make a different connection). */
function poolKey(p: ConnParams): string {
  return JSON.stringify([p.connection, p.address, p.port, p.user, p.proxyJump.map((j) => [j.address, j.port, j.user]), p.identityFiles, p.strictHostKeyChecking, p.knownHostsFiles]);
}
