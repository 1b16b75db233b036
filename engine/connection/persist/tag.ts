/**
 * Killing one client's commands on a shared connection. Every command a client runs through
 * the keeper is started as `TSPLAY_MUX=<client token> /bin/sh -c '<command>'`: the token is in the
 * environment of the command's shell and of everything it starts (environ is inherited, also
 * under become, where it is set inside the privileged shell). To kill a client's commands, the
 * keeper runs killScript(token) with the commands' become: it finds the processes whose
 * /proc/PID/environ holds the token, walks their descendants, and sends TERM, then KILL a second
 * later, as SshConnection.close() does for its process groups.
 */
import { randomBytes } from 'node:crypto';
import { shQuote } from '../shell.ts';

/** Environment variable that tags a client's commands. */
export const MUX_ENV = 'TSPLAY_MUX';

/** A new unguessable client token. */
export function newToken(): string {
  return randomBytes(12).toString('hex');
}

/** The command line that runs `command` tagged with `token`. */
export function tagCommand(command: string, token: string): string {
  return `${MUX_ENV}=${token} /bin/sh -c ${shQuote(command)}`;
}

/** The sh script that kills every process tagged with `token` and their descendants. */
export function killScript(token: string): string {
  return [
    `tok=${MUX_ENV}=${token}`,
    `roots=$(grep -l -a -F -e "$tok" /proc/[0-9]*/environ 2>/dev/null | sed -n 's|^/proc/\\([0-9]*\\)/environ$|\\1|p')`,
    `[ -n "$roots" ] || exit 0`,
    `kids() { if command -v pgrep >/dev/null 2>&1; then pgrep -P "$1"; else for f in /proc/[0-9]*/stat; do set -- "$1" $(cat "$f" 2>/dev/null); [ "$5" = "$1" ] && echo "$2"; done; fi; }`,
    `t=''`,
    `walk() { case " $t " in *" $1 "*) return;; esac; t="$t $1"; for c in $(kids "$1"); do walk "$c"; done; }`,
    `for p in $roots; do walk "$p"; done`,
    `for x in $t; do kill -TERM "$x" 2>/dev/null; done`,
    `sleep 1`,
    `for x in $t; do kill -KILL "$x" 2>/dev/null; done`,
    `true`,
  ].join('\n');
}
