/** script: copy a local script to the target and run it there (through its shebang or `executable`). */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ModuleDef } from '../engine/types.ts';
import { COMMAND_GUARD_ARGS, COMMAND_RETURNS, planGuarded, timedResult } from '../engine/modules/command.ts';
import { localFile } from '../engine/modules/local.ts';
import { runTransferred } from '../engine/modules/transfer.ts';

/** Split "path/to/script.sh arg1 arg2" into the script and the rest of the line. */
function splitLine(line: string): [string, string] {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(line);
  return m ? [m[1], m[2]] : [line, ''];
}

const script: ModuleDef = {
  name: 'script',
  freeForm: true,
  doc: {
    short: 'Runs a local script on a remote node after transferring it',
    description:
      'The local script (found like Ansible: role files/, playbook files/, playbook dir) is sent to a private temp directory on the target, run with the given arguments (passed through the shell), then removed. Skipped in check mode unless creates/removes decide it would not run.',
    check: 'none',
    diff: false,
    returns: COMMAND_RETURNS,
    examples: `- name: Run a script with arguments
  script: /some/local/script.sh --some-argument 1234

- name: Run a script only if file.txt does not exist
  script: /some/local/create_file.sh
  args:
    creates: /the/created/file.txt

- name: Run a python script
  script: some_local_script.py
  args:
    executable: python3`,
  },
  args: {
    cmd: { type: 'str', description: 'Path to the local script followed by optional arguments.' },
    executable: { type: 'str', description: 'Name or path of an executable to invoke the script with.' },
    ...COMMAND_GUARD_ARGS,
  },
  validate(args) {
    return args.cmd === undefined && !args._raw_params ? 'no script given' : undefined;
  },
  plan(args, ctx) {
    return planGuarded(args, ctx, args.cmd ?? args._raw_params);
  },
  apply(args, _plan, ctx) {
    const line = String(args.cmd ?? args._raw_params);
    const [path, rest] = splitLine(line);
    const content = readFileSync(localFile(ctx, 'files', path));
    return timedResult(line, () => runTransferred(ctx, basename(path), content, { argsLine: rest, executable: args.executable, chdir: args.chdir }));
  },
};
export default script;
