/** wait_for: wait for a port, a file or a regex in it, as ONE remote shell loop. */
import type { ModuleDef } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { quote } from '../engine/modules/quote.ts';
import { sh } from '../engine/modules/remote.ts';

/** The shell test for one iteration (exit 0 when the wanted condition holds). */
export function waitCondition(a: Record<string, any>): string {
  const ct = Number(a.connect_timeout);
  if (a.path !== undefined) {
    const p = quote(a.path);
    if (a.state === 'absent' || a.state === 'stopped') return `[ ! -e ${p} ]`;
    if (a.search_regex !== undefined) return `[ -r ${p} ] && grep -Pq -- ${quote(a.search_regex)} ${p}`;
    return `[ -e ${p} ]`;
  }
  const dev = `/dev/tcp/${a.host}/${a.port}`;
  const open = `timeout ${ct} bash -c ${quote(`exec 3<>${dev}`)} 2>/dev/null`;
  if (a.state === 'stopped') return `! ${open}`;
  if (a.state === 'drained') {
    return `[ "$(ss -Htn state established '( sport = :${Number(a.port)} )' 2>/dev/null | wc -l)" -eq 0 ]`;
  }
  if (a.search_regex !== undefined) {
    return `timeout ${ct} bash -c ${quote(`exec 3<>${dev}; cat <&3`)} 2>/dev/null | grep -Pq -- ${quote(a.search_regex)}`;
  }
  return open;
}

const waitFor: ModuleDef = {
  name: 'wait_for',
  doc: {
    short: 'Waits for a condition before continuing',
    description:
      'Waits on the target for a TCP port to open/close/drain, or a file to appear/disappear or contain a regex (PCRE, like Python re). ' +
      'The whole wait runs on the target as ONE shell loop (bash /dev/tcp for ports, ss for drained). Runs in check mode too (it changes nothing).',
    check: 'full',
    diff: false,
    returns: { elapsed: 'Seconds waited.', state: 'The state waited for.', port: 'Port waited for.', path: 'File waited for.', match_groups: 'Not reported (search_regex matches are checked on the target).' },
    examples: `- name: Wait for the API server port
  wait_for:
    host: 127.0.0.1
    port: 6443
    timeout: 120

- name: Wait until the string "completed" is in the file
  wait_for:
    path: /tmp/foo
    search_regex: completed

- name: Wait for a lock file to go away
  wait_for:
    path: /var/lock/file.lock
    state: absent`,
  },
  args: {
    host: { type: 'str', default: '127.0.0.1', description: 'A resolvable hostname or IP address to wait for (seen from the target).' },
    port: { type: 'int', description: 'Port number to poll.' },
    path: { type: 'path', description: 'Path to a file on the target.' },
    state: { type: 'str', default: 'started', choices: ['absent', 'drained', 'present', 'started', 'stopped'], description: 'started/present: port open or file present; stopped/absent: port closed or file absent; drained: no established connections on the port.' },
    search_regex: { type: 'str', description: 'Regex to match in the file or in the data read from the socket.' },
    timeout: { type: 'int', default: 300, description: 'Maximum number of seconds to wait for.' },
    delay: { type: 'int', default: 0, description: 'Seconds to wait before starting to poll.' },
    sleep: { type: 'int', default: 1, description: 'Seconds to sleep between checks.' },
    connect_timeout: { type: 'int', default: 5, description: 'Maximum seconds to wait for a connection to happen before closing and retrying.' },
    msg: { type: 'str', description: 'Message to use on failure instead of the default.' },
    active_connection_states: { type: 'list', elements: 'str', description: 'Accepted for compatibility (drained counts established connections).' },
    exclude_hosts: { type: 'list', elements: 'str', description: 'Accepted for compatibility.' },
  },
  validate(a) {
    if (a.port !== undefined && a.path !== undefined) return 'port and path parameter can not both be passed to wait_for';
    if (a.path !== undefined && a.state === 'drained') return 'state=drained should only be used for checking a port in the wait_for module';
    if (a.port === undefined && a.path === undefined && a.state !== 'started' && a.state !== 'stopped') return 'path or port is required';
    return undefined;
  },
  async plan(args, ctx) {
    if (args.port === undefined && args.path === undefined) {
      // Ansible: with neither, just sleep `timeout` seconds
      await sh(ctx, `sleep ${Number(args.delay) + Number(args.timeout)}`, { timeoutMs: (Number(args.delay) + Number(args.timeout) + 30) * 1000 });
      return { changed: false, result: { elapsed: Number(args.delay) + Number(args.timeout) } };
    }
    const cond = waitCondition(args);
    const script = [
      `start=$(date +%s); sleep ${Number(args.delay)}; end=$(( $(date +%s) + ${Number(args.timeout)} ))`,
      `while :; do if ${cond}; then echo "ELAPSED $(( $(date +%s) - start ))"; exit 0; fi`,
      `  [ "$(date +%s)" -ge "$end" ] && { echo "ELAPSED $(( $(date +%s) - start ))"; exit 3; }`,
      `  sleep ${Number(args.sleep)}; done`,
    ].join('\n');
    const r = await sh(ctx, script, { timeoutMs: (Number(args.delay) + Number(args.timeout) + 60) * 1000 });
    const elapsed = Number(/ELAPSED (\d+)/.exec(r.stdout)?.[1] ?? 0);
    const what = args.path !== undefined ? `file ${args.path}` : `${args.host}:${args.port}`;
    const result = { elapsed, state: args.state, ...(args.port !== undefined ? { port: args.port } : {}), ...(args.path !== undefined ? { path: args.path } : {}), ...(args.search_regex !== undefined ? { search_regex: args.search_regex } : {}) };
    if (r.rc === 3) {
      const dflt =
        args.search_regex !== undefined
          ? `Timeout when waiting for search string ${args.search_regex} in ${what}`
          : args.state === 'stopped' || args.state === 'absent'
            ? `Timeout when waiting for ${what} to ${args.path !== undefined ? 'be absent' : 'stop'}.`
            : args.state === 'drained'
              ? `Timeout when waiting for ${what} to drain`
              : `Timeout when waiting for ${what}`;
      return { changed: false, failed: true, msg: args.msg ?? dflt, result };
    }
    if (r.rc !== 0) fail(`wait_for could not run on ${ctx.host}: ${(r.stderr || r.stdout).trim()}`, { rc: r.rc });
    return { changed: false, result };
  },
};
export default waitFor;
