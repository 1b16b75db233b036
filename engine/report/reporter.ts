/**
 * The ONE reporter: turns RunEvents into Ansible-default-callback-like text (or one --json
 * document), counts the recap, shows diffs, timings and a live progress line on a TTY.
 * Every byte written passes through redact(); no_log results are censored with Ansible's text.
 */
import type { EventSink, HostStats, RunEvent, TaskInfo, FileDiff, HostStatus, ModuleResult } from '../types.ts';
import { redact } from '../secrets.ts';
import { palette, defaultColor, type ColorRole } from './colors.ts';
import {
  banner,
  taskTitle,
  hostLabel,
  censor,
  redactDeep,
  pyJson,
  cleanResult,
  itemLabel,
  isDebugAction,
  emptyStats,
  RECAP_FIELDS,
  recapField,
  timingLine,
  seconds,
  resultWarnings,
} from './format.ts';
import { countOutcome, outcomeFromItems, outcomeOf, type ResultLike } from './stats.ts';
import { JsonCollector, type JsonTask } from './json-report.ts';
import { ProgressLine } from './progress.ts';
import { unifiedDiff } from './unified-diff.ts';

/** How the reporter prints. */
export interface ReporterOptions {
  /** -v count, 0-4. */
  verbosity: number;
  /** --diff: show before/after of changed files. */
  diff: boolean;
  /** --check: marks the run as a dry run (DRY RUN banners). */
  check: boolean;
  /** --json: one document on stdout at the end, nothing else on stdout. */
  json: boolean;
  /** Colours; default: stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Default process.stdout. */
  out?: NodeJS.WritableStream;
  /** Default process.stderr. */
  err?: NodeJS.WritableStream;
  /** Whether `out` is a terminal (progress line, width); default out.isTTY. */
  isTTY?: boolean;
  /** Terminal width override (default: the TTY's columns, 80 when not a TTY). */
  columns?: number;
  /** Clock (ms), for tests. Default Date.now. */
  now?: () => number;
  /** Progress redraw interval on a TTY (ms); 0 disables the timer (results still redraw). */
  progressIntervalMs?: number;
}

/** The reporter: feed `sink` every event, call `close()` at the end. */
export interface Reporter {
  sink: EventSink;
  /** Flush pending output and write the --json document. Idempotent. */
  close(): void;
  /** Recap counters per host so far (Ansible's counting rules). */
  stats(): Record<string, HostStats>;
}

type HostResultEvent = Extract<RunEvent, { type: 'host_result' }>;

interface HostState {
  items: HostResultEvent[];
  final?: HostResultEvent;
}

interface TaskState {
  task: TaskInfo;
  startedAt: number;
  json?: JsonTask;
  hosts: Map<string, HostState>;
}

const STATUS_ROLE: Record<HostStatus, ColorRole> = {
  ok: 'ok',
  changed: 'changed',
  failed: 'error',
  skipped: 'skip',
  unreachable: 'unreachable',
};

/** Dynamic include actions: their ok results are represented by `include` events. */
const INCLUDE_ACTIONS = new Set(
  ['include_tasks', 'include_role', 'include'].flatMap((a) => [a, `ansible.builtin.${a}`, `ansible.legacy.${a}`]),
);

/** Create the reporter. See ReporterOptions. */
export function createReporter(opts: ReporterOptions): Reporter {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const tty = opts.isTTY ?? Boolean((out as NodeJS.WriteStream).isTTY);
  const pal = palette(opts.color ?? defaultColor(tty));
  const now = opts.now ?? Date.now;
  const v = opts.verbosity;
  /** Ansible's display.columns: max(79, tty width - 1). */
  const columns = () => {
    const w = opts.columns ?? (tty ? (out as NodeJS.WriteStream).columns ?? 80 : 80);
    return Math.max(79, w - 1);
  };

  const progress = new ProgressLine(
    (raw) => out.write(redact(raw)),
    () => columns() + 1,
    now,
    pal.debug,
    opts.progressIntervalMs ?? 1000,
  );
  const live = tty && !opts.json;

  const stats: Record<string, HostStats> = {};
  const json = new JsonCollector(now);
  const tasks = new Map<string, TaskState>();
  const timings: { task: TaskInfo; durationMs: number }[] = [];
  const warned = new Set<string>();
  let lastBanner: string | undefined;
  let pendingInclude: { file: string; hosts: string[] } | undefined;
  let runStart: number | undefined;
  let jsonWritten = false;
  let closed = false;

  /* ------------------------------------------------------------ writing */

  /** Write lines to a stream, redacted, coloured, after clearing the progress line. */
  const emit = (stream: 'out' | 'err', text: string, role?: ColorRole) => {
    if (live) progress.clear();
    const plain = redact(text);
    const s = role ? pal[role](plain) : plain;
    (stream === 'out' ? out : err).write(redact(s) + '\n');
  };
  /** Normal run output: stdout, suppressed in --json mode. */
  const say = (text: string, role?: ColorRole) => {
    if (!opts.json) emit('out', text, role);
  };
  const warn = (msg: string) => {
    const line = `[WARNING]: ${msg}`;
    if (warned.has(line)) return;
    warned.add(line);
    emit('err', line, 'warn');
  };
  const dump = (r: Record<string, unknown>, indent?: number) => pyJson(redactDeep(r), indent);

  /* ------------------------------------------------------------ tasks */

  const printBanner = (task: TaskInfo) => {
    say('');
    say(banner(taskTitle(task), columns()));
    if (v >= 2 && task.pos) {
      const p = task.pos;
      say(`task path: ${[p.file, p.line].filter((x) => x !== undefined).join(':')}`, 'debug');
    }
    lastBanner = task.uid;
  };
  const ensureBanner = (task: TaskInfo) => {
    if (lastBanner !== task.uid) printBanner(task);
  };

  const taskState = (task: TaskInfo): TaskState => {
    let st = tasks.get(task.uid);
    if (!st) {
      st = { task, startedAt: now(), hosts: new Map() };
      st.json = json.task(task);
      tasks.set(task.uid, st);
    }
    return st;
  };

  /** What a result shows: censored for no_log, else the result itself. */
  const shown = (task: TaskInfo, result: ModuleResult | Record<string, unknown>): Record<string, unknown> =>
    task.noLog ? censor(result as Record<string, unknown>) : (result as Record<string, unknown>);

  /** The JSON host entry (result + loop items), censored and redacted. */
  const jsonEntry = (task: TaskInfo, hs: HostState): { status: HostStatus; result: Record<string, unknown> } => {
    const items = hs.items.map((i) => {
      const r: Record<string, unknown> = { ...shown(task, i.result) };
      if (i.status === 'failed') r.failed = true;
      if (i.status === 'skipped') r.skipped = true;
      if (!task.noLog && r.item === undefined && i.item !== undefined) r.item = i.item;
      return r;
    });
    if (hs.final) {
      const r: Record<string, unknown> = { ...shown(task, hs.final.result) };
      if (!task.noLog && items.length > 0 && !Array.isArray(r.results)) r.results = items;
      return { status: hs.final.status, result: redactDeep(r) as Record<string, unknown> };
    }
    const o = outcomeFromItems(hs.items);
    const r: Record<string, unknown> = { changed: o.changed, results: items };
    if (o.status === 'failed') r.msg = 'One or more items failed';
    else if (o.status === 'skipped') r.msg = 'All items skipped';
    else r.msg = 'All items completed';
    return { status: o.status, result: redactDeep(task.noLog ? censor(r) : r) as Record<string, unknown> };
  };

  /** Count the hosts of a task that never got a final event, then forget the task. */
  const finalizeTask = (st: TaskState) => {
    for (const [host, hs] of st.hosts) {
      if (hs.final || hs.items.length === 0) continue;
      countOutcome(stats, host, outcomeFromItems(hs.items));
      if (st.json) {
        const e = jsonEntry(st.task, hs);
        json.hostResult(st.json, host, e.status, st.task.action, e.result);
      }
    }
    tasks.delete(st.task.uid);
  };
  const finalizeAll = () => {
    for (const st of [...tasks.values()]) finalizeTask(st);
  };

  /* ------------------------------------------------------------ results */

  const verboseAlways = (task: TaskInfo) => isDebugAction(task.action) && !task.noLog;
  const indentFor = (task: TaskInfo) => (verboseAlways(task) || v > 2 ? 4 : undefined);
  const isVerbose = (task: TaskInfo) => v > 0 || verboseAlways(task);

  const showDiffs = (task: TaskInfo, result: ModuleResult | Record<string, unknown>, changed: boolean) => {
    if (task.noLog || !changed) return;
    if (!(task.diff ?? opts.diff)) return;
    const diffs = (result as ModuleResult).diff;
    if (!diffs) return;
    const list = (Array.isArray(diffs) ? diffs : [diffs]) as (FileDiff & { prepared?: string })[];
    const lines: string[] = [];
    for (const d of list) {
      if (!d || typeof d !== 'object') continue;
      if (typeof d.before === 'string' || typeof d.after === 'string') {
        const before = typeof d.before === 'string' ? d.before : d.before == null ? '' : pyJson(d.before, 4) + '\n';
        const after = typeof d.after === 'string' ? d.after : d.after == null ? '' : pyJson(d.after, 4) + '\n';
        const u = unifiedDiff(before, after, {
          fromFile: d.beforeHeader ? `before: ${d.beforeHeader}` : 'before',
          toFile: d.afterHeader ? `after: ${d.afterHeader}` : 'after',
        });
        if (u.length) lines.push(...u, '');
      }
      if (typeof d.prepared === 'string') lines.push(...d.prepared.replace(/\n$/, '').split('\n'));
    }
    if (!lines.length) return;
    ensureBanner(task);
    for (const l of lines) {
      const role: ColorRole | undefined = l.startsWith('+')
        ? 'diffAdd'
        : l.startsWith('-')
          ? 'diffRemove'
          : l.startsWith('@@')
            ? 'diffLines'
            : undefined;
      say(l, role);
    }
  };

  const itemLine = (task: TaskInfo, ev: { host: string; delegatedTo?: string; status: HostStatus; item?: unknown; result: ModuleResult | Record<string, unknown> }) => {
    const label = hostLabel(ev.host, ev.delegatedTo);
    const itm = task.noLog ? 'None' : itemLabel(ev.item ?? (ev.result as Record<string, unknown>).item);
    const cleaned = cleanResult(shown(task, ev.result), task.action, v);
    const changed = ev.status === 'changed' || (ev.result as ModuleResult).changed === true;
    if (!task.noLog) for (const w of resultWarnings(ev.result)) warn(w);
    switch (ev.status) {
      case 'failed':
      case 'unreachable':
        say(`failed: [${label}] (item=${itm}) => ${dump(cleaned, indentFor(task))}`, STATUS_ROLE[ev.status]);
        return;
      case 'skipped':
        say(`skipping: [${ev.host}] => (item=${itm}) ${isVerbose(task) ? ` => ${dump(cleaned, indentFor(task))}` : ''}`, 'skip');
        return;
      default: {
        showDiffs(task, ev.result, changed);
        const word = changed ? 'changed' : 'ok';
        const tail = isVerbose(task) ? ` => ${dump(cleaned, indentFor(task))}` : '';
        say(`${word}: [${label}] => (item=${itm})${tail}`, changed ? 'changed' : 'ok');
      }
    }
  };

  /** Item lines from result.results when the executor sent no per-item events. */
  const itemsFromResults = (task: TaskInfo, ev: HostResultEvent) => {
    const results = (ev.result as Record<string, unknown>).results;
    if (!Array.isArray(results)) return;
    for (const r of results) {
      if (!r || typeof r !== 'object') continue;
      const rr = r as Record<string, unknown>;
      const status: HostStatus = rr.unreachable ? 'unreachable' : rr.failed ? 'failed' : rr.skipped ? 'skipped' : rr.changed ? 'changed' : 'ok';
      itemLine(task, { host: ev.host, delegatedTo: ev.delegatedTo, status, item: rr.item, result: rr });
    }
  };

  const finalLine = (task: TaskInfo, ev: HostResultEvent, hs: HostState) => {
    const rs = (ev.result as Record<string, unknown>).results;
    // A loop's results are per-item dicts carrying the item; a module's own `results` (dnf/yum
    // return a list of strings) is not a loop.
    const isLoop = hs.items.length > 0 || (Array.isArray(rs) && rs.length > 0 && rs.every((r) => r !== null && typeof r === 'object' && ('item' in r || 'ansible_loop_var' in r)));
    const label = hostLabel(ev.host, ev.delegatedTo);
    const res = { ...shown(task, ev.result) };
    if (isLoop) delete res.results; // Ansible's _process_items: items were shown one by one
    const cleaned = cleanResult(res, task.action, v);
    const changed = ev.status === 'changed' || ev.result.changed === true;
    const loopShown = isLoop && !task.noLog;
    if (loopShown && hs.items.length === 0) itemsFromResults(task, ev);
    if (!task.noLog && (ev.status === 'ok' || ev.status === 'changed' || ev.status === 'failed')) {
      for (const w of resultWarnings(ev.result)) warn(w);
    }
    switch (ev.status) {
      case 'failed':
        if (!loopShown) say(`fatal: [${label}]: FAILED! => ${dump(cleaned, indentFor(task))}`, 'error');
        if (ev.ignored) say('...ignoring', 'skip');
        return;
      case 'unreachable':
        say(`fatal: [${label}]: UNREACHABLE! => ${dump(cleaned, indentFor(task))}`, 'unreachable');
        if (ev.ignored) say('...ignoring', 'skip');
        return;
      case 'skipped':
        say(`skipping: [${ev.host}]${isVerbose(task) ? ` => ${dump(cleaned, indentFor(task))}` : ''}`, 'skip');
        return;
      default:
        if (loopShown) return;
        showDiffs(task, ev.result, changed);
        say(
          `${changed ? 'changed' : 'ok'}: [${label}]${isVerbose(task) ? ` => ${dump(cleaned, indentFor(task))}` : ''}`,
          changed ? 'changed' : 'ok',
        );
    }
  };

  const onHostResult = (raw: HostResultEvent) => {
    const ev: HostResultEvent = raw.result && typeof raw.result === 'object' ? raw : { ...raw, result: { changed: false } };
    // An include's own ok result is neither printed nor counted (the `include` event is),
    // as Ansible's default callback returns early for TaskInclude results.
    if (INCLUDE_ACTIONS.has(ev.task.action) && (ev.status === 'ok' || ev.status === 'changed') && ev.item === undefined) return;
    const st = taskState(ev.task);
    let hs = st.hosts.get(ev.host);
    if (!hs) st.hosts.set(ev.host, (hs = { items: [] }));
    if (!opts.json) ensureBanner(ev.task);
    if (ev.item !== undefined) {
      hs.items.push(ev);
      itemLine(ev.task, ev);
    } else {
      hs.final = ev;
      countOutcome(stats, ev.host, outcomeOf(ev as ResultLike));
      finalLine(ev.task, ev, hs);
      if (st.json) {
        const e = jsonEntry(ev.task, hs);
        json.hostResult(st.json, ev.host, e.status, ev.task.action, e.result);
      }
      if (live) {
        progress.done(ev.host);
        if (progress.waitingFor().length > 0) progress.render();
      }
    }
  };

  /* ------------------------------------------------------------ recap */

  const mergedStats = (extra?: Record<string, HostStats>) => {
    const all: Record<string, HostStats> = {};
    for (const [h, s] of Object.entries(extra ?? {})) all[h] = { ...s };
    for (const [h, s] of Object.entries(stats)) all[h] = { ...s };
    return all;
  };

  /** Hosts the recap events named (kept for --json when the reporter never saw them). */
  const recapOnly: Record<string, HostStats> = {};
  const writeJson = () => {
    if (jsonWritten) return;
    jsonWritten = true;
    const doc = redactDeep(json.document(mergedStats(recapOnly)));
    out.write(redact(pyJson(doc, 4)) + "\n");
  };

  const onRecap = (ev: Extract<RunEvent, { type: 'recap' }>) => {
    finalizeAll();
    // --json: the document is written once, at close(), so several playbooks in one run
    // (one recap event each) still give ONE document with all their plays.
    if (opts.json) {
      for (const [h, s] of Object.entries(ev.stats ?? {})) recapOnly[h] ??= { ...s };
      return;
    }
    const all = mergedStats(ev.stats);
    say('');
    say(banner('PLAY RECAP', columns()));
    for (const h of Object.keys(all).sort()) {
      const t = all[h] ?? emptyStats();
      const hostRole: ColorRole = t.failures || t.unreachable ? 'error' : t.changed ? 'changed' : 'ok';
      const roles: (ColorRole | undefined)[] = ['ok', 'changed', 'unreachable', 'error', 'skip', 'ok', 'warn'];
      const fields = RECAP_FIELDS.map(([label, key], i) => {
        const f = recapField(label, t[key]);
        const role = roles[i];
        return t[key] !== 0 && role ? pal[role](redact(f)) : f;
      });
      const hostText = pal[hostRole](redact(h)) + ' '.repeat(Math.max(0, 26 - h.length));
      // Pieces are coloured separately (like Ansible), so write them raw after redaction.
      if (live) progress.clear();
      out.write(redact(`${hostText} : ${fields.join(' ')}`) + '\n');
    }
    say('');
    const slowest = (ev.slowest?.length ? ev.slowest : timings)
      .slice()
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5);
    if (slowest.length) {
      const total = ev.durationMs ?? (runStart !== undefined ? now() - runStart : 0);
      say(banner(`SLOWEST TASKS (run took ${seconds(total)})`, columns()));
      for (const s of slowest) say(timingLine(taskTitle(s.task).replace(/^(TASK|RUNNING HANDLER) \[(.*)\]$/, '$2'), s.durationMs, columns()));
      say('');
    }
    if (opts.check) say(banner('DRY RUN', columns()));
  };

  /* ------------------------------------------------------------ dispatch */

  const flushInclude = () => {
    if (!pendingInclude) return;
    const { file, hosts } = pendingInclude;
    pendingInclude = undefined;
    say(`included: ${file} for ${hosts.join(', ')}`, 'skip');
  };

  /** Never let a malformed event crash the run: say so on stderr and carry on. */
  const sink: EventSink = (ev) => {
    try {
      handle(ev);
    } catch (e) {
      emit('err', `[WARNING]: reporter could not show a '${(ev as { type?: string })?.type}' event: ${(e as Error)?.message ?? e}`, 'warn');
    }
  };

  const handle = (ev: RunEvent) => {
    if (closed) return;
    if (ev.type !== 'include') flushInclude();
    switch (ev.type) {
      case 'playbook_start':
        runStart ??= now();
        if (v > 1) say(banner(`PLAYBOOK: ${ev.file.split('/').pop()}`, columns()));
        if (opts.check) say(banner('DRY RUN', columns()));
        return;
      case 'play_start':
        runStart ??= now();
        finalizeAll();
        json.play(ev.name, ev.uid);
        say('');
        say(banner(ev.name.trim() ? `PLAY [${ev.name.trim()}]` : 'PLAY', columns()));
        lastBanner = undefined;
        return;
      case 'task_start': {
        const old = tasks.get(ev.task.uid);
        if (old) finalizeTask(old);
        const st = taskState(ev.task);
        st.startedAt = now();
        if (!opts.json) printBanner(ev.task);
        if (live) progress.start(ev.hosts);
        return;
      }
      case 'host_result':
        onHostResult(ev);
        return;
      case 'task_end': {
        const st = tasks.get(ev.task.uid);
        if (st) finalizeTask(st);
        timings.push({ task: ev.task, durationMs: ev.durationMs });
        if (live) progress.stop();
        if (v >= 1) say(`task time: ${seconds(ev.durationMs)}`, 'debug');
        return;
      }
      case 'include':
        // ansible-core 2.14 counts an include_tasks/include_role as ok once per host
        // (verified: a play with only `include_tasks: empty.yml` recaps ok=1).
        (stats[ev.host] ??= emptyStats()).ok++;
        if (ev.task && !opts.json && lastBanner !== ev.task.uid) {
          flushInclude();
          printBanner(ev.task);
        }
        if (pendingInclude && pendingInclude.file === ev.file) {
          if (!pendingInclude.hosts.includes(ev.host)) pendingInclude.hosts.push(ev.host);
        } else {
          flushInclude();
          pendingInclude = { file: ev.file, hosts: [ev.host] };
        }
        return;
      case 'warning':
        warn(ev.msg);
        return;
      case 'deprecation': {
        const line = `[DEPRECATION WARNING]: ${ev.msg}`;
        if (!warned.has(line)) {
          warned.add(line);
          emit('err', line, 'deprecate');
        }
        return;
      }
      case 'verbose':
        if (v >= ev.level) {
          const line = ev.host ? `<${ev.host}> ${ev.msg}` : ev.msg;
          if (opts.json) emit('err', line, 'verbose');
          else say(line, 'verbose');
        }
        return;
      case 'no_hosts':
        say('skipping: no hosts matched', 'skip');
        return;
      case 'recap':
        onRecap(ev);
        return;
      case 'error': {
        const e = ev.error as Error & { oneLine?: () => string };
        const text = typeof e.oneLine === 'function' ? e.oneLine() : String(e.message ?? e);
        emit('err', `ERROR! ${text}`, 'error');
        if (v >= 3 && e.stack) emit('err', e.stack, 'error');
        return;
      }
    }
  };

  return {
    sink,
    close() {
      if (closed) return;
      flushInclude();
      finalizeAll();
      if (live) progress.stop();
      if (opts.json) writeJson();
      closed = true;
    },
    stats: () => mergedStats(),
  };
}
