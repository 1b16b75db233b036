/** reboot: reboot the machine, wait for it to come back (new boot id) and respond to a test command. */
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { sh } from '../engine/modules/remote.ts';
import { pollUntil } from '../engine/modules/poll.ts';

const reboot: ModuleDef<Record<string, any>, { bootId: string }> = {
  name: 'reboot',
  doc: {
    short: 'Reboot a machine',
    description:
      'Runs the reboot command (default `systemctl reboot`) detached, waits for the connection to come back with a different boot id (boot_time_command), then runs test_command. ' +
      'Check mode reports changed without rebooting.',
    check: 'full',
    diff: false,
    returns: { rebooted: 'true if the machine was rebooted.', elapsed: 'Seconds waited for the machine to come back.' },
    examples: `- name: Reboot after the kernel parameters changed
  reboot:
    reboot_timeout: 600
    msg: Reboot by tsplay`,
  },
  args: {
    reboot_timeout: { type: 'int', default: 600, description: 'Maximum seconds to wait for the machine to reboot and respond to a test command.' },
    connect_timeout: { type: 'int', description: 'Maximum seconds for one connection attempt.' },
    pre_reboot_delay: { type: 'int', default: 0, description: 'Seconds to wait before the reboot.' },
    post_reboot_delay: { type: 'int', default: 0, description: 'Seconds to wait after the reboot command succeeded before validation.' },
    test_command: { type: 'str', default: 'whoami', description: 'Command run on the rebooted host; success means it is ready.' },
    msg: { type: 'str', default: 'Reboot initiated by Ansible', description: 'Message shown to logged-in users (wall) before the reboot.' },
    reboot_command: { type: 'str', default: 'systemctl reboot', description: 'Command that reboots the host.' },
    boot_time_command: { type: 'str', default: 'cat /proc/sys/kernel/random/boot_id', description: 'Command whose output changes on every boot.' },
    search_paths: { type: 'list', elements: 'str', description: 'Accepted for compatibility.' },
  },
  async plan(args, ctx) {
    const r = await sh(ctx, args.boot_time_command);
    if (r.rc !== 0) fail(`cannot read the boot id with '${args.boot_time_command}': ${r.stderr.trim()}`);
    return { changed: true, steps: [`reboot ${ctx.host} (${args.reboot_command})`], state: { bootId: r.stdout.trim() }, result: { rebooted: false } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const start = Date.now();
    const wall = args.msg ? `wall ${JSON.stringify(String(args.msg))} >/dev/null 2>&1; ` : '';
    // detached so the command returns before the connection drops
    await sh(ctx, `${wall}(sleep ${Math.max(1, Number(args.pre_reboot_delay))}; ${args.reboot_command}) >/dev/null 2>&1 </dev/null &`).catch(() => undefined);
    const ct = (args.connect_timeout ?? 10) * 1000;
    const back = await pollUntil(
      async () => {
        const r = await ctx.conn.exec(args.boot_time_command, { timeoutMs: ct });
        return r.rc === 0 && r.stdout.trim() !== '' && r.stdout.trim() !== plan.state!.bootId;
      },
      Number(args.reboot_timeout),
      2,
    );
    if (back === undefined) fail(`Timed out waiting for ${ctx.host} to reboot (boot id unchanged after ${args.reboot_timeout}s)`, { rebooted: false });
    await new Promise((r) => setTimeout(r, Number(args.post_reboot_delay) * 1000));
    const left = Math.max(5, Number(args.reboot_timeout) - (Date.now() - start) / 1000);
    const ready = await pollUntil(async () => (await ctx.conn.exec(args.test_command, { timeoutMs: ct })).rc === 0, left, 2);
    if (ready === undefined) fail(`${ctx.host} rebooted but test_command '${args.test_command}' did not succeed in time`, { rebooted: true });
    return { changed: true, rebooted: true, elapsed: Math.round((Date.now() - start) / 1000) };
  },
};
export default reboot;
