/**
 * ConnectionPool: one connection per host (and per distinct set of connection parameters,
 * e.g. another remote user) for the whole run. `get` connects lazily once; concurrent callers
 * share the same pending connect; a connection that dropped is re-established on the next
 * `get` (or the next command), so a later task / a re-run converges.
 */
import pLimit from 'p-limit';
import type { Connection } from '../types.ts';
import type { ConnParams } from './params.ts';
import { SshConnection, type SshHooks } from './ssh.ts';
import { LocalConnection } from './local.ts';

/**
 * SSH handshakes in flight at once across the pool. The others wait their turn, and the wait does
 * not count toward the connect timeout: with forks in the hundreds, starting every handshake at once
 * on a busy controller made all of them time out together (1000 hosts: every one unreachable).
 */
export const MAX_HANDSHAKES = 32;

/** Pool of connections keyed by inventory hostname + connection parameters. */
export class ConnectionPool {
  private readonly conns = new Map<string, SshConnection | LocalConnection>();
  private readonly pending = new Map<string, Promise<Connection>>();
  private readonly handshakes = pLimit(MAX_HANDSHAKES);

  constructor(private readonly hooks: SshHooks = {}) {}

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
      let conn: SshConnection | LocalConnection;
      if (params.connection === 'local') conn = existing ?? new LocalConnection(host, this.hooks);
      else {
        // reuse the object after a drop: connect() re-establishes the transport
        const ssh = existing instanceof SshConnection ? existing : new SshConnection(params, this.hooks);
        await this.handshakes(() => ssh.connect());
        conn = ssh;
      }
      this.conns.set(key, conn);
      return conn as Connection;
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
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
    await Promise.allSettled(mine.map(([, c]) => c.close()));
  }

  /** Close every connection (end of run, SIGINT): running commands are killed first. */
  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}

/** Identity of a connection's parameters (what would make a different connection). */
function poolKey(p: ConnParams): string {
  return JSON.stringify([p.connection, p.address, p.port, p.user, p.proxyJump.map((j) => [j.address, j.port, j.user]), p.identityFiles, p.strictHostKeyChecking, p.knownHostsFiles]);
}
