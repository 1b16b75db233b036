/**
 * ShellSession: ONE long-lived shell on the host (an exec channel running a small POSIX sh
 * loop) that runs commands one after another, so a command costs one write and the bytes of its
 * output instead of a new channel, an exec request and a new sshd session process each.
 *
 * Framing (the loop is `sessionLoop()`): the controller writes `SEQ SCRIPTLEN STDINLEN\n`, the
 * script bytes and exactly STDINLEN bytes of the command's stdin. The loop runs the script with
 * /bin/sh (as Ansible runs everything with `/bin/sh -c`), its stdin the
 * STDINLEN bytes (or /dev/null), reports its pid on stderr (`\n@@tsplay-TOKEN-pid-SEQ PID\n`), then writes `\n@@tsplay-TOKEN-end-SEQ RC\n` on stdout and
 * `\n@@tsplay-TOKEN-end-SEQ\n` on stderr. The controller removes exactly those bytes (each is
 * written by one printf, atomically), so the command's output stays byte-exact. TOKEN is random
 * per session: a command cannot forge a marker it does not know.
 */
import { PassThrough, Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Client as ClientT, ClientChannel } from 'ssh2';
import { shQuote } from './shell.ts';
import type { ProcHandle } from './driver.ts';

/**
 * The sh loop the session channel runs (POSIX sh: dash, bash, busybox). Each command runs in a
 * subshell of it (`eval`, like Ansible's `/bin/sh -c`): its variables, cwd, traps and `exit` stay
 * there. The subshell is started as a background job so the loop can report its pid (`$!`; `$$`
 * would be the loop's), then waited for. Loop variables are `__tsplay_*` and are unset (and the
 * positional parameters cleared) before the command runs.
 */
export function sessionLoop(token: string): string {
  // the unset is part of the eval'd text ($__tsplay_s is expanded before it runs), on line 1
  const run = `eval "unset __tsplay_n __tsplay_m __tsplay_q __tsplay_p __tsplay_r __tsplay_s __tsplay_t; set --; $__tsplay_s"`;
  return [
    // fd 3 = the session's stdin: a background job's own stdin starts as /dev/null
    `__tsplay_t=${token}; exec 3<&0`,
    `printf '@@tsplay-%s-ready\\n' "$__tsplay_t"; printf '@@tsplay-%s-ready\\n' "$__tsplay_t" >&2`,
    `while IFS=' ' read -r __tsplay_q __tsplay_n __tsplay_m; do`,
    `  case "$__tsplay_q:$__tsplay_n:$__tsplay_m" in *[!0-9:]*|:*|*::*|*:) exit 97;; esac`,
    `  __tsplay_s=$(head -c "$__tsplay_n"; echo .); __tsplay_s=\${__tsplay_s%.}`,
    `  if [ "$__tsplay_m" -gt 0 ]; then`,
    `    head -c "$__tsplay_m" <&3 | { ( ${run} ) 3<&-; __tsplay_r=$?; cat >/dev/null; exit $__tsplay_r; } & __tsplay_p=$!`,
    `  else ( ${run} ) </dev/null 3<&- & __tsplay_p=$!; fi`,
    `  printf '\\n@@tsplay-%s-pid-%s %s\\n' "$__tsplay_t" "$__tsplay_q" "$__tsplay_p" >&2`,
    `  wait "$__tsplay_p"; __tsplay_r=$?`,
    `  printf '\\n@@tsplay-%s-end-%s %s\\n' "$__tsplay_t" "$__tsplay_q" "$__tsplay_r"; printf '\\n@@tsplay-%s-end-%s\\n' "$__tsplay_t" "$__tsplay_q" >&2`,
    `done`,
  ].join('\n');
}

/** The exec line that starts a session (the login shell execs /bin/sh running the loop). */
export function sessionCommand(token: string): string {
  return `exec /bin/sh -c ${shQuote(sessionLoop(token))}`;
}

/**
 * Finds one marker in a byte stream that arrives in chunks. The marker is followed by a value
 * running to the next newline (`\n@@tsplay-T-end-3 0\n` -> value '0'), or by nothing when
 * `withValue` is false. Output bytes that cannot be part of the marker are released at once.
 */
export class MarkerScanner {
  private held = Buffer.alloc(0);
  /** The value after the marker, once the whole marker line has arrived. */
  value?: string;
  /** Bytes after the marker line (once found). */
  rest = Buffer.alloc(0);
  private readonly hold: number;

  constructor(private readonly marker: Buffer, private readonly withValue: boolean) {
    // a partial marker plus a value of up to 24 bytes may sit at the end of a chunk
    this.hold = marker.length - 1 + (withValue ? 25 : 0);
  }

  /** True once the marker (and its value line) was seen. */
  get found(): boolean {
    return this.value !== undefined;
  }

  /** Feed a chunk; returns the output bytes before the marker that are safe to release. */
  push(chunk: Buffer): Buffer {
    if (this.found) {
      this.rest = Buffer.concat([this.rest, chunk]);
      return Buffer.alloc(0);
    }
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      const after = buf.subarray(at + this.marker.length);
      if (!this.withValue) {
        this.value = '';
        this.rest = Buffer.from(after);
        this.held = Buffer.alloc(0);
        return buf.subarray(0, at);
      }
      const nl = after.indexOf(0x0a);
      if (nl >= 0) {
        this.value = after.subarray(0, nl).toString('latin1');
        this.rest = Buffer.from(after.subarray(nl + 1));
        this.held = Buffer.alloc(0);
        return buf.subarray(0, at);
      }
      this.held = Buffer.from(buf.subarray(at)); // the value line is not complete yet
      return buf.subarray(0, at);
    }
    const keep = Math.min(buf.length, this.hold);
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return buf.subarray(0, buf.length - keep);
  }
}

/** The command the session is running. */
interface Current {
  seq: number;
  out: PassThrough;
  err: PassThrough;
  outEnd: MarkerScanner;
  errPid: MarkerScanner;
  errEnd: MarkerScanner;
  exitCb?: (code: number | null, signal: string | null) => void;
  failCb?: (e: Error) => void;
  onPid: (pid: number) => void;
}

/** Why a session ended (`ready` false: it never started, so the command never ran). */
export class SessionEndedError extends Error {
  constructor(message: string, readonly ready: boolean) {
    super(message);
  }
}

/** What `ShellSession.start` returns: the driver's handle plus the pid hook. */
export type SessionProc = ProcHandle & { onPid(cb: (pid: number) => void): void };

/** A shell session on one channel of an established ssh2 client. */
export class ShellSession {
  private seq = 0;
  private cur?: Current;
  private ready = false;
  private readyOut: MarkerScanner;
  private readyErr: MarkerScanner;
  private ended = false;

  private constructor(private readonly ch: ClientChannel, private readonly token: string) {
    const ready = Buffer.from(`@@tsplay-${token}-ready\n`);
    this.readyOut = new MarkerScanner(ready, false);
    this.readyErr = new MarkerScanner(ready, false);
    ch.on('data', (d: Buffer) => this.onData(d, false));
    ch.stderr.on('data', (d: Buffer) => this.onData(d, true));
    ch.on('close', () => this.end('the session channel closed'));
    ch.on('error', (e: Error) => this.end(e.message));
  }

  /** Open a session channel on `client` (does not wait for the loop to start). */
  static open(client: ClientT): Promise<ShellSession> {
    const token = randomBytes(9).toString('hex');
    return new Promise((resolve, reject) => {
      client.exec(sessionCommand(token), (err: Error | undefined, ch: ClientChannel) => (err ? reject(err) : resolve(new ShellSession(ch, token))));
    });
  }

  /** Taken by a caller that is about to start() a command. */
  private reserved = false;

  /** True while no command is running (or about to) and the session is usable. */
  get idle(): boolean {
    return !this.cur && !this.ended && !this.reserved;
  }

  /** Hold the session for the caller's next start(). */
  reserve(): void {
    this.reserved = true;
  }

  /** False once the channel closed or the session was discarded. */
  get alive(): boolean {
    return !this.ended;
  }

  /**
   * Run one command line (the session must be idle); `stdin` goes with it, whole.
   */
  start(command: string, stdin: Buffer | undefined): SessionProc {
    if (this.cur || this.ended) throw new Error('shell session busy');
    this.reserved = false;
    const seq = ++this.seq;
    const tag = `@@tsplay-${this.token}`;
    const body = Buffer.from(command);
    const data = stdin ?? Buffer.alloc(0);
    const c: Current = {
      seq,
      out: new PassThrough(),
      err: new PassThrough(),
      outEnd: new MarkerScanner(Buffer.from(`\n${tag}-end-${seq} `), true),
      errPid: new MarkerScanner(Buffer.from(`\n${tag}-pid-${seq} `), true),
      errEnd: new MarkerScanner(Buffer.from(`\n${tag}-end-${seq}\n`), false),
      onPid: () => {},
    };
    this.cur = c;
    this.ch.write(Buffer.concat([Buffer.from(`${seq} ${body.length} ${data.length}\n`), body, data]));
    const self = this;
    return {
      // stdin went with the command; the driver's writes are no-ops
      stdin: new Writable({ write(_c, _e, cb) { cb(); }, final(cb) { cb(); } }),
      stdout: c.out,
      stderr: c.err,
      onExit(cb) {
        c.exitCb = cb;
        self.maybeFinish();
      },
      onFail(cb) {
        c.failCb = cb;
      },
      kill() {
        self.discard();
      },
      onPid(cb) {
        c.onPid = cb;
      },
    };
  }

  private onData(d: Buffer, isErr: boolean): void {
    if (!this.ready) {
      // anything before the ready lines (login-shell noise) is dropped
      (isErr ? this.readyErr : this.readyOut).push(d);
      if (!this.readyOut.found || !this.readyErr.found) return;
      this.ready = true;
      const o = this.readyOut.rest;
      const e = this.readyErr.rest;
      if (o.length) this.onData(o, false);
      if (e.length) this.onData(e, true);
      return;
    }
    const c = this.cur;
    if (!c) return; // stray output of a background process between commands
    if (!isErr) {
      if (c.outEnd.found) return;
      const before = c.outEnd.push(d);
      if (before.length) c.out.write(before);
      if (c.outEnd.found) {
        c.out.end();
        this.maybeFinish();
      }
      return;
    }
    if (c.errEnd.found) return;
    let bytes = d;
    if (!c.errPid.found) {
      // the shell's pid line comes first (unless the shell failed to start): cut it out
      const before = c.errPid.push(bytes);
      if (c.errPid.found) {
        const pid = Number(c.errPid.value);
        if (pid > 0) c.onPid(pid);
        bytes = Buffer.concat([before, c.errPid.rest]);
      } else bytes = before;
    }
    const before = c.errEnd.push(bytes);
    if (before.length) c.err.write(before);
    if (c.errEnd.found) {
      c.err.end();
      this.maybeFinish();
    }
  }

  private maybeFinish(): void {
    const c = this.cur;
    if (!c || !c.outEnd.found || !c.errEnd.found || !c.exitCb) return;
    this.cur = undefined;
    const cb = c.exitCb;
    const rc = Number(c.outEnd.value);
    setImmediate(() => cb(Number.isInteger(rc) ? rc : -1, null));
  }

  private end(why: string): void {
    if (this.ended) return;
    this.ended = true;
    const c = this.cur;
    this.cur = undefined;
    if (c) {
      const e = new SessionEndedError(`the shell session ended while running a command (${why})`, this.ready);
      c.out.end();
      c.err.end();
      setImmediate(() => c.failCb?.(e));
    }
  }

  /** Stop using this session (its command is being killed, or the connection closes). */
  discard(): void {
    if (this.ended) return;
    this.ended = true;
    this.cur = undefined;
    try {
      this.ch.close();
    } catch { /* already closed */ }
  }
}
