/**
 * Network modules on real lab hosts over real SSH: get_url, uri, unarchive.
 * h2 serves HTTP (8080) and HTTPS (8443, certificates made with the openssl_privatekey and
 * x509_certificate modules, client certificates optional) with a small python3 server; the
 * modules run on h1 and talk to h2's lab address (198.18.0.0/15 only).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Connection } from '../../engine/types.ts';
import { LocalConnection } from '../../engine/connection/local.ts';
import { labConnection, runOn, useModuleLab, type ModuleLab } from '../support/modules.ts';
import { sshRun } from '../support/lab.ts';

const LAB = 'tsp-net';

/** The test web server: files from /srv/www, /json, /redirect, /status/N, /auth (alice:s3cret), POST echo, /whoami (client cert CN). */
const SERVER = `
import base64, json, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body, ctype='text/plain', extra=None):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in (extra or {}).items(): self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD': self.wfile.write(body)
    def do_HEAD(self): self.do_GET()
    def do_GET(self):
        p = self.path
        if p.startswith('/status/'): return self.send(int(p.split('/')[2]), b'status page\\n')
        if p == '/redirect': return self.send(302, b'', extra={'Location': '/json'})
        if p == '/json': return self.send(200, json.dumps({'hello': 'world', 'n': 1}).encode(), 'application/json')
        if p == '/auth':
            if self.headers.get('Authorization') != 'Basic ' + base64.b64encode(b'alice:s3cret').decode():
                return self.send(401, b'no\\n', extra={'WWW-Authenticate': 'Basic realm="x"'})
            return self.send(200, b'welcome alice\\n')
        if p == '/whoami':
            cert = self.connection.getpeercert() if hasattr(self.connection, 'getpeercert') else None
            cn = dict(x[0] for x in cert['subject'])['commonName'] if cert else 'anonymous'
            return self.send(200, json.dumps({'cn': cn}).encode(), 'application/json')
        if p == '/agent': return self.send(200, json.dumps({'ua': self.headers.get('User-Agent'), 'x': self.headers.get('X-Tsp')}).encode(), 'application/json')
        try:
            with open('/srv/www' + p, 'rb') as f: data = f.read()
        except OSError: return self.send(404, b'not found\\n')
        self.send(200, data, 'application/octet-stream')
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        out = {'path': self.path, 'content_type': self.headers.get('Content-Type'), 'body': body.decode()}
        self.send(201 if self.path == '/create' else 200, json.dumps(out).encode(), 'application/json')
srv = ThreadingHTTPServer(('0.0.0.0', int(sys.argv[1])), H)
if len(sys.argv) > 2:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    ctx.load_verify_locations(sys.argv[4]); ctx.verify_mode = ssl.CERT_OPTIONAL
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
`;

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('lab: network modules (get_url, uri, unarchive)', function () {
  this.timeout(180_000);
  const m = useModuleLab(LAB, 2, 0);
  const run: ModuleLab['run'] = (...a) => m.run(...a);
  const remote: ModuleLab['remote'] = (c) => m.remote(c);
  let h2: string;
  let web: string;
  let tls: string;
  let local: string;

  before(async function () {
    this.timeout(120_000);
    h2 = m.lab.hosts[1].ip;
    web = `http://${h2}:8080`;
    tls = `https://${h2}:8443`;
    const on2 = (cmd: string, input?: string) => sshRun(m.lab, m.lab.hosts[1].name, cmd, input);
    await on2('mkdir -p /opt/tsp /srv/www /etc/tsp && cat > /opt/tsp/srv.py', SERVER);
    await on2("printf 'hello-file\\n' > /srv/www/a.txt && head -c 200000 /dev/urandom > /srv/www/big.bin && cd /srv/www && sha256sum a.txt big.bin > SHA256SUMS");
    // certificates for the HTTPS server (and a client certificate) with the pki modules, on h2
    const c2: Connection = await labConnection(m.lab, m.lab.hosts[1].name);
    try {
      for (const k of ['ca', 'server', 'client']) expect((await runOn(c2, 'openssl_privatekey', { path: `/etc/tsp/${k}.key` })).failed).to.equal(undefined);
      const ca = await runOn(c2, 'x509_certificate', { path: '/etc/tsp/ca.crt', privatekey_path: '/etc/tsp/ca.key', provider: 'selfsigned', common_name: 'tsp-test-ca', is_ca: true, key_usage: ['keyCertSign', 'cRLSign'] });
      expect(ca.failed, String(ca.msg)).to.equal(undefined);
      const own = { provider: 'ownca', ownca_path: '/etc/tsp/ca.crt', ownca_privatekey_path: '/etc/tsp/ca.key' };
      const sv = await runOn(c2, 'x509_certificate', { ...own, path: '/etc/tsp/server.crt', privatekey_path: '/etc/tsp/server.key', common_name: 'h2', subject_alt_name: [`IP:${h2}`], extended_key_usage: ['serverAuth'] });
      expect(sv.failed, String(sv.msg)).to.equal(undefined);
      const cl = await runOn(c2, 'x509_certificate', { ...own, path: '/etc/tsp/client.crt', privatekey_path: '/etc/tsp/client.key', common_name: 'tsp-client', extended_key_usage: ['clientAuth'] });
      expect(cl.failed, String(cl.msg)).to.equal(undefined);
    } finally {
      await c2.close();
    }
    await on2('systemd-run --unit tsp-http python3 /opt/tsp/srv.py 8080 && systemd-run --unit tsp-https python3 /opt/tsp/srv.py 8443 /etc/tsp/server.crt /etc/tsp/server.key /etc/tsp/ca.crt');
    for (const f of ['ca.crt', 'client.crt', 'client.key']) {
      const pem = (await on2(`cat /etc/tsp/${f}`)).stdout;
      await sshRun(m.lab, m.host, `mkdir -p /etc/tsp && cat > /etc/tsp/${f}`, pem);
    }
    const up = await remote(`for i in $(seq 100); do curl -sf ${web}/json >/dev/null && curl -sf --cacert /etc/tsp/ca.crt ${tls}/json >/dev/null && echo up && break; sleep 0.2; done`);
    expect(up, 'the test servers on h2 answer').to.equal('up\n');
    local = mkdtempSync(join(tmpdir(), 'tsp-net-'));
  });
  after(() => local && rmSync(local, { recursive: true, force: true }));

  describe('get_url', () => {
    it('check mode first, then download with a checksum (changed), then ok WITHOUT downloading', async () => {
      const sum = sha256('hello-file\n');
      const args = { url: `${web}/a.txt`, dest: '/tmp/a.txt', checksum: `sha256:${sum}`, mode: '0640' };
      const c = await run('get_url', args, { check: true, diff: true });
      expect(c.changed).to.equal(true);
      expect(await remote('test -e /tmp/a.txt && echo yes || echo no')).to.equal('no\n');
      const r = await run('get_url', args);
      expect(r).to.include({ changed: true, status_code: 200, dest: '/tmp/a.txt', mode: '0640', msg: 'OK (11 bytes)' });
      expect(await remote('cat /tmp/a.txt; stat -c %a /tmp/a.txt')).to.equal('hello-file\n640\n');
      expect((await run('get_url', args)).changed).to.equal(false);
      const gone = await run('get_url', { ...args, url: `${web}/status/404` });
      expect(gone, 'checksum matches the existing file: no request is made (a 404 URL still passes)').to.include({ changed: false, msg: 'file already exists' });
      expect((await run('get_url', { url: `${web}/a.txt`, dest: '/tmp/a.txt' })).changed, 'no checksum, no force: an existing file is kept').to.equal(false);
    });

    it('a bad checksum fails clearly and leaves the original file (and no temp file)', async () => {
      const before = await remote('cat /tmp/a.txt');
      const bad = '0'.repeat(64);
      const r = await run('get_url', { url: `${web}/big.bin`, dest: '/tmp/a.txt', checksum: `sha256:${bad}` });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.match(new RegExp(`^The checksum for /tmp/a.txt did not match ${bad}; it was [0-9a-f]{64}\\.$`));
      expect(await remote('cat /tmp/a.txt')).to.equal(before);
      expect(await remote('ls -a /tmp | grep -c tsplay || true')).to.equal('0\n');
    });

    it('force downloads and replaces only when the content differs; dest directory; checksum file URL', async () => {
      expect((await run('get_url', { url: `${web}/a.txt`, dest: '/tmp/a.txt', force: true })).changed).to.equal(false);
      const fc = await run('get_url', { url: `${web}/a.txt`, dest: '/tmp/a.txt', force: true, checksum: `sha256:${sha256('hello-file\n')}` });
      expect(fc, 'force downloads even when the checksum matches; same content: ok').to.include({ changed: false, status_code: 200 });
      await sshRun(m.lab, m.lab.hosts[1].name, "printf 'v2\\n' > /srv/www/a.txt");
      const f = await run('get_url', { url: `${web}/a.txt`, dest: '/tmp/a.txt', force: true, backup: true });
      expect(f.changed).to.equal(true);
      expect(await remote('cat /tmp/a.txt; stat -c %a /tmp/a.txt')).to.equal('v2\n640\n');
      expect(await remote(`cat ${f.backup_file}`)).to.equal('hello-file\n');
      const d = await run('get_url', { url: `${web}/big.bin`, dest: '/tmp/', checksum: `sha256:${web}/SHA256SUMS` });
      expect(d).to.include({ changed: true, dest: '/tmp/big.bin', size: 200000 });
      expect((await run('get_url', { url: `${web}/big.bin`, dest: '/tmp/', checksum: `sha256:${web}/SHA256SUMS` })).changed).to.equal(false);
    });

    it('failures: 404, unreachable URL; basic auth works and the password never shows', async () => {
      const nf = await run('get_url', { url: `${web}/nope`, dest: '/tmp/nope' });
      // (status_code/response are also set on the failure; the runner drops such extra keys under mocha+tsx, see the report)
      expect(nf).to.include({ failed: true, msg: 'Request failed: HTTP Error 404: Not Found' });
      const down = await run('get_url', { url: `http://${h2}:8099/x`, dest: '/tmp/x', timeout: 5 });
      expect(down.failed).to.equal(true);
      expect(down.msg).to.match(/^Request failed: curl: \(7\) Failed to connect/);
      expect(await remote('ls /tmp/nope /tmp/x 2>&1 | grep -c "No such" || true')).to.equal('2\n');
      const a = await run('get_url', { url: `${web}/auth`, dest: '/tmp/auth', url_username: 'alice', url_password: 's3cret' });
      expect(a.changed).to.equal(true);
      expect(JSON.stringify(a)).to.not.include('s3cret');
      expect(await remote('cat /tmp/auth')).to.equal('welcome alice\n');
    });

    it('HTTPS: verified with ca_path; an unknown CA fails unless validate_certs is off', async () => {
      const ok = await run('get_url', { url: `${tls}/a.txt`, dest: '/tmp/tls.txt', ca_path: '/etc/tsp/ca.crt' });
      expect(ok.changed).to.equal(true);
      const bad = await run('get_url', { url: `${tls}/a.txt`, dest: '/tmp/tls2.txt' });
      expect(bad.failed).to.equal(true);
      expect(bad.msg).to.match(/certificate/i);
      expect((await run('get_url', { url: `${tls}/a.txt`, dest: '/tmp/tls2.txt', validate_certs: false })).changed).to.equal(true);
    });

    it('a target without curl: the controller fetches the URL and puts the file (same checksum rules)', async () => {
      // a PATH with every command of /usr/bin except curl
      await remote('mkdir -p /opt/nocurl && for f in /usr/bin/*; do [ "${f##*/}" = curl ] || ln -sf "$f" /opt/nocurl/; done');
      const env = { PATH: '/opt/nocurl:/usr/sbin:/sbin' };
      expect(await remote('PATH=/opt/nocurl:/usr/sbin:/sbin; command -v curl || echo none')).to.equal('none\n');
      const args = { url: `${web}/big.bin`, dest: '/tmp/ctl.bin', checksum: `sha256:${web}/SHA256SUMS`, mode: '0600' };
      const r = await run('get_url', args, { env });
      expect(r).to.include({ changed: true, size: 200000, mode: '0600' });
      expect(await remote('cmp /tmp/ctl.bin /tmp/big.bin && stat -c %a /tmp/ctl.bin')).to.equal('600\n');
      expect((await run('get_url', args, { env })).changed).to.equal(false);
      const bad = await run('get_url', { url: `${web}/a.txt`, dest: '/tmp/ctl.bin', checksum: `sha1:${'0'.repeat(40)}` }, { env });
      expect(bad.msg).to.match(/^The checksum for \/tmp\/ctl.bin did not match 0{40}; it was [0-9a-f]{40}\.$/);
      expect(await remote('cmp /tmp/ctl.bin /tmp/big.bin && ls -a /tmp | grep -c tsplay || true')).to.equal('0\n');
      const tls2 = await run('get_url', { url: `${tls}/a.txt`, dest: '/tmp/ctl-tls.txt', ca_path: '/etc/tsp/ca.crt' }, { env });
      expect(tls2.changed, 'TLS from the controller with the CA file read from the target').to.equal(true);
      expect((await run('get_url', { url: `${tls}/a.txt`, dest: '/tmp/ctl-tls2.txt' }, { env })).failed).to.equal(true);
    });
  });

  describe('uri', () => {
    it('GET decodes JSON; redirects are followed; headers come back lower-cased', async () => {
      const r = await run('uri', { url: `${web}/json` });
      expect(r).to.deep.include({ changed: false, status: 200, json: { hello: 'world', n: 1 }, content_type: 'application/json', msg: 'OK (26 bytes)' });
      expect(r.content, 'no content unless return_content').to.equal(undefined);
      const rd = await run('uri', { url: `${web}/redirect`, return_content: true });
      expect(rd).to.include({ status: 200, redirected: true, url: `${web}/json`, content: '{"hello": "world", "n": 1}' });
      const h = await run('uri', { url: `${web}/agent`, headers: { 'X-Tsp': 'yes' } });
      expect(h.json).to.deep.equal({ ua: 'ansible-httpget', x: 'yes' });
    });

    it('POST json (201 accepted by status_code list) and form-urlencoded', async () => {
      const p = await run('uri', { url: `${web}/create`, method: 'POST', body_format: 'json', body: { name: 'demo' }, status_code: [200, 201] });
      expect(p).to.deep.include({ status: 201, json: { path: '/create', content_type: 'application/json', body: '{"name":"demo"}' } });
      const f = await run('uri', { url: `${web}/form`, method: 'POST', body_format: 'form-urlencoded', body: { a: 'b c', d: 'é' } });
      expect(f.json).to.deep.equal({ path: '/form', content_type: 'application/x-www-form-urlencoded', body: 'a=b+c&d=%C3%A9' });
      const one = await run('uri', { url: `${web}/create`, method: 'POST', body: 'raw', status_code: '201' });
      expect(one.status).to.equal(201);
    });

    it('a status_code mismatch fails with Ansible\'s message; unreachable is -1; check mode skips', async () => {
      const r = await run('uri', { url: `${web}/status/404` });
      expect(r).to.include({ failed: true, status: 404, msg: 'Status code was 404 and not [200]: HTTP Error 404: Not Found', content: 'status page\n' });
      const p = await run('uri', { url: `${web}/create`, method: 'POST', body: 'x' });
      expect(p.msg).to.match(/^Status code was 201 and not \[200\]: OK \(\d+ bytes\)$/);
      const down = await run('uri', { url: `http://${h2}:8099/`, timeout: 5 });
      expect(down).to.include({ failed: true, status: -1 });
      expect(down.msg).to.match(/^Status code was -1 and not \[200\]: Request failed: /);
      const c = await run('uri', { url: `${web}/json` }, { check: true });
      expect(c).to.include({ skipped: true, changed: false });
      const auth = await run('uri', { url: `${web}/auth`, url_username: 'alice', url_password: 's3cret', return_content: true });
      expect(auth).to.include({ status: 200, content: 'welcome alice\n' });
      expect(JSON.stringify(auth)).to.not.include('s3cret');
    });

    it('HTTPS with ca_path and a client certificate (the server sees the client CN)', async () => {
      const anon = await run('uri', { url: `${tls}/whoami`, ca_path: '/etc/tsp/ca.crt' });
      expect(anon.json).to.deep.equal({ cn: 'anonymous' });
      const me = await run('uri', { url: `${tls}/whoami`, ca_path: '/etc/tsp/ca.crt', client_cert: '/etc/tsp/client.crt', client_key: '/etc/tsp/client.key' });
      expect(me).to.deep.include({ status: 200, json: { cn: 'tsp-client' } });
      const untrusted = await run('uri', { url: `${tls}/whoami` });
      expect(untrusted).to.include({ failed: true, status: -1 });
      expect((await run('uri', { url: `${tls}/whoami`, validate_certs: false })).status).to.equal(200);
    });

    it('delegated to localhost: the same request runs on the controller (local connection)', async () => {
      const conn = new LocalConnection('localhost');
      try {
        const r = await runOn(conn, 'uri', { url: `${web}/json` });
        expect(r).to.deep.include({ status: 200, json: { hello: 'world', n: 1 } });
      } finally {
        await conn.close();
      }
    });
  });

  describe('unarchive', () => {
    before(() => {
      mkdirSync(join(local, 'tree/app/bin'), { recursive: true });
      writeFileSync(join(local, 'tree/app/README'), 'readme\n');
      writeFileSync(join(local, 'tree/app/bin/tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
      execFileSync('tar', ['czf', join(local, 'app.tar.gz'), '-C', join(local, 'tree'), 'app']);
      execFileSync('python3', ['-m', 'zipfile', '-c', join(local, 'app.zip'), 'app'], { cwd: join(local, 'tree') });
    });

    it('tar.gz from the controller: check mode changes nothing, then changed, then ok; drift is repaired', async () => {
      await remote('rm -rf /srv/t && mkdir -p /srv/t');
      const args = { src: join(local, 'app.tar.gz'), dest: '/srv/t', list_files: true };
      const c = await run('unarchive', args, { check: true, diff: true });
      expect(c.changed).to.equal(true);
      expect(c.diff?.[0].after).to.equal('/srv/t/app\n/srv/t/app/README\n/srv/t/app/bin\n/srv/t/app/bin/tool\n');
      expect(await remote('ls -A /srv/t; ls -a /tmp | grep -c tsplay || true')).to.equal('0\n');
      const r = await run('unarchive', args);
      expect(r).to.deep.include({ changed: true, handler: 'TgzArchive', files: ['app', 'app/README', 'app/bin', 'app/bin/tool'] });
      expect(await remote('/srv/t/app/bin/tool; cat /srv/t/app/README')).to.equal('tool\nreadme\n');
      expect((await run('unarchive', args)).changed).to.equal(false);
      await remote("printf 'edited\\n' > /srv/t/app/README");
      expect((await run('unarchive', args)).changed, 'a changed file is restored').to.equal(true);
      expect(await remote('cat /srv/t/app/README')).to.equal('readme\n');
      expect(await remote('ls -a /tmp | grep -c tsplay || true'), 'the uploaded archive is cleaned up').to.equal('0\n');
    });

    it('zip from the controller with mode/owner: changed then ok; creates skips', async () => {
      await remote('rm -rf /srv/z && mkdir -p /srv/z');
      const args = { src: join(local, 'app.zip'), dest: '/srv/z', mode: '0750', owner: 'nobody' };
      const r = await run('unarchive', args);
      expect(r).to.include({ changed: true, handler: 'ZipArchive' });
      expect(await remote('stat -c "%a %U" /srv/z/app/README /srv/z/app/bin')).to.equal('750 nobody\n750 nobody\n');
      expect((await run('unarchive', args)).changed).to.equal(false);
      const s = await run('unarchive', { src: join(local, 'app.zip'), dest: '/srv/elsewhere', creates: '/srv/z/app/README' });
      expect(s).to.include({ changed: false, msg: 'skipped, since /srv/z/app/README exists' });
    });

    it('remote_src archives made on the target (tar.xz and zip), include/exclude, extra_opts', async () => {
      await remote('rm -rf /srv/r /srv/src && mkdir -p /srv/r/x /srv/r/z /srv/src/pkg && echo a > /srv/src/pkg/a.txt && echo b > /srv/src/pkg/b.log && tar cJf /tmp/pkg.tar.xz -C /srv/src pkg && cd /srv/src && python3 -m zipfile -c /tmp/pkg.zip pkg');
      const x = { src: '/tmp/pkg.tar.xz', dest: '/srv/r/x', remote_src: true, extra_opts: ['--strip-components=1'], exclude: ['*.log'] };
      expect(await run('unarchive', x)).to.include({ changed: true, handler: 'TarXzArchive' });
      expect(await remote('ls /srv/r/x')).to.equal('a.txt\n');
      expect((await run('unarchive', x)).changed).to.equal(false);
      const z = { src: '/tmp/pkg.zip', dest: '/srv/r/z', remote_src: true, include: ['pkg/b.log'] };
      expect((await run('unarchive', z)).changed).to.equal(true);
      expect(await remote('find /srv/r/z -type f')).to.equal('/srv/r/z/pkg/b.log\n');
      expect((await run('unarchive', z)).changed).to.equal(false);
    });

    it('mode is never applied through a symlink from the archive', async () => {
      await remote('rm -rf /srv/l /srv/lsrc && mkdir -p /srv/l /srv/lsrc/d && echo x > /srv/lsrc/d/f && ln -s /etc/hostname /srv/lsrc/d/link && tar czf /tmp/l.tgz -C /srv/lsrc d');
      const before = await remote('stat -c %a /etc/hostname');
      const r = await run('unarchive', { src: '/tmp/l.tgz', dest: '/srv/l', remote_src: true, mode: '0600' });
      expect(r.changed).to.equal(true);
      expect(await remote('stat -c %a /srv/l/d/f /etc/hostname; readlink /srv/l/d/link')).to.equal(`600\n${before}/etc/hostname\n`);
      expect((await run('unarchive', { src: '/tmp/l.tgz', dest: '/srv/l', remote_src: true, mode: '0600' })).changed).to.equal(false);
    });

    it('a URL src is downloaded on the target, then unpacked; idempotent', async () => {
      await sshRun(m.lab, m.lab.hosts[1].name, 'mkdir -p /tmp/w/web && echo served > /tmp/w/web/index.html && tar czf /srv/www/site.tgz -C /tmp/w web');
      await remote('rm -rf /srv/u && mkdir -p /srv/u');
      const args = { src: `${web}/site.tgz`, dest: '/srv/u' };
      expect(await run('unarchive', args)).to.include({ changed: true, handler: 'TgzArchive' });
      expect(await remote('cat /srv/u/web/index.html')).to.equal('served\n');
      expect((await run('unarchive', args)).changed).to.equal(false);
      expect((await run('unarchive', { src: `${web}/none.tgz`, dest: '/srv/u' })).msg).to.equal(`Failure downloading ${web}/none.tgz, HTTP Error 404: Not Found`);
    });

    it('failures: dest must exist, a non-archive is named, a missing remote src is named', async () => {
      expect((await run('unarchive', { src: join(local, 'app.zip'), dest: '/srv/none' })).msg).to.equal("dest '/srv/none' must be an existing dir");
      const bad = await run('unarchive', { src: '/etc/hostname', dest: '/srv/r', remote_src: true });
      expect(bad.msg).to.match(/^Failed to find handler for "\/etc\/hostname"/);
      expect((await run('unarchive', { src: '/tmp/none.tgz', dest: '/srv/r', remote_src: true })).msg).to.equal("Source '/tmp/none.tgz' does not exist");
    });
  });
});
