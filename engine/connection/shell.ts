/** POSIX shell quoting and command-line assembly for commands sent to targets. */

/** Quote a string for POSIX sh as one word ('...' with embedded quotes escaped). */
export function shQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** A valid shell variable name (for `export NAME=...`). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/**
 * The command line run on the target: `cd DIR && export K='v' ...; COMMAND`.
 * Throws on an invalid environment variable name (it could inject shell code).
 */
export function buildCommandLine(command: string, opts: { env?: Record<string, string>; cwd?: string } = {}): string {
  const parts: string[] = [];
  if (opts.env) {
    for (const [k, v] of Object.entries(opts.env)) {
      if (!isEnvName(k)) throw new Error(`invalid environment variable name '${k}'`);
      parts.push(`export ${k}=${shQuote(String(v))}`);
    }
  }
  let line = command;
  if (parts.length) line = `${parts.join('; ')}; ${line}`;
  if (opts.cwd) line = `cd ${shQuote(opts.cwd)} || exit 1; ${line}`;
  return line;
}
