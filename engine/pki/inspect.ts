/**
 * Reading an existing certificate back into the terms of a CertSpec, and comparing it with a
 * requested one: the basis of the certificate modules' idempotency (keep a matching, valid
 * certificate; reissue on any difference, reporting what differs).
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { asn1, type Asn1 } from './forge.ts';
import { type CertSpec, type KeyUsage, type Subject, EXT_KEY_USAGES, KEY_USAGES, normalizeSan, subjectEntries } from './x509.ts';


/** What an existing certificate says. */
export interface CertFacts {
  subject: string[]; // 'CN=x', 'O=y' in subjectEntries order
  sans: string[];
  keyUsage: KeyUsage[];
  extKeyUsage: string[];
  isCA: boolean;
  notAfter: Date;
  notBefore: Date;
  serial: string;
  publicKeyPem: string;
}

function extensions(derBytes: Buffer): Map<string, Asn1> {
  const c = asn1.fromDer(derBytes.toString('binary'));
  const tbs = (c.value as Asn1[])[0].value as Asn1[];
  const out = new Map<string, Asn1>();
  const wrap = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (!wrap) return out;
  for (const e of ((wrap.value as Asn1[])[0].value as Asn1[])) {
    const parts = e.value as Asn1[];
    const id = asn1.derToOid(parts[0].value as string);
    const octets = parts[parts.length - 1].value as string;
    out.set(id, asn1.fromDer(octets));
  }
  return out;
}

function parseKeyUsage(n: Asn1 | undefined): KeyUsage[] {
  if (!n) return [];
  const s = n.value as string;
  const bytes = [...s.slice(1)].map((ch) => ch.charCodeAt(0));
  const bits = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  return KEY_USAGES.filter((_, i) => bits & (1 << (15 - i)));
}

/** Parse a PEM certificate. */
export function inspectCertificate(pem: string): CertFacts {
  const x = new X509Certificate(pem);
  const exts = extensions(x.raw);
  const ekuNode = exts.get('2.5.29.37');
  const ekuOids = ekuNode ? (ekuNode.value as Asn1[]).map((o) => asn1.derToOid(o.value as string)) : [];
  const ekuNames = ekuOids.map((o) => Object.entries(EXT_KEY_USAGES).find(([, v]) => v === o)?.[0] ?? o);
  const sans = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .filter(Boolean)
    .map((s) => s.replace(/^IP Address:/, 'IP:'))
    .map(normalizeSan);
  return {
    subject: x.subject.split('\n').filter(Boolean),
    sans,
    keyUsage: parseKeyUsage(exts.get('2.5.29.15')),
    extKeyUsage: ekuNames,
    isCA: x.ca,
    notAfter: new Date(x.validTo),
    notBefore: new Date(x.validFrom),
    serial: x.serialNumber,
    publicKeyPem: x.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

/** Subject as 'K=v' lines, comparable with CertFacts.subject. */
export function subjectLines(s: Subject): string[] {
  return subjectEntries(s).map(([k, v]) => `${k}=${v}`);
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Why an existing certificate does not satisfy the request (empty = keep it).
 * `issuerPem` absent means self-signed is expected.
 */
export function certDifferences(
  existingPem: string,
  want: CertSpec,
  opts: { keyPem: string; issuerPem?: string; renewBeforeDays: number; now?: Date },
): string[] {
  const why: string[] = [];
  let facts: CertFacts;
  try {
    facts = inspectCertificate(existingPem);
  } catch (e: any) {
    return [`existing file is not a valid certificate (${e.message})`];
  }
  const now = opts.now ?? new Date();
  const wantSubject = subjectLines(want.subject);
  if (!sameSet(facts.subject, wantSubject)) why.push(`subject: ${facts.subject.join(', ')} -> ${wantSubject.join(', ')}`);
  const wantSans = want.sans.map(normalizeSan);
  if (!sameSet(facts.sans, wantSans)) why.push(`subject_alt_name: ${facts.sans.join(', ') || '(none)'} -> ${wantSans.join(', ') || '(none)'}`);
  if (!sameSet(facts.keyUsage, want.keyUsage)) why.push(`key_usage: ${facts.keyUsage.join(', ') || '(none)'} -> ${want.keyUsage.join(', ') || '(none)'}`);
  if (!sameSet(facts.extKeyUsage, want.extKeyUsage)) why.push(`extended_key_usage: ${facts.extKeyUsage.join(', ') || '(none)'} -> ${want.extKeyUsage.join(', ') || '(none)'}`);
  if (facts.isCA !== want.isCA) why.push(`CA: ${facts.isCA} -> ${want.isCA}`);
  const keyPub = createPublicKey(createPrivateKey(opts.keyPem)).export({ type: 'spki', format: 'pem' });
  if (keyPub !== facts.publicKeyPem) why.push('the certificate does not match the private key');
  const x = new X509Certificate(existingPem);
  if (opts.issuerPem) {
    const ca = new X509Certificate(opts.issuerPem);
    if (!x.checkIssued(ca) || !x.verify(ca.publicKey)) why.push('not signed by the given CA');
  } else if (!x.verify(x.publicKey)) why.push('not self-signed');
  const renewAt = new Date(facts.notAfter.getTime() - opts.renewBeforeDays * 86400 * 1000);
  if (renewAt <= now) why.push(`expires ${facts.notAfter.toISOString()} (within renew_before of ${opts.renewBeforeDays} days)`);
  return why;
}
