/** pam_limits: modify Linux PAM limits (/etc/security/limits.conf lines). */
import type { ModuleDef } from '../engine/types.ts';
import { applyEdit, planEdit } from '../engine/modules/fileedit.ts';
import type { WriteState } from '../engine/modules/filewrite.ts';
import { pamLimits } from '../engine/modules/text/pamlimits.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';

const pam_limits: ModuleDef<Record<string, any>, WriteState> = {
  name: 'pam_limits',
  doc: {
    short: 'Modify Linux PAM limits',
    description: 'Sets `domain type item value` lines in limits.conf (or a file in limits.d), as community.general.pam_limits does: an existing line for the same domain/type/item is replaced, otherwise one is appended.',
    check: 'full',
    diff: true,
    returns: { msg: "'<domain> <type> <item> <value>' as written." },
    examples: `- name: Add or modify nofile soft limit for the user joe
  pam_limits:
    domain: joe
    limit_type: soft
    limit_item: nofile
    value: 64000

- name: Unlimited memlock for everyone, in its own file
  pam_limits:
    domain: '*'
    limit_type: '-'
    limit_item: memlock
    value: unlimited
    dest: /etc/security/limits.d/90-memlock.conf`,
  },
  args: {
    domain: { type: 'str', required: true, description: 'A username, @groupname, wildcard, uid/gid range.' },
    limit_type: { type: 'str', required: true, choices: ['hard', 'soft', '-'], description: 'Limit type.' },
    limit_item: {
      type: 'str',
      required: true,
      choices: ['core', 'data', 'fsize', 'memlock', 'nofile', 'rss', 'stack', 'cpu', 'nproc', 'as', 'maxlogins', 'maxsyslogins', 'priority', 'locks', 'sigpending', 'msgqueue', 'nice', 'rtprio', 'chroot'],
      description: 'The limit to be set.',
    },
    value: { type: 'str', required: true, description: "The value of the limit (a number, 'unlimited', 'infinity' or '-1')." },
    use_max: { type: 'bool', default: false, description: 'Keep the larger of the existing and the new value.' },
    use_min: { type: 'bool', default: false, description: 'Keep the smaller of the existing and the new value.' },
    backup: { type: 'bool', default: false, description: 'Create a backup file including the timestamp information.' },
    dest: { type: 'path', default: '/etc/security/limits.conf', description: 'Path of the limits file.' },
    comment: { type: 'str', default: '', description: 'Comment appended to the line.' },
    ...FILE_ATTR_ARGS,
  },
  validate(a) {
    return a.use_max && a.use_min ? 'parameters are mutually exclusive: use_max|use_min' : undefined;
  },
  plan(args, ctx) {
    return planEdit(ctx, { ...args, path: args.dest }, {
      create: true,
      missingMsg: '',
      transform: (text) => pamLimits(text ?? '', args as never),
    });
  },
  apply(_args, plan, ctx) {
    return applyEdit(ctx, plan);
  },
};
export default pam_limits;
