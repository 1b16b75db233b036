/** user: manage user accounts (useradd/usermod/userdel), one read and one write. */
import type { ModuleDef, ModuleResult } from '../engine/types.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { getentScript, parseGroup, parsePasswd, tagged } from '../engine/modules/getent.ts';
import { quote, quoteArgv } from '../engine/modules/quote.ts';
import { mustSh } from '../engine/modules/remote.ts';

const user: ModuleDef<Record<string, any>, { cmds: string[][] }> = {
  name: 'user',
  doc: {
    short: 'Manage user accounts',
    description: 'Creates, changes or removes a local user. The account, its groups and its password hash are read in ONE command; changes are made in ONE command.',
    check: 'full',
    diff: true,
    returns: { name: 'User name.', uid: 'User ID.', group: 'Primary group ID.', groups: 'Comma-separated supplementary groups.', home: 'Home directory.', shell: 'Login shell.', comment: 'GECOS comment.', state: 'present or absent.', system: 'Whether the user is a system account.', create_home: 'Whether a home directory is created.' },
    examples: `- name: Add the user 'johnd' with a bash shell, appending the group 'admins' and 'developers'
  user:
    name: johnd
    shell: /bin/bash
    groups: admins,developers
    append: yes

- name: Remove the user 'johnd' and his home
  user:
    name: johnd
    state: absent
    remove: yes`,
  },
  args: {
    name: { type: 'str', required: true, aliases: ['user'], description: 'Name of the user to create, remove or modify.' },
    state: { type: 'str', default: 'present', choices: ['absent', 'present'], description: 'Whether the account should exist or not.' },
    uid: { type: 'int', description: 'The UID of the user.' },
    group: { type: 'str', description: "The user's primary group." },
    groups: { type: 'list', elements: 'str', description: 'Supplementary groups (with append=no, the user is removed from all others; an empty list removes all).' },
    append: { type: 'bool', default: false, description: 'Add to groups instead of setting them.' },
    comment: { type: 'str', description: 'The GECOS field.' },
    home: { type: 'path', description: "The user's home directory." },
    shell: { type: 'str', description: "The user's shell." },
    password: { type: 'str', no_log: true, description: 'The crypted password (hash), as Ansible expects (use password_hash).' },
    update_password: { type: 'str', default: 'always', choices: ['always', 'on_create'], description: 'always updates the password when it differs; on_create only sets it for new users.' },
    create_home: { type: 'bool', default: true, aliases: ['createhome'], description: 'Create the home directory when the user is created.' },
    move_home: { type: 'bool', default: false, description: 'Move the existing home directory when home changes.' },
    system: { type: 'bool', default: false, description: 'Create a system account (on creation only).' },
    remove: { type: 'bool', default: false, description: 'With state=absent, also remove the home directory (userdel -r).' },
    force: { type: 'bool', default: false, description: 'With state=absent, force removal (userdel -f).' },
    non_unique: { type: 'bool', default: false, description: 'Allow a non-unique UID.' },
    password_lock: { type: 'bool', description: 'Lock (yes) or unlock (no) the password.' },
  },
  async plan(args, ctx) {
    const groupsWanted: string[] = (args.groups ?? []).map((g: string) => g.trim()).filter(Boolean);
    const queries = [
      { tag: 'P', db: 'passwd' as const, key: args.name },
      { tag: 'S', db: 'shadow' as const, key: args.name },
      ...(args.group ? [{ tag: 'PG', db: 'group' as const, key: args.group }] : []),
    ];
    const r = await mustSh(ctx, `${getentScript(queries)}; echo "ID $(id -Gn ${quote(args.name)} 2>/dev/null)"`, 'cannot read users');
    const cur = tagged(r.stdout, 'P').map(parsePasswd)[0];
    const hash = tagged(r.stdout, 'S')[0]?.split(':')[1];
    const base = { name: args.name, state: args.state, system: args.system };
    const n = args.name;
    if (args.state === 'absent') {
      if (!cur) return { changed: false, result: base };
      return { changed: true, steps: [`remove user ${n}`], diff: [attrDiff(n, { state: 'present' }, { state: 'absent' })], state: { cmds: [['userdel', ...(args.remove ? ['-r'] : []), ...(args.force ? ['-f'] : []), n]] }, result: { ...base, remove: args.remove, force: args.force } };
    }
    if (args.group && !tagged(r.stdout, 'PG').length) fail(`Group ${args.group} does not exist`);
    const opt = (flag: string, v: unknown) => (v !== undefined && v !== null ? [flag, String(v)] : []);
    if (!cur) {
      const cmd = [
        'useradd',
        ...opt('-u', args.uid),
        ...(args.non_unique ? ['-o'] : []),
        ...opt('-g', args.group),
        ...(groupsWanted.length ? ['-G', groupsWanted.join(',')] : []),
        ...opt('-c', args.comment),
        ...opt('-d', args.home),
        ...opt('-s', args.shell),
        ...(args.password ? ['-p', args.password] : []),
        ...(args.system ? ['-r'] : []),
        ...(args.create_home ? ['-m'] : ['-M']),
        n,
      ];
      const cmds = [cmd, ...(args.password_lock ? [['usermod', '-L', n]] : [])];
      return { changed: true, steps: [`create user ${n}`], diff: [attrDiff(n, { state: 'absent' }, { state: 'present', uid: args.uid, shell: args.shell, home: args.home })], state: { cmds }, result: { ...base, create_home: args.create_home } };
    }
    const mod: string[] = [];
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const change = (key: string, flag: string[], b: unknown, a: unknown) => {
      mod.push(...flag);
      before[key] = b;
      after[key] = a;
    };
    if (args.uid !== undefined && args.uid !== cur.uid) change('uid', ['-u', String(args.uid), ...(args.non_unique ? ['-o'] : [])], cur.uid, args.uid);
    if (args.group) {
      const g = parseGroup(tagged(r.stdout, 'PG')[0])!;
      if (g.gid !== cur.gid) change('group', ['-g', args.group], cur.gid, args.group);
    }
    if (args.comment !== undefined && args.comment !== cur.comment) change('comment', ['-c', args.comment], cur.comment, args.comment);
    if (args.home !== undefined && args.home !== cur.home) change('home', ['-d', args.home, ...(args.move_home ? ['-m'] : [])], cur.home, args.home);
    if (args.shell !== undefined && args.shell !== cur.shell) change('shell', ['-s', args.shell], cur.shell, args.shell);
    if (args.groups !== undefined) {
      const idLine = /^ID (.*)$/m.exec(r.stdout)?.[1] ?? '';
      const all = idLine.split(/\s+/).filter(Boolean);
      const primary = all[0];
      const supp = all.slice(1).filter((g) => g !== primary);
      const missing = groupsWanted.filter((g) => !supp.includes(g) && g !== primary);
      const extra = args.append ? [] : supp.filter((g) => !groupsWanted.includes(g));
      if (missing.length || extra.length) {
        const target = args.append ? [...new Set([...supp, ...groupsWanted])] : groupsWanted;
        change('groups', args.append ? ['-a', '-G', groupsWanted.join(',')] : ['-G', target.join(',')], supp.join(','), target.join(','));
      }
    }
    if (args.password && args.update_password === 'always' && hash !== args.password) {
      mod.push('-p', args.password);
      before.password = '(hidden)';
      after.password = '(changed)';
    }
    if (args.password_lock !== undefined && hash !== undefined) {
      const locked = hash.startsWith('!');
      if (locked !== args.password_lock) change('password_lock', [args.password_lock ? '-L' : '-U'], locked, args.password_lock);
    }
    const result = { ...base, uid: args.uid ?? cur.uid, home: args.home ?? cur.home, shell: args.shell ?? cur.shell, comment: args.comment ?? cur.comment, group: cur.gid };
    if (!mod.length) return { changed: false, result };
    return { changed: true, steps: Object.keys(after).map((k) => `set ${k} of ${n}`), diff: [attrDiff(n, before, after)], state: { cmds: [['usermod', ...mod, n]] }, result };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const script = plan.state!.cmds.map(quoteArgv).join(' && ');
    const r = await mustSh(ctx, `${script} || exit $?\ngetent passwd ${quote(args.name)}; true`, `${plan.state!.cmds[0][0]} failed`);
    const p = r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => l.split(':')) : [];
    const res: ModuleResult = { changed: true, ...plan.result };
    if (p[0]) Object.assign(res, { uid: Number(p[0][2]), group: Number(p[0][3]), comment: p[0][4], home: p[0][5], shell: p[0][6] });
    if (args.groups !== undefined) res.groups = (args.groups as string[]).join(',');
    return res;
  },
};
export default user;
