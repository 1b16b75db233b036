/** raw: send a command line as-is over the connection (no guards, no module machinery). */
import type { ModuleDef } from '../engine/types.ts';
import { runCommandLine } from '../engine/modules/command.ts';
import { quote } from '../engine/modules/quote.ts';

const raw: ModuleDef = {
  name: 'raw',
  freeForm: true,
  doc: {
    short: 'Execute a low-down and dirty command',
    description: 'Sends the command line unchanged to the target. Useful before Python or anything else is installed. Skipped in check mode.',
    check: 'none',
    diff: false,
    returns: { rc: 'Return code.', stdout: 'Standard output.', stderr: 'Standard error.', stdout_lines: 'Standard output in lines.' },
    examples: `- name: Bootstrap a host without python
  raw: apt-get -y install python3`,
  },
  args: {
    executable: { type: 'path', description: 'Change the shell used to execute the command.' },
  },
  validate(args) {
    return args._raw_params === undefined || args._raw_params === '' ? 'no command given' : undefined;
  },
  async plan() {
    return { changed: true, skipInCheck: true };
  },
  apply(args, _plan, ctx) {
    const line = String(args._raw_params);
    return runCommandLine(ctx, args.executable ? `${quote(args.executable)} -c ${quote(line)}` : line, line, { stripEmptyEnds: false });
  },
};
export default raw;
