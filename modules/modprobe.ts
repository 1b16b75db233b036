/** modprobe: load or unload kernel modules, optionally persistent across reboots. */
import type { FileDiff, ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript } from '../engine/modules/remotefile.ts';

interface ModState {
  command?: string;
  writes: WriteState[];
  removes: string[];
}

const modprobe: ModuleDef<Record<string, any>, ModState> = {
  name: 'modprobe',
  doc: {
    short: 'Load or unload kernel modules',
    description:
      'A module counts as loaded when it is in /proc/modules or built into the kernel (/sys/module/NAME without initstate, or listed in modules.builtin). ' +
      'persistent=present writes /etc/modules-load.d/NAME.conf (and /etc/modprobe.d/NAME.conf with the params); absent removes them. ' +
      'Where the modprobe binary is missing (e.g. a container without kmod) and the module is not loaded, the task fails with a clear message.',
    check: 'full',
    diff: true,
    returns: { name: 'Module name.', params: 'Module parameters.', state: 'present or absent.' },
    examples: `- name: Load the modules Kubernetes needs, now and at boot
  modprobe:
    name: "{{ item }}"
    state: present
    persistent: present
  loop: [overlay, br_netfilter]`,
  },
  args: {
    name: { type: 'str', required: true, description: 'Name of the kernel module.' },
    state: { type: 'str', default: 'present', choices: ['absent', 'present'], description: 'Whether the module should be loaded.' },
    params: { type: 'str', default: '', description: 'Module parameters (e.g. "numdummies=2").' },
    persistent: { type: 'str', default: 'disabled', choices: ['disabled', 'absent', 'present'], description: 'Persistence across reboots via /etc/modules-load.d and /etc/modprobe.d.' },
  },
  async plan(args, ctx) {
    const name = String(args.name);
    const n = name.replace(/-/g, '_');
    const loadFile = `/etc/modules-load.d/${name}.conf`;
    const optFile = `/etc/modprobe.d/${name}.conf`;
    const probe = [
      `n=${quote(n)}`,
      `if grep -q "^$n " /proc/modules 2>/dev/null; then echo LOADED`,
      `elif [ -d "/sys/module/$n" ] && [ ! -e "/sys/module/$n/initstate" ]; then echo BUILTIN`,
      `elif grep -qE "/$n\\.ko(\\.[a-z]+)?$" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; then echo BUILTIN; fi`,
      `command -v modprobe >/dev/null 2>&1 && echo HAVE_MODPROBE`,
      `echo "KERNEL $(uname -r)"`,
    ].join('\n');
    const files = args.persistent !== 'disabled' ? [loadFile, optFile] : [];
    const r = await mustSh(ctx, `${probe}\n${statScript(files, { content: 'always', follow: true })}`, `cannot inspect kernel module ${name}`);
    const head = r.stdout.split('==TSPLAY==')[0];
    const loaded = /^LOADED$/m.test(head);
    const builtin = /^BUILTIN$/m.test(head);
    const haveModprobe = /^HAVE_MODPROBE$/m.test(head);
    const kernel = /^KERNEL (.*)$/m.exec(head)?.[1] ?? '';
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    let command: string | undefined;
    const isLoaded = loaded || builtin;
    if (args.state === 'present' && !isLoaded) {
      if (!haveModprobe) fail(`kernel module ${name} is not loaded and modprobe is not installed on ${ctx.host} (kernel ${kernel}); in a container, load it on the host machine`);
      command = `modprobe ${quote(name)} ${args.params}`.trim();
      steps.push(`load kernel module ${name}`);
      diff.push(attrDiff(name, { state: 'absent' }, { state: 'present' }));
    } else if (args.state === 'absent' && loaded) {
      if (!haveModprobe) fail(`kernel module ${name} is loaded and modprobe is not installed on ${ctx.host}: cannot unload it`);
      command = `modprobe -r ${quote(name)}`;
      steps.push(`unload kernel module ${name}`);
      diff.push(attrDiff(name, { state: 'present' }, { state: 'absent' }));
    } else if (args.state === 'absent' && builtin) {
      fail(`kernel module ${name} is built into the kernel and cannot be unloaded`);
    }
    const writes: WriteState[] = [];
    const removes: string[] = [];
    if (files.length) {
      const [lf, of] = parseStatOutput(r.stdout, files);
      if (args.persistent === 'present') {
        const want: [string, typeof lf, string | undefined][] = [[loadFile, lf, `${name}\n`], [optFile, of, args.params ? `options ${name} ${args.params}\n` : undefined]];
        for (const [path, cur, content] of want) {
          if (content === undefined) continue;
          const p = planWrite({ dest: path, content: Buffer.from(content), makeParent: true }, cur, ctx.diff);
          if (p.changed) {
            writes.push(p.state);
            steps.push(...p.steps);
            diff.push(...p.diff);
          }
        }
      } else {
        for (const [path, cur] of [[loadFile, lf], [optFile, of]] as const) {
          if (cur.exists) {
            removes.push(path);
            steps.push(`remove ${path}`);
            diff.push(attrDiff(path, { state: 'file' }, { state: 'absent' }));
          }
        }
      }
    }
    const changed = steps.length > 0;
    return { changed, steps, diff, state: { command, writes, removes }, result: { name, params: args.params, state: args.state, ...(builtin ? { builtin: true } : {}) } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.command) await mustSh(ctx, st.command, `modprobe ${args.name} failed`);
    for (const w of st.writes) await applyWrite(ctx, w);
    if (st.removes.length) await mustSh(ctx, `rm -f -- ${st.removes.map(quote).join(' ')}`, 'cannot remove persistence files');
    return { changed: true, ...plan.result };
  },
};
export default modprobe;
