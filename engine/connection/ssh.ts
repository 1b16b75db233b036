/**
 * SshConnection: ONE persistent ssh2 connection per host, reused by every task. Commands run in
 * long-lived shell sessions (session.ts: one write per command, no new channel or sshd session
 * process), up to `MAX_SESSIONS` of them at once; commands a session cannot carry (a pty, a
 * become password to type, stdin under become) and any beyond that run on an exec channel of
 * their own (at most `MAX_CHANNELS` channels at once, below sshd's MaxSessions). Host keys are checked against known_hosts (see knownhosts.ts);
 * ProxyJump hops are tunnelled with forwardOut. After the connection drops, the next call
 * reconnects (so a re-run or a later task converges).
 */
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Client as ClientT, ClientChannel, ConnectConfig } from 'ssh2';
import pLimit from 'p-limit';
import { TsplayError, UnreachableError, type BecomeSpec, type Connection, type ExecOptions, type ExecResult, type PutFileOptions } from '../types.ts';
import { redact } from '../secrets.ts';
import type { ConnParams, JumpHost } from './params.ts';
import { prepareCommand } from './become.ts';
import { drive, prepareRun, withTimeout, MAX_COMMAND_BYTES, type ProcHandle, type RawResult } from './driver.ts';
import { shQuote } from './shell.ts';
import { putFileScript, getFileCommand, failureReason } from './files.ts';
import { CommandAbortedError, RemoteFileError } from './errors.ts';
import { ShellSession, SessionEndedError } from './session.ts';
import type { WrappedCommand } from './become.ts';
import { hostKeyVerifier } from './hostverify.ts';
import { loadKeys } from './keys.ts';

/** ssh2, loaded on the first connection (a run served by the connection keeper never needs it). */
const requireCjs = createRequire(import.meta.url);
let ssh2Client: typeof import('ssh2').Client | undefined;
function newClient(): ClientT {
  ssh2Client ??= (requireCjs('ssh2') as typeof import('ssh2')).Client;
  return new ssh2Client();
}

/** Concurrent exec channels per connection (OpenSSH's MaxSessions defaults to 10). */
export const MAX_CHANNELS = 8;

/** Shell sessions kept open per connection (TSPLAY_SSH_SESSIONS=0: none, one exec channel per command). */
export const MAX_SESSIONS = 4;

/** Hooks the caller may supply (tests, the CLI). */
export interface SshHooks {
  /** Ask for a private key passphrase (default: prompt on the TTY, fail without one). */
  passphrase?: (keyFile: string) => Promise<string>;
  /** Informational messages (a key recorded by accept-new, ...). */
  log?: (msg: string) => void;
  /**
   * Called with every command line sent (before become wrapping, already redacted), for -vvv.
   * `become` is e.g. 'sudo:root' when the command runs under become.
   */
  onCommand?: (host: string, command: string, become?: string) => void;
}

/** One hop to connect to: the target itself or a jump host. */
interface Hop {
  /** Name for messages (inventory name or the ProxyJump name). */
  name: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  password?: string;
}

/** A human reason for an ssh2 / socket error. */
function reasonOf(e: Error & { code?: string; level?: string }, hop: Hop, timeoutMs: number): string {
  const code = e.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to host';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `could not resolve hostname ${hop.address}`;
  if (code === 'ECONNRESET') return 'connection reset by peer';
  if (code === 'ETIMEDOUT' || /Timed out while waiting for handshake/i.test(e.message)) return `connection timed out after ${timeoutMs / 1000} s`;
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message)) return `authentication failed for user ${hop.user}`;
  return e.message;
}

/** Prefix of the line that reports a command's remote process-group id on stderr. */
const PID_MARK = '@@tsplay-pid:';

/** A command running on the host. */
interface ActiveCommand {
  fail: (e: Error) => void;
  /** become of the command (a kill must use the same privileges). */
  become?: BecomeSpec;
  /** A kill helper of our own (not failed by close()). */
  internal?: boolean;
  /** The remote session shell's pid (= process group id), once reported. */
  pid?: number;
}

/** Resolves once a readable stream has ended (or at most 500 ms later, if it never does). */
function streamEnded(r: Readable): Promise<void> {
  if (r.readableEnded || r.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, 500);
    function done() {
      clearTimeout(t);
      r.off('end', done);
      r.off('close', done);
      resolve();
    }
    r.once('end', done);
    r.once('close', done);
  });
}

/** sshd refused a new channel (transient while sessions are being reaped). */
class ChannelOpenError extends Error {}

/** An ssh2 Client over an established transport. */
export class SshConnection implements Connection {
  readonly host: string;
  private client?: ClientT;
  private jumps: ClientT[] = [];
  private connecting?: Promise<void>;
  private alive = false;
  private closedByUser = false;
  private lastError?: string;
  private readonly limit = pLimit(MAX_CHANNELS);
  private readonly active = new Set<ActiveCommand>();
  /** Open shell sessions (idle or busy) on the current transport. */
  private sessions: ShellSession[] = [];
  /** Sessions being opened. */
  private sessionsOpening = 0;
  /** Exec channels in use (counted so idle sessions can make room below MaxSessions). */
  private execChannels = 0;
  /** Sessions switched off (by TSPLAY_SSH_SESSIONS=0, or a login shell that cannot run the loop). */
  private sessionsOff = process.env.TSPLAY_SSH_SESSIONS === '0';
  /** Number of times a transport was established (1 unless it dropped and reconnected). */
  connectCount = 0;

  constructor(public readonly params: ConnParams, private readonly hooks: SshHooks = {}) {
    this.host = params.host;
  }

  /** Open a connection (resolves when authenticated). */
  static async open(params: ConnParams, hooks: SshHooks = {}): Promise<SshConnection> {
    const c = new SshConnection(params, hooks);
    await c.connect();
    return c;
  }

  /** True while the transport is up. */
  get isAlive(): boolean {
    return this.alive;
  }

  /** Connect (or reconnect after a drop). Concurrent callers share one attempt. */
  connect(): Promise<void> {
    if (this.closedByUser) return Promise.reject(new UnreachableError(`connection to ${this.host} was closed`, this.host));
    if (this.alive) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = this.establish().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private unreachable(msg: string): UnreachableError {
    return new UnreachableError(redact(msg), this.host);
  }

  private async establish(): Promise<void> {
    const p = this.params;
    this.teardown();
    let sock: Duplex | undefined;
    const jumps: ClientT[] = [];
    try {
      for (const j of p.proxyJump) {
        const hop: Hop = { name: j.name, address: j.address, port: j.port, user: j.user, identityFiles: j.identityFiles };
        const c = await this.connectHop(hop, sock, `jump host ${j.name} for ${this.host}`);
        jumps.push(c);
        sock = undefined;
        const next: JumpHost | { address: string; port: number } = p.proxyJump[jumps.length] ?? { address: p.address, port: p.port };
        sock = await new Promise<Duplex>((resolve, reject) =>
          c.forwardOut('127.0.0.1', 0, next.address, next.port, (err, stream) => (err ? reject(this.unreachable(`ssh to ${this.host}: jump host ${j.name} could not open a tunnel to ${next.address}:${next.port}: ${err.message}`)) : resolve(stream))),
        );
      }
      const target: Hop = { name: this.host, address: p.address, port: p.port, user: p.user, identityFiles: p.identityFiles, password: p.password };
      const client = await this.connectHop(target, sock, this.host);
      this.client = client;
      this.jumps = jumps;
      this.alive = true;
      this.lastError = undefined;
      this.connectCount++;
      const onDown = (why: string) => {
        if (this.client !== client) return;
        const wasAlive = this.alive;
        this.alive = false;
        this.lastError = why;
        if (wasAlive || this.active.size) {
          const e = this.unreachable(`connection to ${this.host} (${p.address}) lost: ${why}`);
          for (const a of [...this.active]) a.fail(e);
        }
      };
      client.on('error', (e: Error & { code?: string; level?: string }) => onDown(reasonOf(e, target, p.connectTimeoutMs)));
      client.on('close', () => onDown(this.lastError ?? 'closed by the remote host'));
      for (const j of jumps) {
        j.on('error', (e: Error) => onDown(`jump host: ${e.message}`));
        j.on('close', () => onDown('jump host connection closed'));
      }
    } catch (e) {
      for (const j of jumps) j.end();
      throw e;
    }
  }

  /** Connect one hop (over `sock` when tunnelled) with host-key checking and authentication. */
  private async connectHop(hop: Hop, sock: Duplex | undefined, label: string): Promise<ClientT> {
    const p = this.params;
    let loaded: Awaited<ReturnType<typeof loadKeys>>;
    try {
      loaded = await loadKeys(hop.identityFiles, this.hooks);
    } catch (e) {
      throw this.unreachable(`ssh to ${label}: ${(e as Error).message}`);
    }
    const { keys, skipped } = loaded;
    const hv = hostKeyVerifier(p, hop, this.hooks.log);
    const auths: NonNullable<ConnectConfig['authHandler']> = [] as unknown as NonNullable<ConnectConfig['authHandler']>;
    const list = auths as unknown as Record<string, unknown>[];
    for (const k of keys) list.push({ type: 'publickey', username: hop.user, key: k.key, ...(k.passphrase !== undefined ? { passphrase: k.passphrase } : {}) });
    if (p.agentSocket && !p.identitiesOnly) list.push({ type: 'agent', username: hop.user, agent: p.agentSocket });
    if (hop.password !== undefined) {
      const pw = hop.password;
      list.push({ type: 'password', username: hop.user, password: pw });
      list.push({ type: 'keyboard-interactive', username: hop.user, prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (r: string[]) => void) => finish(prompts.map(() => pw)) });
    }
    if (list.length === 0) list.push({ type: 'none', username: hop.user });
    const tried = [...keys.map((k) => `key ${k.file}`), ...(p.agentSocket && !p.identitiesOnly ? ['ssh-agent'] : []), ...(hop.password !== undefined ? ['password'] : [])];

    const client = newClient();
    return await new Promise<ClientT>((resolve, reject) => {
      let done = false;
      const onError = (e: Error & { code?: string; level?: string }) => {
        if (done) return;
        done = true;
        client.end();
        let reason = hv.error() ?? reasonOf(e, hop, p.connectTimeoutMs);
        if (!hv.error() && /authentication failed/.test(reason)) {
          reason += tried.length ? ` (tried ${tried.join(', ')})` : ' (no key, agent or password available)';
          if (skipped.length) reason += `; skipped keys: ${skipped.join(', ')}`;
        }
        const where = label === this.host ? `${this.host} (${hop.user}@${hop.address}:${hop.port})` : `${label} (${hop.user}@${hop.address}:${hop.port})`;
        reject(this.unreachable(hv.error() ? reason : `ssh to ${where}: ${reason}`));
      };
      client.once('ready', () => {
        if (done) return;
        done = true;
        client.removeListener('error', onError);
        resolve(client);
      });
      client.on('error', onError);
      client.once('close', () => onError(Object.assign(new Error(hv.error() ?? 'connection closed during handshake'), { code: 'ECONNRESET' })));
      try {
        client.connect({
          host: hop.address,
          port: hop.port,
          username: hop.user,
          ...(sock ? { sock } : {}),
          readyTimeout: p.connectTimeoutMs,
          keepaliveInterval: p.keepaliveIntervalMs,
          keepaliveCountMax: p.keepaliveCountMax,
          hostVerifier: hv.verify,
          authHandler: auths,
          algorithms: { serverHostKey: hv.algorithms as never },
        } as ConnectConfig);
        // Small request/response packets: Nagle + delayed ACKs would add ~40 ms per command.
        client.setNoDelay(true);
      } catch (e) {
        onError(e as Error);
      }
    });
  }

  /**
   * Open an exec channel, retrying briefly when sshd refuses it while it is still
   * reaping just-closed sessions (MaxSessions is counted until the session process exits).
   */
  private async openChannel(command: string, pty: boolean, meta: { become?: BecomeSpec; internal?: boolean } = {}): Promise<ProcHandle> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openChannelOnce(command, pty, meta);
      } catch (e) {
        if (!(e instanceof ChannelOpenError) || attempt >= 30 || !this.alive) throw e instanceof ChannelOpenError ? new TsplayError(e.message) : e;
        await new Promise((r) => setTimeout(r, 20 + attempt * 20));
      }
    }
  }

  private openChannelOnce(command: string, pty: boolean, meta: { become?: BecomeSpec; internal?: boolean }): Promise<ProcHandle> {
    const client = this.client;
    if (!client || !this.alive) return Promise.reject(this.unreachable(`connection to ${this.host} is down: ${this.lastError ?? 'not connected'}`));
    // The session shell is a process-group leader (sshd setsid()s it): report its pid first on
    // stderr, so the whole command can be killed later (timeout backstop, close, SIGINT).
    // Run under /bin/sh as in a shell session (and as Ansible does), not the login shell; the
    // exec keeps the pid. (A command whose quoted form would not fit in argv stays unwrapped.)
    const quoted = shQuote(command);
    const line = pty ? command : quoted.length <= MAX_COMMAND_BYTES ? `echo "${PID_MARK}$$@@" >&2; exec /bin/sh -c ${quoted}` : `echo "${PID_MARK}$$@@" >&2; ${command}`;
    return new Promise<ProcHandle>((resolve, reject) => {
      const opts = pty ? { pty: { term: 'dumb', cols: 200, rows: 24 } } : {};
      client.exec(line, opts, (err: Error | undefined, ch: ClientChannel) => {
        if (err) {
          reject(this.alive ? new ChannelOpenError(`ssh to ${this.host}: could not open a channel: ${err.message}`) : this.unreachable(`connection to ${this.host} lost: ${this.lastError ?? err.message}`));
          return;
        }
        let code: number | null = null;
        let signal: string | null = null;
        let gotExit = false;
        let failCb: ((e: Error) => void) | undefined;
        const entry: ActiveCommand = { fail: (e: Error) => failCb?.(e), ...meta };
        this.active.add(entry);
        ch.on('exit', (c: number | null, s?: string) => {
          gotExit = true;
          code = typeof c === 'number' ? c : null;
          signal = s ?? null;
        });
        let stderr: PassThrough | null = null;
        if (!pty) {
          // A stream (not a bare emitter): output is buffered until drive() starts reading.
          const out = new PassThrough();
          stderr = out;
          let head: Buffer | undefined = Buffer.alloc(0);
          ch.stderr.on('data', (d: Buffer) => {
            if (!head) return void out.write(d);
            head = Buffer.concat([head, d]);
            // the marker line normally comes first; a login shell may print something before it
            const m = new RegExp(`(^|\\n)${PID_MARK}(\\d+)@@\\n`).exec(head.toString('latin1'));
            if (!m && head.length < 4096) return;
            let rest = head;
            if (m) {
              entry.pid = Number(m[2]);
              const at = m.index + m[1].length;
              rest = Buffer.concat([head.subarray(0, at), head.subarray(at + m[0].length - m[1].length)]);
            }
            head = undefined;
            if (rest.length) out.write(rest);
          });
          ch.stderr.on('end', () => {
            if (head?.length) out.write(head);
            head = undefined;
            out.end();
          });
        }
        resolve({
          stdin: ch,
          stdout: ch,
          stderr,
          onExit: (cb) =>
            ch.on('close', async () => {
              // 'close' can overtake the last buffered output: wait for both streams to end.
              await Promise.all([streamEnded(ch), streamEnded(stderr ?? ch.stderr)]);
              this.active.delete(entry);
              if (!gotExit || (this.closedByUser && !entry.internal)) {
                // No exit status: the transport went away under the command (or close() killed it).
                const why = this.closedByUser ? `connection to ${this.host} was closed while a command was running` : `connection to ${this.host} lost while running a command${this.lastError ? `: ${this.lastError}` : ''}`;
                setImmediate(() => entry.fail(this.unreachable(why)));
                return;
              }
              cb(code, signal);
            }),
          onFail: (cb) => {
            failCb = cb;
          },
          kill: (o) => {
            this.active.delete(entry);
            // Kill helpers never kill (no loops); a command whose become failed is killed without it.
            if (entry.pid && !entry.internal && !this.closedByUser) this.trackKill(this.killTrees([o?.authenticated === false ? { ...entry, become: undefined } : entry]));
            try {
              ch.signal('KILL');
            } catch { /* ignore */ }
            try {
              ch.close();
            } catch { /* ignore */ }
          },
        });
      });
    });
  }

  /** Kills started by a failing command (timeout, abort, become failure), until they finish. */
  private readonly kills = new Set<Promise<void>>();

  private trackKill(p: Promise<void>): void {
    this.kills.add(p);
    void p.finally(() => this.kills.delete(p));
  }

  /** Resolves when the kills started so far are done (an aborted command's caller waits for them). */
  private async killsSettled(): Promise<void> {
    await Promise.allSettled([...this.kills]);
  }

  /**
   * Kill remote commands: their process group and every descendant (sudo may start the
   * command in a session of its own), TERM then KILL a second later, with the privileges
   * the command had. Resolves when done (at most ~6 s); never rejects.
   */
  private async killTrees(cmds: ActiveCommand[]): Promise<void> {
    if (!this.alive) return;
    const groups = new Map<string, { become?: BecomeSpec; pids: number[] }>();
    for (const c of cmds) {
      if (!c.pid || c.pid <= 1) continue;
      const key = JSON.stringify(c.become ?? null);
      if (!groups.has(key)) groups.set(key, { become: c.become, pids: [] });
      groups.get(key)!.pids.push(c.pid);
    }
    await Promise.allSettled(
      [...groups.values()].map(({ become, pids }) => {
        const list = pids.join(' ');
        const script = [
          `t=''`,
          `kids() { if command -v pgrep >/dev/null 2>&1; then pgrep -P "$1"; else for f in /proc/[0-9]*/stat; do set -- "$1" $(cat "$f" 2>/dev/null); [ "$5" = "$1" ] && echo "$2"; done; fi; }`,
          `walk() { t="$t $1"; for c in $(kids "$1"); do walk "$c"; done; }`,
          `for p in ${list}; do walk $p; done`,
          // one pid per kill: dash's kill stops at the first bad argument and has no `--`
          `for x in ${pids.map((p) => `-${p}`).join(' ')} $t; do kill -TERM "$x" 2>/dev/null; done`,
          `sleep 1`,
          `for x in ${pids.map((p) => `-${p}`).join(' ')} $t; do kill -KILL "$x" 2>/dev/null; done`,
          `true`,
        ].join('\n');
        return this.runNow(script, { become, timeoutMs: 5000 }, true);
      }),
    );
  }

  /** Run a command line; raw byte-exact output. */
  async run(command: string, opts: ExecOptions = {}): Promise<RawResult> {
    const { stdin, wrapped } = prepareRun(this.host, command, opts, this.hooks.onCommand);
    const aborted = () => opts.signal?.aborted && new CommandAbortedError(this.host);
    const early = aborted();
    if (early) throw early;
    return this.limit(async () => {
      const late = aborted(); // aborted while queued: never starts
      if (late) throw late;
      await this.connect();
      try {
        if (this.sessionFits(wrapped, stdin)) {
          const r = await this.runInSession(wrapped, stdin, opts);
          if (r) return r;
        }
        this.makeRoomForChannel();
        this.execChannels++;
        try {
          const proc = await this.openChannel(wrapped.command, wrapped.pty, { become: opts.become });
          return await drive(proc, wrapped, { host: this.host, stdin, timeoutMs: opts.timeoutMs, signal: opts.signal });
        } finally {
          this.execChannels--;
        }
      } catch (e) {
        // an aborted command is dead on the host when the call returns
        if (e instanceof CommandAbortedError) await this.killsSettled();
        throw e;
      }
    });
  }

  /** Can a shell session carry this command? (no pty, no password to type, no stdin under become) */
  private sessionFits(w: WrappedCommand, stdin: Buffer | undefined): boolean {
    if (this.sessionsOff || w.pty || !this.client) return false;
    return !w.become || (w.become.password === undefined && !stdin?.length);
  }

  /** Close an idle session when an exec channel would otherwise exceed MAX_CHANNELS. */
  private makeRoomForChannel(): void {
    this.sessions = this.sessions.filter((s) => s.alive);
    if (this.sessions.length + this.sessionsOpening + this.execChannels < MAX_CHANNELS) return;
    this.sessions.find((s) => s.idle)?.discard();
  }

  /** An idle session (marked busy by the caller's start()), a new one, or undefined. */
  private async takeSession(): Promise<ShellSession | undefined> {
    this.sessions = this.sessions.filter((s) => s.alive);
    const idle = this.sessions.find((s) => s.idle);
    if (idle) {
      idle.reserve(); // concurrent callers must not pick it before start()
      return idle;
    }
    if (this.sessions.length + this.sessionsOpening >= MAX_SESSIONS) return undefined;
    const client = this.client;
    if (!client || !this.alive) return undefined;
    this.sessionsOpening++;
    try {
      const s = await ShellSession.open(client);
      s.reserve();
      if (this.client !== client) {
        s.discard();
        return undefined;
      }
      return s;
    } catch {
      return undefined; // no channel now (MaxSessions): an exec channel will retry
    } finally {
      this.sessionsOpening--;
    }
  }

  /**
   * Run a command in a shell session. Resolves undefined when no session could take it (the
   * caller uses an exec channel); a session that never started switches sessions off.
   */
  private async runInSession(wrapped: WrappedCommand, stdin: Buffer | undefined, opts: ExecOptions): Promise<RawResult | undefined> {
    const s = await this.takeSession();
    if (!s) return undefined;
    const proc = s.start(wrapped.command, stdin);
    if (!this.sessions.includes(s)) this.sessions.push(s);
    let failCb: ((e: Error) => void) | undefined;
    const entry: ActiveCommand = { fail: (e) => failCb?.(e), become: opts.become };
    this.active.add(entry);
    proc.onPid((pid) => {
      entry.pid = pid;
    });
    proc.onFail((e) => failCb?.(e));
    const handle: ProcHandle = {
      stdin: proc.stdin,
      stdout: proc.stdout,
      stderr: proc.stderr,
      onExit: (cb) =>
        proc.onExit((code, signal) => {
          // close() killed it: like an exec channel, the command did not complete
          if (this.closedByUser) failCb?.(this.unreachable(`connection to ${this.host} was closed while a command was running`));
          else cb(code, signal);
        }),
      onFail: (cb) => {
        failCb = cb;
      },
      kill: (o) => {
        this.active.delete(entry);
        if (entry.pid && !this.closedByUser) this.trackKill(this.killTrees([o?.authenticated === false ? { ...entry, become: undefined } : entry]));
        proc.kill();
      },
    };
    try {
      return await drive(handle, wrapped, { host: this.host, timeoutMs: opts.timeoutMs, signal: opts.signal });
    } catch (e) {
      if (!(e instanceof SessionEndedError)) throw e;
      if (!e.ready && this.alive) {
        this.sessionsOff = true; // the login shell could not run the loop: exec channels only
        return undefined;
      }
      // like an exec channel closing without an exit status: the transport went away
      await new Promise((r) => setTimeout(r, 20));
      const why = this.closedByUser ? `connection to ${this.host} was closed while a command was running` : `connection to ${this.host} lost while running a command${this.lastError ? `: ${this.lastError}` : ''}`;
      throw this.unreachable(why);
    } finally {
      this.active.delete(entry);
    }
  }

  /** Run now, outside the channel limit (kill helpers must not wait behind what they kill). */
  private async runNow(command: string, opts: ExecOptions, internal: boolean): Promise<RawResult> {
    let line = command;
    if (opts.timeoutMs) line = withTimeout(line, opts.timeoutMs);
    const wrapped = prepareCommand(line, { become: opts.become });
    const proc = await this.openChannel(wrapped.command, wrapped.pty, { become: opts.become, internal });
    return drive(proc, wrapped, { host: this.host, timeoutMs: opts.timeoutMs });
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, opts);
    return { rc: r.rc, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async putFile(remotePath: string, content: Buffer, opts: PutFileOptions = {}): Promise<void> {
    const script = putFileScript(remotePath, content.length, opts);
    const r = await this.run(script, { stdin: content, become: opts.become, signal: opts.signal });
    if (r.rc !== 0) throw new RemoteFileError(`could not write ${remotePath} on ${this.host}: ${failureReason(r.stderr.toString('utf8'), r.rc)}`, this.host);
  }

  async getFile(remotePath: string, become?: BecomeSpec): Promise<Buffer> {
    const r = await this.run(getFileCommand(remotePath), { become });
    if (r.rc !== 0) throw new RemoteFileError(`could not read ${remotePath} on ${this.host}: ${failureReason(r.stderr.toString('utf8'), r.rc)}`, this.host);
    return r.stdout;
  }

  private teardown(): void {
    this.alive = false;
    for (const s of this.sessions) s.discard();
    this.sessions = [];
    try {
      this.client?.end();
    } catch { /* ignore */ }
    for (const j of this.jumps) {
      try {
        j.end();
      } catch { /* ignore */ }
    }
    this.client = undefined;
    this.jumps = [];
  }

  /**
   * Close the connection. Commands still running on the host are killed first (their whole
   * process group), and their promises reject with UnreachableError.
   */
  async close(): Promise<void> {
    this.closedByUser = true;
    const running = [...this.active].filter((a) => !a.internal && a.pid);
    if (running.length && this.alive) await this.killTrees(running);
    const c = this.client;
    this.teardown();
    if (c) await new Promise<void>((r) => {
      const t = setTimeout(r, 1000);
      c.once('close', () => {
        clearTimeout(t);
        r();
      });
    });
  }
}
