/** shell: run a command line through a shell on the target. */
import type { ModuleDef } from '../engine/types.ts';
import { COMMAND_GUARD_ARGS, COMMAND_RETURNS, COMMAND_STDIN_ARGS, planGuarded, runCommandLine } from '../engine/modules/command.ts';
import { quote } from '../engine/modules/quote.ts';

const shell: ModuleDef = {
  name: 'shell',
  freeForm: true,
  doc: {
    short: 'Execute shell commands on targets',
    description: 'Runs the command line through a shell (/bin/sh by default) on the target. Not run in check mode (reported skipped) unless creates/removes decide it would not run.',
    check: 'none',
    diff: false,
    returns: COMMAND_RETURNS,
    examples: `- name: Pipe and redirect
  shell: somescript.sh >> somelog.txt
  args:
    chdir: somedir/
    creates: somelog.txt

- name: Use bash
  shell: set -o pipefail && cat /etc/passwd | wc -l
  args:
    executable: /bin/bash`,
  },
  args: {
    cmd: { type: 'str', description: 'The command line to run.' },
    executable: { type: 'path', description: 'Change the shell used to execute the command (an absolute path).' },
    ...COMMAND_GUARD_ARGS,
    ...COMMAND_STDIN_ARGS,
  },
  validate(args) {
    return args.cmd === undefined && (args._raw_params === undefined || args._raw_params === '') ? 'no command given' : undefined;
  },
  plan(args, ctx) {
    return planGuarded(args, ctx, args.cmd ?? args._raw_params);
  },
  apply(args, _plan, ctx) {
    const line = String(args.cmd ?? args._raw_params);
    const full = args.executable ? `${quote(args.executable)} -c ${quote(line)}` : line;
    return runCommandLine(ctx, full, line, { chdir: args.chdir, stdin: args.stdin, stdinAddNewline: args.stdin_add_newline, stripEmptyEnds: args.strip_empty_ends });
  },
};
export default shell;
