import { expect } from 'chai';
import { createHmac, generateKeyPairSync, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  parseKnownHosts, checkHostKey, fingerprint, keyTypeOf, knownHostName, entryMatches, appendKnownHost, loadKnownHosts, knownHostsLine,
} from '../../../engine/connection/knownhosts.ts';

/** An ssh-ed25519 public key blob (wire format) from a fresh key. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const name = Buffer.from('ssh-ed25519');
  const b = Buffer.alloc(4 + name.length + 4 + 32);
  b.writeUInt32BE(name.length, 0);
  name.copy(b, 4);
  b.writeUInt32BE(32, 4 + name.length);
  raw.copy(b, 8 + name.length);
  return b;
}
const line = (hosts: string, blob: Buffer) => `${hosts} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
const hashed = (name: string, salt = Buffer.from('0123456789abcdefghij')) => `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('connection/knownhosts', () => {
  const k1 = ed25519Blob();
  const k2 = ed25519Blob();

  it('fingerprint is OpenSSH SHA256 form, as ssh-keygen -l prints', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-kh-'));
    const f = join(dir, 'k.pub');
    writeFileSync(f, `ssh-ed25519 ${k1.toString('base64')} test\n`);
    const out = execFileSync('ssh-keygen', ['-l', '-f', f]).toString();
    expect(out).to.contain(fingerprint(k1));
    expect(fingerprint(k1)).to.equal('SHA256:' + createHash('sha256').update(k1).digest('base64').replace(/=+$/, ''));
  });

  it('parses plain, comma lists, [host]:port, markers, comments; skips junk', () => {
    const es = parseKnownHosts([
      '# comment',
      line('h1,198.18.6.11', k1),
      line('[h2]:2222', k2),
      '@revoked ' + line('*', k2),
      '@cert-authority ' + line('*.example.org', k1),
      'garbage line',
      'host ssh-ed25519 !!!notbase64',
      '',
    ].join('\n'), 'kh');
    expect(es).to.have.length(4);
    expect(es[0]).to.include({ hosts: 'h1,198.18.6.11', keyType: 'ssh-ed25519', file: 'kh', line: 2 });
    expect(es[2].marker).to.equal('revoked');
    expect(es[3].marker).to.equal('cert-authority');
  });

  it('matches hashed entries (|1|salt|hash), including [host]:port form', () => {
    const es = parseKnownHosts([line(hashed('198.18.6.11'), k1), line(hashed('[198.18.6.12]:2222'), k2)].join('\n'));
    expect(entryMatches(es[0], ['198.18.6.11'])).to.equal(true);
    expect(entryMatches(es[0], ['198.18.6.12'])).to.equal(false);
    expect(entryMatches(es[1], [knownHostName('198.18.6.12', 2222)])).to.equal(true);
    expect(entryMatches(es[1], ['198.18.6.12'])).to.equal(false);
  });

  it('matches wildcards and negation in host lists', () => {
    const [e] = parseKnownHosts(line('*.lab,!bad.lab', k1));
    expect(entryMatches(e, ['good.lab'])).to.equal(true);
    expect(entryMatches(e, ['bad.lab'])).to.equal(false);
    expect(entryMatches(e, ['other'])).to.equal(false);
  });

  it('checkHostKey: match / unknown / changed (both fingerprints) / revoked', () => {
    const es = parseKnownHosts([line('h1,198.18.6.11', k1)].join('\n'), '/kh');
    expect(checkHostKey(es, ['198.18.6.11'], k1)).to.deep.equal({ status: 'match' });
    expect(checkHostKey(es, ['198.18.6.99'], k1)).to.deep.equal({ status: 'unknown' });
    const v = checkHostKey(es, ['198.18.6.11'], k2);
    expect(v.status).to.equal('changed');
    if (v.status !== 'changed') return;
    expect(v.presented).to.equal(fingerprint(k2));
    expect(v.known[0]).to.include({ fingerprint: fingerprint(k1), file: '/kh', line: 1 });
    const rev = parseKnownHosts(['@revoked ' + line('*', k2), line('h1', k2)].join('\n'));
    expect(checkHostKey(rev, ['h1'], k2).status).to.equal('revoked');
  });

  it('a host with keys of several types matches any of them', () => {
    const ecdsa = Buffer.concat([Buffer.from([0, 0, 0, 19]), Buffer.from('ecdsa-sha2-nistp256'), Buffer.alloc(40, 7)]);
    const es = parseKnownHosts([line('h', k1), line('h', ecdsa)].join('\n'));
    expect(checkHostKey(es, ['h'], ecdsa).status).to.equal('match');
    expect(keyTypeOf(ecdsa)).to.equal('ecdsa-sha2-nistp256');
  });

  it('appendKnownHost writes a line OpenSSH reads back, fixing a missing final newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-kh-'));
    const f = join(dir, 'sub', 'known_hosts');
    appendKnownHost(f, '[198.18.6.11]:2222', k1);
    writeFileSync(f, readFileSync(f, 'utf8') + line('x', k2)); // no trailing newline
    appendKnownHost(f, '198.18.6.12', k2);
    const es = loadKnownHosts([f, join(dir, 'missing')]);
    expect(es).to.have.length(3);
    expect(checkHostKey(es, ['[198.18.6.11]:2222'], k1).status).to.equal('match');
    expect(checkHostKey(es, ['198.18.6.12'], k2).status).to.equal('match');
    const found = execFileSync('ssh-keygen', ['-F', '[198.18.6.11]:2222', '-f', f]).toString();
    expect(found).to.contain(k1.toString('base64'));
    expect(knownHostsLine('h', k1, true)).to.match(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
  });
});
