/**
 * HTTP requests made ON THE TARGET with curl, for get_url and uri: the request options go in a
 * curl config on stdin (`curl -K -`: passwords and headers never appear in `ps`), the response
 * (status, effective URL, headers, optionally the body) comes back in ONE round trip.
 * `curlConfig`, `parseHttpOutput` and `parseHeaders` are pure (unit tested).
 */
import type { ModuleContext } from '../types.ts';
import { quote } from './quote.ts';
import { sh } from './remote.ts';

/** What to request. */
export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Request body (sent as-is). */
  body?: Buffer;
  /** Seconds; for downloads the connect timeout and the stall limit, else the whole request. */
  timeout?: number;
  download?: boolean;
  validateCerts?: boolean;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  username?: string;
  password?: string;
  followRedirects?: boolean;
  decompress?: boolean;
  /** Send the request on a unix socket. */
  unixSocket?: string;
}

/** The response as curl saw it. */
export interface HttpResponse {
  /** curl's exit code (0 = a response was received; 22 is never used: we do not pass --fail). */
  rc: number;
  /** HTTP status, or -1 when no response came (connection refused, TLS error, timeout). */
  status: number;
  /** Effective URL after redirects. */
  url: string;
  /** Reason phrase of the final status line (`Not Found`). */
  reason: string;
  /** Final response headers, names lower-cased. */
  headers: Record<string, string>;
  /** curl's error text when rc != 0. */
  error: string;
  body?: Buffer;
  /** Extra lines printed by the caller's `after` script (`KEY value`). */
  extra: Record<string, string>;
}

/** Quote a value for a curl config file. */
function cq(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The curl config (`-K -`) for a request. */
export function curlConfig(req: HttpRequest): string {
  const c: string[] = [`url = ${cq(req.url)}`, 'silent', 'show-error'];
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'HEAD') c.push('head');
  else if (method !== 'GET' || req.body !== undefined) c.push(`request = ${cq(method)}`);
  for (const [k, v] of Object.entries(req.headers ?? {})) c.push(`header = ${cq(`${k}: ${v}`)}`);
  const t = req.timeout ?? 30;
  if (t > 0) {
    c.push(`connect-timeout = ${t}`);
    if (req.download) c.push(`speed-time = ${t}`, 'speed-limit = 1');
    else c.push(`max-time = ${t}`);
  }
  if (req.validateCerts === false) c.push('insecure');
  if (req.caPath) c.push(`cacert = ${cq(req.caPath)}`);
  if (req.clientCert) c.push(`cert = ${cq(req.clientCert)}`);
  if (req.clientKey) c.push(`key = ${cq(req.clientKey)}`);
  if (req.username !== undefined) c.push(`user = ${cq(`${req.username}:${req.password ?? ''}`)}`);
  if (req.followRedirects) c.push('location', 'max-redirs = 50');
  if (req.decompress) c.push('compressed');
  if (req.unixSocket) c.push(`unix-socket = ${cq(req.unixSocket)}`);
  return c.join('\n') + '\n';
}

/** Parse a header dump (`-D`): the LAST response block; names lower-cased. */
export function parseHeaders(dump: string): { statusLine: string; headers: Record<string, string> } {
  const blocks = dump.replace(/\r/g, '').split(/\n\n+/).filter((b) => /^HTTP\//.test(b.trim()));
  const last = (blocks[blocks.length - 1] ?? '').trim().split('\n');
  const headers: Record<string, string> = {};
  for (const line of last.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
  }
  return { statusLine: last[0] ?? '', headers };
}

/** Parse the output of the script `httpScript` builds. */
export function parseHttpOutput(out: string): HttpResponse {
  const tag: Record<string, string> = {};
  const extra: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    const k = sp < 0 ? line : line.slice(0, sp);
    const v = sp < 0 ? '' : line.slice(sp + 1);
    if (['RC', 'META', 'ERR', 'HEAD', 'BODY'].includes(k)) tag[k] = v;
    else if (/^[A-Z][A-Z0-9_]*$/.test(k)) extra[k] = v;
  }
  const rc = Number(tag.RC ?? 1);
  const [code = '000', ...urlParts] = (tag.META ?? '').split(' ');
  const { statusLine, headers } = parseHeaders(Buffer.from(tag.HEAD ?? '', 'base64').toString());
  const status = Number(code) > 0 ? Number(code) : -1;
  const reason = /^HTTP\/\S+\s+\d+\s*(.*)$/.exec(statusLine)?.[1] ?? '';
  return {
    rc,
    status,
    url: urlParts.join(' '),
    reason,
    headers,
    error: (tag.ERR ?? '').trim(),
    ...(tag.BODY !== undefined ? { body: Buffer.from(tag.BODY, 'base64') } : {}),
    extra,
  };
}

/** Options of one request run. */
export interface HttpRun {
  /** Write the body here on the target (a shell word, already quoted); default: returned in `body`. */
  outFile?: string;
  /** Shell run before curl (e.g. `tmp=$(mktemp ...)`). */
  before?: string;
  /** Shell run after curl; `$rc` is curl's exit code; may print `KEY value` lines. */
  after?: string;
}

/** The script: body to a temp file, curl with the config on stdin, then tagged output lines. */
export function httpScript(req: HttpRequest, run: HttpRun = {}): string {
  const out = run.outFile ?? '"$d/body"';
  const parts = [
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/.tsplay-XXXXXXXX") || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    'command -v curl >/dev/null 2>&1 || { echo "RC 127"; echo "ERR curl is not installed on the target"; exit 0; }',
    run.before ?? ':',
  ];
  let data = '';
  if (req.body !== undefined) {
    parts.push(`printf '%s' ${quote(req.body.toString('base64'))} | base64 -d > "$d/req"`);
    data = ` --data-binary @"$d/req"`;
  }
  parts.push(
    `curl -K -${data} -o ${out} -D "$d/head" -w '%{http_code} %{url_effective}' > "$d/meta" 2> "$d/err"; rc=$?`,
    `printf 'RC %s\\nMETA %s\\nERR %s\\nHEAD %s\\n' "$rc" "$(cat "$d/meta")" "$(tr '\\n' ' ' < "$d/err")" "$(base64 -w0 < "$d/head")"`,
  );
  if (!run.outFile) parts.push(`[ -f "$d/body" ] && printf 'BODY %s\\n' "$(base64 -w0 < "$d/body")"`);
  if (run.after) parts.push(run.after);
  parts.push('exit 0');
  return parts.join('\n');
}

/** Run one request on the target. */
export async function httpOnTarget(ctx: ModuleContext, req: HttpRequest, run: HttpRun = {}): Promise<HttpResponse> {
  const t = (req.timeout ?? 30) > 0 ? (req.timeout ?? 30) : 3600;
  const r = await sh(ctx, httpScript(req, run), { stdin: curlConfig(req), timeoutMs: (req.download ? 3600 : t + 30) * 1000 });
  if (r.rc !== 0 && !r.stdout.includes('RC ')) throw new Error(`cannot run curl on the target: ${r.stderr.trim() || `exit code ${r.rc}`}`);
  return parseHttpOutput(r.stdout);
}

/** Ansible's msg for a response: `OK (N bytes)`, `HTTP Error 404: Not Found`, `Request failed: ...`. */
export function responseMsg(res: HttpResponse, bytes?: number): string {
  if (res.status < 0) return `Request failed: ${res.error || `curl exit code ${res.rc}`}`;
  if (res.status >= 400) return `HTTP Error ${res.status}: ${res.reason}`;
  const len = bytes ?? res.body?.length ?? Number(res.headers['content-length'] ?? 0);
  return `OK (${Number.isFinite(len) ? len : 'unknown'} bytes)`;
}

/** TLS material for a controller-side request (PEM text, not paths). */
export interface ControllerTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * The same request made FROM THE CONTROLLER with node:http(s) (get_url's fallback when the target
 * has no curl); follows up to 20 redirects when asked. Never rejects: a failure is status -1.
 */
export async function httpOnController(req: HttpRequest, tls: ControllerTls = {}): Promise<HttpResponse> {
  const { request: httpReq } = await import('node:http');
  const { request: httpsReq } = await import('node:https');
  let url = req.url;
  for (let hop = 0; hop <= 20; hop++) {
    const res = await new Promise<HttpResponse>((resolve) => {
      const u = new URL(url);
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (req.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${req.username}:${req.password ?? ''}`).toString('base64')}`;
      const opts = { method: req.method ?? 'GET', headers, timeout: (req.timeout ?? 30) * 1000, rejectUnauthorized: req.validateCerts !== false, ca: tls.ca, cert: tls.cert, key: tls.key };
      const done = (r: Partial<HttpResponse>) => resolve({ rc: 0, status: -1, url, reason: '', headers: {}, error: '', extra: {}, ...r });
      const cr = (u.protocol === 'https:' ? httpsReq : httpReq)(u, opts, (resp) => {
        const chunks: Buffer[] = [];
        resp.on('data', (c: Buffer) => chunks.push(c));
        resp.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(resp.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
          done({ status: resp.statusCode ?? -1, reason: resp.statusMessage ?? '', headers: h, body: Buffer.concat(chunks) });
        });
        resp.on('error', (e) => done({ rc: 1, error: e.message }));
      });
      cr.on('timeout', () => cr.destroy(new Error(`timed out after ${req.timeout ?? 30} s`)));
      cr.on('error', (e) => done({ rc: 1, error: e.message }));
      if (req.body) cr.write(req.body);
      cr.end();
    });
    const loc = res.headers.location;
    if (req.followRedirects && loc && res.status >= 300 && res.status < 400) {
      url = new URL(loc, url).href;
      continue;
    }
    return res;
  }
  return { rc: 1, status: -1, url, reason: '', headers: {}, error: 'too many redirects', extra: {} };
}

/** Ansible's url_argument_spec pieces shared by get_url and uri (same names, same meaning). */
export const URL_ARGS = {
  headers: { type: 'dict', default: {}, description: 'Request headers.' },
  validate_certs: { type: 'bool', default: true, description: 'Verify the server certificate.' },
  url_username: { type: 'str', aliases: ['user', 'username'], description: 'User name for HTTP basic authentication.' },
  url_password: { type: 'str', aliases: ['password'], no_log: true, description: 'Password for HTTP basic authentication (never shown).' },
  force_basic_auth: { type: 'bool', default: false, description: 'Accepted for compatibility: curl sends basic credentials with the first request.' },
  client_cert: { type: 'path', description: 'PEM client certificate (on the target).' },
  client_key: { type: 'path', description: 'PEM client key (on the target).' },
  ca_path: { type: 'path', description: 'PEM CA certificate file (on the target) to verify the server with.' },
  http_agent: { type: 'str', default: 'ansible-httpget', description: 'User-Agent header.' },
  use_proxy: { type: 'bool', default: true, description: 'Use proxy environment variables (curl does by default).' },
  decompress: { type: 'bool', default: true, description: 'Ask for and decode compressed responses.' },
} as const;

/** The request for a task's URL_ARGS (plus what the caller sets: method, body, redirects, ...). */
export function requestFromArgs(args: Record<string, any>, url: string, more: Partial<HttpRequest> = {}): HttpRequest {
  return {
    url,
    headers: { 'User-Agent': args.http_agent, ...Object.fromEntries(Object.entries(args.headers ?? {}).map(([k, v]) => [k, String(v)])) },
    timeout: args.timeout,
    validateCerts: args.validate_certs,
    caPath: args.ca_path,
    clientCert: args.client_cert,
    clientKey: args.client_key,
    username: args.url_username,
    password: args.url_password,
    decompress: args.decompress,
    ...more,
  };
}

/** True for `scheme://...` strings (a URL rather than a path). */
export function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

/**
 * Download `url` on the target into a new private scratch directory (`mktemp -d`); returns the
 * file path and the directory (the caller removes it). Fails with Ansible's
 * `Failure downloading URL, MSG` when the response is not 2xx.
 */
export async function downloadToScratch(ctx: ModuleContext, url: string, validateCerts = true): Promise<{ file: string; scratch: string }> {
  const r = await sh(ctx, `mktemp -d "\${TMPDIR:-/tmp}/.tsplay-dl-XXXXXXXX"`);
  const scratch = r.stdout.trim();
  if (r.rc !== 0 || !scratch) throw new Error(`cannot create a temp directory: ${r.stderr.trim()}`);
  const file = `${scratch}/${(new URL(url).pathname.split('/').pop() || 'download').replace(/[^A-Za-z0-9_.+-]/g, '_')}`;
  const res = await httpOnTarget(ctx, { url, download: true, followRedirects: true, validateCerts, timeout: 30 }, { outFile: quote(file) });
  if (res.rc !== 0 || res.status < 200 || res.status >= 300) {
    await sh(ctx, `rm -rf -- ${quote(scratch)}`);
    throw new Error(`Failure downloading ${url}, ${responseMsg(res)}`);
  }
  return { file, scratch };
}
