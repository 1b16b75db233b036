/** uri: interact with web services (HTTP/HTTPS requests made from the target with curl). */
import type { ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { fail } from '../engine/modules/failure.ts';
import { httpOnTarget, requestFromArgs, responseMsg, URL_ARGS } from '../engine/modules/http.ts';
import { readRemoteFiles } from '../engine/modules/remotefile.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { registerSecret } from '../engine/secrets.ts';

/** Python's urlencode of a dict (or list of pairs) for body_format form-urlencoded. */
export function formUrlencoded(body: unknown): string {
  if (typeof body === 'string') return body;
  const pairs: [string, unknown][] = Array.isArray(body) ? (body as [string, unknown][]) : Object.entries((body ?? {}) as Record<string, unknown>);
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return pairs.flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${enc(k)}=${enc(typeof x === 'string' ? x : JSON.stringify(x))}`)).join('&');
}

/** The request body and the Content-Type it implies. */
export function encodeBody(body: unknown, format: string): { body?: Buffer; contentType?: string } {
  if (body === undefined || body === null) return {};
  if (format === 'json') return { body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), contentType: 'application/json' };
  if (format === 'form-urlencoded') return { body: Buffer.from(formUrlencoded(body)), contentType: 'application/x-www-form-urlencoded' };
  return { body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i;

const uri: ModuleDef = {
  name: 'uri',
  doc: {
    short: 'Interacts with webservices',
    description:
      'Makes an HTTP(S) request FROM THE TARGET with curl (with delegate_to: localhost it runs on the controller, through the local connection). Request options (URL, headers, credentials) reach curl on stdin, so they never show in the process list. ' +
      "Fails unless the status is in status_code ('Status code was 404 and not [200]: HTTP Error 404: Not Found'; -1 when no response came). JSON responses are decoded into `json`; headers are returned lower-cased with '-' as '_'. " +
      'Like Ansible, uri does not support check mode (it is skipped) and reports changed only when it writes dest. body_format form-multipart is not supported.',
    check: 'none',
    diff: false,
    returns: {
      status: 'HTTP status code (-1 when no response).',
      url: 'The final URL (after redirects).',
      redirected: 'Whether a redirect was followed.',
      msg: "'OK (N bytes)' or the error.",
      content: 'The body (return_content, or a failed status).',
      json: 'The decoded body when the response is JSON.',
      content_type: 'Content-Type header (every response header is returned, lower-cased, - as _).',
      elapsed: 'Seconds the request took.',
      path: 'dest, when the body was written there.',
    },
    examples: `- name: Check that the API server answers
  uri:
    url: https://{{ ansible_host }}:6443/healthz
    ca_path: /etc/kubernetes/pki/ca.crt
    client_cert: /etc/kubernetes/pki/admin.crt
    client_key: /etc/kubernetes/pki/admin.key
    return_content: yes
  register: health
  until: health.content == 'ok'
  retries: 30
  delay: 2

- name: POST JSON, accept 200 or 201
  uri:
    url: http://198.18.1.11:8080/api/items
    method: POST
    body_format: json
    body: { name: demo }
    status_code: [200, 201]`,
  },
  args: {
    url: { type: 'str', required: true, description: 'HTTP or HTTPS URL.' },
    method: { type: 'str', default: 'GET', description: 'HTTP method (one uppercase word).' },
    body: { type: 'raw', description: 'Request body; with body_format json or form-urlencoded a dict/list is encoded.' },
    body_format: { type: 'str', default: 'raw', choices: ['raw', 'json', 'form-urlencoded', 'form-multipart'], description: 'How body is encoded; json and form-urlencoded also set Content-Type.' },
    src: { type: 'path', description: 'File ON THE TARGET sent as the body (remote_src semantics).' },
    status_code: { type: 'list', elements: 'int', default: [200], description: 'Status codes that mean success (an int or a list).' },
    return_content: { type: 'bool', default: false, description: 'Return the body as `content`.' },
    timeout: { type: 'int', default: 30, description: 'Seconds before the request is abandoned.' },
    follow_redirects: { type: 'str', default: 'safe', choices: ['all', 'no', 'none', 'safe', 'urllib2', 'yes'], description: "Follow redirects: all/yes, safe (only GET and HEAD), none/no." },
    ...URL_ARGS,
    dest: { type: 'path', description: 'Write the response body to this file on the target.' },
    creates: { type: 'path', description: 'Skip the request when this path exists on the target.' },
    removes: { type: 'path', description: 'Skip the request unless this path exists on the target.' },
    unix_socket: { type: 'path', description: 'Send the request over this unix socket.' },
    remote_src: { type: 'bool', default: false, description: 'Accepted for compatibility: src is always read on the target.' },
    unredirected_headers: { type: 'list', elements: 'str', default: [], description: 'Accepted for compatibility.' },
    ...FILE_ATTR_ARGS,
  },
  validate(a) {
    if (!/^[A-Z]+$/.test(a.method)) return "Parameter 'method' needs to be a single word in uppercase, like GET or POST.";
    if (a.body !== undefined && a.src !== undefined) return 'parameters are mutually exclusive: body|src';
    if (a.body_format === 'form-multipart') return 'body_format form-multipart is not supported by tsplay';
    return undefined;
  },
  async plan(): Promise<Plan> {
    return { changed: true, skipInCheck: true, msg: 'uri does not support check mode' };
  },
  async apply(args, _plan, ctx): Promise<ModuleResult> {
    registerSecret(args.url_password);
    if (args.creates || args.removes) {
      const [c, r] = await readRemoteFiles(ctx, [args.creates ?? '/nonexistent/.tsplay', args.removes ?? '/'], { checksum: false });
      if (args.creates && c.exists) return { changed: false, stdout: `skipped, since '${args.creates}' exists` };
      if (args.removes && !r.exists) return { changed: false, stdout: `skipped, since '${args.removes}' does not exist` };
    }
    const headers: Record<string, string> = Object.fromEntries(Object.entries(args.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const enc = encodeBody(args.body, args.body_format);
    if (enc.contentType && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = enc.contentType;
    let body = enc.body;
    if (args.src) body = await ctx.conn.getFile(args.src, ctx.become).catch((e) => fail(`Unable to open source file ${args.src}: ${e instanceof Error ? e.message : e}`));
    const follow = args.follow_redirects === 'all' || args.follow_redirects === 'yes' || args.follow_redirects === 'urllib2' || (args.follow_redirects === 'safe' && (args.method === 'GET' || args.method === 'HEAD'));
    const req = requestFromArgs({ ...args, headers }, args.url, { method: args.method, body, followRedirects: follow, unixSocket: args.unix_socket });
    const start = Date.now();
    const res = await httpOnTarget(ctx, req);
    const elapsed = Math.round((Date.now() - start) / 1000);
    const out: ModuleResult = { changed: false };
    for (const [k, v] of Object.entries(res.headers)) out[k.replace(/-/g, '_')] = v;
    Object.assign(out, { status: res.status, url: res.url || args.url, redirected: (res.url || args.url) !== args.url, elapsed, msg: responseMsg(res), cookies_string: res.headers['set-cookie'] ?? '' });
    const text = res.body?.toString('utf8') ?? '';
    if (JSON_TYPES.test(res.headers['content-type'] ?? '')) {
      try {
        out.json = JSON.parse(text);
      } catch {
        /* not JSON after all: no json key, like Ansible */
      }
    }
    const ok = (args.status_code as number[]).includes(res.status);
    if (args.dest && res.body && ok && res.status !== 304) {
      await ctx.conn.putFile(args.dest, res.body, { mode: args.mode, owner: args.owner, group: args.group, become: ctx.become });
      out.changed = true;
      out.path = args.dest;
    } else if (args.dest) out.path = args.dest;
    if (args.return_content || !ok) out.content = text;
    if (!ok) return { ...out, failed: true, msg: `Status code was ${res.status} and not [${(args.status_code as number[]).join(', ')}]: ${out.msg}` };
    return out;
  },
};
export default uri;

