/**
 * `tsplay run PATTERN -i INVENTORY [-m MODULE] [-a ARGS]`: Ansible's ad-hoc `ansible` command.
 * One task in a one-play playbook through the same executor; output in `ansible`'s format:
 *   h1 | CHANGED | rc=0 >>        (command/shell/raw: then stdout)
 *   h1 | SUCCESS => { ... }       (other modules: the result as JSON)
 *   h1 | FAILED! => { ... }  /  h1 | UNREACHABLE! => { ... }
 * Exit codes as ansible: 0 ok, 2 failed hosts, 4 unreachable hosts, 5 bad options.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, OptionsError, type EventSink, type ModuleResult } from '../types.ts';
import { redact } from '../secrets.ts';
import { parseAdhocArgs, ADHOC_HELP } from './options.ts';
import { parseKv } from '../playbook/splitargs.ts';
import type { Play, Playbook, TaskNode } from '../playbook/model.ts';
import { selectHosts } from '../inventory/index.ts';
import { pyJson, redactDeep } from '../report/format.ts';
import { realServices, inventoryAdapter, loaderOptions } from '../executor/wire.ts';
import { createRun, runPlaybook } from '../executor/run.ts';
import { cliBecome } from '../executor/task.ts';
import { limitPattern, loadInv, connectionCli } from './playbook.ts';

const RAW_MODULES = new Set(['command', 'shell', 'raw', 'script']);

/** Module args from `-a`: k=v pairs, or free form (plus k=v options) for command/shell/raw/script. */
export function adhocArgs(module: string, args: string): Record<string, unknown> {
  const text = args.trim();
  if (text === '') return {};
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON: k=v */
    }
  }
  try {
    return parseKv(text, RAW_MODULES.has(module));
  } catch (e) {
    throw new OptionsError(`-a '${args}': ${(e as Error).message}`);
  }
}

/** `ansible`-style output lines for one host result. */
export function adhocLine(host: string, module: string, r: ModuleResult, status: string): string {
  const rr = redactDeep(r) as Record<string, unknown>;
  if (status === 'unreachable') return `${host} | UNREACHABLE! => ${pyJson(rr, 4)}`;
  if (status === 'skipped') return `${host} | SKIPPED`;
  if (RAW_MODULES.has(module) && rr.rc !== undefined) {
    const word = status === 'failed' ? 'FAILED' : rr.changed ? 'CHANGED' : 'SUCCESS';
    const out = [rr.stdout, status === 'failed' || rr.stderr ? rr.stderr : ''].filter((x) => typeof x === 'string' && x !== '').join('\n');
    const msg = status === 'failed' && !out && rr.msg ? String(rr.msg) : out;
    return `${host} | ${word} | rc=${rr.rc} >>\n${msg}`;
  }
  const word = status === 'failed' ? 'FAILED!' : rr.changed ? 'CHANGED' : 'SUCCESS';
  return `${host} | ${word} => ${pyJson(rr, 4)}`;
}

/** Entry point of `tsplay run`. */
export async function adhocMain(argv: string[]): Promise<number> {
  const o = parseAdhocArgs(argv);
  if (o.help) {
    process.stdout.write(ADHOC_HELP);
    return ExitCode.OK;
  }
  if (o.version) {
    process.stdout.write('tsplay 0.1.0\n');
    return ExitCode.OK;
  }
  const inv = loadInv(o);
  const limit = limitPattern(o.limit);
  const cwd = process.cwd();
  const hosts = selectHosts(inv, o.pattern, limit);
  if (o.listHosts) {
    process.stdout.write(`  hosts (${hosts.length}):\n` + hosts.map((h) => `    ${h}\n`).join(''));
    return ExitCode.OK;
  }
  if (hosts.length === 0) {
    process.stderr.write('[WARNING]: No hosts matched, nothing to do\n');
    return ExitCode.OK;
  }
  const module = o.module;
  const args = adhocArgs(module, o.args);
  if (RAW_MODULES.has(module) && args._raw_params === undefined && module !== 'raw') throw new OptionsError(`No argument passed to ${module} module`);
  const pos = { file: '<adhoc>' };
  const task: TaskNode = {
    kind: 'task', uid: 'adhoc#1', name: module, action: module, args, notify: [], when: [], tags: [], vars: {}, baseDir: cwd, pos,
  };
  const play: Play = {
    uid: 'adhoc', name: 'Ansible Ad-Hoc', hosts: o.pattern, gatherFacts: false, varsFiles: [], serial: [], strategy: 'linear',
    preTasks: [], roles: [], tasks: [task], postTasks: [], handlers: [], roleInfos: [], when: [], tags: [], vars: {}, baseDir: cwd, pos,
  };
  const pb: Playbook = { file: join(cwd, '<adhoc>'), dir: cwd, plays: [play] };
  const cli = await connectionCli(o);
  Object.assign(cliBecome, { become: o.become || undefined, user: o.becomeUser, method: o.becomeMethod, password: cli.becomePassword });
  const lines: string[] = [];
  const sink: EventSink = (ev) => {
    if (ev.type === 'host_result' && ev.item === undefined) {
      const text = o.json ? '' : adhocLine(ev.host, module, ev.result, ev.status);
      if (o.json) lines.push(JSON.stringify({ host: ev.host, status: ev.status, result: redactDeep(ev.result) }));
      else if (o.oneLine) process.stdout.write(redact(text.replace(/\n/g, ' ')) + '\n');
      else process.stdout.write(redact(text) + '\n');
    } else if (ev.type === 'warning') process.stderr.write(redact(`[WARNING]: ${ev.msg}\n`));
    else if (ev.type === 'verbose' && ev.level <= o.verbosity) process.stderr.write(redact(`${ev.host ? `<${ev.host}> ` : ''}${ev.msg}\n`));
  };
  const svc = realServices({ cli, loader: loaderOptions([], cwd), emit: sink });
  const input = {
    playbook: pb,
    cfg: {
      check: o.check, diff: o.diff, forks: o.forks, tags: { only: [], skip: [] }, step: false, forceHandlers: false,
      verbosity: o.verbosity, playbookDir: cwd, libraryDirs: [...o.modulePath, join(cwd, 'library')].filter((d) => existsSync(d)),
    },
    inv: inventoryAdapter(inv, limit, cwd),
    svc,
    emit: sink,
    extraVars: o.extraVars,
  };
  const run = createRun(input);
  const onSigint = () => {
    run.interrupted = true;
    void svc.closeAll();
  };
  process.on('SIGINT', onSigint);
  try {
    const out = await runPlaybook(run, input);
    if (o.json) process.stdout.write(redact(`[${lines.join(',\n')}]\n`));
    return out.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
    await svc.closeAll();
  }
}
