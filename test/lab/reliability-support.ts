/**
 * Helpers shared by the reliability/security lab tests: run the real CLI as a subprocess,
 * parse the recap, write throwaway inventories and playbooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabInfo } from '../support/lab.ts';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const TSPLAY = join(ROOT, 'bin/tsplay.js');

/** Output of a finished process. */
export interface Out {
  rc: number;
  stdout: string;
  stderr: string;
  /** wall time in ms */
  ms: number;
}

/** A started process plus a promise of its output. */
export interface Running {
  child: ChildProcess;
  done: Promise<Out>;
  /** stdout so far */
  out(): string;
}

/** Start `node bin/tsplay.js ARGS` (no colour, TSPLAY_HOME as given). */
export function startTsplay(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Running {
  const t0 = Date.now();
  const child = spawn('node', [TSPLAY, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Out>((resolve) => {
    child.on('close', (code, sig) => resolve({ rc: code ?? (sig === 'SIGKILL' ? 137 : 255), stdout, stderr, ms: Date.now() - t0 }));
  });
  child.stdin!.end(opts.input ?? '');
  return { child, done, out: () => stdout };
}

/** Run `node bin/tsplay.js ARGS` to completion. */
export function tsplay(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<Out> {
  return startTsplay(args, opts).done;
}

/** PLAY RECAP lines as {host: {ok, changed, unreachable, failed, ...}}. */
export function recap(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const i = text.lastIndexOf('PLAY RECAP');
  if (i < 0) return out;
  for (const line of text.slice(i).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(ok=.*)$/.exec(line.trim());
    if (!m) continue;
    const f: Record<string, number> = {};
    for (const kv of m[2].trim().split(/\s+/)) {
      const [k, v] = kv.split('=');
      f[k] = Number(v);
    }
    out[m[1]] = f;
  }
  return out;
}

/**
 * Write an INI inventory of the lab's hosts (group `lab`) to DIR/NAME and return its path.
 * `commonArgs` replaces the lab's ansible_ssh_common_args; `hostVars` adds per-host vars.
 */
export function writeInventory(lab: LabInfo, dir: string, name: string, o: { hosts?: string[]; commonArgs?: string; hostVars?: Record<string, string>; vars?: string[] } = {}): string {
  const hosts = lab.hosts.filter((h) => !o.hosts || o.hosts.includes(h.name));
  const lines = ['[lab]'];
  for (const h of hosts) lines.push(`${h.name} ansible_host=${h.ip} ansible_user=root ansible_ssh_private_key_file=${lab.keyPath} ${o.hostVars?.[h.name] ?? ''}`.trimEnd());
  lines.push('', '[lab:vars]');
  lines.push(`ansible_ssh_common_args='${o.commonArgs ?? `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`}'`);
  for (const v of o.vars ?? []) lines.push(v);
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** Sleep `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` every 200 ms until it returns true or `ms` pass; returns whether it became true. */
export async function waitFor(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await sleep(200);
  }
  return false;
}
