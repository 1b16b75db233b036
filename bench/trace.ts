/**
 * Command trace for the raw baseline: loaded with `node --import tsx --import ./bench/trace.ts
 * bin/tsplay.js ...`, it wraps SshConnection.run and records, per host and in call order, the
 * exact command line tsplay sends (after its cwd/env/timeout wrapping, as prepareCommand builds
 * it), its stdin and its exit code. Written as JSON to $TSPLAY_BENCH_TRACE when the process exits.
 * No engine file is changed: the benchmark observes tsplay from the outside. The traced run uses
 * the TypeScript sources (TSPLAY_NO_DIST=1): the commands sent are the same as from dist/.
 */
import { writeFileSync } from 'node:fs';
import { SshConnection } from '../engine/connection/ssh.ts';
import { prepareCommand } from '../engine/connection/become.ts';
import { withTimeout } from '../engine/connection/driver.ts';
import type { ExecOptions } from '../engine/types.ts';

/** One traced command. */
export interface TracedCommand {
  host: string;
  cmd: string;
  /** base64 of the bytes written to stdin ('' for none) */
  stdin: string;
  rc?: number;
  /** ms since the process started: command sent / result back (for profiling the gaps) */
  t0?: number;
  t1?: number;
}

const out = process.env.TSPLAY_BENCH_TRACE;
if (out) {
  const rec: TracedCommand[] = [];
  const orig = SshConnection.prototype.run;
  SshConnection.prototype.run = async function (this: SshConnection, command: string, opts: ExecOptions = {}) {
    const stdin = opts.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin);
    const line = opts.timeoutMs ? withTimeout(command, opts.timeoutMs) : command;
    const w = prepareCommand(line, { env: opts.env, cwd: opts.cwd, become: opts.become, stdinLength: stdin.length });
    const entry: TracedCommand = { host: this.host, cmd: w.command, stdin: stdin.toString('base64'), t0: Math.round(performance.now() * 100) / 100 };
    rec.push(entry);
    const r = await orig.call(this, command, opts);
    entry.rc = r.rc;
    entry.t1 = Math.round(performance.now() * 100) / 100;
    return r;
  };
  process.on('exit', () => writeFileSync(out, JSON.stringify(rec)));
}
