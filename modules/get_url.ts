/** get_url: download a file from HTTP/HTTPS/FTP to the target (curl on the target, else the controller). */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { ModuleContext, ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS, planAttrs } from '../engine/modules/attrs.ts';
import { attrDiff } from '../engine/modules/diff.ts';
import { fail } from '../engine/modules/failure.ts';
import { backupName } from '../engine/modules/filewrite.ts';
import { httpOnController, httpOnTarget, requestFromArgs, responseMsg, URL_ARGS, type HttpRequest, type HttpResponse } from '../engine/modules/http.ts';
import { formatMode } from '../engine/modules/mode.ts';
import { quote } from '../engine/modules/quote.ts';
import { mustSh, sh } from '../engine/modules/remote.ts';
import { parseStatOutput, statScript, type RemoteFile } from '../engine/modules/remotefile.ts';
import { registerSecret } from '../engine/secrets.ts';

const ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

interface GetState {
  dest: string;
  cur: RemoteFile;
  download: boolean;
  algo?: string;
  sum?: string;
  tool: 'curl' | 'controller';
}

/** Split `algo:value` (value a hex digest or a URL of a checksums file). */
export function parseChecksumArg(checksum: string): { algo: string; value: string } | undefined {
  if (!checksum) return undefined;
  const i = checksum.indexOf(':');
  if (i <= 0) fail('The checksum parameter has to be in format <algorithm>:<checksum>');
  const algo = checksum.slice(0, i).toLowerCase();
  if (!ALGOS.includes(algo)) fail(`Unsupported hash algorithm '${algo}' (use one of ${ALGOS.join(', ')})`);
  return { algo, value: checksum.slice(i + 1).trim() };
}

/** Find the digest of `filename` in a checksums file (`HEX  name`, `HEX *name`, or a lone digest). */
export function findChecksum(text: string, filename: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const l of lines) {
    const m = /^([0-9a-fA-F]+)\s+\*?(?:\.\/)?(.+)$/.exec(l);
    if (m && (m[2] === filename || posix.basename(m[2]) === filename)) return m[1].toLowerCase();
  }
  if (lines.length === 1 && /^[0-9a-fA-F]+$/.test(lines[0].split(/\s+/)[0]) && lines[0].split(/\s+/).length === 1) return lines[0].toLowerCase();
  return undefined;
}

/** The request for the task's url (download options). */
function requestOf(args: Record<string, any>, url: string): HttpRequest {
  return requestFromArgs(args, url, { download: true, followRedirects: true });
}

/** Read dest (stat + sha1 + the requested digest) and which download tool the target has, in ONE command. */
async function readDestAndTool(ctx: ModuleContext, dest: string, algo: string | undefined): Promise<{ cur: RemoteFile; parent: RemoteFile; curl: boolean; sum?: string }> {
  const extra = [
    `command -v curl >/dev/null 2>&1 && echo 'T curl' || echo 'T none'`,
    algo ? `[ -f ${quote(dest)} ] && printf 'K %s\\n' "$(${algo}sum < ${quote(dest)} | cut -d' ' -f1)"` : ':',
    'exit 0',
  ];
  const r = await mustSh(ctx, `${statScript([dest, posix.dirname(dest)], { follow: true })}\n${extra.join('\n')}`, `cannot read ${dest}`);
  const [cur, parent] = parseStatOutput(r.stdout, [dest, posix.dirname(dest)]);
  return { cur, parent, curl: /^T curl$/m.test(r.stdout), sum: /^K (\S+)$/m.exec(r.stdout)?.[1] };
}

/** Fail the task the way Ansible's get_url does for a bad response. */
function requestFailed(res: HttpResponse, url: string): never {
  return fail(res.status < 0 ? `Request failed: ${res.error || `exit code ${res.rc}`}` : `Request failed: ${responseMsg(res)}`, { status_code: res.status, response: responseMsg(res), url });
}

const getUrl: ModuleDef<Record<string, any>, GetState> = {
  name: 'get_url',
  doc: {
    short: 'Downloads files from HTTP, HTTPS, or FTP to the target',
    description:
      'Downloads ON THE TARGET with curl (options reach curl on stdin: headers and passwords never show in the process list); when the target has no curl, the controller fetches the URL (node http/https) and puts the file. ' +
      'The file is downloaded to a temp file beside dest, verified against checksum, and renamed into place (atomic); a bad checksum fails and leaves the original file untouched. ' +
      'Idempotent: with a checksum and an existing matching dest there is no download at all; without a checksum an existing dest is kept; force downloads every time and replaces dest only when the content differs. ' +
      'A dest directory means dest/<last path component of the URL> (Content-Disposition is not used).',
    check: 'full',
    diff: true,
    returns: {
      dest: 'Destination file path.',
      url: 'The URL.',
      checksum_dest: 'sha1 of dest before the task (when it existed).',
      checksum_src: 'sha1 of the downloaded file.',
      status_code: 'HTTP status of the download.',
      msg: "'OK (N bytes)', 'file already exists' or the error.",
      size: 'Size of dest.',
      backup_file: 'Backup of the replaced file (backup: yes).',
    },
    examples: `- name: Download a release with a pinned checksum
  get_url:
    url: https://github.com/containernetworking/plugins/releases/download/v1.4.0/cni-plugins-linux-amd64-v1.4.0.tgz
    dest: /tmp/cni-plugins.tgz
    checksum: sha256:c2485ddb3ffc176578ae30ae58137f0b88e50f7c7f2af7d53a569276b2949a33
    mode: '0644'

- name: Checksum from a SHA256SUMS file
  get_url:
    url: http://198.18.1.11:8080/app.tar.gz
    dest: /opt/
    checksum: sha256:http://198.18.1.11:8080/SHA256SUMS`,
  },
  args: {
    url: { type: 'str', required: true, description: 'HTTP, HTTPS or FTP URL.' },
    dest: { type: 'path', required: true, description: 'Absolute path of the file to write; a directory means dest/<URL file name>.' },
    checksum: { type: 'str', default: '', description: "'algorithm:digest' (md5, sha1, sha224, sha256, sha384, sha512) or 'algorithm:URL of a checksums file'. Verified after download; a matching existing file is not downloaded again." },
    force: { type: 'bool', default: false, aliases: ['thirsty'], description: 'Download even when dest exists (replaced only when the content differs).' },
    backup: { type: 'bool', default: false, description: 'Keep a timestamped copy of a replaced file.' },
    timeout: { type: 'int', default: 10, description: 'Seconds to connect, and the longest stall of the transfer.' },
    ...URL_ARGS,
    tmp_dest: { type: 'path', description: 'Accepted for compatibility: the temp file is always beside dest (atomic rename).' },
    ...FILE_ATTR_ARGS,
  },
  async plan(args, ctx): Promise<Plan<GetState>> {
    registerSecret(args.url_password);
    const ck = parseChecksumArg(args.checksum);
    let dest = String(args.dest);
    let rd = await readDestAndTool(ctx, dest, ck?.algo);
    if (rd.cur.exists && rd.cur.type === 'directory') {
      const name = posix.basename(new URL(args.url).pathname);
      if (!name) fail(`dest ${dest} is a directory and the URL names no file`);
      dest = posix.join(dest, name);
      rd = await readDestAndTool(ctx, dest, ck?.algo);
    } else if (!rd.parent.exists) fail(`Destination ${posix.dirname(dest)} does not exist`);
    const tool = rd.curl ? 'curl' : 'controller';
    let sum: string | undefined;
    if (ck) {
      sum = ck.value.toLowerCase();
      if (/^(https?|ftp|file):\/\//i.test(ck.value)) {
        const req = { ...requestOf(args, ck.value), download: false };
        const res = tool === 'curl' ? await httpOnTarget(ctx, req) : await httpOnController(req);
        if (res.status < 200 || res.status >= 300) fail(`Unable to download the checksum file ${ck.value}: ${responseMsg(res)}`);
        const found = findChecksum(res.body?.toString() ?? '', posix.basename(new URL(args.url).pathname));
        if (!found) fail(`Unable to find a checksum for file '${posix.basename(new URL(args.url).pathname)}' in '${ck.value}'`);
        sum = found;
      }
      if (!/^[0-9a-f]+$/.test(sum)) fail(`The checksum format is invalid: ${ck.value}`);
    }
    const cur = rd.cur;
    if (cur.exists && cur.type !== 'file') fail(`Destination ${dest} exists and is not a regular file`);
    // like Ansible: force always downloads (then replaces only a differing file); else a matching checksum skips it
    const download = !cur.exists || args.force || (sum !== undefined && rd.sum !== sum);
    const base = { url: args.url, dest, ...(cur.exists ? { checksum_dest: cur.sha1 } : {}) };
    const state: GetState = { dest, cur, download, algo: ck?.algo, sum, tool };
    if (!download) {
      const a = planAttrs(dest, cur, args, false);
      return {
        changed: a.changed,
        steps: a.steps,
        diff: a.changed ? [attrDiff(dest, a.before, a.after)] : [],
        state,
        result: { ...base, msg: 'file already exists', checksum_src: cur.sha1, size: cur.size, state: 'file' },
      };
    }
    const why = !cur.exists ? `download ${args.url} to ${dest}` : !args.force ? `download ${args.url}: ${dest} does not match the checksum` : `download ${args.url} and replace ${dest} if it differs`;
    return {
      changed: true,
      steps: [why],
      diff: [{ before: cur.exists ? `${dest}: sha1 ${cur.sha1}\n` : '', after: `${dest}: content of ${args.url}${sum ? ` (${ck!.algo} ${sum})` : ''}\n`, beforeHeader: cur.exists ? dest : `${dest} (absent)`, afterHeader: dest }],
      state,
      result: base,
    };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    const { dest, cur } = st;
    if (!st.download) {
      await mustSh(ctx, planAttrs(dest, cur, args, false).command, `cannot set attributes of ${dest}`);
      return { ...plan.result, changed: true };
    }
    const dir = posix.dirname(dest);
    const tmpl = quote(posix.join(dir, `.${posix.basename(dest)}.tsplay-XXXXXXXX`));
    let tmp: string;
    let res: HttpResponse;
    let digest: string | undefined;
    let sha1: string;
    let size: number;
    if (st.tool === 'curl') {
      res = await httpOnTarget(ctx, requestOf(args, args.url), {
        before: `tmp=$(mktemp ${tmpl}) || exit 1; printf 'TMP %s\\n' "$tmp"`,
        outFile: '"$tmp"',
        after: `if [ "$rc" = 0 ]; then printf 'SHA1 %s\\nSIZE %s\\n' "$(sha1sum < "$tmp" | cut -c1-40)" "$(stat -c %s "$tmp")"; ${st.algo ? `printf 'SUM %s\\n' "$(${st.algo}sum < "$tmp" | cut -d' ' -f1)"` : ':'}; fi`,
      });
      tmp = res.extra.TMP;
      if (!tmp) fail(`cannot create a temp file in ${dir}: ${res.error}`);
      const okStatus = res.rc === 0 && res.status >= 200 && res.status < 300;
      if (!okStatus) {
        await sh(ctx, `rm -f -- ${quote(tmp)}`);
        requestFailed(res, args.url);
      }
      digest = res.extra.SUM;
      sha1 = res.extra.SHA1;
      size = Number(res.extra.SIZE);
    } else {
      const readTls = async (p?: string) => (p ? ctx.conn.getFile(p, ctx.become) : undefined);
      res = await httpOnController(requestOf(args, args.url), { ca: await readTls(args.ca_path), cert: await readTls(args.client_cert), key: await readTls(args.client_key) });
      if (res.status < 200 || res.status >= 300 || !res.body) requestFailed(res, args.url);
      const body = res.body!;
      digest = st.algo ? createHash(st.algo).update(body).digest('hex') : undefined;
      sha1 = createHash('sha1').update(body).digest('hex');
      size = body.length;
      tmp = posix.join(dir, `.${posix.basename(dest)}.tsplay-${sha1.slice(0, 8)}`);
      await ctx.conn.putFile(tmp, body, { mode: '0600', become: ctx.become });
    }
    const out = { ...plan.result, status_code: res.status, checksum_src: sha1, size, msg: responseMsg(res, size), elapsed: 0 };
    if (st.sum !== undefined && digest !== st.sum) {
      await sh(ctx, `rm -f -- ${quote(tmp)}`);
      fail(`The checksum for ${dest} did not match ${st.sum}; it was ${digest}.`, { ...out, changed: false });
    }
    if (cur.exists && cur.sha1 === sha1) {
      await sh(ctx, `rm -f -- ${quote(tmp)}`);
      const a = planAttrs(dest, cur, args, false);
      if (a.changed) await mustSh(ctx, a.command, `cannot set attributes of ${dest}`);
      return { ...out, changed: a.changed, msg: 'file already exists' };
    }
    // the new file takes the requested mode/owner/group, else those of the file it replaces (else 0644)
    const a = planAttrs(tmp, undefined, { mode: args.mode, owner: args.owner ?? cur.owner, group: args.group ?? cur.group }, false, cur.exists ? cur.mode! & 0o7777 : 0o644);
    const mode = a.mode ?? (cur.exists ? cur.mode! & 0o7777 : 0o644);
    const backup = args.backup && cur.exists ? backupName(dest) : undefined;
    const cmds = [
      `chmod ${formatMode(mode)} -- ${quote(tmp)}`,
      ...(a.command.startsWith('chown') ? [a.command.split(' && ')[0]] : []),
      ...(backup ? [`cp -p -- ${quote(dest)} ${quote(backup)}`] : []),
      `mv -f -- ${quote(tmp)} ${quote(dest)}`,
    ];
    const r = await sh(ctx, cmds.join(' && '));
    if (r.rc !== 0) {
      await sh(ctx, `rm -f -- ${quote(tmp)}`);
      fail(`cannot move the download into ${dest}: ${r.stderr.trim()}`);
    }
    return { ...out, changed: true, state: 'file', mode: formatMode(mode), ...(backup ? { backup_file: backup } : {}) };
  },
};
export default getUrl;
