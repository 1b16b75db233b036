/**
 * X.509 certificates built in-process: the TBSCertificate is assembled with node-forge's ASN.1
 * toolkit and signed with Node's crypto, so RSA and ECDSA keys both work (node-forge alone
 * cannot sign with EC keys). No openssl or cfssl binary is involved.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { asn1, util, type Asn1 } from './forge.ts';

const C = asn1.Class;
const T = asn1.Type;

/** Subject / issuer fields (cfssl's CSR "names" and Ansible's openssl_csr names). */
export interface Subject {
  CN?: string;
  O?: string[] | string;
  OU?: string[] | string;
  C?: string;
  ST?: string;
  L?: string;
}

export const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const EXT_KEY_USAGES: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
};

/** Everything that defines a certificate we issue (and compare for idempotency). */
export interface CertSpec {
  subject: Subject;
  /** 'DNS:name', 'IP:1.2.3.4', 'email:x', 'URI:x' (Ansible's subject_alt_name format). */
  sans: string[];
  keyUsage: KeyUsage[];
  extKeyUsage: string[]; // names from EXT_KEY_USAGES
  isCA: boolean;
  pathLen?: number;
  validDays: number;
}

const OID = {
  CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14', authorityKeyIdentifier: '2.5.29.35',
  sha256WithRSA: '1.2.840.113549.1.1.11', ecdsaSha256: '1.2.840.10045.4.3.2', ecdsaSha384: '1.2.840.10045.4.3.3',
};

const bin = (b: Buffer): string => b.toString('binary');
const buf = (s: string): Buffer => Buffer.from(s, 'binary');
const der = (a: Asn1): Buffer => buf(asn1.toDer(a).getBytes());
const seq = (items: Asn1[]): Asn1 => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
const oid = (o: string): Asn1 => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(o).getBytes());
const int = (b: Buffer): Asn1 => asn1.create(C.UNIVERSAL, T.INTEGER, false, bin(b));

const list = (v: string[] | string | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Subject fields in a stable order: C, ST, L, O, OU, CN (cfssl's order). */
export function subjectEntries(s: Subject): [keyof typeof OID, string][] {
  const out: [keyof typeof OID, string][] = [];
  if (s.C) out.push(['C', s.C]);
  if (s.ST) out.push(['ST', s.ST]);
  if (s.L) out.push(['L', s.L]);
  for (const o of list(s.O)) out.push(['O', o]);
  for (const o of list(s.OU)) out.push(['OU', o]);
  if (s.CN) out.push(['CN', s.CN]);
  return out;
}

function nameAsn1(s: Subject): Asn1 {
  return seq(
    subjectEntries(s).map(([k, v]) =>
      asn1.create(C.UNIVERSAL, T.SET, true, [
        seq([oid(OID[k]), asn1.create(C.UNIVERSAL, k === 'C' ? T.PRINTABLESTRING : T.UTF8, false, k === 'C' ? v : util.encodeUtf8(v))]),
      ]),
    ),
  );
}

function timeAsn1(d: Date): Asn1 {
  return d.getUTCFullYear() >= 2050
    ? asn1.create(C.UNIVERSAL, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d))
    : asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(d));
}

function ext(id: string, critical: boolean, value: Asn1): Asn1 {
  const parts = [oid(id)];
  if (critical) parts.push(asn1.create(C.UNIVERSAL, T.BOOLEAN, false, String.fromCharCode(0xff)));
  parts.push(asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, asn1.toDer(value).getBytes()));
  return seq(parts);
}

function keyUsageBits(usages: KeyUsage[]): Asn1 {
  let bits = 0;
  for (const u of usages) bits |= 1 << (15 - KEY_USAGES.indexOf(u));
  const bytes = [(bits >> 8) & 0xff, bits & 0xff];
  while (bytes.length > 1 && bytes[bytes.length - 1] === 0) bytes.pop();
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (unused < 7 && last !== 0 && ((last >> unused) & 1) === 0) unused++;
  return asn1.create(C.UNIVERSAL, T.BITSTRING, false, String.fromCharCode(unused, ...bytes));
}

/** Parse an IPv4 or IPv6 text address into its bytes. */
export function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    if (groups.length !== 8) throw new Error(`bad IPv6 address ${ip}`);
    return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
  }
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) throw new Error(`bad IP address ${ip}`);
  return Buffer.from(p);
}

function sanAsn1(sans: string[]): Asn1 {
  return seq(
    sans.map((s) => {
      const i = s.indexOf(':');
      const kind = s.slice(0, i).toUpperCase();
      const v = s.slice(i + 1);
      if (kind === 'DNS') return asn1.create(C.CONTEXT_SPECIFIC, 2, false, v);
      if (kind === 'IP') return asn1.create(C.CONTEXT_SPECIFIC, 7, false, bin(ipBytes(v)));
      if (kind === 'EMAIL') return asn1.create(C.CONTEXT_SPECIFIC, 1, false, v);
      if (kind === 'URI') return asn1.create(C.CONTEXT_SPECIFIC, 6, false, v);
      throw new Error(`subject_alt_name entry '${s}': expected DNS:, IP:, email: or URI:`);
    }),
  );
}

/** Canonical SAN entry text, e.g. 'ip:010.0.0.1' -> 'IP:10.0.0.1'. */
export function normalizeSan(s: string): string {
  const i = s.indexOf(':');
  if (i < 0) throw new Error(`subject_alt_name entry '${s}': expected DNS:, IP:, email: or URI:`);
  const kind = s.slice(0, i).toUpperCase();
  const v = s.slice(i + 1).trim();
  if (kind === 'IP') {
    const b = ipBytes(v);
    return `IP:${b.length === 4 ? [...b].join('.') : formatIpv6(b)}`;
  }
  if (kind === 'DNS') return `DNS:${v.toLowerCase()}`;
  if (kind === 'EMAIL') return `email:${v}`;
  if (kind === 'URI') return `URI:${v}`;
  throw new Error(`subject_alt_name entry '${s}': expected DNS:, IP:, email: or URI:`);
}

function formatIpv6(b: Buffer): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] << 8) | b[i + 1]).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 method 1). */
export function keyIdentifier(pub: KeyObject): Buffer {
  const spki = asn1.fromDer(bin(pub.export({ type: 'spki', format: 'der' })));
  const bits = (spki.value as Asn1[])[1].value as string; // first byte = unused bits
  return createHash('sha1').update(buf(bits.slice(1))).digest();
}

function sigAlg(key: KeyObject): { alg: Asn1; hash: string } {
  if (key.asymmetricKeyType === 'rsa') return { alg: seq([oid(OID.sha256WithRSA), asn1.create(C.UNIVERSAL, T.NULL, false, '')]), hash: 'sha256' };
  if (key.asymmetricKeyType === 'ec') {
    const p384 = key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
    return { alg: seq([oid(p384 ? OID.ecdsaSha384 : OID.ecdsaSha256)]), hash: p384 ? 'sha384' : 'sha256' };
  }
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType}`);
}

/** The issuer of a certificate: a CA certificate (PEM) and its key (PEM), or self-signed. */
export interface Issuer {
  certPem?: string; // absent = self-signed
  keyPem: string;
}

/** Issue a certificate for `publicKeyPem` per `spec`, signed by `issuer`. Returns PEM. */
export function issueCertificate(spec: CertSpec, publicKeyPem: string, issuer: Issuer, now = new Date()): string {
  const pub = createPublicKey(publicKeyPem);
  const signKey = createPrivateKey(issuer.keyPem);
  const issuerCert = issuer.certPem ? new X509Certificate(issuer.certPem) : undefined;
  const issuerName = issuerCert ? issuerNameAsn1(issuerCert.raw) : nameAsn1(spec.subject);
  const issuerKeyId = keyIdentifier(issuerCert ? issuerCert.publicKey : createPublicKey(signKey));
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive
  if (serial[0] === 0) serial[0] = 1;
  const notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  const notAfter = new Date(now.getTime() + spec.validDays * 86400 * 1000);
  const exts: Asn1[] = [];
  const bc: Asn1[] = [];
  if (spec.isCA) {
    bc.push(asn1.create(C.UNIVERSAL, T.BOOLEAN, false, String.fromCharCode(0xff)));
    if (spec.pathLen !== undefined) bc.push(asn1.create(C.UNIVERSAL, T.INTEGER, false, asn1.integerToDer(spec.pathLen).getBytes()));
  }
  exts.push(ext(OID.basicConstraints, true, seq(bc)));
  if (spec.keyUsage.length) exts.push(ext(OID.keyUsage, true, keyUsageBits(spec.keyUsage)));
  if (spec.extKeyUsage.length) {
    exts.push(ext(OID.extKeyUsage, false, seq(spec.extKeyUsage.map((n) => {
      const o = EXT_KEY_USAGES[n];
      if (!o) throw new Error(`unknown extended key usage '${n}' (expected one of ${Object.keys(EXT_KEY_USAGES).join(', ')})`);
      return oid(o);
    }))));
  }
  if (spec.sans.length) exts.push(ext(OID.subjectAltName, false, sanAsn1(spec.sans.map(normalizeSan))));
  exts.push(ext(OID.subjectKeyIdentifier, false, asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, bin(keyIdentifier(pub)))));
  exts.push(ext(OID.authorityKeyIdentifier, false, seq([asn1.create(C.CONTEXT_SPECIFIC, 0, false, bin(issuerKeyId))])));
  const { alg, hash } = sigAlg(signKey);
  const tbs = seq([
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, [asn1.create(C.UNIVERSAL, T.INTEGER, false, asn1.integerToDer(2).getBytes())]),
    int(serial),
    alg,
    issuerName,
    seq([timeAsn1(notBefore), timeAsn1(notAfter)]),
    nameAsn1(spec.subject),
    asn1.fromDer(bin(pub.export({ type: 'spki', format: 'der' }))),
    asn1.create(C.CONTEXT_SPECIFIC, 3, true, [seq(exts)]),
  ]);
  const tbsDer = der(tbs);
  const signature = sign(hash, tbsDer, signKey);
  const cert = seq([asn1.fromDer(bin(tbsDer)), sigAlg(signKey).alg, asn1.create(C.UNIVERSAL, T.BITSTRING, false, '\u0000' + bin(signature))]);
  return toPem('CERTIFICATE', der(cert));
}

/** The issuer Name of a new cert = the subject Name of the CA cert, byte for byte. */
function issuerNameAsn1(caDer: Buffer): Asn1 {
  const c = asn1.fromDer(bin(caDer));
  const tbs = (c.value as Asn1[])[0].value as Asn1[];
  const hasVersion = tbs[0].tagClass === C.CONTEXT_SPECIFIC;
  return tbs[hasVersion ? 5 : 4];
}

/** PEM-encode DER bytes. */
export function toPem(label: string, derBytes: Buffer): string {
  const b64 = derBytes.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
