/** replace: replace all instances of a regexp in a file (optionally between after/before). */
import type { ModuleDef } from '../engine/types.ts';
import { applyEdit, EDIT_ARGS, planEdit } from '../engine/modules/fileedit.ts';
import type { WriteState } from '../engine/modules/filewrite.ts';
import { replaceIn } from '../engine/modules/text/replace.ts';

const replace: ModuleDef<Record<string, any>, WriteState> = {
  name: 'replace',
  doc: {
    short: 'Replace all instances of a particular string in a file using a back-referenced regular expression',
    description: 'Multiline regexp replacement (Python syntax, \\1 / \\g<name> in the replacement), optionally limited to the text after/before given patterns.',
    check: 'full',
    diff: true,
    returns: { msg: "'N replacements made'.", backup_file: 'Backup file name (backup=yes).' },
    examples: `- name: Comment out swap entries in fstab
  replace:
    path: /etc/fstab
    regexp: '^([^#].*\\sswap\\s.*)$'
    replace: '# \\1'

- name: Replace between the expressions
  replace:
    path: /etc/hosts
    after: '<VirtualHost [*]>'
    before: '</VirtualHost>'
    regexp: '^(.+)$'
    replace: '# \\1'`,
  },
  args: {
    ...EDIT_ARGS,
    regexp: { type: 'str', required: true, description: 'The regular expression to look for (MULTILINE: ^ and $ match at every line).' },
    replace: { type: 'str', default: '', description: 'The replacement string; may contain backreferences.' },
    after: { type: 'str', description: 'Only replace in the text after this regexp (DOTALL).' },
    before: { type: 'str', description: 'Only replace in the text before this regexp (DOTALL).' },
    encoding: { type: 'str', default: 'utf-8', choices: ['utf-8'], description: 'Encoding of the file.' },
  },
  plan(args, ctx) {
    return planEdit(ctx, args, {
      create: false,
      missingMsg: `Path ${args.path} does not exist !`,
      transform: (text) => replaceIn(text ?? '', args as never),
    });
  },
  apply(_args, plan, ctx) {
    return applyEdit(ctx, plan);
  },
};
export default replace;
