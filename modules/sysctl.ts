/** sysctl: manage entries in sysctl.conf and the live kernel value. */
import { posix } from 'node:path';
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { contentDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, planWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript } from '../engine/modules/remotefile.ts';
import { fixSysctlLines, normalizeSysctlValue, procPath, sysctlFileValue, sysctlValuesEqual } from '../engine/modules/text/sysctlconf.ts';

interface SysctlState {
  write?: WriteState;
  setLive: boolean;
}

const sysctl: ModuleDef<Record<string, any>, SysctlState> = {
  name: 'sysctl',
  doc: {
    short: 'Manage entries in sysctl.conf',
    description:
      'Adds, updates or removes a `key=value` line in sysctl_file (lines are normalised to `k=v` as Ansible does) and sets the live value. ' +
      'Idempotent on both: the file line and (with reload or sysctl_set) the live value under /proc/sys. Only the given key is set live (`sysctl -w`), so other read-only keys in the file do not break the task. ' +
      'A key the host may not change (in a container vm.* and kernel.* belong to the shared kernel and /proc/sys is read-only) fails the task with a clear message, ' +
      'or with ignoreerrors=yes the file is still written and the live value left alone (reported in msg).',
    check: 'full',
    diff: true,
    returns: { msg: 'What was done, including a note when the live value could not be set.', live_value: 'The live value before the task (absent when the key does not exist).' },
    examples: `- name: Enable IP forwarding now and on boot
  sysctl:
    name: net.ipv4.ip_forward
    value: '1'
    sysctl_file: /etc/sysctl.d/99-kubernetes.conf
    sysctl_set: yes

- name: Set swappiness in the file even where the kernel value is read-only
  sysctl:
    name: vm.swappiness
    value: '10'
    ignoreerrors: yes`,
  },
  args: {
    name: { type: 'str', required: true, aliases: ['key'], description: 'The dot-separated path (key) of the sysctl variable.' },
    value: { type: 'str', aliases: ['val'], description: 'Desired value (yes/no become 1/0). Required for state=present.' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'Whether the entry should be present or absent in the sysctl file.' },
    sysctl_file: { type: 'path', default: '/etc/sysctl.conf', description: 'The file to write.' },
    reload: { type: 'bool', default: true, description: 'Set the live value when the entry changes (and converge it when it differs).' },
    sysctl_set: { type: 'bool', default: false, description: 'Verify the live value and set it when it differs (sysctl -w).' },
    ignoreerrors: { type: 'bool', default: false, description: 'Ignore errors about unknown or read-only keys: the file is still written.' },
  },
  validate(a) {
    return a.state === 'present' && (a.value === undefined || a.value === '') ? 'value is required with state=present' : undefined;
  },
  async plan(args, ctx) {
    const key = String(args.name).trim();
    const value = args.value !== undefined ? normalizeSysctlValue(String(args.value)) : undefined;
    const proc = procPath(key);
    const file = String(args.sysctl_file);
    const script = [
      `p=${quote(proc)}; if [ -e "$p" ]; then printf 'LIVE %s\\n' "$(cat "$p" 2>/dev/null | head -n1)"; [ -w "$p" ] && echo WRITABLE; else echo NOKEY; fi`,
      statScript([file, posix.dirname(file)], { content: 'always', follow: true }),
    ].join('\n');
    const r = await mustSh(ctx, script, `cannot read ${file}`);
    const head = r.stdout.slice(0, r.stdout.indexOf('==TSPLAY=='));
    const [cur, dir] = parseStatOutput(r.stdout, [file, posix.dirname(file)]);
    if (!dir.exists) fail(`Destination directory ${posix.dirname(file)} does not exist`);
    const live = /^LIVE (.*)$/m.exec(head)?.[1];
    const writable = /^WRITABLE$/m.test(head);
    const noKey = /^NOKEY$/m.test(head);
    const text = cur.exists ? (cur.content ?? Buffer.alloc(0)).toString('utf8') : '';
    const inFile = sysctlFileValue(text, key);
    const fileChanged = args.state === 'present' ? !sysctlValuesEqual(inFile, value) : inFile !== undefined;
    const steps: string[] = [];
    const notes: string[] = [];
    let write: WriteState | undefined;
    const diff = [];
    if (fileChanged) {
      const newText = fixSysctlLines(text, key, value, args.state);
      const p = planWrite({ dest: file, content: Buffer.from(newText) }, cur, false);
      write = p.state;
      steps.push(args.state === 'present' ? `set ${key}=${value} in ${file}` : `remove ${key} from ${file}`);
      if (ctx.diff) diff.push(contentDiff(file, cur.exists ? text : undefined, newText));
    }
    let setLive = false;
    if (args.state === 'present' && (args.reload || args.sysctl_set)) {
      const liveDiffers = !sysctlValuesEqual(live, value);
      if (noKey) {
        if (!args.ignoreerrors) fail(`sysctl key ${key} does not exist on this host (${proc} is missing); set ignoreerrors: yes to only write ${file}`);
        notes.push(`key ${key} does not exist on this host: only ${file} was written`);
      } else if (liveDiffers && (fileChanged || args.sysctl_set || args.reload)) {
        if (!writable) {
          if (!args.ignoreerrors) {
            fail(`sysctl key ${key} cannot be changed on this host: ${proc} is read-only (in a container vm.* and kernel.* belong to the shared host kernel); live value is ${live}, wanted ${value}. Set ignoreerrors: yes to only write ${file}`);
          }
          notes.push(`${key} is read-only on this host (live value ${live}): only ${file} was written`);
        } else {
          setLive = true;
          steps.push(`set live ${key} from ${live} to ${value}`);
          if (ctx.diff) diff.push({ before: `${key} = ${live}\n`, after: `${key} = ${value}\n`, beforeHeader: `${proc} (live)`, afterHeader: `${proc} (live)` });
        }
      }
    }
    const changed = fileChanged || setLive;
    const msg = notes.length ? notes.join('; ') : undefined;
    return { changed, steps, diff, msg, state: { write, setLive }, result: { ...(live !== undefined ? { live_value: live } : {}) } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.write) await applyWrite(ctx, st.write);
    if (st.setLive) {
      const value = normalizeSysctlValue(String(args.value));
      const r = await sh(ctx, `sysctl -w ${quote(`${String(args.name).trim()}=${value}`)}`);
      if (r.rc !== 0 && !args.ignoreerrors) fail(`Failed to reload sysctl: ${(r.stderr || r.stdout).trim()}`, { rc: r.rc });
    }
    return { changed: true, ...plan.result, ...(plan.msg ? { msg: plan.msg } : {}) };
  },
};
export default sysctl;
