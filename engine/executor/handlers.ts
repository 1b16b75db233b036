/**
 * Handler notification bookkeeping: which handlers are pending for which hosts, matched
 * by handler name (or `role : name`) or `listen` topic, flushed in definition order.
 * Pure data structure; the executor runs the handlers.
 */
import type { TaskNode } from '../playbook/model.ts';

/** Handler names a notification `name` triggers (by name, `role : name`, or listen topic). */
export function matchHandlers(handlers: readonly TaskNode[], name: string): TaskNode[] {
  const n = name.trim();
  return handlers.filter((h) => {
    if (h.name !== undefined && (h.name === n || (h.role && `${h.role.name} : ${h.name}` === n))) return true;
    return (h.listen ?? []).includes(n);
  });
}

/** Pending notifications of one play: handler uid -> hosts. */
export class Notifications {
  private pending = new Map<string, Set<string>>();
  readonly handlers: TaskNode[];
  constructor(handlers: readonly TaskNode[]) {
    this.handlers = [...handlers];
  }

  /** Handlers brought in at run time (include_role); appended in order, once. */
  addHandlers(hs: readonly TaskNode[]): void {
    for (const h of hs) if (!this.handlers.some((x) => x.uid === h.uid)) this.handlers.push(h);
  }

  /** Notify `name` for `host`. Returns the handlers it matched (empty: unknown handler). */
  notify(name: string, host: string): TaskNode[] {
    const hs = matchHandlers(this.handlers, name);
    for (const h of hs) this.add(h, host);
    return hs;
  }

  /** Mark one handler pending for a host. */
  add(h: TaskNode, host: string): void {
    let s = this.pending.get(h.uid);
    if (!s) this.pending.set(h.uid, (s = new Set()));
    s.add(host);
  }

  /** Hosts for which handler `h` is pending. */
  hostsFor(h: TaskNode): string[] {
    return [...(this.pending.get(h.uid) ?? [])];
  }

  /** Clear a handler for hosts (it ran, or the hosts left the play). */
  clear(h: TaskNode, hosts: Iterable<string>): void {
    const s = this.pending.get(h.uid);
    if (!s) return;
    for (const x of hosts) s.delete(x);
  }

  /** Is anything pending for these hosts? */
  anyPending(hosts?: ReadonlySet<string>): boolean {
    for (const s of this.pending.values()) for (const h of s) if (!hosts || hosts.has(h)) return true;
    return false;
  }

  /** Handlers pending for a host, in definition order. */
  pendingFor(host: string): TaskNode[] {
    return this.handlers.filter((h) => this.pending.get(h.uid)?.has(host));
  }

  /** The first handler, in definition order, with pending hosts among `eligible`. */
  next(eligible: (host: string) => boolean): { handler: TaskNode; hosts: string[] } | undefined {
    for (const h of this.handlers) {
      const hosts = [...(this.pending.get(h.uid) ?? [])].filter(eligible);
      if (hosts.length) return { handler: h, hosts };
    }
    return undefined;
  }
}
