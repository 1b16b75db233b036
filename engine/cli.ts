/**
 * tsplay's command line: dispatches to a subcommand. Each subcommand lives in its own file
 * and exports `(argv: string[]) => Promise<number>` returning the process exit code.
 *   tsplay PLAYBOOK... -i INV [flags]   run playbooks        (engine/commands/playbook.ts)
 *   tsplay run PATTERN -i INV -m MOD -a ARGS   ad-hoc        (engine/commands/adhoc.ts)
 *   tsplay lab up|down|status|ssh|inventory                  (engine/lab/cli.ts)
 *   tsplay vault create|encrypt|decrypt|view|edit|rekey|encrypt_string (engine/vault/cli.ts)
 *   tsplay doc MODULE | --list                               (engine/commands/doc.ts)
 */
import { ExitCode, TsplayError } from './types.ts';

type Command = (argv: string[]) => Promise<number>;

const subcommands: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/adhoc.ts')).adhocMain,
  lab: async () => (await import('./lab/cli.ts')).labMain,
  vault: async () => (await import('./vault/cli.ts')).vaultMain,
  doc: async () => (await import('./commands/doc.ts')).docMain,
  __mux: async () => (await import('./connection/persist/keeper.ts')).keeperMain, // hidden: the connection keeper (engine/connection/persist/)
};

const USAGE = `usage: tsplay PLAYBOOK... -i INVENTORY [options]
       tsplay run PATTERN -i INVENTORY -m MODULE -a ARGS
       tsplay lab up [N] | down | status | ssh HOST [CMD...] | inventory   [--name NAME]
       tsplay vault create|encrypt|decrypt|view|edit|rekey|encrypt_string
       tsplay doc MODULE | --list
Run 'tsplay --help' for the playbook options.`;

/** Entry point used by bin/tsplay.js. Never throws: returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.some((a) => /^-v{3,}$/.test(a));
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      process.stderr.write(USAGE + '\n');
      return ExitCode.BAD_OPTIONS;
    }
    if (first === '--version') {
      process.stdout.write('tsplay 0.1.0\n');
      return ExitCode.OK;
    }
    const sub = subcommands[first];
    if (sub) return await (await sub())(rest);
    return await (await import('./commands/playbook.ts')).playbookMain(argv);
  } catch (e) {
    if (e instanceof TsplayError) {
      process.stderr.write(`ERROR! ${e.oneLine()}\n`);
      if (verbose && e.stack) process.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`ERROR! unexpected error: ${msg}${verbose ? '' : ' (run with -vvv for the stack trace)'}\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return ExitCode.UNEXPECTED;
  }
}
