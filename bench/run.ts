/**
 * `npm run bench` — tsplay vs ansible-playbook vs a raw ssh2 baseline on lab hosts.
 *
 *   npm run bench -- [--hosts N] [--runs N] [--smoke] [--only wl1,wl2] [--lab NAME]
 *                    [--out DIR] [--ansible-scale] [--with-tsx] [--scale-runs N] [--no-ansible] [--down]
 *
 * Boots (or reuses) lab NAME (default tsp-bench) with N hosts (default 8), installs Debian's
 * ansible-core when ansible-playbook is missing, writes the workloads (bench/workloads.ts), then
 * per workload: a warm-up of every engine (the tsplay warm-up also traces the commands tsplay
 * sends, which the raw baseline replays), then `runs` measured runs per engine, the engine order
 * rotating run by run. After every engine's run the hosts' final state is read and compared with
 * tsplay's. Results: DIR (default bench/results/) results.json, results.md, results.svg.
 * --smoke: 2 hosts, 1 run, tiny workloads (the CI check: exit 1 unless every engine succeeded
 * and produced the same final state). Timing is reported, never judged.
 * raw-linear replays the same commands with a barrier at each of tsplay's task boundaries.
 * tsplay runs from the compiled dist/ (rebuilt first whenever it is stale); --with-tsx adds
 * 'tsplay-tsx', tsplay from the sources through tsx (TSPLAY_NO_DIST=1), for a before/after view.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, loadavg, release, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { labUp, labDown, labExec, type LabInfo } from '../engine/lab/index.ts';
import { writeWorkloads, FULL, SMOKE, type Workload } from './workloads.ts';
import { measured, haveGnuTime, GNU_TIME, keeperPeakKb, stopKeepers, type Measured } from './measure.ts';
import { summarize } from './stats.ts';
import { writeResults, ENGINES, type Engine, type BenchResults, type WorkloadResult, type PhaseResult } from './report.ts';
import type { TracedCommand } from './trace.ts';
// @ts-expect-error plain JS helper shared with bin/tsplay.js (no type declarations)
import { distIsFresh, buildDist } from '../bin/dist.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Opts {
  hosts: number;
  runs: number;
  smoke: boolean;
  only?: string[];
  lab: string;
  out: string;
  ansibleScale: boolean;
  down: boolean;
  withTsx: boolean;
  scaleRuns?: number;
  noAnsible: boolean;
}

function parseArgs(argv: string[]): Opts {
  const o: Opts = { hosts: 8, runs: 3, smoke: false, lab: 'tsp-bench', out: join(ROOT, 'bench', 'results'), ansibleScale: false, down: false, withTsx: false, noAnsible: false };
  let hostsSet = false;
  let runsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`bench: ${a} needs a positive integer, got '${v}'`);
      return Number(v);
    };
    if (a === '--hosts') (o.hosts = int(val())), (hostsSet = true);
    else if (a === '--runs') (o.runs = int(val())), (runsSet = true);
    else if (a === '--smoke') o.smoke = true;
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--lab') o.lab = val();
    else if (a === '--out') o.out = resolve(val());
    else if (a === '--ansible-scale') o.ansibleScale = true;
    else if (a === '--down') o.down = true;
    else if (a === '--with-tsx') o.withTsx = true;
    else if (a === '--scale-runs') o.scaleRuns = int(val());
    else if (a === '--no-ansible') o.noAnsible = true;
    else throw new Error(`bench: unknown option ${a} (see bench/run.ts)`);
  }
  if (o.smoke) {
    if (!hostsSet) o.hosts = 2;
    if (!runsSet) o.runs = 1;
  }
  return o;
}

const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

/** Install Debian's ansible-core when ansible-playbook is missing. */
function ensureAnsible(): void {
  if (spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0) return;
  log('ansible-playbook missing: apt-get install -y ansible-core');
  execFileSync('apt-get', ['install', '-y', 'ansible-core'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Install GNU time (peak RSS) when missing. */
function ensureGnuTime(): void {
  if (haveGnuTime()) return;
  log(`${GNU_TIME} missing: apt-get install -y time`);
  execFileSync('apt-get', ['install', '-y', 'time'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** The ansible.cfg used (printed and stored with the results). forks = hosts is passed as -f. */
function ansibleCfg(): string {
  return [
    '[defaults]',
    '# forks = the number of inventory hosts, passed as -f N on the command line (tsplay gets the same -f N)',
    'strategy = linear',
    '# gather_facts comes from each play (false except workload 3), the same for both engines',
    'gathering = implicit',
    'host_key_checking = True',
    '# the inventory\'s ansible_ssh_common_args point ssh at the lab\'s known_hosts with StrictHostKeyChecking=yes',
    'retry_files_enabled = False',
    'interpreter_python = /usr/bin/python3',
    '',
    '[ssh_connection]',
    'pipelining = True',
    '# ssh_args left at Ansible\'s default: -C -o ControlMaster=auto -o ControlPersist=60s',
    '',
  ].join('\n');
}

/** Lab inventory's connection variables (user, key, known_hosts) for our own inventories. */
function labVars(lab: LabInfo): string[] {
  const text = readFileSync(lab.inventoryPath, 'utf8');
  const vars: string[] = [];
  let inVars = false;
  for (const line of text.split('\n')) {
    if (/^\[/.test(line)) inVars = line.trim() === '[lab:vars]';
    else if (inVars && line.trim() && !line.startsWith('#') && !/^lab_/.test(line)) vars.push(line.trim());
  }
  vars.push('ansible_user=root', `ansible_ssh_private_key_file=${lab.keyPath}`);
  return vars;
}

/** Run `cmd` on every lab host (inside the host, no ssh: not part of any timing). */
async function onAllHosts(lab: LabInfo, cmd: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    lab.hosts.map(async (h) => {
      const r = await labExec(lab.name, h.name, cmd, { timeoutMs: 60_000 });
      out.set(h.name, r.stdout + (r.rc ? `[rc ${r.rc}] ${r.stderr}` : ''));
    }),
  );
  return out;
}

/** Build the raw baseline as plain JS (types stripped with tsx's esbuild), so it starts like `node x.mjs`. */
async function buildRaw(): Promise<string> {
  const esbuild = await import('esbuild');
  const src = readFileSync(join(ROOT, 'bench', 'raw.ts'), 'utf8');
  const js = (await esbuild.transform(src, { loader: 'ts', format: 'esm', target: 'node20' })).code;
  const dir = join(ROOT, 'bench', '.build');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'raw.mjs');
  writeFileSync(file, js);
  return file;
}

/**
 * Make dist/ match the sources (others may be editing them): rebuild when stale; a source that
 * does not compile right now (someone mid-edit) is retried for a minute before giving up.
 */
async function freshDist(): Promise<void> {
  for (let attempt = 0; !distIsFresh(ROOT); attempt++) {
    if (attempt > 6) throw new Error('dist/ could not be brought up to date with the sources (they keep changing or do not compile)');
    log('dist/ is stale: rebuilding');
    try {
      await buildDist(ROOT);
    } catch (e) {
      log(`${(e as Error).message}; retrying in 10 s`);
      await new Promise((r) => setTimeout(r, 10_000));
    }
  }
}

interface Ctx {
  o: Opts;
  lab: LabInfo;
  work: string;
  rawJs: string;
  cfgPath: string;
}

/** Run one engine once on a workload. `trace`: tsplay only, record commands into this file. */
async function runEngine(c: Ctx, e: Engine, w: Workload, rawPlan?: string, trace?: string): Promise<Measured> {
  let m: Measured;
  if (e === 'tsplay' || e === 'tsplay-tsx') {
    // measure the current sources: rebuild dist/ when someone edited them (not timed)
    if (e === 'tsplay' && !trace) await freshDist();
    // The traced run connects in-process (TSPLAY_SSH_PERSIST=0): the trace wraps SshConnection.run there.
    const env: Record<string, string> = trace ? { TSPLAY_BENCH_TRACE: trace, TSPLAY_NO_DIST: '1', TSPLAY_SSH_PERSIST: '0' } : e === 'tsplay-tsx' ? { TSPLAY_NO_DIST: '1' } : {};
    env.TSPLAY_HOME = tsplayHome(c, e);
    const pre = trace ? ['--import', import.meta.resolve('tsx'), '--import', pathToFileURL(join(ROOT, 'bench', 'trace.ts')).href] : [];
    m = await measured(process.execPath, [...pre, join(ROOT, 'bin', 'tsplay.js'), w.playbook, '-i', w.inventory, '-f', String(w.hosts)], env, c.work);
    // peak RSS = max(the tsplay process, its connection keeper): the keeper runs detached, outside GNU time's tree
    m.rssKb = Math.max(m.rssKb, keeperPeakKb(env.TSPLAY_HOME));
  } else if (e === 'ansible') {
    m = await measured('ansible-playbook', [w.playbook, '-i', w.inventory, '-f', String(w.hosts)], { ANSIBLE_CONFIG: c.cfgPath, ANSIBLE_NOCOLOR: '1' }, c.work);
  } else {
    m = await measured(process.execPath, [c.rawJs, e === 'raw-linear' ? rawPlan!.replace(/\.json$/, '-linear.json') : rawPlan!], {}, c.work);
    if (m.code === 0) {
      const rep = JSON.parse(m.tail.trim().split('\n').pop() || '{}') as { rcMismatches?: number };
      if (rep.rcMismatches) throw new Error(`${w.id}: raw replay: ${rep.rcMismatches} command(s) exited differently than under tsplay`);
    }
  }
  if (m.code !== 0) throw new Error(`${w.id}: ${e} exited ${m.code}:\n${m.tail}`);
  return m;
}

/** TSPLAY_HOME of the benchmark's tsplay runs, one per engine (its connection keepers live in cp/ there). */
function tsplayHome(c: Ctx, e: Engine): string {
  return join(c.work, `${e}-home`);
}

/** The raw baseline's plan: the lab connection data for the workload's inventory hosts + a trace. */
function rawPlan(c: Ctx, w: Workload, trace: TracedCommand[], file: string): string {
  const names = new Set(trace.map((t) => t.host));
  const ipOf = new Map<string, string>();
  for (const line of readFileSync(w.inventory, 'utf8').split('\n')) {
    const m = /^(\S+)\s+ansible_host=(\S+)/.exec(line);
    if (m) ipOf.set(m[1], m[2]);
  }
  const hosts = [...names].map((name) => ({ name, address: ipOf.get(name)!, port: 22, user: 'root', keyPath: c.lab.keyPath, knownHostsPath: c.lab.knownHostsPath }));
  writeFileSync(file, JSON.stringify({ hosts, commands: trace }));
  writeFileSync(file.replace(/\.json$/, '-linear.json'), JSON.stringify({ hosts, commands: trace, linear: true }));
  return file;
}

async function benchWorkload(c: Ctx, w: Workload): Promise<WorkloadResult> {
  const phases = w.twice ? ['first run', 'second run'] : ['run'];
  const skipped: WorkloadResult['skipped'] = {};
  if (w.id === 'wl4' && w.hosts > 100 && !c.o.ansibleScale) skipped.ansible = `${w.hosts} hosts: too slow on this machine; --ansible-scale runs it`;
  if (c.o.noAnsible) skipped.ansible = '--no-ansible';
  if (w.id === 'wl4' && c.o.withTsx) skipped['tsplay-tsx'] = 'the before/after start-up comparison is on workloads 1-3';
  const big = w.hosts > 100;
  const runCount = w.id === 'wl4' ? (c.o.scaleRuns ?? c.o.runs) : c.o.runs;
  const engines = ENGINES.filter((e) => !skipped[e] && (e !== 'tsplay-tsx' || c.o.withTsx));
  const reset = async () => {
    if (w.reset) await onAllHosts(c.lab, w.reset);
  };
  const state = async () => (w.state ? JSON.stringify([...(await onAllHosts(c.lab, w.state))].sort()) : '');

  // warm-up: tsplay traced (the raw plans), then ansible, then raw once
  log(`${w.id}: warm-up`);
  // each workload starts without a connection keeper, so its keeper's peak RSS is its own
  for (const e of ['tsplay', 'tsplay-tsx'] as const) await stopKeepers(tsplayHome(c, e));
  const plans: string[] = [];
  await reset();
  for (let i = 0; i < phases.length; i++) {
    const tf = join(c.work, `${w.id}-trace${i}.json`);
    await runEngine(c, 'tsplay', w, undefined, tf);
    plans.push(rawPlan(c, w, JSON.parse(readFileSync(tf, 'utf8')) as TracedCommand[], join(c.work, `${w.id}-plan${i}.json`)));
  }
  // the traced run connects directly: one more tsplay warm-up starts the connection keeper
  // (as Ansible's warm-up creates its ControlPersist sockets)
  await reset();
  for (let i = 0; i < phases.length; i++) await runEngine(c, 'tsplay', w, plans[i]);
  // the other engines' warm-ups (not at scale: the traced tsplay run already warmed the hosts up)
  if (!c.o.smoke && !big) {
    for (const e of engines.filter((x) => x !== 'tsplay')) {
      await reset();
      for (let i = 0; i < phases.length; i++) await runEngine(c, e, w, plans[i]);
    }
  }

  const runs: PhaseResult['runs'][] = phases.map(() => ({}));
  const states = new Map<Engine, string[]>();
  for (let r = 0; r < runCount; r++) {
    const order = engines.map((_, i) => engines[(i + r) % engines.length]);
    for (const e of order) {
      await reset();
      for (let i = 0; i < phases.length; i++) {
        const m = await runEngine(c, e, w, plans[i]);
        (runs[i][e] ??= []).push({ wallMs: m.wallMs, rssKb: m.rssKb });
        log(`${w.id} run ${r + 1}/${runCount} ${phases[i]}: ${e} ${(m.wallMs / 1000).toFixed(2)} s, peak RSS ${(m.rssKb / 1024).toFixed(0)} MB`);
        if (w.state) (states.get(e) ?? states.set(e, []).get(e)!).push(await state());
      }
    }
  }

  const stateDiffs: string[] = [];
  const ref = states.get('tsplay')?.[0];
  for (const [e, list] of states) {
    list.forEach((s, i) => {
      if (s !== ref) stateDiffs.push(`${e} (${phases[i % phases.length]}): ${s} vs tsplay: ${ref}`);
    });
  }
  const phaseResults: PhaseResult[] = phases.map((phase, i) => {
    const pr: PhaseResult = { phase, runs: runs[i], wall: {}, rss: {} };
    for (const e of engines) {
      const list = runs[i][e] ?? [];
      if (!list.length) continue;
      pr.wall[e] = summarize(list.map((x) => x.wallMs));
      pr.rss[e] = summarize(list.map((x) => x.rssKb));
    }
    if (pr.wall.ansible && pr.wall.tsplay) pr.ansibleOverTsplay = pr.wall.ansible.median / pr.wall.tsplay.median;
    if (pr.wall.raw && pr.wall.tsplay) pr.tsplayOverRaw = pr.wall.tsplay.median / pr.wall.raw.median;
    if (pr.wall['raw-linear'] && pr.wall.tsplay) pr.tsplayOverRawLinear = pr.wall.tsplay.median / pr.wall['raw-linear'].median;
    if (pr.wall.ansible && pr.wall['tsplay-tsx']) pr.ansibleOverTsplayTsx = pr.wall.ansible.median / pr.wall['tsplay-tsx'].median;
    if (pr.wall.raw && pr.wall['tsplay-tsx']) pr.tsplayTsxOverRaw = pr.wall['tsplay-tsx'].median / pr.wall.raw.median;
    return pr;
  });
  return { id: w.id, title: w.title, hosts: w.hosts, phases: phaseResults, skipped, sameState: w.state ? stateDiffs.length === 0 && !!ref : undefined, stateDiffs, referenceState: ref };
}

function versionOf(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return ((r.stdout || '') + (r.stderr || '')).trim().split('\n')[0] ?? '?';
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  ensureAnsible();
  ensureGnuTime();
  log(`lab ${o.lab}: ${o.hosts} host(s)`);
  const lab = await labUp({ name: o.lab, hosts: o.hosts, onProgress: (m) => log(`lab: ${m}`) });
  lab.hosts = lab.hosts.slice(0, o.hosts);
  const work = mkdtempSync(join(tmpdir(), 'tsplay-bench-'));
  const cfgPath = join(work, 'ansible.cfg');
  const cfg = ansibleCfg();
  writeFileSync(cfgPath, cfg);
  process.stderr.write(`bench: ansible-playbook runs with ANSIBLE_CONFIG=${cfgPath}:\n${cfg}`);
  const c: Ctx = { o, lab, work, rawJs: await buildRaw(), cfgPath };
  const load0 = loadavg();
  const workloads = writeWorkloads(work, lab.hosts.map((h) => ({ name: h.name, ip: h.ip })), labVars(lab), o.smoke ? SMOKE : FULL).filter((w) => !o.only || o.only.includes(w.id));
  const results: WorkloadResult[] = [];
  let failed = false;
  // read before an optional --down removes the lab
  const labSsh = (await labExec(lab.name, lab.hosts[0].name, 'ssh -V 2>&1', { timeoutMs: 30_000 })).stdout.trim();
  try {
    for (const w of workloads) {
      try {
        results.push(await benchWorkload(c, w));
      } catch (e) {
        failed = true;
        log(`FAILED ${(e as Error).message}`);
      }
    }
  } finally {
    for (const e of ['tsplay', 'tsplay-tsx'] as const) await stopKeepers(tsplayHome(c, e));
    if (o.down) await labDown(o.lab);
  }
  const load1 = loadavg();
  const doc: BenchResults = {
    date: new Date().toISOString(),
    smoke: o.smoke,
    labHosts: o.hosts,
    runs: o.runs,
    machine: {
      cpu: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      kernel: release(),
      'load average at start / end (1 min)': `${load0[0].toFixed(1)} / ${load1[0].toFixed(1)}`,
      'lab hosts': 'systemd-nspawn containers on the same machine (docs/lab.md)',
    },
    versions: {
      tsplay: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
      node: process.version,
      ssh2: JSON.parse(readFileSync(join(ROOT, 'node_modules', 'ssh2', 'package.json'), 'utf8')).version,
      'ansible-playbook': versionOf('ansible-playbook', ['--version']),
      python: versionOf('python3', ['--version']),
      'OpenSSH (controller client, used by ansible)': versionOf('ssh', ['-V']),
      'OpenSSH (lab hosts)': labSsh,
    },
    ansibleConfig: cfg,
    rssMethod: `GNU time (${GNU_TIME} -f %M, the Debian 'time' package): the peak resident set of the largest single process of each engine's process tree (tsplay and raw: the one node process; ansible-playbook: its largest process); for tsplay, the larger of that and its connection keeper's VmHWM (/proc/PID/status, the detached process that holds the ssh connections between runs)`,
    workloads: results,
  };
  const files = writeResults(o.out, doc);
  process.stdout.write(readFileSync(files[1], 'utf8'));
  log(`results: ${files.join(', ')}`);
  rmSync(work, { recursive: true, force: true });
  const sameState = results.every((r) => r.sameState !== false);
  if (!sameState) log('FAILED: the engines left different final states (see results.md)');
  return failed || !sameState ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    log(`error: ${e.message}`);
    process.exit(1);
  },
);
