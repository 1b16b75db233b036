/**
 * LocalConnection: runs commands on the controller with `/bin/sh -c` (ansible_connection=local,
 * `delegate_to: localhost`). Same semantics as SshConnection (become, env, cwd, timeout,
 * atomic putFile), each command in its own process group so a timeout kills all of it.
 */
import { spawn } from 'node:child_process';
import { TsplayError, type BecomeSpec, type Connection, type ExecOptions, type ExecResult, type PutFileOptions } from '../types.ts';
import { drive, prepareRun, type RawResult } from './driver.ts';
import { putFileScript, getFileCommand, failureReason } from './files.ts';
import { CommandAbortedError, RemoteFileError } from './errors.ts';
import type { SshHooks } from './ssh.ts';

/** A connection to the controller itself. */
export class LocalConnection implements Connection {
  /** Process group leaders of the commands running now (killed by close()). */
  private readonly running = new Set<number>();

  constructor(
    public readonly host: string = 'localhost',
    private readonly hooks: Pick<SshHooks, 'onCommand'> = {},
  ) {}

  /** Run a command line; raw byte-exact output. */
  async run(command: string, opts: ExecOptions = {}): Promise<RawResult> {
    const { stdin, wrapped } = prepareRun(this.host, command, opts, this.hooks.onCommand);
    if (opts.signal?.aborted) throw new CommandAbortedError(this.host);
    if (wrapped.pty) throw new TsplayError(`become method su with a password is not supported on the local connection (${this.host}); use sudo`);
    const child = spawn('/bin/sh', ['-c', wrapped.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    if (pid) {
      this.running.add(pid);
      child.on('close', () => this.running.delete(pid));
      child.on('error', () => this.running.delete(pid));
    }
    child.stdin.on('error', () => { /* EPIPE when the command does not read stdin */ });
    return drive(
      {
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        onExit: (cb) => child.on('close', (code, signal) => cb(code, signal)),
        onFail: (cb) => child.on('error', (e) => cb(new TsplayError(`cannot run /bin/sh on ${this.host}: ${e.message}`))),
        kill: () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch { /* already gone */ }
        },
      },
      wrapped,
      { host: this.host, stdin, timeoutMs: opts.timeoutMs, signal: opts.signal },
    );
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, opts);
    return { rc: r.rc, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async putFile(remotePath: string, content: Buffer, opts: PutFileOptions = {}): Promise<void> {
    const r = await this.run(putFileScript(remotePath, content.length, opts), { stdin: content, become: opts.become, signal: opts.signal });
    if (r.rc !== 0) throw new RemoteFileError(`could not write ${remotePath} on ${this.host}: ${failureReason(r.stderr.toString('utf8'), r.rc)}`, this.host);
  }

  async getFile(remotePath: string, become?: BecomeSpec): Promise<Buffer> {
    const r = await this.run(getFileCommand(remotePath), { become });
    if (r.rc !== 0) throw new RemoteFileError(`could not read ${remotePath} on ${this.host}: ${failureReason(r.stderr.toString('utf8'), r.rc)}`, this.host);
    return r.stdout;
  }

  /** Kill the process group of every running command (Ctrl+C, end of run), as SshConnection does. */
  async close(): Promise<void> {
    for (const pid of this.running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
    this.running.clear();
  }
}
