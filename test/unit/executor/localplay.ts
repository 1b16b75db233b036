/**
 * Test helper: run a playbook text on controller-local hosts (ansible_connection=local, a real
 * LocalConnection, no mocks) through the real loader, executor and variable store, and collect
 * the events. Files are written to a fresh temp dir.
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import type { RunEvent, HostStats } from '../../../engine/types.ts';
import { loadInventory } from '../../../engine/inventory/index.ts';
import { loadPlaybook } from '../../../engine/playbook/load.ts';
import { realServices, inventoryAdapter, loaderOptions } from '../../../engine/executor/wire.ts';
import { createRun, runPlaybook } from '../../../engine/executor/run.ts';
import type { RunConfig } from '../../../engine/executor/context.ts';
import { HandlerJournal } from '../../../engine/executor/journal.ts';

/** What a local run produced. */
export interface LocalRun {
  code: number;
  events: RunEvent[];
  stats: Record<string, HostStats>;
  /** debug messages per host (final results of debug tasks, in order). */
  msgs: Record<string, unknown[]>;
  /** one-line error messages of failed results, per host */
  failures: Record<string, string[]>;
  dir: string;
}

/** Default inventory: two local hosts in group web. */
export const LOCAL_INV = '[web]\nw1 ansible_connection=local\nw2 ansible_connection=local\n';

/** Write `site.yml` (= `yaml`), `hosts.ini` (= `inv`) and `files` into `dir` (default: a fresh temp dir); returns the dir. */
export function writePlayDir(yaml: string, inv: string, files: Record<string, string> = {}, dir = mkdtempSync(join(tmpdir(), 'tsp-play-'))): string {
  writeFileSync(join(dir, 'hosts.ini'), inv);
  writeFileSync(join(dir, 'site.yml'), yaml);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

/** What `executePlay` produced: exit code, every event, recap stats. */
export interface Executed {
  code: number;
  events: RunEvent[];
  stats: Record<string, HostStats>;
}

/**
 * Load `dir`/site.yml with the inventories `invFiles` (relative to `dir`) and run it through the
 * real executor with `cfg` over the defaults; `prepare` may adjust the services (e.g. a prompt).
 */
export async function executePlay(
  dir: string,
  opts: { invFiles?: string[]; cfg?: Partial<RunConfig> & { journalRoot?: string }; extraVars?: Record<string, unknown>; prepare?: (svc: ReturnType<typeof realServices>) => void } = {},
): Promise<Executed> {
  const inv = loadInventory((opts.invFiles ?? ['hosts.ini']).map((f) => join(dir, f)));
  const lo = loaderOptions([], dir);
  const pb = loadPlaybook(join(dir, 'site.yml'), lo);
  const events: RunEvent[] = [];
  const svc = realServices({ cli: {}, loader: lo });
  opts.prepare?.(svc);
  const { journalRoot, ...cfg } = opts.cfg ?? {};
  const input = {
    playbook: pb,
    cfg: {
      check: false, diff: false, forks: 5, tags: { only: [], skip: [] }, step: false, forceHandlers: false, verbosity: 0,
      playbookDir: dir, libraryDirs: [], ...cfg,
      ...(journalRoot ? { journal: new HandlerJournal(pb.file, inv.sources, journalRoot).load() } : {}),
    },
    inv: inventoryAdapter(inv, undefined, dir),
    svc,
    emit: (e: RunEvent) => events.push(e),
    extraVars: opts.extraVars ?? {},
  };
  const out = await runPlaybook(createRun(input), input);
  await svc.closeAll();
  return { code: out.exitCode, events, stats: out.stats };
}

/** Run `yaml` (the playbook) with `files` beside it. */
export async function localPlay(
  yaml: string,
  opts: { files?: Record<string, string>; inv?: string; extraVars?: Record<string, unknown>; cfg?: Partial<RunConfig> } = {},
): Promise<LocalRun> {
  const dir = writePlayDir(yaml, opts.inv ?? LOCAL_INV, opts.files);
  const out = await executePlay(dir, { cfg: opts.cfg, extraVars: opts.extraVars });
  const events = out.events;
  const msgs: Record<string, unknown[]> = {};
  const failures: Record<string, string[]> = {};
  for (const e of events) {
    if (e.type !== 'host_result' || e.item !== undefined) continue;
    if (e.task.action === 'debug' && e.status === 'ok' && 'msg' in e.result && !Array.isArray(e.result.results)) (msgs[e.host] ??= []).push(e.result.msg);
    if (e.status === 'failed') (failures[e.host] ??= []).push(String(e.result.msg));
  }
  return { code: out.code, events, stats: out.stats, msgs, failures, dir };
}
