/**
 * The raw ssh2 baseline: the floor tsplay's own overhead is measured against.
 *
 *   node bench/.build/raw.mjs PLAN.json
 *
 * PLAN = { hosts: [{ name, address, port, user, keyPath, knownHostsPath }], commands: TracedCommand[] }
 * (commands as traced from a tsplay run by bench/trace.ts). One ssh2 connection per host (host key
 * checked against known_hosts, TCP_NODELAY; at most 32 handshakes at once, like tsplay's pool), all
 * hosts in parallel; on each host the host's
 * commands run one after another in traced order, one exec channel each, stdin written as traced.
 * With `"linear": true` in the plan, the commands are cut into steps where tsplay had none in
 * flight on any host (its linear strategy's task boundaries, from the traced timestamps), and every
 * step waits for all hosts, as a linear strategy must: the floor for a linear-strategy engine.
 * Prints one JSON line: { commands, rcMismatches }. Exits 1 when a host cannot be reached.
 * Deliberately tiny and dependency-free besides ssh2 (run as plain JS: the bench strips types).
 */
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { Client as ClientT } from 'ssh2';
import type { TracedCommand } from './trace.ts';

interface PlanHost {
  name: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  knownHostsPath: string;
}
/** A command as bench/trace.ts recorded it (a type-only import: erased when raw.ts is stripped to JS). */
type PlanCommand = TracedCommand;

/** Step index per command: a new step starts when nothing was in flight (all earlier commands done). */
function steps(cmds: PlanCommand[]): number[] {
  const order = cmds.map((c, i) => i).sort((a, b) => (cmds[a].t0 ?? 0) - (cmds[b].t0 ?? 0) || a - b);
  const step = new Array<number>(cmds.length).fill(0);
  let s = 0;
  let busyUntil = -Infinity;
  for (const i of order) {
    const c = cmds[i];
    if ((c.t0 ?? 0) >= busyUntil && busyUntil !== -Infinity) s++;
    busyUntil = Math.max(busyUntil, c.t1 ?? c.t0 ?? 0);
    step[i] = s;
  }
  return step;
}

/** Base64 key blobs known_hosts lists for an address (plain, non-hashed entries). */
function knownKeys(file: string, address: string, port: number): Set<string> {
  const want = port === 22 ? address : `[${address}]:${port}`;
  const keys = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3 && f[0].split(',').includes(want)) keys.add(f[2]);
  }
  return keys;
}

function connect(h: PlanHost): Promise<ClientT> {
  const keys = knownKeys(h.knownHostsPath, h.address, h.port);
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    c.once('error', (e) => reject(new Error(`${h.name}: ${e.message}`)));
    c.connect({
      host: h.address,
      port: h.port,
      username: h.user,
      privateKey: readFileSync(h.keyPath),
      readyTimeout: 60_000,
      hostVerifier: (key: Buffer) => keys.has(key.toString('base64')),
    });
    c.setNoDelay(true);
  });
}

function exec(c: ClientT, cmd: string, stdin: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, ch) => {
      if (err) return reject(err);
      let rc = -1;
      ch.on('exit', (code: number | null) => (rc = code ?? -1));
      ch.on('data', () => {});
      ch.stderr.on('data', () => {});
      ch.on('close', () => resolve(rc));
      ch.end(stdin.length ? stdin : undefined);
    });
  });
}

/** Handshakes in flight at once (as tsplay's pool: MAX_HANDSHAKES), so 1000 hosts do not all time out. */
const MAX_HANDSHAKES = 32;
let inFlight = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (inFlight >= MAX_HANDSHAKES) await new Promise<void>((r) => waiting.push(r));
  inFlight++;
  try {
    return await fn();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { hosts: PlanHost[]; commands: PlanCommand[]; linear?: boolean };
  const stepOf = plan.linear ? steps(plan.commands) : plan.commands.map(() => 0);
  const nSteps = Math.max(0, ...stepOf) + 1;
  const byHost = new Map<string, PlanCommand[][]>();
  plan.commands.forEach((c, i) => {
    if (!byHost.has(c.host)) byHost.set(c.host, Array.from({ length: nSteps }, () => []));
    byHost.get(c.host)![stepOf[i]].push(c);
  });
  let mismatches = 0;
  const conns = new Map<string, ClientT>();
  const runStep = async (h: PlanHost, s: number) => {
    for (const cmd of byHost.get(h.name)?.[s] ?? []) {
      const rc = await exec(conns.get(h.name)!, cmd.cmd, Buffer.from(cmd.stdin, 'base64'));
      if (cmd.rc !== undefined && rc !== cmd.rc) mismatches++;
    }
  };
  // step 0 (every step when not linear) starts on each host as soon as it is connected
  await Promise.all(
    plan.hosts.map(async (h) => {
      conns.set(h.name, await limited(() => connect(h)));
      await runStep(h, 0);
    }),
  );
  for (let s = 1; s < nSteps; s++) await Promise.all(plan.hosts.map((h) => runStep(h, s)));
  for (const c of conns.values()) c.end();
  process.stdout.write(JSON.stringify({ commands: plan.commands.length, rcMismatches: mismatches }) + '\n');
}

main().catch((e: Error) => {
  process.stderr.write(`raw: ${e.message}\n`);
  process.exit(1);
});
