/**
 * The run's side of the connection keeper: `MuxClient` is one unix-socket connection to the
 * keeper (started detached on first need), multiplexing requests by id; `MuxConnection` is the
 * `Connection` a ConnectionPool hands out for an ssh host kept by the keeper. Commands are echoed
 * to hooks.onCommand here (-vvv), keeper notes (known_hosts accept-new) reach hooks.log, errors
 * come back as the same classes a direct SshConnection throws.
 */
import { spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UnreachableError, type BecomeSpec, type Connection, type ExecOptions, type ExecResult, type PutFileOptions } from '../../types.ts';
import { redact } from '../../secrets.ts';
import type { ConnParams } from '../params.ts';
import type { SshHooks } from '../ssh.ts';
import type { RawResult } from '../driver.ts';
import { writeFrame, FrameDecoder, type Frame } from './frame.ts';
import { decodeError } from './errcodec.ts';
import { PROTO_VERSION, type Reply } from './protocol.ts';
import { keeperPaths, secureDir, type KeeperPaths } from './paths.ts';

/** How long a run waits for a keeper it started to answer. */
const START_TIMEOUT_MS = 10_000;

/** The keeper went away (socket closed) while a request was pending. */
export class KeeperGoneError extends Error {
  constructor() {
    super('the connection keeper went away');
    this.name = 'KeeperGoneError';
  }
}

type Pending = { resolve: (f: Frame) => void; reject: (e: Error) => void };

/** One connection from this process to the keeper. */
export class MuxClient {
  private readonly dec = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private readonly logs = new Map<string, (msg: string) => void>();
  private nextId = 1;
  private open = true;
  /** The keeper's pid (from its hello). */
  keeperPid = 0;

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay?.(true);
    sock.on('data', (d: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.dec.push(d);
      } catch {
        sock.destroy();
        return;
      }
      for (const f of frames) this.dispatch(f);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.open = false;
      const gone = new KeeperGoneError();
      for (const p of this.pending.values()) p.reject(gone);
      this.pending.clear();
    });
  }

  /** True while the socket to the keeper is open. */
  get alive(): boolean {
    return this.open;
  }

  /**
   * Connect to this build's keeper, starting it when none answers. Resolves undefined when that
   * is not possible (unsafe directory, the keeper does not start); `why` tells the reason.
   */
  static async connect(why: (msg: string) => void = () => undefined, paths: KeeperPaths = keeperPaths()): Promise<MuxClient | undefined> {
    const bad = secureDir(paths.dir, paths.socket);
    if (bad) {
      why(`connection keeper not used: ${bad}`);
      return undefined;
    }
    const first = await MuxClient.tryOpen(paths.socket);
    if (first) return first;
    const started = startKeeper(paths);
    const t0 = Date.now();
    let exited = false;
    started.once('exit', () => (exited = true));
    for (let delay = 10; Date.now() - t0 < START_TIMEOUT_MS; delay = Math.min(delay * 2, 100)) {
      await new Promise((r) => setTimeout(r, delay));
      const c = await MuxClient.tryOpen(paths.socket);
      if (c) return c;
      if (exited) {
        // another keeper may have won the race for the socket: one more try
        const again = await MuxClient.tryOpen(paths.socket);
        if (again) return again;
        why(`connection keeper not used: it exited at start (see ${paths.logFile})`);
        return undefined;
      }
    }
    why(`connection keeper not used: it did not answer within ${START_TIMEOUT_MS / 1000} s (see ${paths.logFile})`);
    return undefined;
  }

  /** Open the socket and say hello; undefined when nobody (or a foreign keeper) answers. */
  private static async tryOpen(path: string): Promise<MuxClient | undefined> {
    try {
      const st = lstatSync(path);
      const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
      if (!st.isSocket() || st.uid !== uid) return undefined;
    } catch {
      return undefined;
    }
    const sock = await new Promise<Socket | undefined>((resolve) => {
      const s = createConnection(path);
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (!sock) return undefined;
    const c = new MuxClient(sock);
    try {
      const hello = await c.request({ op: 'hello', v: PROTO_VERSION });
      const h = hello.header as Reply & { op: 'ok' };
      if (h.v !== PROTO_VERSION) {
        c.close();
        return undefined;
      }
      c.keeperPid = h.pid ?? 0;
      sock.unref();
      return c;
    } catch {
      c.close();
      return undefined;
    }
  }

  private dispatch(f: Frame): void {
    const h = f.header as unknown as Reply;
    if (h.op === 'log') {
      this.logs.get(h.cid)?.(h.msg);
      return;
    }
    const p = this.pending.get(h.id);
    if (!p) return; // answer to a request given up on (its connection was closed)
    this.pending.delete(h.id);
    if (this.pending.size === 0) this.sock.unref();
    if (h.op === 'error') p.reject(decodeError(h.error));
    else p.resolve(f);
  }

  /** Send a request; resolves with the `ok` / `fallback` frame, rejects with the decoded error. */
  request(header: Record<string, unknown>, bufs: Buffer[] = []): Promise<Frame> {
    if (!this.open) return Promise.reject(new KeeperGoneError());
    const id = this.nextId++;
    return new Promise<Frame>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // keep the process alive while an answer is due (an idle client must not hold it up)
      this.sock.ref();
      try {
        writeFrame(this.sock, { ...header, id }, bufs);
      } catch (e) {
        this.pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /** Route keeper notes about connection `cid` to `fn`. */
  onLog(cid: string, fn: (msg: string) => void): void {
    this.logs.set(cid, fn);
  }

  /**
   * Open (or reuse) the keeper's connection for `params`. Resolves the connection id and the
   * notes made while connecting (known_hosts accept-new), or
   * `{ fallback }` when this host must be connected directly. Rejects like SshConnection.connect.
   */
  async connectHost(params: ConnParams, persistMs: number): Promise<{ cid: string; notes: string[] } | { fallback: string }> {
    const f = await this.request({ op: 'connect', params, persistMs: Number.isFinite(persistMs) ? persistMs : -1 });
    const h = f.header as Reply;
    if (h.op === 'fallback') return { fallback: h.reason };
    const okh = h as { cid?: string; notes?: string[] };
    return { cid: okh.cid ?? '', notes: okh.notes ?? [] };
  }

  /** Disconnect from the keeper (it keeps its ssh connections). */
  close(): void {
    this.open = false;
    this.sock.destroy();
  }
}

/** Logs of keepers of other builds older than this are removed when a keeper starts. */
const OLD_LOG_MS = 7 * 24 * 3600 * 1000;

/** Remove other builds' keeper logs older than a week (every rebuild gets a keeper id of its own). */
function sweepOldLogs(paths: KeeperPaths): void {
  try {
    for (const f of readdirSync(paths.dir)) {
      const p = join(paths.dir, f);
      if (!f.endsWith('.log') || p === paths.logFile || existsSync(p.replace(/\.log$/, '.sock'))) continue;
      if (Date.now() - statSync(p).mtimeMs > OLD_LOG_MS) rmSync(p, { force: true });
    }
  } catch { /* best effort */ }
}

/** Start the keeper detached (its output goes to its log file). */
function startKeeper(paths: KeeperPaths): import('node:child_process').ChildProcess {
  sweepOldLogs(paths);
  let out: number | 'ignore' = 'ignore';
  try {
    out = openSync(paths.logFile, 'w', 0o600);
  } catch { /* no log */ }
  const env = { ...process.env };
  if (!paths.fromDist) env.TSPLAY_NO_DIST = '1';
  const child = spawn(process.execPath, [join(paths.root, 'bin', 'tsplay.js'), '__mux', paths.socket], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
    cwd: paths.dir,
  });
  child.on('error', () => undefined);
  child.unref();
  if (typeof out === 'number') closeSync(out);
  return child;
}

/** A Connection served by the keeper. */
export class MuxConnection implements Connection {
  private closed = false;
  private lost = false;
  private readonly inflight = new Set<(e: Error) => void>();

  constructor(
    public readonly host: string,
    private readonly client: MuxClient,
    private readonly cid: string,
    private readonly hooks: SshHooks = {},
  ) {
    if (hooks.log) client.onLog(cid, hooks.log);
  }

  /** False once closed, once the keeper went away, or after the host was reported unreachable. */
  get isAlive(): boolean {
    return !this.closed && !this.lost && this.client.alive;
  }

  /** Send a request for this connection, mapping a vanished keeper to UnreachableError. */
  private async call(header: Record<string, unknown>, bufs: Buffer[] = []): Promise<Frame> {
    if (this.closed) throw new UnreachableError(`connection to ${this.host} was closed`, this.host);
    let rejectLocal!: (e: Error) => void;
    const local = new Promise<never>((_, reject) => (rejectLocal = reject));
    this.inflight.add(rejectLocal);
    try {
      return await Promise.race([this.client.request({ ...header, cid: this.cid }, bufs), local]);
    } catch (e) {
      if (e instanceof KeeperGoneError) {
        this.lost = true;
        throw new UnreachableError(`connection to ${this.host} lost: the connection keeper went away`, this.host);
      }
      if (e instanceof UnreachableError) this.lost = true;
      throw e;
    } finally {
      this.inflight.delete(rejectLocal);
    }
  }

  /** Run a command line; raw byte-exact output (as SshConnection.run). */
  async run(command: string, opts: ExecOptions = {}): Promise<RawResult> {
    this.hooks.onCommand?.(this.host, redact(command), opts.become ? `${opts.become.method}:${opts.become.user}` : undefined);
    const stdin = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin);
    const f = await this.call(
      {
        op: 'run',
        command,
        opts: {
          ...(opts.env ? { env: opts.env } : {}),
          ...(opts.cwd ? { cwd: opts.cwd } : {}),
          ...(opts.become ? { become: opts.become } : {}),
          ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          ...(stdin ? { stdin: true } : {}),
        },
      },
      stdin ? [stdin] : [],
    );
    return { rc: (f.header as { rc?: number }).rc ?? -1, stdout: f.bufs[0] ?? Buffer.alloc(0), stderr: f.bufs[1] ?? Buffer.alloc(0) };
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, opts);
    return { rc: r.rc, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async putFile(remotePath: string, content: Buffer, opts: PutFileOptions = {}): Promise<void> {
    await this.call({ op: 'put', path: remotePath, opts }, [content]);
  }

  async getFile(remotePath: string, become?: BecomeSpec): Promise<Buffer> {
    const f = await this.call({ op: 'get', path: remotePath, ...(become ? { become } : {}) });
    return f.bufs[0] ?? Buffer.alloc(0);
  }

  /**
   * Release the connection: the keeper kills the commands this run still has on the host (their
   * promises reject with UnreachableError, as SshConnection.close()) and keeps the connection.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const e = new UnreachableError(`connection to ${this.host} was closed while a command was running`, this.host);
    for (const r of [...this.inflight]) r(e);
    this.inflight.clear();
    if (this.client.alive) {
      try {
        await this.client.request({ op: 'release', cid: this.cid });
      } catch { /* keeper gone: nothing left to release */ }
    }
  }
}
