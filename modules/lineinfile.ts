/** lineinfile: make sure a particular line is in a file, or replace a line using a regexp. */
import type { ModuleDef } from '../engine/types.ts';
import { applyEdit, EDIT_ARGS, planEdit } from '../engine/modules/fileedit.ts';
import type { WriteState } from '../engine/modules/filewrite.ts';
import { lineInFile } from '../engine/modules/text/lineinfile.ts';

const lineinfile: ModuleDef<Record<string, any>, WriteState> = {
  name: 'lineinfile',
  doc: {
    short: 'Manage lines in text files',
    description: "Ensures a line is present (or absent) in a file, optionally replacing the last line matching regexp. Same algorithm as Ansible's module (firstmatch, backrefs, insertafter/insertbefore with BOF/EOF).",
    check: 'full',
    diff: true,
    returns: { msg: "'line added', 'line replaced', 'N line(s) removed'.", backup: 'Backup file name (when backup=yes and the file changed).', found: 'Number of lines removed (state=absent).' },
    examples: `- name: Ensure SELinux is set to enforcing mode
  lineinfile:
    path: /etc/selinux/config
    regexp: '^SELINUX='
    line: SELINUX=enforcing

- name: Make sure group wheel is not in the sudoers configuration
  lineinfile:
    path: /etc/sudoers
    state: absent
    regexp: '^%wheel'
    validate: /usr/sbin/visudo -cf %s

- name: Add a line after a match, create the file if needed
  lineinfile:
    path: /etc/hosts
    line: 198.18.0.10 vip.lab
    insertafter: '^127\\.0\\.0\\.1'
    create: yes`,
  },
  args: {
    ...EDIT_ARGS,
    state: { type: 'str', default: 'present', choices: ['absent', 'present'], description: 'Whether the line should be there or not.' },
    regexp: { type: 'str', aliases: ['regex'], description: 'Regular expression to look for in every line (Python syntax). With state=present only the last matching line is replaced.' },
    search_string: { type: 'str', description: 'Literal string to look for in every line (instead of regexp).' },
    line: { type: 'str', aliases: ['value'], description: 'The line to insert/replace into the file. Required for state=present.' },
    insertafter: { type: 'str', description: "Insert after the last line matching this regexp; 'EOF' (default) or 'BOF'." },
    insertbefore: { type: 'str', description: "Insert before the last line matching this regexp; 'BOF' for the beginning of the file." },
    backrefs: { type: 'bool', default: false, description: 'Expand backreferences (\\1) of regexp in line; when regexp does not match, the file is left unchanged.' },
    create: { type: 'bool', default: false, description: 'Create the file when it does not exist.' },
    firstmatch: { type: 'bool', default: false, description: 'Use the first matching line for regexp/insertafter/insertbefore.' },
  },
  validate(a) {
    if (a.insertbefore !== undefined && a.insertafter !== undefined) return 'parameters are mutually exclusive: insertbefore|insertafter';
    if (a.regexp !== undefined && a.search_string !== undefined) return 'parameters are mutually exclusive: regexp|search_string';
    if (a.backrefs && a.search_string !== undefined) return 'parameters are mutually exclusive: backrefs|search_string';
    if (a.state === 'present') {
      if (a.backrefs && a.regexp === undefined) return 'regexp is required with backrefs=true';
      if (a.line === undefined) return 'line is required with state=present';
    } else if (a.regexp === undefined && a.search_string === undefined && a.line === undefined) {
      return 'one of line, search_string, or regexp is required with state=absent';
    }
    return undefined;
  },
  plan(args, ctx) {
    return planEdit(ctx, args, {
      create: args.create,
      missingMsg: `Destination ${args.path} does not exist !`,
      missingOk: args.state === 'absent' ? 'file not present' : undefined,
      transform: (text) => lineInFile(text ?? '', args as never),
    });
  },
  apply(_args, plan, ctx) {
    return applyEdit(ctx, plan);
  },
};
export default lineinfile;
