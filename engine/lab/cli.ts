/**
 * `tsplay lab up [N] | down | status | ssh HOST [CMD...] | inventory   [--name NAME]`.
 * Progress goes to stderr; `up` prints one "hN IP" line per host and, last, the inventory path.
 */
import { spawn } from 'node:child_process';
import { ExitCode, OptionsError } from '../types.ts';
import { labDown, labInfo, labStatus, labUp } from './lab.ts';
import { checkLabName } from './naming.ts';
import { preflight } from './preflight.ts';

const USAGE = `usage: tsplay lab up [N] [--name NAME]      boot N hosts h1..hN (default 4); prints the inventory path last
       tsplay lab down [--name NAME]          power off and remove the lab
       tsplay lab status [--name NAME]        hosts, IPs, state, memory
       tsplay lab ssh [--name NAME] HOST [CMD...]
       tsplay lab inventory [--name NAME]     print the inventory path`;

function parse(argv: string[]): { name: string; rest: string[] } {
  let name = 'default';
  const rest: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if ((a === '--name' || a === '-n') && rest.length < 2) {
      if (argv[k + 1] === undefined) throw new OptionsError('lab: --name needs a value');
      name = argv[++k];
    } else if (a.startsWith('--name=') && rest.length < 2) name = a.slice(7);
    else rest.push(a);
  }
  checkLabName(name);
  return { name, rest };
}

const progress = (msg: string) => process.stderr.write(`tsplay lab: ${msg}\n`);

/** Entry point of `tsplay lab ...` (argv after "lab"); returns the exit code. */
export async function labMain(argv: string[]): Promise<number> {
  if (argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stderr.write(USAGE + '\n');
    return argv[0] === undefined ? ExitCode.BAD_OPTIONS : ExitCode.OK;
  }
  const sub = argv[0];
  const { name, rest } = parse(argv.slice(1));
  preflight(false);
  switch (sub) {
    case 'up': {
      if (rest.length > 1 || (rest[0] !== undefined && !/^\d+$/.test(rest[0]))) throw new OptionsError(`lab up: expected a host count, got '${rest.join(' ')}'`);
      const n = rest[0] === undefined ? 4 : Number(rest[0]);
      const t0 = Date.now();
      const info = await labUp({ name, hosts: n, onProgress: progress });
      progress(`lab ${name} ready: ${info.hosts.length} host(s) in ${info.subnet} (vip ${info.vip}) after ${((Date.now() - t0) / 1000).toFixed(1)} s; ssh -F ${info.sshConfigPath} h1`);
      for (const h of info.hosts) process.stdout.write(`${h.name} ${h.ip}\n`);
      process.stdout.write(`${info.inventoryPath}\n`);
      return ExitCode.OK;
    }
    case 'down': {
      if (rest.length) throw new OptionsError(`lab down: unexpected '${rest.join(' ')}'`);
      const existed = await labDown(name, progress);
      progress(existed ? `lab ${name} is down; nothing of it is left` : `no lab named ${name}`);
      return ExitCode.OK;
    }
    case 'status': {
      const { info, hosts } = labStatus(name);
      process.stdout.write(`lab ${info.name}: subnet ${info.subnet}, vip ${info.vip}, bridge ${info.bridge}\n`);
      process.stdout.write(`${'HOST'.padEnd(6)} ${'IP'.padEnd(16)} ${'STATE'.padEnd(8)} ${'MEMORY'.padStart(9)}  PROCS\n`);
      for (const h of hosts) {
        process.stdout.write(`${h.name.padEnd(6)} ${h.ip.padEnd(16)} ${(h.running ? 'running' : 'stopped').padEnd(8)} ${`${(h.pssBytes / 1048576).toFixed(1)} MB`.padStart(9)}  ${h.processes}\n`);
      }
      process.stdout.write(`inventory: ${info.inventoryPath}\n`);
      return hosts.every((h) => h.running) ? ExitCode.OK : ExitCode.ERROR;
    }
    case 'inventory': {
      process.stdout.write(`${labInfo(name).inventoryPath}\n`);
      return ExitCode.OK;
    }
    case 'ssh': {
      const [host, ...cmd] = rest;
      if (!host) throw new OptionsError('lab ssh: which host? (tsplay lab ssh h1 [CMD...])');
      const info = labInfo(name);
      if (!info.hosts.some((h) => h.name === host)) throw new OptionsError(`lab ssh: no host ${host} in lab ${name} (hosts: ${info.hosts.map((h) => h.name).join(' ')})`);
      const tty = cmd.length === 0 && process.stdin.isTTY ? ['-t'] : [];
      const child = spawn('ssh', ['-F', info.sshConfigPath, ...tty, host, ...cmd], { stdio: 'inherit' });
      return new Promise((resolve) => child.on('close', (code) => resolve(code ?? ExitCode.ERROR)));
    }
    default:
      throw new OptionsError(`lab: unknown subcommand '${sub}' (use: up, down, status, ssh, inventory; see tsplay lab --help)`);
  }
}
