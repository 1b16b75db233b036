/**
 * Recap counting, exactly as Ansible's strategy (`StrategyBase._process_pending_results`,
 * ansible-core 2.14) counts: ONE count per task per host (a loop counts once, not per item):
 * - failed, not ignored: `rescued` if a block's rescue catches it, else `failures` (no ok);
 * - failed with ignore_errors: ok + ignored (+ changed when the result says changed);
 * - unreachable: `unreachable`; with ignore_unreachable: ok + ignored;
 * - skipped (a loop whose items were all skipped): skipped;
 * - otherwise: ok (+ changed when changed).
 */
import type { HostStats, HostStatus, ModuleResult } from '../types.ts';
import { emptyStats } from './format.ts';

/** The final outcome of one task on one host. */
export interface TaskOutcome {
  status: HostStatus;
  /** result.changed (or any item changed) */
  changed: boolean;
  ignored?: boolean;
  rescued?: boolean;
}

/** Add one task outcome for `host` to `stats` (mutates and returns it). */
export function countOutcome(stats: Record<string, HostStats>, host: string, o: TaskOutcome): Record<string, HostStats> {
  const s = (stats[host] ??= emptyStats());
  switch (o.status) {
    case 'failed':
      if (o.ignored) {
        s.ok++;
        s.ignored++;
        if (o.changed) s.changed++;
      } else if (o.rescued) s.rescued++;
      else s.failures++;
      break;
    case 'unreachable':
      if (o.ignored) {
        s.ok++;
        s.ignored++;
      } else s.unreachable++;
      break;
    case 'skipped':
      s.skipped++;
      break;
    default:
      s.ok++;
      if (o.changed || o.status === 'changed') s.changed++;
  }
  return stats;
}

/** One per-item or final event's essentials, as the counter needs them. */
export interface ResultLike {
  status: HostStatus;
  result: ModuleResult;
  ignored?: boolean;
  rescued?: boolean;
}

/**
 * The outcome of a looped task derived from its items, for when no final event arrived
 * (Ansible: failed if any item failed, skipped only if every item was skipped, changed if any
 * item changed; unreachable if any item was).
 */
export function outcomeFromItems(items: readonly ResultLike[]): TaskOutcome {
  const changed = items.some((i) => i.status === 'changed' || i.result?.changed === true);
  const ignored = items.some((i) => i.ignored);
  const rescued = items.some((i) => i.rescued);
  if (items.some((i) => i.status === 'unreachable')) return { status: 'unreachable', changed, ignored, rescued };
  if (items.some((i) => i.status === 'failed')) return { status: 'failed', changed, ignored, rescued };
  if (items.length > 0 && items.every((i) => i.status === 'skipped')) return { status: 'skipped', changed: false };
  return { status: changed ? 'changed' : 'ok', changed };
}

/** The outcome of a final (non-item) event. */
export function outcomeOf(ev: ResultLike): TaskOutcome {
  return {
    status: ev.status,
    changed: ev.status === 'changed' || ev.result?.changed === true,
    ignored: ev.ignored,
    rescued: ev.rescued,
  };
}
