/** blockinfile: insert, update or remove a block of lines surrounded by marker lines. */
import type { ModuleDef } from '../engine/types.ts';
import { applyEdit, EDIT_ARGS, planEdit } from '../engine/modules/fileedit.ts';
import type { WriteState } from '../engine/modules/filewrite.ts';
import { blockInFile } from '../engine/modules/text/blockinfile.ts';

const blockinfile: ModuleDef<Record<string, any>, WriteState> = {
  name: 'blockinfile',
  doc: {
    short: 'Insert/update/remove a text block surrounded by marker lines',
    description: "Manages a block of lines between '# BEGIN ANSIBLE MANAGED BLOCK' / '# END ...' markers (same algorithm as Ansible's module).",
    check: 'full',
    diff: true,
    returns: { msg: "'Block inserted', 'Block removed', 'File created'.", backup_file: 'Backup file name (backup=yes).' },
    examples: `- name: Insert/Update the configuration block
  blockinfile:
    path: /etc/ssh/sshd_config
    block: |
      Match User ansible-agent
      PasswordAuthentication no

- name: Remove the block
  blockinfile:
    path: /etc/hosts
    marker: "# {mark} lab hosts"
    state: absent`,
  },
  args: {
    ...EDIT_ARGS,
    state: { type: 'str', default: 'present', choices: ['absent', 'present'], description: 'Whether the block should be there or not.' },
    block: { type: 'str', default: '', aliases: ['content'], description: 'The text to insert inside the marker lines (empty: remove the block).' },
    marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK', description: "The marker line template; '{mark}' becomes marker_begin/marker_end." },
    marker_begin: { type: 'str', default: 'BEGIN', description: 'Replaces {mark} in the opening marker.' },
    marker_end: { type: 'str', default: 'END', description: 'Replaces {mark} in the closing marker.' },
    insertafter: { type: 'str', description: "Insert after the last line matching this regexp, or 'EOF' (default)." },
    insertbefore: { type: 'str', description: "Insert before the last line matching this regexp, or 'BOF'." },
    create: { type: 'bool', default: false, description: 'Create the file when it does not exist.' },
  },
  validate(a) {
    return a.insertbefore !== undefined && a.insertafter !== undefined ? 'parameters are mutually exclusive: insertbefore|insertafter' : undefined;
  },
  plan(args, ctx) {
    return planEdit(ctx, args, {
      create: args.create,
      missingMsg: `Path ${args.path} does not exist !`,
      missingOk: args.state === 'absent' ? `File ${args.path} not present` : undefined,
      transform: (text) => blockInFile(text, args as never),
    });
  },
  apply(_args, plan, ctx) {
    return applyEdit(ctx, plan);
  },
};
export default blockinfile;
