/**
 * The connection keeper (`tsplay __mux SOCKET`): a per-user background process that holds ssh
 * connections between runs, like OpenSSH's ControlMaster/ControlPersist. Runs connect to it on
 * a 0600 unix socket in a 0700 directory and send connect/run/put/get requests (protocol.ts);
 * the keeper runs them on its SshConnections. A connection nobody references is closed after
 * its persist time; the keeper exits once it has neither connections nor clients. When a
 * client releases a connection or goes away (Ctrl+C, killed), the commands IT started are
 * stopped (ExecOptions.signal: running ones killed on the host with their whole process tree,
 * queued ones never start) and the connection stays up for the next run.
 */
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { UnreachableError } from '../../types.ts';
import { redact, registerSecret } from '../../secrets.ts';
import type { ConnParams } from '../params.ts';
import { SshConnection } from '../ssh.ts';
import { MAX_HANDSHAKES } from '../pool.ts';
import { writeFrame, FrameDecoder, type Frame } from './frame.ts';
import { encodeError } from './errcodec.ts';
import { PROTO_VERSION, type Request, type Reply } from './protocol.ts';
import { secureDir } from './paths.ts';
import { dirname } from 'node:path';

/** Marker of the error the keeper's passphrase hook throws (the client then connects directly). */
export const NEEDS_PASSPHRASE = 'tsplay-keeper: key needs a passphrase';

/** How long a keeper with no clients and no connections waits before exiting. */
const EXIT_GRACE_MS = 300;
/** How long a reused connection may take to answer its liveness probe. */
const PROBE_MS = 3000;

/** True when `conn` runs a no-op within PROBE_MS. */
async function alive(conn: SshConnection): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  const ok = await Promise.race([conn.run(':').then((r) => r.rc === 0, () => false), new Promise<boolean>((r) => (t = setTimeout(() => r(false), PROBE_MS)))]);
  clearTimeout(t);
  return ok;
}

/** How long a release waits for the client's aborted commands to be killed on the host. */
const RELEASE_WAIT_MS = 10_000;
/** How long a fresh keeper waits for its first client. */
const FIRST_CLIENT_MS = 15_000;

/** One kept ssh connection. */
interface Entry {
  cid: string;
  host: string;
  conn: SshConnection;
  /** liveness probe of a reused connection in progress */
  probing?: Promise<void>;
  params: ConnParams;
  /** clients holding it */
  refs: Set<Client>;
  persistMs: number;
  timer?: NodeJS.Timeout;
  /** notes of the connection (accept-new), most recent last; connect replies carry the new ones */
  notes: string[];
}

/** One connected run. */
interface Client {
  sock: Socket;
  /** per kept connection: aborts this client's commands on it (release, disconnect) */
  stops: Map<Entry, AbortController>;
  /** per kept connection: this client's commands in flight */
  inflight: Map<Entry, Set<Promise<unknown>>>;
  closed: boolean;
}

function log(msg: string): void {
  process.stderr.write(`${new Date().toISOString()} [${process.pid}] ${msg}\n`);
}

/** The keeper's state and request handling. */
class Keeper {
  private readonly entries = new Map<string, Entry>();
  private readonly clients = new Set<Client>();
  private readonly handshakes = pLimit(MAX_HANDSHAKES);
  private exitTimer?: NodeJS.Timeout;
  private server?: Server;
  private socketIno?: number;

  constructor(private readonly socketPath: string, private readonly pidFile: string) {}

  /** Listen on a temp name, then rename over the socket path (atomic; the last keeper wins). */
  async start(): Promise<void> {
    if (await isLive(this.socketPath)) {
      log('another keeper is already serving this socket; exiting');
      process.exit(0);
    }
    const tmp = `${this.socketPath}.${process.pid}.tmp`;
    try { unlinkSync(tmp); } catch { /* none */ }
    const server = createServer({ allowHalfOpen: false }, (s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tmp, () => resolve());
    });
    chmodSync(tmp, 0o600);
    writeFileSync(this.pidFile + '.tmp', `${process.pid}\n`, { mode: 0o600 });
    renameSync(this.pidFile + '.tmp', this.pidFile);
    renameSync(tmp, this.socketPath);
    this.socketIno = statSync(this.socketPath).ino;
    this.server = server;
    log(`listening on ${this.socketPath}`);
    this.exitTimer = setTimeout(() => this.maybeExit(), FIRST_CLIENT_MS);
    process.on('SIGTERM', () => void this.shutdown('SIGTERM'));
    process.on('SIGINT', () => void this.shutdown('SIGINT'));
    process.on('SIGHUP', () => undefined);
  }

  private accept(sock: Socket): void {
    const client: Client = { sock, stops: new Map(), inflight: new Map(), closed: false };
    this.clients.add(client);
    if (this.exitTimer) clearTimeout(this.exitTimer);
    this.exitTimer = undefined;
    sock.setNoDelay?.(true);
    const dec = new FrameDecoder();
    sock.on('data', (d: Buffer) => {
      let frames: Frame[];
      try {
        frames = dec.push(d);
      } catch (e) {
        log(`bad frame from a client: ${(e as Error).message}; dropping it`);
        sock.destroy();
        return;
      }
      for (const f of frames) void this.handle(client, f);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => void this.dropClient(client));
  }

  private send(client: Client, header: Reply, bufs: Buffer[] = []): void {
    if (client.closed) return;
    try {
      writeFrame(client.sock, header as unknown as Record<string, unknown>, bufs);
    } catch { /* socket gone */ }
  }

  private async handle(client: Client, f: Frame): Promise<void> {
    const req = f.header as unknown as Request;
    const id = req.id;
    // a request that was still queued when its client went away is not started
    if (client.closed) return;
    try {
      switch (req.op) {
        case 'hello':
          return this.send(client, { op: 'ok', id, pid: process.pid, v: PROTO_VERSION });
        case 'connect':
          return await this.connect(client, req.id, req.params, req.persistMs);
        case 'run': {
          const entry = this.entryFor(req.cid);
          const o = req.opts;
          if (o.become?.password) registerSecret(o.become.password);
          const running = entry.conn.run(req.command, {
            ...(o.env ? { env: o.env } : {}),
            ...(o.cwd ? { cwd: o.cwd } : {}),
            ...(o.become ? { become: o.become } : {}),
            ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
            ...(o.stdin ? { stdin: f.bufs[0] ?? Buffer.alloc(0) } : {}),
            signal: this.stopFor(client, entry).signal,
          });
          const mine = client.inflight.get(entry) ?? new Set<Promise<unknown>>();
          client.inflight.set(entry, mine);
          mine.add(running);
          try {
            const r = await running;
            return this.send(client, { op: 'ok', id, rc: r.rc }, [r.stdout, r.stderr]);
          } finally {
            mine.delete(running);
          }
        }
        case 'put': {
          const entry = this.entryFor(req.cid);
          if (req.opts.become?.password) registerSecret(req.opts.become.password);
          await entry.conn.putFile(req.path, f.bufs[0] ?? Buffer.alloc(0), { ...req.opts, signal: this.stopFor(client, entry).signal });
          return this.send(client, { op: 'ok', id });
        }
        case 'get': {
          const entry = this.entryFor(req.cid);
          if (req.become?.password) registerSecret(req.become.password);
          const data = await entry.conn.getFile(req.path, req.become);
          return this.send(client, { op: 'ok', id }, [data]);
        }
        case 'release': {
          const entry = this.entries.get(req.cid);
          if (entry) await this.release(client, entry);
          return this.send(client, { op: 'ok', id });
        }
        default:
          throw new Error(`unknown request ${(req as { op?: unknown }).op}`);
      }
    } catch (e) {
      this.send(client, { op: 'error', id, error: encodeError(e) });
    }
  }

  private entryFor(cid: string): Entry {
    const e = this.entries.get(cid);
    if (!e) throw new UnreachableError(`connection ${cid} is not open in the connection keeper`, '');
    return e;
  }

  private async connect(client: Client, id: number, params: ConnParams, persistMs: number): Promise<void> {
    if (params.password) registerSecret(params.password);
    if (params.become?.password) registerSecret(params.become.password);
    const cid = connectionId(params);
    let entry = this.entries.get(cid);
    const newConn = () =>
      new SshConnection(params, {
        passphrase: async () => {
          throw new Error(NEEDS_PASSPHRASE);
        },
        log: (msg) => {
          entry!.notes.push(msg);
          if (entry!.notes.length > 100) entry!.notes.splice(0, 50);
          for (const c of entry!.refs) this.send(c, { op: 'log', cid, msg });
        },
      });
    if (!entry) {
      entry = { cid, host: params.host, conn: newConn(), params, refs: new Set(), persistMs, notes: [] };
      this.entries.set(cid, entry);
    } else if (entry.refs.size === 0 && entry.conn.isAlive && !entry.probing) {
      if (entry.timer) clearTimeout(entry.timer); // not closed for idleness while it is probed
      entry.timer = undefined;
      // a kept connection nobody used since the last run can be dead without knowing it (the host
      // went away and came back, e.g. a lab taken down and up): start a new one instead of failing
      const en = entry;
      en.probing = (async () => {
        if (await alive(en.conn)) return;
        void en.conn.close().catch(() => undefined);
        en.conn = newConn();
        log(`the kept connection to ${en.host} did not answer; connecting again`);
      })().finally(() => (en.probing = undefined));
    }
    if (entry.probing) await entry.probing; // concurrent runs wait for the same probe
    const e = entry;
    e.persistMs = persistMs < 0 ? Infinity : persistMs;
    e.refs.add(client);
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    const seen = e.notes.length;
    try {
      if (!e.conn.isAlive) await this.handshakes(() => e.conn.connect());
      if (client.closed) return;
      // notes made while connecting reach the client with the answer (it routes `log` by cid only after it)
      this.send(client, { op: 'ok', id, cid, notes: e.notes.slice(seen) });
    } catch (err) {
      e.refs.delete(client);
      if (e.refs.size === 0) this.forget(e);
      const msg = (err as Error).message ?? '';
      if (msg.includes(NEEDS_PASSPHRASE)) this.send(client, { op: 'fallback', id, reason: 'a private key needs a passphrase' });
      else this.send(client, { op: 'error', id, error: encodeError(err) });
    }
  }

  /** The abort controller of `client`'s commands on `entry`. */
  private stopFor(client: Client, entry: Entry): AbortController {
    let c = client.stops.get(entry);
    if (!c) client.stops.set(entry, (c = new AbortController()));
    return c;
  }

  /**
   * Stop `client`'s commands on `entry` (running ones are killed on the host with the privileges
   * they had, queued ones never start) and drop its reference.
   */
  private async release(client: Client, entry: Entry): Promise<void> {
    client.stops.get(entry)?.abort();
    client.stops.delete(entry);
    // an aborted command settles once it is dead on the host (SshConnection waits for its kill)
    const mine = [...(client.inflight.get(entry) ?? [])];
    if (mine.length) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(mine), new Promise((r) => (t = setTimeout(r, RELEASE_WAIT_MS)))]);
      clearTimeout(t);
    }
    entry.refs.delete(client);
    if (entry.refs.size === 0) this.idle(entry);
  }

  /** No client holds `entry`: close it after its persist time. */
  private idle(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    if (!Number.isFinite(entry.persistMs)) return;
    entry.timer = setTimeout(() => this.forget(entry), Math.max(0, entry.persistMs));
    entry.timer.unref?.();
  }

  private forget(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    if (this.entries.get(entry.cid) === entry) this.entries.delete(entry.cid);
    void entry.conn.close().catch(() => undefined);
    log(`closed the connection to ${entry.host}`);
    this.scheduleExit();
  }

  private async dropClient(client: Client): Promise<void> {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client);
    const held = [...this.entries.values()].filter((e) => e.refs.has(client));
    await Promise.allSettled(held.map((e) => this.release(client, e)));
    this.scheduleExit();
  }

  private scheduleExit(): void {
    if (this.entries.size || this.clients.size) return;
    if (this.exitTimer) clearTimeout(this.exitTimer);
    this.exitTimer = setTimeout(() => this.maybeExit(), EXIT_GRACE_MS);
  }

  private maybeExit(): void {
    if (this.entries.size || this.clients.size) return;
    void this.shutdown('idle');
  }

  private async shutdown(why: string): Promise<void> {
    log(`exiting (${why})`);
    this.server?.close();
    try {
      if (this.socketIno !== undefined && statSync(this.socketPath).ino === this.socketIno) unlinkSync(this.socketPath);
    } catch { /* gone */ }
    try {
      if (readFileSync(this.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(this.pidFile);
    } catch { /* gone */ }
    for (const c of this.clients) c.sock.destroy();
    await Promise.allSettled([...this.entries.values()].map((e) => e.conn.close()));
    process.exit(0);
  }
}

/** Identity of a kept connection: everything that would make it a different connection. */
export function connectionId(p: ConnParams): string {
  const { become: _b, warnings: _w, ...rest } = p;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 24);
}

/** True when a keeper answers on `path`. */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** `tsplay __mux SOCKET`: run the keeper until it is idle. Never returns normally. */
export async function keeperMain(argv: string[]): Promise<number> {
  const socketPath = argv[0];
  if (!socketPath || !socketPath.endsWith('.sock')) {
    process.stderr.write('usage: tsplay __mux SOCKET (internal: started by tsplay itself)\n');
    return 5;
  }
  const bad = secureDir(dirname(socketPath), socketPath);
  if (bad) {
    log(`refusing to start: ${bad}`);
    return 1;
  }
  process.umask(0o077);
  // one bad event must not take every run's connections down: note it (no secrets: message only) and go on
  process.on('uncaughtException', (e) => log(`internal error: ${redact(e.message)}`));
  process.on('unhandledRejection', (e) => log(`internal error: ${redact(e instanceof Error ? e.message : String(e))}`));
  const keeper = new Keeper(socketPath, socketPath.replace(/\.sock$/, '.pid'));
  await keeper.start();
  await new Promise<never>(() => undefined);
  return 0;
}
