/** template: render a template file (handlebars, with the task's variables) to the target. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ModuleDef } from '../engine/types.ts';
import { applyFileTo, planFileTo, WRITE_ARGS, WRITE_RETURNS } from '../engine/modules/filedest.ts';
import type { WriteState } from '../engine/modules/filewrite.ts';
import { fail } from '../engine/modules/failure.ts';
import { localFile } from '../engine/modules/local.ts';

const template: ModuleDef<Record<string, any>, WriteState> = {
  name: 'template',
  doc: {
    short: 'Template a file out to a target host',
    description:
      "Renders src (searched in templates/) with the task's variables and the same filters as helpers, and writes it to dest exactly like copy does (checksum idempotency, attributes, backup, validate, diff).",
    check: 'full',
    diff: true,
    returns: WRITE_RETURNS,
    examples: `- name: Template a file to /etc/file.conf
  template:
    src: /mytemplates/foo.j2
    dest: /etc/file.conf
    owner: bin
    group: wheel
    mode: '0644'

- name: Validate sudoers before it goes live
  template:
    src: sudoers.j2
    dest: /etc/sudoers
    validate: /usr/sbin/visudo -cf %s`,
  },
  args: {
    src: { type: 'path', required: true, description: 'Path of the template on the controller (relative paths are searched in templates/).' },
    newline_sequence: { type: 'str', default: '\n', choices: ['\n', '\r', '\r\n'], description: 'Newline sequence used in the written file.' },
    output_encoding: { type: 'str', default: 'utf-8', choices: ['utf-8'], description: 'Encoding of the written file (utf-8).' },
    ...WRITE_ARGS,
  },
  async plan(args, ctx) {
    const local = localFile(ctx, 'templates', args.src);
    let text: string;
    try {
      text = ctx.renderTemplate(readFileSync(local, 'utf8'), local);
    } catch (e) {
      return fail(`error rendering ${args.src}: ${e instanceof Error ? (e as { oneLine?: () => string }).oneLine?.() ?? e.message : String(e)}`);
    }
    if (args.newline_sequence !== '\n') text = text.replace(/\r?\n/g, args.newline_sequence);
    // like Ansible: a directory dest gets the template's own file name (.j2 included)
    return planFileTo(ctx, args, Buffer.from(text), basename(local), local);
  },
  apply(args, plan, ctx) {
    return applyFileTo(ctx, plan);
  },
};
export default template;
