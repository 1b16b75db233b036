/**
 * `tsplay PLAYBOOK... -i INVENTORY [options]`: ansible-playbook's command. Loads the
 * inventory and playbooks, handles --syntax-check / --list-hosts / --list-tasks /
 * --list-tags, prompts for -k / -K, runs the plays with the reporter, and returns
 * ansible-playbook's exit code (0 ok, 1 error, 2 failed hosts, 4 unreachable hosts or parse
 * error, 5 bad options, 99 interrupted, 250 unexpected).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve, basename, extname, join } from 'node:path';
import { ExitCode, TsplayError } from '../types.ts';
import { registerSecret } from '../secrets.ts';
import { parsePlaybookArgs, PLAYBOOK_HELP, type PlaybookOptions, type CommonOptions } from './options.ts';
import { loadInventory, selectHosts, type Inventory } from '../inventory/index.ts';
import { loadPlaybook } from '../playbook/load.ts';
import { terminalPromptIO } from '../playbook/varsprompt.ts';
import type { Node, Play, Playbook } from '../playbook/model.ts';
import { createReporter } from '../report/reporter.ts';
import { prompt } from '../prompt.ts';
import { realServices, inventoryAdapter, loaderOptions } from '../executor/wire.ts';
import { createRun, runPlaybook } from '../executor/run.ts';
import { HandlerJournal } from '../executor/journal.ts';
import { cliBecome } from '../executor/task.ts';
import { shouldRunTags, type TagFilter } from '../executor/tags.ts';
import type { ConnCliOptions } from '../connection/params.ts';

/**
 * --limit value: `@file` reads one pattern per line (an empty file: no limit, as Ansible); several -l: the last wins, like Ansible.
 * An unreadable `@file` throws a TsplayError with exit code 1 (ansible-core: "Unable to find limit file").
 */
export function limitPattern(limits: string[], cwd = process.cwd()): string | undefined {
  if (limits.length === 0) return undefined;
  const l = limits[limits.length - 1];
  if (l.startsWith('@')) {
    const file = resolve(cwd, l.slice(1));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      // As ansible-core: a general error (exit 1), not a bad option.
      throw new TsplayError(`Unable to find limit file ${l.slice(1)}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const hosts = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
    // As Ansible: an empty limit file restricts nothing.
    return hosts.length ? hosts.join(',') : undefined;
  }
  return l;
}

/** Load the inventory sources given with -i (default: $ANSIBLE_INVENTORY, else none = implicit localhost). */
export function loadInv(o: CommonOptions): Inventory {
  const sources = o.inventory.length ? o.inventory : process.env.ANSIBLE_INVENTORY ? process.env.ANSIBLE_INVENTORY.split(',').filter(Boolean) : [];
  return loadInventory(sources);
}

/** Password prompts (-k, -K) and password files; every value registered as a secret. */
export async function connectionCli(o: CommonOptions): Promise<ConnCliOptions> {
  const cli: ConnCliOptions = { user: o.user, privateKey: o.privateKey, timeout: o.timeout, become: o.become || undefined, becomeUser: o.becomeUser, becomeMethod: o.becomeMethod };
  const readPw = (f: string) => readFileSync(f, 'utf8').replace(/\r?\n$/, '');
  if (o.askPass) cli.password = await prompt('SSH password: ', true);
  else if (o.connectionPasswordFile) cli.password = readPw(o.connectionPasswordFile);
  if (o.askBecomePass) {
    const p = await prompt(`BECOME password${cli.password ? '[defaults to SSH password]' : ''}: `, true);
    cli.becomePassword = p || cli.password;
  } else if (o.becomePasswordFile) cli.becomePassword = readPw(o.becomePasswordFile);
  registerSecret(cli.password);
  registerSecret(cli.becomePassword);
  if (o.connection === 'local') (cli as ConnCliOptions & { connection?: string }).connection = 'local';
  return cli;
}

/** Install vault secrets when vault options were given (vault is optional at this layer). */
async function setupVault(o: CommonOptions): Promise<void> {
  if (!o.vaultPasswordFiles.length && !o.askVaultPass && !o.vaultIds.length && !process.env.ANSIBLE_VAULT_PASSWORD_FILE) return;
  const vault = await import('../vault/index.ts');
  const secrets = await vault.collectVaultSecrets({ passwordFiles: o.vaultPasswordFiles, vaultIds: o.vaultIds, askVaultPass: o.askVaultPass });
  const inline = vault.configureVault(secrets);
  const expr = await import('../expr/index.ts');
  expr.setVaultDecryptor(inline);
}

// As ansible-playbook: only the `block:` part of blocks is listed (not rescue/always).
function tagsOf(nodes: readonly Node[], filter: TagFilter, out: Set<string>): void {
  for (const n of nodes) {
    if (n.kind === 'block') tagsOf(n.block, filter, out);
    else if (shouldRunTags(n.tags, filter)) for (const t of n.tags) out.add(t);
  }
}

function listTasks(nodes: readonly Node[], filter: TagFilter, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === 'block') {
      listTasks(n.block, filter, out);
      continue;
    }
    if (!shouldRunTags(n.tags, filter)) continue;
    const name = n.kind === 'task' ? n.name ?? n.action : n.name ?? `${n.what}`;
    const full = n.role && n.name ? `${n.role.name} : ${name}` : name;
    out.push(`      ${full}\tTAGS: [${[...new Set(n.tags)].sort().join(', ')}]`);
  }
}

/** --list-hosts / --list-tasks / --list-tags in ansible-playbook's format. */
export function listing(pb: Playbook, file: string, inv: Inventory, limit: string | undefined, o: PlaybookOptions): string {
  const filter: TagFilter = { only: o.tags, skip: o.skipTags };
  const lines: string[] = ['', `playbook: ${file}`];
  pb.plays.forEach((play: Play, i) => {
    lines.push('');
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${[...play.tags].sort().join(',')}]`);
    if (o.listHosts) {
      const hosts = selectHosts(inv, play.hosts, limit);
      lines.push(`    pattern: ['${play.hosts}']`);
      lines.push(`    hosts (${hosts.length}):`);
      for (const h of hosts) lines.push(`      ${h}`);
    }
    const nodes = [...play.preTasks, ...play.roles, ...play.tasks, ...play.postTasks];
    if (o.listTasks) {
      lines.push('    tasks:');
      listTasks(nodes, filter, lines);
    }
    if (o.listTags) {
      const tags = new Set<string>(play.tags);
      tagsOf(nodes, filter, tags);
      lines.push(`      TASK TAGS: [${[...tags].sort().join(', ')}]`);
    }
  });
  return lines.join('\n') + '\n';
}

/** Write the retry file (failed + unreachable hosts, one per line). */
function writeRetry(o: PlaybookOptions, playbook: string, hosts: string[]): string | undefined {
  if (o.retryFile === undefined || hosts.length === 0) return undefined;
  const file = o.retryFile !== '' ? resolve(o.retryFile) : join(dirname(resolve(playbook)), basename(playbook, extname(playbook)) + '.retry');
  writeFileSync(file, hosts.join('\n') + '\n');
  return file;
}

/** Entry point of `tsplay PLAYBOOK...`. */
export async function playbookMain(argv: string[]): Promise<number> {
  const o = parsePlaybookArgs(argv);
  if (o.help) {
    process.stdout.write(PLAYBOOK_HELP);
    return ExitCode.OK;
  }
  if (o.version) {
    process.stdout.write('tsplay 0.1.0\n');
    return ExitCode.OK;
  }
  // Ctrl+C before the run started (loading, prompts): stop at once, as ansible-playbook does.
  onInterrupt = () => {
    process.stderr.write('\nERROR! User interrupted execution\n');
    process.exit(ExitCode.INTERRUPTED);
  };
  const listener = () => onInterrupt();
  process.on('SIGINT', listener);
  try {
    return await runPlaybooks(o);
  } finally {
    process.off('SIGINT', listener);
  }
}

/** What Ctrl+C does right now: exit at once while loading, stop the run cleanly once it runs. */
let onInterrupt: () => void = () => undefined;

async function runPlaybooks(o: PlaybookOptions): Promise<number> {
  // As ansible-core: a missing playbook is a general error (exit 1), not a bad option.
  for (const p of o.playbooks) if (!existsSync(p)) throw new TsplayError(`the playbook: ${p} could not be found`);
  await setupVault(o);
  const inv = loadInv(o);
  const limit = limitPattern(o.limit);
  const playbooks: { file: string; pb: Playbook }[] = [];
  // Loader warnings (ignored `collections:`, deprecated `include:`) are reported once the reporter exists.
  const loadWarnings: string[] = [];
  const warnOnce = (line: string): void => {
    if (!loadWarnings.includes(line)) loadWarnings.push(line);
  };
  for (const file of o.playbooks) {
    const abs = resolve(file);
    playbooks.push({ file, pb: loadPlaybook(abs, loaderOptions(o.rolesPath, dirname(abs), undefined, warnOnce)) });
  }
  if (o.syntaxCheck || o.listHosts || o.listTasks || o.listTags) for (const w of loadWarnings) process.stderr.write(`[WARNING]: ${w}\n`);
  if (o.syntaxCheck) {
    for (const { file } of playbooks) process.stdout.write(`\nplaybook: ${file}\n`);
    return ExitCode.OK;
  }
  if (o.listHosts || o.listTasks || o.listTags) {
    for (const { file, pb } of playbooks) process.stdout.write(listing(pb, file, inv, limit, o));
    return ExitCode.OK;
  }
  if (limit !== undefined && selectHosts(inv, 'all', limit).length === 0 && !/localhost/.test(limit)) {
    process.stderr.write('ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n');
    return ExitCode.ERROR;
  }
  const cli = await connectionCli(o);
  Object.assign(cliBecome, { become: o.become || undefined, user: o.becomeUser, method: o.becomeMethod, password: cli.becomePassword });
  const reporter = createReporter({ verbosity: o.verbosity, diff: o.diff, check: o.check, json: o.json });
  for (const w of loadWarnings) reporter.sink({ type: 'warning', msg: w });
  let exit: number = ExitCode.OK;
  let interrupted = false;
  const runs: ReturnType<typeof createRun>[] = [];
  let svcRef: ReturnType<typeof realServices> | undefined;
  const onSigint = () => {
    if (interrupted) process.exit(ExitCode.INTERRUPTED); // a second Ctrl+C: stop now
    
    interrupted = true;
    for (const r of runs) r.interrupted = true;
    void svcRef?.closeAll();
  };
  onInterrupt = onSigint;
  try {
    for (const { file, pb } of playbooks) {
      const svc = realServices({ cli, loader: loaderOptions(o.rolesPath, pb.dir, undefined, (w) => reporter.sink({ type: 'warning', msg: w })), emit: reporter.sink });
      svcRef = svc;
      const journal = new HandlerJournal(pb.file, inv.sources);
      if (o.flushCache) journal.clear();
      else journal.load();
      const input = {
        playbook: pb,
        cfg: {
          check: o.check,
          diff: o.diff,
          forks: o.forks,
          tags: { only: o.tags, skip: o.skipTags },
          startAtTask: o.startAtTask,
          step: o.step,
          forceHandlers: o.forceHandlers,
          verbosity: o.verbosity,
          playbookDir: pb.dir,
          libraryDirs: [...o.modulePath, join(pb.dir, 'library')].filter((d) => existsSync(d)),
          journal,
          varsPromptIO: terminalPromptIO,
        },
        inv: inventoryAdapter(inv, limit, pb.dir),
        svc,
        emit: reporter.sink,
        extraVars: o.extraVars,
      };
      const run = createRun(input);
      runs.push(run);
      if (interrupted) run.interrupted = true;
      let out;
      try {
        out = await runPlaybook(run, input);
      } finally {
        await svc.closeAll();
      }
      exit = out.exitCode;
      const retry = writeRetry(o, file, [...new Set([...out.failedHosts, ...out.unreachableHosts])].sort());
      if (retry) process.stderr.write(`\tto retry, use: --limit @${retry}\n`);
      if (exit !== 0) break;
    }
  } catch (e) {
    reporter.close();
    throw e;
  } finally {
  }
  reporter.close();
  if (interrupted) {
    process.stderr.write('ERROR! User interrupted execution\n');
    return ExitCode.INTERRUPTED;
  }
  return exit;
}
