/** get_url, uri, unarchive: the pure parts (curl config, response parsing, checksums, archive scripts run locally). */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curlConfig, parseHeaders, parseHttpOutput, responseMsg } from '../../../engine/modules/http.ts';
import { findChecksum, parseChecksumArg } from '../../../modules/get_url.ts';
import { encodeBody, formUrlencoded } from '../../../modules/uri.ts';
import { compareScript, extractCommand, handlerName, parseCompare, type ExtractSpec } from '../../../engine/modules/archive.ts';

describe('http: curl config and response parsing', () => {
  it('puts url, headers and credentials in the config (quoted), never on the command line', () => {
    const c = curlConfig({ url: 'https://h/x?a="b"', method: 'POST', headers: { 'X-A': 'v\\1' }, username: 'u', password: 'p"w', validateCerts: false, caPath: '/ca.pem', followRedirects: true, timeout: 5 });
    expect(c).to.include('url = "https://h/x?a=\\"b\\""\n');
    expect(c).to.include('request = "POST"\n');
    expect(c).to.include('header = "X-A: v\\\\1"\n');
    expect(c).to.include('user = "u:p\\"w"\n');
    expect(c).to.include('insecure\n').and.include('cacert = "/ca.pem"\n').and.include('location\n').and.include('max-time = 5\n');
    expect(curlConfig({ url: 'http://h/', method: 'HEAD' })).to.include('head\n');
    expect(curlConfig({ url: 'http://h/', download: true, timeout: 7 })).to.include('speed-time = 7').and.not.include('max-time');
  });
  it('headers: the LAST response block after redirects, names lower-cased, repeated headers joined', () => {
    const dump = 'HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n';
    expect(parseHeaders(dump)).to.deep.equal({ statusLine: 'HTTP/1.1 200 OK', headers: { 'content-type': 'application/json', 'set-cookie': 'a=1, b=2' } });
  });
  it('tagged output: status, effective url, reason, body, extra lines; no response = -1', () => {
    const head = Buffer.from('HTTP/1.1 404 Not Found\r\nX: y\r\n\r\n').toString('base64');
    const r = parseHttpOutput(`RC 0\nMETA 404 http://h/p\nERR \nHEAD ${head}\nBODY ${Buffer.from('nope').toString('base64')}\nSHA1 abc\n`);
    expect(r).to.deep.include({ rc: 0, status: 404, url: 'http://h/p', reason: 'Not Found', headers: { x: 'y' }, extra: { SHA1: 'abc' } });
    expect(r.body?.toString()).to.equal('nope');
    expect(responseMsg(r)).to.equal('HTTP Error 404: Not Found');
    const dead = parseHttpOutput("RC 7\nMETA 000 \nERR curl: (7) Failed to connect\nHEAD \n");
    expect(dead.status).to.equal(-1);
    expect(responseMsg(dead)).to.equal('Request failed: curl: (7) Failed to connect');
    expect(responseMsg({ ...r, status: 200, body: Buffer.from('12345') })).to.equal('OK (5 bytes)');
  });
});

describe('get_url: checksum arguments', () => {
  it('algorithm:digest, algorithm:URL; unknown algorithms and bad formats fail clearly', () => {
    expect(parseChecksumArg('sha256:ABC')).to.deep.equal({ algo: 'sha256', value: 'ABC' });
    expect(parseChecksumArg('sha512:http://h/SUMS')).to.deep.equal({ algo: 'sha512', value: 'http://h/SUMS' });
    expect(parseChecksumArg('')).to.equal(undefined);
    expect(() => parseChecksumArg('abc')).to.throw('The checksum parameter has to be in format <algorithm>:<checksum>');
    expect(() => parseChecksumArg('crc32:00')).to.throw(/Unsupported hash algorithm 'crc32'/);
  });
  it('finds the digest of a file in a checksums file (binary marker, ./ prefix, lone digest)', () => {
    const sums = 'AAA111  other.tgz\nbbb222 *app.tar.gz\nccc333  ./dir/tool\n';
    expect(findChecksum(sums, 'app.tar.gz')).to.equal('bbb222');
    expect(findChecksum(sums, 'tool')).to.equal('ccc333');
    expect(findChecksum(sums, 'missing')).to.equal(undefined);
    expect(findChecksum('DEADBEEF\n', 'anything')).to.equal('deadbeef');
  });
});

describe('uri: bodies', () => {
  it('json and form-urlencoded bodies set their Content-Type; raw is sent as-is', () => {
    expect(formUrlencoded({ a: 'b c', d: 'é', l: ['1', '2'] })).to.equal('a=b+c&d=%C3%A9&l=1&l=2');
    expect(encodeBody({ a: 1 }, 'json')).to.deep.equal({ body: Buffer.from('{"a":1}'), contentType: 'application/json' });
    expect(encodeBody('x=1', 'form-urlencoded').contentType).to.equal('application/x-www-form-urlencoded');
    expect(encodeBody('raw', 'raw')).to.deep.equal({ body: Buffer.from('raw') });
    expect(encodeBody(undefined, 'json')).to.deep.equal({});
  });
});

describe('archive: commands and the compare script (run here with /bin/sh, real tar and unzip)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsp-arc-'));
    mkdirSync(join(dir, 'src/top/sub'), { recursive: true });
    writeFileSync(join(dir, 'src/top/one.txt'), 'one\n');
    writeFileSync(join(dir, 'src/top/sub/two.txt'), 'two\n');
    symlinkSync('one.txt', join(dir, 'src/top/link'));
    execFileSync('tar', ['czf', join(dir, 'a.tgz'), '-C', join(dir, 'src'), 'top']);
    mkdirSync(join(dir, 'dest'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (over: Partial<ExtractSpec> = {}): ExtractSpec => ({ archive: join(dir, 'a.tgz'), kind: 'tar', include: [], exclude: [], extraOpts: [], ...over });
  const compare = (s: ExtractSpec, attrs = {}) => parseCompare(execFileSync('/bin/sh', ['-c', compareScript(s, join(dir, 'dest'), attrs)]).toString());

  it('command lines: tar with excludes/options/members, unzip with -x and -d', () => {
    expect(extractCommand(spec({ exclude: ['*.log'], extraOpts: ['--strip-components=1'], include: ['top/one.txt'] }), '/d')).to.equal(`tar -x -f ${join(dir, 'a.tgz')} -C /d '--exclude=*.log' --strip-components=1 top/one.txt`);
    expect(extractCommand({ archive: '/a.zip', kind: 'zip', include: [], exclude: ['x/*'], extraOpts: [] }, '/d')).to.equal("unzip -o -q /a.zip -x 'x/*' -d /d");
    expect(handlerName('tar', 'x.tar.xz')).to.equal('TarXzArchive');
    expect(handlerName('zip', 'x.zip')).to.equal('ZipArchive');
  });
  it('reports missing entries, then nothing once extracted, then a changed file and a wrong link', () => {
    let c = compare(spec());
    expect(c.files).to.deep.equal(['top', 'top/link', 'top/one.txt', 'top/sub', 'top/sub/two.txt']);
    expect(c.missing).to.deep.equal(c.files);
    execFileSync('/bin/sh', ['-c', extractCommand(spec(), join(dir, 'dest'))]);
    c = compare(spec());
    expect(c.missing.concat(c.differ, c.attrs)).to.deep.equal([]);
    writeFileSync(join(dir, 'dest/top/sub/two.txt'), 'changed\n');
    rmSync(join(dir, 'dest/top/link'));
    symlinkSync('sub', join(dir, 'dest/top/link'));
    c = compare(spec());
    expect(c.differ).to.deep.equal(['top/link', 'top/sub/two.txt']);
  });
  it('attributes: a requested mode that differs is reported', () => {
    chmodSync(join(dir, 'dest/top/one.txt'), 0o600);
    const c = compare(spec({ include: ['top/one.txt'] }), { mode: '0600' });
    expect(c.attrs).to.deep.equal(['top']);
    expect(compare(spec({ include: ['top/one.txt'] }), { mode: '0644' }).attrs, 'the directory (0755) and the file (0600) both differ from 0644').to.deep.equal(['top', 'top/one.txt']);
  });
  it('an unreadable archive is an error line, not an exception', () => {
    writeFileSync(join(dir, 'bad.tgz'), 'not an archive');
    expect(compare(spec({ archive: join(dir, 'bad.tgz') })).error).to.match(/tar/);
  });
});
