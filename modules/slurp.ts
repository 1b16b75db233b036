/** slurp: fetch a file's content from the target, base64 encoded (read-only). */
import type { ModuleDef } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { readRemoteFile } from '../engine/modules/remotefile.ts';

const slurp: ModuleDef = {
  name: 'slurp',
  doc: {
    short: 'Slurps a file from remote nodes',
    description: 'Returns the content of a remote file base64 encoded (use the b64decode filter). Read-only, works in check mode.',
    check: 'full',
    diff: false,
    returns: { content: 'Encoded file content.', encoding: "Type of encoding used for file ('base64').", source: 'Actual path of file slurped.' },
    examples: `- name: Read the admin kubeconfig
  slurp:
    src: /etc/kubernetes/admin.conf
  register: kubeconfig

- debug:
    msg: "{{ kubeconfig['content'] | b64decode }}"`,
  },
  args: {
    src: { type: 'path', required: true, aliases: ['path'], description: 'The file on the remote system to fetch. This must be a file, not a directory.' },
  },
  async plan(args, ctx) {
    const f = await readRemoteFile(ctx, args.src, { content: 'always', follow: true, checksum: false });
    if (!f.exists) fail(`file not found: ${args.src}`);
    if (f.type === 'directory') fail(`source is a directory and must be a file: ${args.src}`);
    if (!f.content) fail(`file is not readable: ${args.src}`);
    return { changed: false, result: { content: f.content.toString('base64'), encoding: 'base64', source: args.src } };
  },
};
export default slurp;
