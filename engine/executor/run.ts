/**
 * Run a loaded playbook: plays in order, the run's exit code (Ansible's: the last play's
 * TQM result: 3 (the documented code; ansible-core returns 4) once any host was unreachable, 2 when hosts failed), the recap event,
 * and the retry list. Never prints: everything is a RunEvent.
 */
import type { EventSink, HostStats } from '../types.ts';
import { ExitCode } from '../types.ts';
import type { Playbook } from '../playbook/model.ts';
import { VarStore, type RunScope } from '../vars/store.ts';
import type { MutableInventory, RunConfig, RunCtx } from './context.ts';
import type { Services } from './services.ts';
import { runPlay, RUN_OK } from './play.ts';

/** Everything runPlaybook needs. */
export interface RunInput {
  playbook: Playbook;
  cfg: RunConfig;
  inv: MutableInventory;
  svc: Services;
  emit: EventSink;
  extraVars: Record<string, unknown>;
  /** Hosts allowed by --limit (undefined: no limit). */
  limit?: Set<string>;
  /** Level-1 variables (e.g. from -u); usually empty. */
  cliVars?: Record<string, unknown>;
}

/** What the run produced. */
export interface RunOutput {
  exitCode: number;
  stats: Record<string, HostStats>;
  failedHosts: string[];
  unreachableHosts: string[];
}

/** Create the run context (exposed so the command can flag SIGINT on it). */
export function createRun(input: RunInput): RunCtx {
  const scope: RunScope = {
    extraVars: input.extraVars,
    cliVars: input.cliVars,
    playbookDir: input.playbook.dir,
    check: input.cfg.check,
    diff: input.cfg.diff,
    runTags: input.cfg.tags.only,
    skipTags: input.cfg.tags.skip,
    verbosity: input.cfg.verbosity,
    forks: input.cfg.forks,
  };
  return {
    cfg: input.cfg,
    emit: input.emit,
    store: new VarStore(scope, input.inv),
    inv: input.inv,
    svc: input.svc,
    stats: {},
    failedHosts: new Set(),
    unreachableHosts: new Set(),
    interrupted: false,
    startAtDone: false,
    stepContinue: false,
    timings: [],
    uidSeq: 0,
  };
}

/** Run every play of the playbook. */
export async function runPlaybook(run: RunCtx, input: RunInput): Promise<RunOutput> {
  const t0 = Date.now();
  run.emit({ type: 'playbook_start', file: input.playbook.file });
  let code: number = RUN_OK;
  const allowed = (h: string) => !input.limit || input.limit.has(h);
  for (let i = 0; i < input.playbook.plays.length; i++) {
    if (run.interrupted) break;
    const res = await runPlay(run, input.playbook.plays[i], i, allowed);
    code = res.code;
    if (res.breakPlaybook) break;
  }
  if (run.interrupted) code = ExitCode.INTERRUPTED;
  const slowest = run.timings.slice().sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
  run.emit({ type: 'recap', stats: run.stats, durationMs: Date.now() - t0, slowest });
  return {
    exitCode: code,
    stats: run.stats,
    failedHosts: [...run.failedHosts].sort(),
    unreachableHosts: [...run.unreachableHosts].sort(),
  };
}
