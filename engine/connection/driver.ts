/**
 * Drives one running command (an ssh2 exec channel or a local child process): collects
 * stdout/stderr, completes the become handshake (sudo prompt / su prompt / success marker),
 * then writes the command's stdin and waits for its exit. Shared by SshConnection and
 * LocalConnection so both behave the same.
 */
import type { Readable, Writable } from 'node:stream';
import type { WrappedCommand } from './become.ts';
import { prepareCommand, SU_PROMPT_RE } from './become.ts';
import { BecomeError, CommandAbortedError, CommandTimeoutError } from './errors.ts';
import { shQuote } from './shell.ts';
import { TsplayError, type ExecOptions } from '../types.ts';
import { redact } from '../secrets.ts';

/** What the driver needs from a started process. */
export interface ProcHandle {
  stdin: Writable;
  stdout: Readable;
  /** null under a pty (stderr is merged into stdout). */
  stderr: Readable | null;
  /** Register the exit callback: called once, after output has been delivered. */
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  /** Register a callback for the transport failing (connection lost). */
  onFail(cb: (e: Error) => void): void;
  /** Stop the process (and its channel). `authenticated: false`: become never succeeded. */
  kill(opts?: { authenticated?: boolean }): void;
}

/** Raw result with byte-exact output. */
export interface RawResult {
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };

/** Longest command line sent (Linux limits one argument, the `sh -c` script, to 128 KiB). */
export const MAX_COMMAND_BYTES = 120 * 1024;

/** Reject a command line that the target's kernel would refuse, with a clear message. */
export function checkCommandLength(command: string, host: string): void {
  const n = Buffer.byteLength(command);
  if (n > MAX_COMMAND_BYTES) {
    throw new TsplayError(`command for ${host} is too long (${n} bytes, the limit is ${MAX_COMMAND_BYTES}): send large data on stdin or with putFile`);
  }
}

/** Wrap a command line so coreutils `timeout` kills its whole process group after `ms`. */
export function withTimeout(line: string, ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return `timeout -k 3 ${s} /bin/sh -c ${shQuote(line)}`;
}

/**
 * What every connection does before running a command: echo it (redacted) to the onCommand
 * hook, turn stdin into bytes, apply the timeout, wrap env/cwd/become, check the length.
 */
export function prepareRun(
  host: string,
  command: string,
  opts: ExecOptions,
  onCommand?: (host: string, command: string, become?: string) => void,
): { stdin: Buffer | undefined; wrapped: WrappedCommand } {
  onCommand?.(host, redact(command), opts.become ? `${opts.become.method}:${opts.become.user}` : undefined);
  const stdin = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin);
  const line = opts.timeoutMs ? withTimeout(command, opts.timeoutMs) : command;
  const wrapped = prepareCommand(line, { env: opts.env, cwd: opts.cwd, become: opts.become, stdinLength: stdin?.length ?? 0 });
  checkCommandLength(wrapped.command, host);
  return { stdin, wrapped };
}

/**
 * Run the handshake and I/O for one command. Rejects with BecomeError (become failed),
 * CommandTimeoutError, or the transport's error (the caller maps it to UnreachableError).
 */
export function drive(
  proc: ProcHandle,
  wrapped: WrappedCommand,
  opts: { host: string; stdin?: Buffer; timeoutMs?: number; signal?: AbortSignal },
): Promise<RawResult> {
  return new Promise<RawResult>((resolve, reject) => {
    const b = wrapped.become;
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    let authOut = Buffer.alloc(0);
    let authErr = '';
    let authenticated = !b;
    let promptsSeen = 0;
    let passwordSent = false;
    let settled = false;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => fail(new CommandAbortedError(opts.host));
    const fail = (e: Error) => finish(() => {
      try { proc.kill({ authenticated }); } catch { /* already gone */ }
      reject(e);
    });

    const writeStdin = () => {
      const data = opts.stdin;
      try {
        if (data && data.length) proc.stdin.write(data);
        if (!wrapped.pty) proc.stdin.end();
      } catch { /* process already gone: its exit reports the problem */ }
    };
    const sendPassword = () => {
      if (!b?.password) return;
      passwordSent = true;
      try { proc.stdin.write(b.password + '\n'); } catch { /* ignore */ }
    };

    const what = b ? (b.method === 'sudo' ? 'sudo' : 'su') : '';
    const onAuthOutput = () => {
      if (!b || authenticated) return;
      // sudo prompt arrives on stderr; su's (pty) on stdout.
      if (b.method === 'sudo') {
        const n = authErr.split(b.prompt).length - 1;
        if (n > promptsSeen) {
          promptsSeen = n;
          if (!b.password) return fail(new BecomeError(`Missing ${what} password`, opts.host));
          if (n >= 2 || passwordSent) return fail(new BecomeError(`Incorrect ${what} password`, opts.host));
          sendPassword();
        }
      } else if (wrapped.pty) {
        const text = authOut.toString('utf8');
        if (new RegExp(SU_PROMPT_RE).test(text)) {
          if (passwordSent) return fail(new BecomeError(`Incorrect ${what} password`, opts.host));
          authOut = Buffer.alloc(0);
          sendPassword();
        }
      }
      const idx = authOut.indexOf(b.successMarker);
      if (idx >= 0) {
        let rest = authOut.subarray(idx + b.successMarker.length);
        if (rest[0] === 0x0d) rest = rest.subarray(1);
        if (rest[0] === 0x0a) rest = rest.subarray(1);
        authenticated = true;
        authOut = Buffer.alloc(0);
        if (rest.length) out.push(rest);
        writeStdin();
      }
    };

    proc.stdout.on('data', (d: Buffer) => {
      if (authenticated) out.push(d);
      else {
        authOut = Buffer.concat([authOut, d]);
        onAuthOutput();
      }
    });
    proc.stderr?.on('data', (d: Buffer) => {
      errs.push(d);
      if (!authenticated && b) {
        authErr += d.toString('utf8');
        onAuthOutput();
      }
    });
    proc.onFail((e) => fail(e));
    proc.onExit((code, signal) => {
      let stderr = Buffer.concat(errs);
      if (b?.method === 'sudo') stderr = Buffer.from(stderr.toString('utf8').split(b.prompt).join(''));
      if (!authenticated && b) {
        const msg = (stderr.toString('utf8') + authOut.toString('utf8')).replace(/\r/g, '').trim().split('\n').filter(Boolean).pop() ?? '';
        if (passwordSent) return fail(new BecomeError(`Incorrect ${what} password`, opts.host));
        return fail(new BecomeError(`${what} to user ${b.user} failed${msg ? `: ${msg}` : ` (exit code ${code ?? signal})`}`, opts.host));
      }
      const rc = code ?? (signal ? 128 + (SIGNALS[signal.replace(/^SIG/, '')] ?? 0) : -1);
      if (opts.timeoutMs && (rc === 124 || rc === 137) && Date.now() - started >= opts.timeoutMs - 50) {
        return fail(new CommandTimeoutError(opts.timeoutMs, opts.host));
      }
      finish(() => resolve({ rc, stdout: Buffer.concat(out), stderr }));
    });
    if (opts.timeoutMs) {
      // Backstop for a hung transport: coreutils timeout on the target normally fires first.
      timer = setTimeout(() => fail(new CommandTimeoutError(opts.timeoutMs!, opts.host)), opts.timeoutMs + 5000);
    }
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (!b) writeStdin();
  });
}
