/**
 * Certificate modules on a real lab host over SSH (and on the controller through the local
 * connection, as `delegate_to: localhost` does): openssl_privatekey, x509_certificate,
 * kubeconfig. First run changed, second run ok, check mode changes nothing, diff says what
 * differs without showing key material; results checked with the real openssl and kubectl.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../engine/types.ts';
import { LocalConnection } from '../../engine/connection/local.ts';
import { bootLab, teardownLab, type LabInfo } from '../support/lab.ts';
import { labConnection, runOn } from '../support/modules.ts';

const LAB = 'tsp-pki';
const PKI = '/etc/kubernetes/pki';

describe('certificate modules on a lab host', function () {
  let lab: LabInfo;
  let conn: Connection;
  let dir: string;
  const fetch = async (path: string) => {
    const f = join(dir, path.replace(/\//g, '_'));
    writeFileSync(f, await conn.getFile(path));
    return f;
  };
  before(async function () {
    this.timeout(400_000);
    lab = await bootLab(LAB, 1);
    conn = await labConnection(lab, 'h1');
    await conn.exec(`rm -rf ${PKI}; mkdir -p ${PKI}`);
    dir = mkdtempSync(join(tmpdir(), 'tsplay-pki-lab-'));
  });
  after(async function () {
    this.timeout(120_000);
    await conn?.close();
    rmSync(dir, { recursive: true, force: true });
    await teardownLab(LAB);
  });

  it('openssl_privatekey: check mode changes nothing, then created 0600, then ok', async () => {
    const args = { path: `${PKI}/ca-key.pem` };
    const c = await runOn(conn, 'openssl_privatekey', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect((await conn.exec(`test -e ${PKI}/ca-key.pem`)).rc).to.equal(1);
    const r1 = await runOn(conn, 'openssl_privatekey', args);
    expect(r1.changed).to.equal(true);
    expect((await conn.exec(`stat -c %a ${PKI}/ca-key.pem`)).stdout.trim()).to.equal('600');
    const r2 = await runOn(conn, 'openssl_privatekey', args);
    expect(r2.changed).to.equal(false);
    const key = (await conn.getFile(`${PKI}/ca-key.pem`)).toString();
    expect(key).to.match(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(JSON.stringify([c, r1, r2])).to.not.include(key.split('\n')[1]);
    // another type is a different key: regenerated
    const r3 = await runOn(conn, 'openssl_privatekey', { path: `${PKI}/ec-key.pem`, type: 'ECC' });
    expect(r3.changed).to.equal(true);
    expect((await runOn(conn, 'openssl_privatekey', { path: `${PKI}/ec-key.pem`, type: 'ECC' })).changed).to.equal(false);
    expect((await runOn(conn, 'openssl_privatekey', { path: `${PKI}/ec-key.pem`, type: 'RSA' }, { check: true })).changed).to.equal(true);
  });

  it('x509_certificate: a CA and an etcd cert; idempotent; a new SAN reissues with a diff', async () => {
    const ca = { path: `${PKI}/ca.pem`, privatekey_path: `${PKI}/ca-key.pem`, provider: 'selfsigned', common_name: 'kubernetes', organization_name: 'k8s', organizational_unit_name: 'System', country_name: 'CN', state_or_province_name: 'BeiJing', locality_name: 'BeiJing', is_ca: true, key_usage: ['digitalSignature', 'keyCertSign', 'cRLSign'], valid_days: 3650 };
    expect((await runOn(conn, 'x509_certificate', ca)).changed).to.equal(true);
    expect((await runOn(conn, 'x509_certificate', ca)).changed).to.equal(false);
    await runOn(conn, 'openssl_privatekey', { path: `${PKI}/etcd-key.pem` });
    const sans = ['IP:127.0.0.1', `IP:${lab.hosts[0].ip}`];
    const etcd = { path: `${PKI}/etcd.pem`, privatekey_path: `${PKI}/etcd-key.pem`, ownca_path: `${PKI}/ca.pem`, ownca_privatekey_path: `${PKI}/ca-key.pem`, common_name: 'etcd', organization_name: 'k8s', subject_alt_name: sans, key_usage: ['Digital Signature', 'Key Encipherment'], extended_key_usage: ['serverAuth', 'clientAuth'], valid_days: 3650 };
    const check = await runOn(conn, 'x509_certificate', etcd, { check: true });
    expect(check.changed).to.equal(true);
    expect((await conn.exec(`test -e ${PKI}/etcd.pem`)).rc).to.equal(1);
    expect((await runOn(conn, 'x509_certificate', etcd)).changed).to.equal(true);
    expect((await runOn(conn, 'x509_certificate', etcd)).changed).to.equal(false);
    const caF = await fetch(`${PKI}/ca.pem`);
    const etcdF = await fetch(`${PKI}/etcd.pem`);
    expect(execFileSync('openssl', ['verify', '-CAfile', caF, etcdF], { encoding: 'utf8' })).to.match(/: OK/);
    // a new etcd member: SANs change -> reissued, diff names the new address
    const more = { ...etcd, subject_alt_name: [...sans, 'IP:198.18.1.99'] };
    const d = await runOn(conn, 'x509_certificate', more, { diff: true });
    expect(d.changed).to.equal(true);
    expect(String(d.changed_because)).to.match(/subject_alt_name: .*198\.18\.1\.99/);
    expect(JSON.stringify(d.diff)).to.include('198.18.1.99');
    const text = execFileSync('openssl', ['x509', '-in', await fetch(`${PKI}/etcd.pem`), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).to.include('IP Address:198.18.1.99');
    expect((await runOn(conn, 'x509_certificate', more)).changed).to.equal(false);
  });

  it('x509_certificate: a missing private key fails with a clear message', async () => {
    const r = await runOn(conn, 'x509_certificate', { path: `${PKI}/x.pem`, privatekey_path: `${PKI}/nope-key.pem`, ownca_path: `${PKI}/ca.pem`, ownca_privatekey_path: `${PKI}/ca-key.pem`, common_name: 'x' });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/privatekey_path: private key .*nope-key\.pem not found/);
  });

  it('kubeconfig: written 0600, idempotent, readable by kubectl, no key material in the diff', async () => {
    await runOn(conn, 'openssl_privatekey', { path: `${PKI}/admin-key.pem` });
    await runOn(conn, 'x509_certificate', { path: `${PKI}/admin.pem`, privatekey_path: `${PKI}/admin-key.pem`, ownca_path: `${PKI}/ca.pem`, ownca_privatekey_path: `${PKI}/ca-key.pem`, common_name: 'admin', organization_name: 'system:masters', extended_key_usage: ['clientAuth'], key_usage: ['digitalSignature', 'keyEncipherment'] });
    const kc = { path: '/etc/kubernetes/admin.kubeconfig', server: `https://${lab.vip}:8443`, ca_path: `${PKI}/ca.pem`, user: 'admin', client_cert_path: `${PKI}/admin.pem`, client_key_path: `${PKI}/admin-key.pem` };
    const r1 = await runOn(conn, 'kubeconfig', kc, { diff: true });
    expect(r1.changed).to.equal(true);
    const keyB64 = (await conn.getFile(`${PKI}/admin-key.pem`)).toString('base64');
    expect(JSON.stringify(r1)).to.not.include(keyB64.slice(0, 40));
    expect((await runOn(conn, 'kubeconfig', kc)).changed).to.equal(false);
    expect((await conn.exec('stat -c %a /etc/kubernetes/admin.kubeconfig')).stdout.trim()).to.equal('600');
    const f = await fetch('/etc/kubernetes/admin.kubeconfig');
    const out = execFileSync('kubectl', ['config', 'view', '--kubeconfig', f, '-o', 'jsonpath={.clusters[0].cluster.server}'], { encoding: 'utf8' });
    expect(out).to.equal(`https://${lab.vip}:8443`);
    const boot = await runOn(conn, 'kubeconfig', { ...kc, path: '/etc/kubernetes/bootstrap.kubeconfig', user: 'kubelet-bootstrap', client_cert_path: undefined, client_key_path: undefined, token: 'BAD' });
    expect(boot.failed).to.equal(true);
    expect(boot.msg).to.match(/bootstrap token must match/);
  });

  it('works on the controller through the local connection (delegate_to: localhost)', async () => {
    const local = new LocalConnection('localhost');
    const base = join(dir, 'ctl');
    const key = { path: `${base}/ca-key.pem` };
    execFileSync('mkdir', ['-p', base]);
    expect((await runOn(local, 'openssl_privatekey', key)).changed).to.equal(true);
    expect(statSync(key.path).mode & 0o777).to.equal(0o600);
    const ca = { path: `${base}/ca.pem`, privatekey_path: key.path, provider: 'selfsigned', common_name: 'ctl-ca', is_ca: true, key_usage: ['keyCertSign', 'cRLSign'] };
    expect((await runOn(local, 'x509_certificate', ca)).changed).to.equal(true);
    expect((await runOn(local, 'x509_certificate', ca)).changed).to.equal(false);
    expect(existsSync(ca.path)).to.equal(true);
    await local.close();
  });
});
