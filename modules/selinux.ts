/** selinux: change the policy and state of SELinux (config file + setenforce). */
import type { FileDiff, ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript } from '../engine/modules/remotefile.ts';
import { lineInFile } from '../engine/modules/text/lineinfile.ts';

interface SeState {
  write?: WriteState;
  setenforce?: string;
}

const selinux: ModuleDef<Record<string, any>, SeState> = {
  name: 'selinux',
  doc: {
    short: 'Change policy and state of SELinux',
    description:
      'Writes SELINUX= and SELINUXTYPE= in the config file and, where SELinux is enabled, switches the running mode with setenforce. ' +
      'Where SELinux is absent (no config file and no /sys/fs/selinux, as on Debian) the task is a no-op (ok) with a message saying so. ' +
      'Going to or from disabled needs a reboot: reported as reboot_required.',
    check: 'full',
    diff: true,
    returns: { msg: 'What was done.', configfile: 'Path of the config file.', policy: 'Policy name.', state: 'SELinux mode.', reboot_required: 'Whether a reboot is needed for the change to take effect.' },
    examples: `- name: Put SELinux in permissive mode, logging actions that would be blocked
  selinux:
    policy: targeted
    state: permissive

- name: Disable SELinux
  selinux:
    state: disabled`,
  },
  args: {
    state: { type: 'str', required: true, choices: ['disabled', 'enforcing', 'permissive'], description: 'The SELinux mode.' },
    policy: { type: 'str', description: 'The name of the SELinux policy (e.g. targeted). Required unless state=disabled (then the current one is kept).' },
    configfile: { type: 'str', default: '/etc/selinux/config', aliases: ['conf', 'file'], description: 'The path to the SELinux configuration file.' },
    update_kernel_param: { type: 'bool', default: false, description: 'Accepted for compatibility (kernel command line is not changed).' },
  },
  async plan(args, ctx) {
    const cfg = String(args.configfile);
    const probe = `if [ -d /sys/fs/selinux ] && command -v getenforce >/dev/null 2>&1; then echo "RUNNING $(getenforce)"; fi`;
    const r = await mustSh(ctx, `${probe}\n${statScript([cfg], { content: 'always', follow: true })}`, `cannot read ${cfg}`);
    const running = /^RUNNING (\w+)/m.exec(r.stdout.split('==TSPLAY==')[0])?.[1]?.toLowerCase();
    const [cur] = parseStatOutput(r.stdout, [cfg]);
    const base = { configfile: cfg, policy: args.policy, state: args.state, reboot_required: false };
    if (!cur.exists && !running) {
      return { changed: false, msg: `SELinux is not present on ${ctx.host} (no ${cfg}, not enabled in the kernel): nothing to do`, result: base };
    }
    if (args.state !== 'disabled' && !args.policy) fail('policy is required if state is not \'disabled\'');
    const text = cur.exists ? (cur.content ?? Buffer.alloc(0)).toString('utf8') : '';
    const confState = /^SELINUX=(\S*)/m.exec(text)?.[1];
    let edited = lineInFile(text, { state: 'present', regexp: '^SELINUX=', line: `SELINUX=${args.state}` }).text;
    if (args.policy) edited = lineInFile(edited, { state: 'present', regexp: '^SELINUXTYPE=', line: `SELINUXTYPE=${args.policy}` }).text;
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    const msgs: string[] = [];
    let write: WriteState | undefined;
    let reboot = false;
    if (edited !== text) {
      const p = planWrite({ dest: cfg, content: Buffer.from(edited), makeParent: true }, cur, ctx.diff);
      write = p.state;
      steps.push(`write ${cfg}`);
      diff.push(...p.diff);
      if (confState !== args.state) msgs.push(`Config SELinux state changed from '${confState ?? 'unset'}' to '${args.state}'`);
      if ((confState === 'disabled') !== (args.state === 'disabled')) reboot = true;
    }
    let setenforce: string | undefined;
    if (running && running !== 'disabled' && args.state !== 'disabled' && running !== args.state) {
      setenforce = `setenforce ${args.state === 'enforcing' ? 1 : 0}`;
      steps.push(setenforce);
      diff.push(attrDiff('selinux', { running }, { running: args.state }));
      msgs.push(`Running SELinux mode changed from '${running}' to '${args.state}'`);
    }
    if (running === 'disabled' && args.state !== 'disabled') reboot = true;
    if (reboot) msgs.push('reboot required for the new state to take effect');
    return { changed: steps.length > 0, steps, diff, msg: msgs.join(', ') || undefined, state: { write, setenforce }, result: { ...base, reboot_required: reboot } };
  },
  async apply(_args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.write) await applyWrite(ctx, st.write);
    if (st.setenforce) await mustSh(ctx, st.setenforce, 'setenforce failed');
    return { changed: true, ...plan.result, msg: plan.msg };
  },
};
export default selinux;
