/** Test helpers: capture a reporter's stdout/stderr and feed it event sequences. */
import { Writable } from 'node:stream';
import { createReporter, type Reporter, type ReporterOptions } from '../../../engine/report/reporter.ts';
import type { RunEvent, TaskInfo, HostStatus, ModuleResult } from '../../../engine/types.ts';

/** A writable stream that remembers everything written to it. */
export class Capture extends Writable {
  chunks: string[] = [];
  isTTY = false;
  columns = 80;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/** A reporter wired to two captures, with a frozen clock. */
export function capture(opts: Partial<ReporterOptions> = {}): { r: Reporter; out: Capture; err: Capture; emit: (e: RunEvent) => void } {
  const out = new Capture();
  const err = new Capture();
  const r = createReporter({ verbosity: 0, diff: false, check: false, json: false, color: false, out, err, now: () => 0, ...opts });
  return { r, out, err, emit: (e) => r.sink(e) };
}

let uid = 0;
/** A TaskInfo with a fresh uid. */
export const task = (name: string, action = 'command', extra: Partial<TaskInfo> = {}): TaskInfo => ({ uid: `t${++uid}`, name, action, ...extra });

/** One host result, in the shape the executor emits. */
export interface R {
  host?: string;
  status: HostStatus;
  result: ModuleResult;
  item?: unknown;
  ignored?: boolean;
  rescued?: boolean;
  delegatedTo?: string;
}

/** Emit task_start, the host results (default host h1) and task_end. */
export function runTask(emit: (e: RunEvent) => void, t: TaskInfo, results: R[], hosts?: string[], durationMs = 10): void {
  const hs = hosts ?? [...new Set(results.map((x) => x.host ?? 'h1'))];
  emit({ type: 'task_start', task: t, hosts: hs });
  for (const x of results) emit({ ...x, type: 'host_result', task: t, host: x.host ?? 'h1', durationMs: 1 } as RunEvent);
  emit({ type: 'task_end', task: t, durationMs });
}
