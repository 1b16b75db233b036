/**
 * ini_value: an example custom module. Put a file like this in `library/` beside your playbook
 * (or in a role's library/) and use `ini_value:` as a task. It is idempotent, supports check
 * mode and --diff, and validates its arguments — all from the ModuleDef below, because the
 * engine's runner does check mode (plan only) and diff for every module.
 *
 *   - ini_value:
 *       path: /etc/app.ini
 *       section: server
 *       option: port
 *       value: "8080"
 */
import type { ModuleDef } from '../../engine/types.ts';
import { applyEdit, EDIT_ARGS, planEdit, type EditResult, type WriteState } from '../../engine/modules/api.ts';

/** Pure transform: set (or remove) `option = value` in `[section]` of an INI text. */
export function setIniValue(text: string, section: string, option: string, value: string | undefined, state: 'present' | 'absent'): EditResult {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const isSection = (l: string) => /^\s*\[.*\]\s*$/.test(l);
  let start = lines.findIndex((l) => l.trim() === `[${section}]`);
  const want = `${option} = ${value}`;
  if (start < 0) {
    if (state === 'absent') return { text, changed: false, msg: '' };
    const out = [...lines, ...(lines.length ? [''] : []), `[${section}]`, want];
    return { text: out.join('\n') + '\n', changed: true, msg: 'section and option added' };
  }
  let end = lines.findIndex((l, i) => i > start && isSection(l));
  if (end < 0) end = lines.length;
  const idx = lines.findIndex((l, i) => i > start && i < end && new RegExp(`^\\s*${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`).test(l));
  if (state === 'absent') {
    if (idx < 0) return { text, changed: false, msg: '' };
    lines.splice(idx, 1);
    return { text: lines.join('\n') + '\n', changed: true, msg: 'option removed' };
  }
  if (idx >= 0) {
    if (lines[idx].replace(/\s*=\s*/, ' = ').trim() === want) return { text, changed: false, msg: '' };
    lines[idx] = want;
    return { text: lines.join('\n') + '\n', changed: true, msg: 'option changed' };
  }
  // insert after the last non-blank line of the section
  let at = end;
  while (at > start + 1 && lines[at - 1].trim() === '') at--;
  lines.splice(at, 0, want);
  start = 0;
  return { text: lines.join('\n') + '\n', changed: true, msg: 'option added' };
}

const iniValue: ModuleDef<Record<string, any>, WriteState> = {
  name: 'ini_value',
  doc: {
    short: 'Set a value in an INI file (example custom module)',
    description: 'Sets or removes one option of one section. Idempotent; check mode and --diff come from the engine.',
    check: 'full',
    diff: true,
    returns: { msg: "'option added', 'option changed', 'option removed', 'section and option added'." },
    examples: `- ini_value:
    path: /etc/app.ini
    section: server
    option: port
    value: "8080"`,
  },
  args: {
    ...EDIT_ARGS,
    section: { type: 'str', required: true, description: 'Section name (without brackets).' },
    option: { type: 'str', required: true, description: 'Option name.' },
    value: { type: 'str', description: 'Value (required with state=present).' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'Whether the option should be there.' },
    create: { type: 'bool', default: true, description: 'Create the file when it is missing.' },
  },
  validate: (a) => (a.state === 'present' && a.value === undefined ? 'value is required with state=present' : undefined),
  plan(args, ctx) {
    return planEdit(ctx, args, {
      create: args.create,
      missingMsg: `Destination ${args.path} does not exist !`,
      missingOk: args.state === 'absent' ? 'file not present' : undefined,
      transform: (text) => setIniValue(text ?? '', args.section, args.option, args.value, args.state),
    });
  },
  apply: (_args, plan, ctx) => applyEdit(ctx, plan),
};
export default iniValue;
