/**
 * Running modules in tests through the REAL runner (validation, plan, check/apply) on a real
 * Connection: lab hosts over SSH (`labConnection`) or the controller (`LocalConnection`).
 *
 *   const conn = await labConnection(lab, lab.hosts[0].name);
 *   const r = await runOn(conn, 'copy', { content: 'x', dest: '/tmp/x' }, { check: true, diff: true });
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { BecomeSpec, Connection, ModuleContext, ModuleResult } from '../../engine/types.ts';
import { getModule } from '../../engine/modules/registry.ts';
import { runModule } from '../../engine/modules/runner.ts';
import { SshConnection } from '../../engine/connection/ssh.ts';
import { connParamsFor } from '../../engine/connection/params.ts';
import { bootLab, sshRun, teardownLab, type LabInfo } from './lab.ts';

export interface RunOpts {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  /** Directory searched for files/ and templates/ (and the files themselves). */
  baseDir?: string;
  libraryDirs?: string[];
  env?: Record<string, string>;
  become?: BecomeSpec;
}

/** Connect to a lab host (as root by default) over real SSH (host-key checking on, the lab's known_hosts). */
export async function labConnection(lab: LabInfo, hostName: string, user = 'root'): Promise<Connection> {
  const h = lab.hosts.find((x) => x.name === hostName);
  if (!h) throw new Error(`no host ${hostName} in lab ${lab.name}`);
  const params = connParamsFor(h.name, {
    ansible_host: h.ip,
    ansible_user: user,
    ansible_ssh_private_key_file: lab.keyPath,
    ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
  });
  return SshConnection.open(params);
}

/** A ModuleContext for tests: files/templates are looked up in `baseDir/{files,templates}/` then `baseDir`. */
export function makeContext(conn: Connection, opts: RunOpts = {}): ModuleContext & { logs: string[] } {
  const logs: string[] = [];
  const base = opts.baseDir ?? process.cwd();
  const vars = opts.vars ?? {};
  return {
    host: conn.host,
    conn,
    vars,
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    env: opts.env,
    become: opts.become,
    logs,
    findFile(kind, name) {
      if (isAbsolute(name)) return name;
      for (const c of [join(base, kind, name), join(base, name)]) {
        try {
          readFileSync(c);
          return c;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EISDIR') return c;
        }
      }
      return join(base, kind, name);
    },
    renderTemplate(text) {
      return text.replace(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g, (_m, k: string) => {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], vars);
        if (v === undefined) throw new Error(`'${k}' is undefined`);
        return String(v);
      });
    },
    template(value) {
      return value;
    },
    log(_level, msg) {
      logs.push(msg);
    },
  };
}

/** Run module NAME with raw args on a connection through the real registry + runner. */
export async function runOn(conn: Connection, name: string, args: Record<string, unknown>, opts: RunOpts = {}): Promise<ModuleResult> {
  const def = await getModule(name, opts.libraryDirs ?? []);
  if (!def) throw new Error(`no module ${name}`);
  return runModule(def, args, makeContext(conn, opts));
}

/** Directory of this file (for fixtures). */
export const SUPPORT_DIR = dirname(new URL(import.meta.url).pathname);

/** What `useModuleLab` gives a test file (filled in by its before hook). */
export interface ModuleLab {
  lab: LabInfo;
  conn: Connection;
  /** inventory name of the host the modules run on */
  host: string;
  /** Run a module on the host through the real registry + runner. */
  run(name: string, args: Record<string, unknown>, o?: RunOpts): Promise<ModuleResult>;
  /** Run a shell command on the host with the system ssh client (independent check); stdout. */
  remote(cmd: string): Promise<string>;
}

/**
 * Register mocha hooks that boot lab `name` with `hosts` hosts, connect to host `hostIndex`
 * over real SSH, and tear the lab down after the file. `defaults` are merged into every run.
 */
export function useModuleLab(name: string, hosts: number, hostIndex = 0, defaults: RunOpts = {}): ModuleLab {
  const m = {} as ModuleLab;
  before(async function () {
    this.timeout(600_000);
    m.lab = await bootLab(name, hosts);
    m.host = m.lab.hosts[hostIndex].name;
    m.conn = await labConnection(m.lab, m.host);
    m.run = (mod, args, o = {}) => runOn(m.conn, mod, args, { ...defaults, ...o });
    m.remote = async (cmd) => (await sshRun(m.lab, m.host, cmd)).stdout;
  });
  after(async function () {
    this.timeout(120_000);
    await m.conn?.close();
    await teardownLab(name);
  });
  return m;
}
