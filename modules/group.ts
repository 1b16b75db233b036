/** group: add or remove groups. */
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { getentScript, parseGroup, tagged } from '../engine/modules/getent.ts';
import { quoteArgv } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';

const group: ModuleDef<Record<string, any>, { cmd: string[] }> = {
  name: 'group',
  doc: {
    short: 'Add or remove groups',
    description: 'Manages a local group with groupadd/groupmod/groupdel.',
    check: 'full',
    diff: true,
    returns: { name: 'Group name.', gid: 'Group ID.', state: 'present or absent.', system: 'Whether the group is a system group.' },
    examples: `- name: Ensure group "docker" exists with gid 1999
  group:
    name: docker
    state: present
    gid: 1999`,
  },
  args: {
    name: { type: 'str', required: true, description: 'Name of the group to manage.' },
    gid: { type: 'int', description: 'Optional GID to set for the group.' },
    state: { type: 'str', default: 'present', choices: ['absent', 'present'], description: 'Whether the group should be present or not.' },
    system: { type: 'bool', default: false, description: 'Create a system group.' },
    non_unique: { type: 'bool', default: false, description: 'Allow a non-unique gid (with gid).' },
    local: { type: 'bool', default: false, description: 'Accepted for compatibility (local files are always used).' },
  },
  async plan(args, ctx) {
    const r = await mustSh(ctx, getentScript([{ tag: 'G', db: 'group', key: args.name }]), 'cannot read groups');
    const cur = tagged(r.stdout, 'G').map(parseGroup)[0];
    const base = { name: args.name, state: args.state, system: args.system };
    if (args.state === 'absent') {
      if (!cur) return { changed: false, result: base };
      return { changed: true, steps: [`remove group ${args.name}`], diff: [attrDiff(args.name, { state: 'present' }, { state: 'absent' })], state: { cmd: ['groupdel', args.name] }, result: base };
    }
    if (!cur) {
      const cmd = ['groupadd', ...(args.gid !== undefined ? ['-g', String(args.gid)] : []), ...(args.non_unique ? ['-o'] : []), ...(args.system ? ['-r'] : []), args.name];
      return { changed: true, steps: [`create group ${args.name}`], diff: [attrDiff(args.name, { state: 'absent' }, { state: 'present', gid: args.gid })], state: { cmd }, result: { ...base, gid: args.gid } };
    }
    if (args.gid !== undefined && args.gid !== cur.gid) {
      const cmd = ['groupmod', '-g', String(args.gid), ...(args.non_unique ? ['-o'] : []), args.name];
      return { changed: true, steps: [`change gid of ${args.name} to ${args.gid}`], diff: [attrDiff(args.name, { gid: cur.gid }, { gid: args.gid })], state: { cmd }, result: { ...base, gid: args.gid } };
    }
    return { changed: false, result: { ...base, gid: cur.gid } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    await mustSh(ctx, quoteArgv(plan.state!.cmd), `${plan.state!.cmd[0]} failed`);
    const res: ModuleResult = { changed: true, ...plan.result };
    if (args.state === 'present' && res.gid === undefined) {
      const r = await sh(ctx, getentScript([{ tag: 'G', db: 'group', key: args.name }]));
      res.gid = tagged(r.stdout, 'G').map(parseGroup)[0]?.gid;
    }
    return res;
  },
};
export default group;
