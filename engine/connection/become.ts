/**
 * Privilege escalation: wrap a command line for sudo or su.
 * sudo runs as `sudo -H -S -p '<random prompt>' -u USER /bin/sh -c 'echo <marker>; CMD'`:
 * the driver waits for either the prompt on stderr (then writes the password to stdin) or the
 * success marker on stdout (then the command's own stdin follows). The password is never part of
 * any command line. su reads passwords from a terminal, so su with a password runs under a pty and
 * its stdin is passed as an exact byte count after the marker (`head -c N`).
 */
import { randomBytes } from 'node:crypto';
import type { BecomeSpec } from '../types.ts';
import { shQuote, buildCommandLine } from './shell.ts';

/** A command ready to be sent, plus what the driver needs to complete privilege escalation. */
export interface WrappedCommand {
  /** The full command line sent to the target (contains no password). */
  command: string;
  /** Run under a pseudo-terminal (su with a password). */
  pty: boolean;
  /** Present when become is used. */
  become?: {
    method: 'sudo' | 'su';
    user: string;
    /** Printed on stdout by the inner shell once privileges are obtained. */
    successMarker: string;
    /** sudo: the exact prompt text; su: a regular expression source matching its prompt. */
    prompt: string;
    password?: string;
  };
}

/** A random id for markers (hex, unguessable). */
export function randomMarker(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/** The regex source for su's password prompt (localised variants included). */
export const SU_PROMPT_RE = '(?:^|\\n|\\r)[^\\n\\r]*(?:[Pp]assword|[Pp]asswort|[Mm]ot de passe|[Cc]ontraseña|[Ss]enha|密码|パスワード)[^\\n\\r]*[:：] ?$';

/**
 * Wrap `inner` (an already assembled command line) for become. Without `spec` the command is
 * returned unchanged. `stdinLength` is needed for su with a password (pty mode).
 */
export function wrapBecome(inner: string, spec?: BecomeSpec, opts: { marker?: string; stdinLength?: number } = {}): WrappedCommand {
  if (!spec) return { command: inner, pty: false };
  const id = opts.marker ?? randomMarker('x');
  const successMarker = `BECOME-SUCCESS-${id}`;
  const user = spec.user || 'root';
  if (spec.method === 'sudo') {
    const prompt = `[tsplay-sudo-${id}] password: `;
    // Ansible's sudo flags often contain -n (non-interactive); with a password it must go.
    let flags = spec.flags ?? '-H';
    if (spec.password !== undefined) flags = flags.split(/\s+/).filter((f) => f !== '-n' && f !== '--non-interactive').join(' ');
    const shell = `/bin/sh -c ${shQuote(`echo ${successMarker}; ${inner}`)}`;
    return {
      command: `sudo ${flags} -S -p ${shQuote(prompt)} -u ${shQuote(user)} ${shell}`,
      pty: false,
      become: { method: 'sudo', user, successMarker, prompt, ...(spec.password !== undefined ? { password: spec.password } : {}) },
    };
  }
  // su
  const flags = spec.flags ?? '';
  if (spec.password === undefined) {
    const shell = `echo ${successMarker}; ${inner}`;
    return {
      command: `su ${flags ? flags + ' ' : ''}-s /bin/sh ${shQuote(user)} -c ${shQuote(shell)}`,
      pty: false,
      become: { method: 'su', user, successMarker, prompt: SU_PROMPT_RE },
    };
  }
  // pty: raw mode, no echo, then exactly N bytes of stdin for the command.
  const n = opts.stdinLength ?? 0;
  const feed = n > 0 ? `head -c ${n} | ` : '';
  const tail = n > 0 ? `${feed}( ${inner} )` : `( ${inner} ) </dev/null`;
  const shell = `stty raw -echo 2>/dev/null; echo ${successMarker}; ${tail}`;
  return {
    command: `su ${flags ? flags + ' ' : ''}-s /bin/sh ${shQuote(user)} -c ${shQuote(shell)}`,
    pty: true,
    become: { method: 'su', user, successMarker, prompt: SU_PROMPT_RE, password: spec.password },
  };
}

/** Assemble env/cwd and become in one call (what connections send). */
export function prepareCommand(command: string, opts: { env?: Record<string, string>; cwd?: string; become?: BecomeSpec; stdinLength?: number; marker?: string }): WrappedCommand {
  return wrapBecome(buildCommandLine(command, opts), opts.become, { marker: opts.marker, stdinLength: opts.stdinLength });
}
