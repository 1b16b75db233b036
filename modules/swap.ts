/**
 * swap: turn swap off (or on) idempotently, live and in fstab — the `swapoff -a` +
 * "comment out swap in /etc/fstab" steps of Kubernetes guides as one idempotent task.
 * Ansible has no builtin for this; tsplay's name is `swap`.
 */
import type { FileDiff, ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript } from '../engine/modules/remotefile.ts';
import { disableSwapLines } from '../engine/modules/text/fstab.ts';

interface SwapState {
  write?: WriteState;
  command?: string;
}

/** Active swap devices from /proc/swaps text. */
export function activeSwaps(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

const swap: ModuleDef<Record<string, any>, SwapState> = {
  name: 'swap',
  doc: {
    short: 'Turn swap off or on, live and in fstab (tsplay module; Ansible has no builtin)',
    description:
      'state=absent: `swapoff -a` when /proc/swaps lists active swap, and swap lines in fstab commented out (fstab: comment, the default) or removed (fstab: remove) or left alone (fstab: keep). ' +
      'state=present: `swapon -a` when no swap is active and fstab has swap lines. /proc/swaps and fstab are read in ONE command. ' +
      "In a container /proc/swaps shows the shared kernel's swap, which the container may not turn off: that is reported as a failure naming the devices.",
    check: 'full',
    diff: true,
    returns: { active: 'Swap devices active before the task.', msg: 'What was done.' },
    examples: `- name: Disable swap for kubelet (now and after reboots)
  swap:
    state: absent

- name: Disable swap but keep fstab as it is
  swap:
    state: absent
    fstab: keep`,
  },
  args: {
    state: { type: 'str', default: 'absent', choices: ['absent', 'present'], description: 'absent: swap off; present: swap on (swapon -a).' },
    fstab: { type: 'str', default: 'comment', choices: ['comment', 'remove', 'keep'], description: 'With state=absent, what to do with swap lines in fstab.' },
    fstab_path: { type: 'path', default: '/etc/fstab', description: 'The fstab file.' },
  },
  async plan(args, ctx) {
    const fstab = String(args.fstab_path);
    const r = await mustSh(ctx, `echo "==SWAPS=="; cat /proc/swaps 2>/dev/null; echo "==END=="\n${statScript([fstab], { content: 'always', follow: true })}`, 'cannot read swap state');
    const swapsText = /==SWAPS==\n([\s\S]*?)==END==/.exec(r.stdout)?.[1] ?? '';
    const active = activeSwaps(swapsText);
    const [cur] = parseStatOutput(r.stdout, [fstab]);
    const text = cur.exists ? (cur.content ?? Buffer.alloc(0)).toString('utf8') : '';
    const steps: string[] = [];
    const diff: FileDiff[] = [];
    let write: WriteState | undefined;
    let command: string | undefined;
    if (args.state === 'absent') {
      if (active.length) {
        command = 'swapoff -a';
        steps.push(`swapoff ${active.join(' ')}`);
        diff.push(attrDiff('swap', { active: active.join(' ') }, { active: '' }));
      }
      if (args.fstab !== 'keep' && cur.exists) {
        const edit = disableSwapLines(text, args.fstab);
        if (edit.changed) {
          const p = planWrite({ dest: fstab, content: Buffer.from(edit.text) }, cur, ctx.diff);
          write = p.state;
          steps.push(`${fstab}: ${edit.msg}`);
          diff.push(...p.diff);
        }
      }
    } else if (!active.length && /^\s*[^#\s]\S*\s+\S+\s+swap\s/m.test(text)) {
      command = 'swapon -a';
      steps.push('swapon -a');
      diff.push(attrDiff('swap', { active: '' }, { active: '(fstab swap entries)' }));
    }
    return { changed: steps.length > 0, steps, diff, msg: steps.join('; ') || undefined, state: { write, command }, result: { active } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.command) {
      const r = await sh(ctx, st.command);
      if (r.rc !== 0) {
        const still = activeSwaps((await sh(ctx, 'cat /proc/swaps')).stdout);
        if (args.state === 'present' || still.length) {
          fail(`${st.command} failed on ${ctx.host}: ${(r.stderr || r.stdout).trim() || `exit code ${r.rc}`}${still.length ? ` (active: ${still.join(' ')}; in a container the swap belongs to the host kernel)` : ''}`, { rc: r.rc });
        }
      }
    }
    if (st.write) await applyWrite(ctx, st.write);
    return { changed: true, ...plan.result, msg: plan.msg };
  },
};
export default swap;
