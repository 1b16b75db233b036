/** POSIX shell quoting for values sent to remote /bin/sh command lines. */
import { shQuote } from '../connection/shell.ts';
import { shellSplit } from '../connection/sshargs.ts';

/** Quote one word for /bin/sh: safe words stay bare, everything else is single-quoted. */
export function quote(word: string | number): string {
  return shQuote(String(word));
}

/** Quote every word and join them with spaces (an argv as a command line). */
export function quoteArgv(argv: readonly (string | number)[]): string {
  return argv.map(quote).join(' ');
}

/**
 * Split a command line into words the way Python's shlex.split does (Ansible's `command`):
 * single and double quotes, backslash escapes, no expansion. An unclosed quote is an error,
 * as in Python.
 */
export function shlexSplit(line: string): string[] {
  const rest = line.replace(/'[^']*'|"(?:[^"\\]|\\.)*"|\\./gs, '');
  if (/['"]/.test(rest)) throw new Error('No closing quotation');
  return shellSplit(line);
}
