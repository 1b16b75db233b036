/**
 * The `--json` document, in the shape of Ansible's json stdout callback (ansible.posix.json):
 * `{custom_stats, global_custom_stats, plays: [{play: {name, id, duration: {start, end}},
 * tasks: [{task: {name, id, duration: {start, end}}, hosts: {h1: {...result, action}}}]}],
 * stats: {h1: {ok, changed, unreachable, failures, skipped, rescued, ignored}}}`.
 * Host results get `failed: true` / `skipped: true` like the callback adds them.
 */
import type { HostStats, HostStatus, TaskInfo } from '../types.ts';

export interface JsonTask {
  task: { name: string; id: string; duration: { start: string; end?: string } };
  hosts: Record<string, Record<string, unknown>>;
}

export interface JsonPlay {
  play: { name: string; id: string; duration: { start: string; end?: string } };
  tasks: JsonTask[];
}

export interface JsonDocument {
  custom_stats: Record<string, unknown>;
  global_custom_stats: Record<string, unknown>;
  plays: JsonPlay[];
  stats: Record<string, HostStats>;
}

/** ISO time with a trailing Z, as the callback's current_time(). */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** Accumulates plays, tasks and host results, then renders the document. */
export class JsonCollector {
  private plays: JsonPlay[] = [];

  constructor(private readonly now: () => number) {}

  /** A play started. */
  play(name: string, id: string): void {
    this.plays.push({ play: { name, id, duration: { start: isoTime(this.now()) } }, tasks: [] });
  }

  /** A task started in the current play (a play is created if none started yet). */
  task(t: TaskInfo): JsonTask {
    if (this.plays.length === 0) this.play('', '');
    const name = t.role && t.name && !t.name.startsWith(`${t.role} : `) ? `${t.role} : ${t.name}` : t.name || t.action;
    const task: JsonTask = { task: { name, id: t.uid, duration: { start: isoTime(this.now()) } }, hosts: {} };
    this.plays[this.plays.length - 1].tasks.push(task);
    return task;
  }

  /**
   * Record the (already cleaned/censored/redacted) result of `host` for `task`, stamping the end
   * of the task and of the play.
   */
  hostResult(task: JsonTask, host: string, status: HostStatus, action: string, result: Record<string, unknown>): void {
    const r: Record<string, unknown> = { ...result };
    if (status === 'failed') r.failed = true;
    if (status === 'skipped') r.skipped = true;
    if (status === 'unreachable') r.unreachable = true;
    r.action = action;
    task.hosts[host] = r;
    const end = isoTime(this.now());
    task.task.duration.end = end;
    if (this.plays.length > 0) this.plays[this.plays.length - 1].play.duration.end = end;
  }

  /** The whole document with the final stats. */
  document(stats: Record<string, HostStats>): JsonDocument {
    const sorted: Record<string, HostStats> = {};
    for (const h of Object.keys(stats).sort()) sorted[h] = stats[h];
    return { custom_stats: {}, global_custom_stats: {}, plays: this.plays, stats: sorted };
  }
}
