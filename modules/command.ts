/** command: run a command on the target without a shell (arguments are not expanded). */
import type { ModuleDef } from '../engine/types.ts';
import { COMMAND_GUARD_ARGS, COMMAND_RETURNS, COMMAND_STDIN_ARGS, planGuarded, runCommandLine } from '../engine/modules/command.ts';
import { fail } from '../engine/modules/failure.ts';
import { quoteArgv, shlexSplit } from '../engine/modules/quote.ts';

function argvOf(args: Record<string, any>): string[] {
  if (args.argv?.length) return args.argv.map(String);
  const line = (args.cmd ?? args._raw_params) as string;
  try {
    return shlexSplit(String(line));
  } catch (e) {
    return fail(`cannot parse the command line: ${(e as Error).message}`);
  }
}

const command: ModuleDef = {
  name: 'command',
  freeForm: true,
  doc: {
    short: 'Execute commands on targets',
    description:
      'Runs the command on the target without a shell: variables like $HOME and operations like <, >, |, ; and & do not work (use shell). ' +
      'Not run in check mode (reported skipped) unless creates/removes decide it would not run.',
    check: 'none',
    diff: false,
    returns: COMMAND_RETURNS,
    examples: `- name: Return motd to registered var
  command: cat /etc/motd
  register: mymotd

- name: Run only if the file does not exist
  command: /usr/bin/make_database.sh db_user db_name
  args:
    chdir: somedir/
    creates: /path/to/database

- name: Use argv to avoid quoting
  command:
    argv: [/usr/bin/make_database.sh, Username with whitespace, dbname with whitespace]`,
  },
  args: {
    cmd: { type: 'str', description: 'The command to run (split like a shell would, without expansion).' },
    argv: { type: 'list', elements: 'str', description: 'The command as a list instead of a string. Give either cmd/free form or argv, not both.' },
    ...COMMAND_GUARD_ARGS,
    ...COMMAND_STDIN_ARGS,
  },
  validate(args) {
    const hasLine = args.cmd !== undefined || (args._raw_params !== undefined && args._raw_params !== '');
    if (hasLine && args.argv?.length) return 'only command or argv can be given, not both';
    if (!hasLine && !args.argv?.length) return 'no command given';
    return undefined;
  },
  plan(args, ctx) {
    return planGuarded(args, ctx, argvOf(args));
  },
  apply(args, _plan, ctx) {
    const argv = argvOf(args);
    return runCommandLine(ctx, quoteArgv(argv), argv, { chdir: args.chdir, stdin: args.stdin, stdinAddNewline: args.stdin_add_newline, stripEmptyEnds: args.strip_empty_ends });
  },
};
export default command;
