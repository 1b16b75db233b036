/** wait_for_connection: wait until the target is reachable and usable again (controller-side loop). */
import type { ModuleDef } from '../engine/types.ts';
import { pause, pollUntil } from '../engine/modules/poll.ts';

const waitForConnection: ModuleDef = {
  name: 'wait_for_connection',
  doc: {
    short: 'Waits until remote system is reachable/usable',
    description: 'Retries a trivial command over the host\'s connection (which reconnects after a drop) until it works or timeout passes. Runs in check mode too.',
    check: 'full',
    diff: false,
    returns: { elapsed: 'Seconds it took for the connection to work.' },
    examples: `- name: Wait 300 seconds for the host, starting after 10
  wait_for_connection:
    delay: 10
    timeout: 300`,
  },
  args: {
    delay: { type: 'int', default: 0, description: 'Seconds to wait before starting to poll.' },
    sleep: { type: 'int', default: 1, description: 'Seconds to sleep between checks.' },
    timeout: { type: 'int', default: 600, description: 'Maximum number of seconds to wait for.' },
    connect_timeout: { type: 'int', default: 5, description: 'Maximum seconds for one check.' },
  },
  async plan(args, ctx) {
    await pause(Number(args.delay) * 1000);
    const elapsed = await pollUntil(async () => (await ctx.conn.exec('true', { timeoutMs: Number(args.connect_timeout) * 1000 })).rc === 0, Number(args.timeout), Number(args.sleep));
    if (elapsed === undefined) return { changed: false, failed: true, msg: `timed out waiting for connection to ${ctx.host} after ${args.timeout} seconds`, result: { elapsed: Number(args.timeout) } };
    return { changed: false, result: { elapsed: elapsed + Number(args.delay) } };
  },
};
export default waitForConnection;
