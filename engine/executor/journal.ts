/**
 * Persistent handler notifications (issue 7). Ansible forgets notified handlers when a run
 * fails before they ran; tsplay records each pending notification per host in a small
 * journal on the controller and fires those handlers on the next run of the same playbook
 * against the same inventory, even if nothing changes again. An entry is removed when the
 * handler has run.
 *
 * Layout: ~/.tsplay/journal/<sha256(playbook + inventory)[:16]>/<host>.json, written atomically
 * (temp file + rename), so a killed controller leaves the old or the new journal.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** One pending handler notification. */
export interface PendingHandler {
  /** Play name and index in the playbook (plays are matched by both). */
  play: string;
  playIndex: number;
  /** Handler name (or uid when unnamed). */
  handler: string;
  /** Section in which it was notified: pre_tasks, tasks (roles+tasks) or post_tasks. */
  section: Section;
}

export type Section = 'pre_tasks' | 'tasks' | 'post_tasks';

/** The journal of one playbook + inventory. */
export class HandlerJournal {
  readonly dir: string;
  private entries = new Map<string, PendingHandler[]>();

  constructor(playbook: string, inventory: readonly string[], root = process.env.TSPLAY_HOME ?? join(homedir(), '.tsplay')) {
    const key = createHash('sha256').update(resolve(playbook)).update('\0').update(inventory.map((i) => (i.includes(',') ? i : resolve(i))).join('\0')).digest('hex').slice(0, 16);
    this.dir = join(root, 'journal', key);
  }

  /** Load every host's pending entries (missing or corrupt files count as empty). */
  load(): this {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return this;
    }
    for (const n of names) {
      try {
        const data = JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as { host: string; pending: PendingHandler[] };
        if (data && typeof data.host === 'string' && Array.isArray(data.pending)) this.entries.set(data.host, data.pending);
      } catch {
        /* a corrupt entry is ignored (and replaced on the next write) */
      }
    }
    return this;
  }

  /** Pending entries of a host. */
  pending(host: string): PendingHandler[] {
    return this.entries.get(host) ?? [];
  }

  /** Hosts with pending entries. */
  hosts(): string[] {
    return [...this.entries.keys()].filter((h) => this.pending(h).length);
  }

  /** Record a pending notification (idempotent) and persist the host's file. */
  add(host: string, p: PendingHandler): void {
    const list = this.entries.get(host) ?? [];
    if (list.some((x) => same(x, p))) return;
    list.push(p);
    this.entries.set(host, list);
    this.write(host);
  }

  /** Remove a notification once its handler ran on the host. */
  remove(host: string, p: Omit<PendingHandler, 'section'>): void {
    const list = this.entries.get(host);
    if (!list) return;
    const next = list.filter((x) => !(x.play === p.play && x.playIndex === p.playIndex && x.handler === p.handler));
    if (next.length === list.length) return;
    this.entries.set(host, next);
    this.write(host);
  }

  /** Forget everything (--flush-cache). */
  clear(): void {
    this.entries.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(host: string): void {
    const file = join(this.dir, `${host.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    const list = this.entries.get(host) ?? [];
    if (list.length === 0) {
      rmSync(file, { force: true });
      return;
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ host, pending: list }, null, 1), { mode: 0o600 });
    renameSync(tmp, file);
  }
}

const same = (a: PendingHandler, b: PendingHandler): boolean => a.play === b.play && a.playIndex === b.playIndex && a.handler === b.handler;
