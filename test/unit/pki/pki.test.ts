/**
 * PKI built in-process: keys, a CA, CA-signed RSA and ECDSA certificates, checked with the
 * real openssl (`openssl verify`, `openssl x509 -text`) and kubeconfigs with real kubectl.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, keyMatches, publicKeyOf } from '../../../engine/pki/keys.ts';
import { issueCertificate, type CertSpec } from '../../../engine/pki/x509.ts';
import { certDifferences, inspectCertificate } from '../../../engine/pki/inspect.ts';
import { renderKubeconfig, isBootstrapToken } from '../../../engine/pki/kubeconfig.ts';

const caSpec: CertSpec = { subject: { CN: 'kubernetes', O: 'k8s', OU: 'System', C: 'CN', ST: 'BeiJing', L: 'BeiJing' }, sans: [], keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'], extKeyUsage: [], isCA: true, validDays: 3650 };
const etcdSpec: CertSpec = {
  subject: { CN: 'etcd', O: 'k8s', OU: 'System', C: 'CN', ST: 'BeiJing', L: 'BeiJing' },
  sans: ['IP:127.0.0.1', 'IP:198.18.1.11', 'DNS:etcd.local'],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extKeyUsage: ['serverAuth', 'clientAuth'],
  isCA: false,
  validDays: 365,
};

describe('pki', () => {
  let dir: string;
  let caKey: string;
  let caCert: string;
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsplay-pki-'));
    caKey = generatePrivateKey({ type: 'RSA', size: 2048, curve: 'secp256r1' });
    caCert = issueCertificate(caSpec, publicKeyOf(caKey), { keyPem: caKey });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a self-signed CA that openssl accepts as a CA', () => {
    const ca = write('ca.pem', caCert);
    const text = execFileSync('openssl', ['x509', '-in', ca, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).to.match(/CA:TRUE/);
    expect(text).to.match(/Certificate Sign, CRL Sign/);
    expect(text).to.match(/Subject: C = CN, ST = BeiJing, L = BeiJing, O = k8s, OU = System, CN = kubernetes/);
    expect(execFileSync('openssl', ['verify', '-CAfile', ca, ca], { encoding: 'utf8' })).to.match(/OK/);
  });

  for (const type of ['RSA', 'ECC'] as const) {
    it(`issues a ${type} server/client cert with SANs that verifies against the CA`, () => {
      const key = generatePrivateKey({ type, size: 2048, curve: 'secp256r1' });
      expect(keyMatches(key, { type, size: 2048, curve: 'secp256r1' })).to.equal(true);
      const cert = issueCertificate(etcdSpec, publicKeyOf(key), { certPem: caCert, keyPem: caKey });
      const ca = write('ca.pem', caCert);
      const c = write(`etcd-${type}.pem`, cert);
      expect(execFileSync('openssl', ['verify', '-CAfile', ca, c], { encoding: 'utf8' })).to.match(/: OK/);
      const text = execFileSync('openssl', ['x509', '-in', c, '-noout', '-text'], { encoding: 'utf8' });
      expect(text).to.include('IP Address:127.0.0.1, IP Address:198.18.1.11, DNS:etcd.local');
      expect(text).to.include('TLS Web Server Authentication, TLS Web Client Authentication');
      expect(text).to.include('Digital Signature, Key Encipherment');
      expect(text).to.match(/CA:FALSE/);
      const keyFile = write(`etcd-${type}-key.pem`, key);
      const m1 = execFileSync('openssl', ['x509', '-in', c, '-noout', '-pubkey'], { encoding: 'utf8' });
      const m2 = execFileSync('openssl', ['pkey', '-in', keyFile, '-pubout'], { encoding: 'utf8' });
      expect(m1).to.equal(m2);
    });
  }

  it('an ECDSA CA signs too', () => {
    const ecKey = generatePrivateKey({ type: 'ECC', size: 0, curve: 'secp384r1' });
    const ecCa = issueCertificate(caSpec, publicKeyOf(ecKey), { keyPem: ecKey });
    const leafKey = generatePrivateKey({ type: 'RSA', size: 2048, curve: 'secp256r1' });
    const leaf = issueCertificate(etcdSpec, publicKeyOf(leafKey), { certPem: ecCa, keyPem: ecKey });
    expect(execFileSync('openssl', ['verify', '-CAfile', write('ecca.pem', ecCa), write('leaf.pem', leaf)], { encoding: 'utf8' })).to.match(/OK/);
  });

  it('reads a certificate back and reports no difference for the same request', () => {
    const key = generatePrivateKey({ type: 'RSA', size: 2048, curve: 'secp256r1' });
    const cert = issueCertificate(etcdSpec, publicKeyOf(key), { certPem: caCert, keyPem: caKey });
    const f = inspectCertificate(cert);
    expect(f.sans).to.deep.equal(['IP:127.0.0.1', 'IP:198.18.1.11', 'DNS:etcd.local']);
    expect(f.keyUsage).to.deep.equal(['digitalSignature', 'keyEncipherment']);
    expect(f.extKeyUsage).to.deep.equal(['serverAuth', 'clientAuth']);
    expect(certDifferences(cert, etcdSpec, { keyPem: key, issuerPem: caCert, renewBeforeDays: 30 })).to.deep.equal([]);
    // a new etcd member: the SAN list changed -> reissue, naming what differs
    const more = { ...etcdSpec, sans: [...etcdSpec.sans, 'IP:198.18.1.14'] };
    const diff = certDifferences(cert, more, { keyPem: key, issuerPem: caCert, renewBeforeDays: 30 });
    expect(diff).to.have.length(1);
    expect(diff[0]).to.match(/^subject_alt_name: .* -> .*198\.18\.1\.14/);
    // close to expiry -> reissue
    expect(certDifferences(cert, etcdSpec, { keyPem: key, issuerPem: caCert, renewBeforeDays: 400 })[0]).to.match(/within renew_before/);
    // another CA -> reissue
    const otherKey = generatePrivateKey({ type: 'RSA', size: 2048, curve: 'secp256r1' });
    const otherCa = issueCertificate(caSpec, publicKeyOf(otherKey), { keyPem: otherKey });
    expect(certDifferences(cert, etcdSpec, { keyPem: key, issuerPem: otherCa, renewBeforeDays: 30 })).to.include('not signed by the given CA');
    // another key -> reissue
    expect(certDifferences(cert, etcdSpec, { keyPem: otherKey, issuerPem: caCert, renewBeforeDays: 30 })).to.include('the certificate does not match the private key');
  });

  it('writes kubeconfigs that kubectl reads', () => {
    const key = generatePrivateKey({ type: 'RSA', size: 2048, curve: 'secp256r1' });
    const cert = issueCertificate({ ...etcdSpec, subject: { CN: 'admin', O: 'system:masters' }, sans: [], extKeyUsage: ['clientAuth'] }, publicKeyOf(key), { certPem: caCert, keyPem: caKey });
    const kc = write('admin.kubeconfig', renderKubeconfig({ cluster: 'kubernetes', server: 'https://198.18.1.100:8443', caPem: caCert, user: 'admin', clientCertPem: cert, clientKeyPem: key, context: 'kubernetes' }));
    const out = execFileSync('kubectl', ['config', 'view', '--kubeconfig', kc, '-o', 'jsonpath={.clusters[0].cluster.server} {.current-context} {.users[0].name}'], { encoding: 'utf8' });
    expect(out).to.equal('https://198.18.1.100:8443 kubernetes admin');
    const tok = write('bootstrap.kubeconfig', renderKubeconfig({ cluster: 'kubernetes', server: 'https://198.18.1.100:8443', caPem: caCert, user: 'kubelet-bootstrap', token: 'abcdef.0123456789abcdef', context: 'default' }));
    const raw = execFileSync('kubectl', ['config', 'view', '--raw', '--kubeconfig', tok, '-o', 'jsonpath={.users[0].user.token}'], { encoding: 'utf8' });
    expect(raw).to.equal('abcdef.0123456789abcdef');
    expect(isBootstrapToken('abcdef.0123456789abcdef')).to.equal(true);
    expect(isBootstrapToken('ABCDEF.0123456789abcdef')).to.equal(false);
  });
});
