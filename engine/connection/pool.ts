/**
 * ConnectionPool: one connection per host for the whole run. `get` connects lazily once;
 * concurrent callers share the same pending connect; a connection that dropped is
 * re-established on the next `get` (or the next command), so a later task / re-run converges.
 */
import type { Connection } from '../types.ts';
import type { ConnParams } from './params.ts';
import { SshConnection, type SshHooks } from './ssh.ts';
import { LocalConnection } from './local.ts';

/** Pool of connections keyed by inventory hostname. */
export class ConnectionPool {
  private readonly conns = new Map<string, { key: string; conn: SshConnection | LocalConnection }>();
  private readonly pending = new Map<string, Promise<Connection>>();

  constructor(private readonly hooks: SshHooks = {}) {}

  /**
   * The connection for `host` (connected). `params` come from `connParamsFor`. Different
   * params for the same host (e.g. another ansible_user) replace the pooled connection.
   * Rejects with UnreachableError when the host cannot be reached.
   */
  get(host: string, params: ConnParams): Promise<Connection> {
    const key = poolKey(params);
    const existing = this.conns.get(host);
    if (existing && existing.key === key) {
      const c = existing.conn;
      if (c instanceof LocalConnection || c.isAlive) return Promise.resolve(c);
    }
    const pend = this.pending.get(host + '\0' + key);
    if (pend) return pend;
    const p = (async () => {
      if (existing && existing.key !== key) {
        this.conns.delete(host);
        await existing.conn.close().catch(() => undefined);
      }
      let conn: SshConnection | LocalConnection;
      if (params.connection === 'local') conn = new LocalConnection(host, this.hooks);
      else {
        const cur = this.conns.get(host)?.conn;
        const ssh = cur instanceof SshConnection ? cur : new SshConnection(params, this.hooks);
        await ssh.connect();
        conn = ssh;
      }
      this.conns.set(host, { key, conn });
      return conn as Connection;
    })().finally(() => this.pending.delete(host + '\0' + key));
    this.pending.set(host + '\0' + key, p);
    return p;
  }

  /** The pooled connection for a host, if one was made. */
  peek(host: string): Connection | undefined {
    return this.conns.get(host)?.conn;
  }

  /** Close and forget one host's connection. */
  async close(host: string): Promise<void> {
    const c = this.conns.get(host);
    this.conns.delete(host);
    await c?.conn.close();
  }

  /** Close every connection (end of run, SIGINT). */
  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.allSettled(all.map((c) => c.conn.close()));
  }
}

/** Identity of a connection's parameters (what would make a different connection). */
function poolKey(p: ConnParams): string {
  return JSON.stringify([p.connection, p.address, p.port, p.user, p.proxyJump.map((j) => [j.address, j.port, j.user]), p.identityFiles]);
}
