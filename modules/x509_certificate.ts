/**
 * x509_certificate: a certificate signed by a CA (or self-signed), built in-process with
 * node-forge's ASN.1 and Node crypto. Idempotent: an existing certificate is kept while it
 * matches the requested subject, SANs, usages, CA flag, key and issuer and is not within
 * renew_before_days of expiry; otherwise it is reissued and the diff says what differed.
 */
import type { ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { fail } from '../engine/modules/failure.ts';
import { applyWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { needPem, planPemWrite, readPems } from '../engine/modules/pkifiles.ts';
import { publicKeyOf } from '../engine/pki/keys.ts';
import { certDifferences, inspectCertificate, subjectLines } from '../engine/pki/inspect.ts';
import { EXT_KEY_USAGES, issueCertificate, KEY_USAGES, normalizeSan, type CertSpec, type KeyUsage } from '../engine/pki/x509.ts';

/** Accept Ansible's spellings ('Digital Signature', 'digitalSignature', 'TLS Web Server Authentication'). */
const USAGE_ALIASES: Record<string, string> = {
  'digital signature': 'digitalSignature', 'non repudiation': 'nonRepudiation', 'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment', 'data encipherment': 'dataEncipherment', 'key agreement': 'keyAgreement',
  'certificate sign': 'keyCertSign', 'cert sign': 'keyCertSign', 'crl sign': 'cRLSign', 'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
  'tls web server authentication': 'serverAuth', 'server auth': 'serverAuth', 'tls web client authentication': 'clientAuth', 'client auth': 'clientAuth',
  'code signing': 'codeSigning', 'e-mail protection': 'emailProtection', 'time stamping': 'timeStamping', 'ocsp signing': 'OCSPSigning',
};
const canon = (u: string) => USAGE_ALIASES[u.toLowerCase()] ?? u;
const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** The CertSpec a task asks for (validated; bad values fail the task naming the argument). */
export function specFromArgs(a: Record<string, any>): CertSpec {
  const keyUsage = asList(a.key_usage).map(canon);
  for (const u of keyUsage) if (!(KEY_USAGES as readonly string[]).includes(u)) fail(`key_usage: unknown value '${u}' (expected one of ${KEY_USAGES.join(', ')})`);
  const extKeyUsage = asList(a.extended_key_usage).map(canon);
  for (const u of extKeyUsage) if (!EXT_KEY_USAGES[u]) fail(`extended_key_usage: unknown value '${u}' (expected one of ${Object.keys(EXT_KEY_USAGES).join(', ')})`);
  let sans: string[];
  try {
    sans = asList(a.subject_alt_name).map(normalizeSan);
  } catch (e: any) {
    fail(e.message);
  }
  return {
    subject: {
      CN: a.common_name, O: asList(a.organization_name), OU: asList(a.organizational_unit_name),
      C: a.country_name, ST: a.state_or_province_name, L: a.locality_name,
    },
    sans: [...new Set(sans)],
    keyUsage: keyUsage as KeyUsage[],
    extKeyUsage,
    isCA: Boolean(a.is_ca),
    pathLen: a.path_length ?? undefined,
    validDays: a.valid_days,
  };
}

function summary(spec: { subject: string[]; sans: string[]; notAfter?: Date; issuer?: string }): string {
  return [`subject: ${spec.subject.join(', ')}`, `subject_alt_name: ${spec.sans.join(', ') || '(none)'}`, ...(spec.notAfter ? [`not_after: ${spec.notAfter.toISOString()}`] : [])].join('\n') + '\n';
}

interface State {
  w: WriteState;
}

const mod: ModuleDef<Record<string, any>, State> = {
  name: 'x509_certificate',
  aliases: ['community.crypto.x509_certificate'],
  doc: {
    short: 'Issue an X.509 certificate signed by a CA (or self-signed), in-process',
    description:
      "tsplay's certificate module (no CSR step, no openssl/cfssl): the subject, SANs and usages are arguments. provider 'ownca' signs with ownca_path/ownca_privatekey_path (files on the same host as path: use delegate_to: localhost to work on the controller); 'selfsigned' makes e.g. a CA. Re-runs keep a matching valid certificate; any difference (SANs after a new etcd member, another CA, expiry within renew_before_days) reissues it and the diff lists what changed.",
    check: 'full',
    diff: true,
    returns: { filename: 'path of the certificate', changed_because: 'why it was (re)issued', not_after: 'expiry (ISO 8601)', serial_number: 'serial (hex)' },
    examples: `- x509_certificate:
    path: /etc/kubernetes/pki/etcd.pem
    privatekey_path: /etc/kubernetes/pki/etcd-key.pem
    provider: ownca
    ownca_path: /etc/kubernetes/pki/ca.pem
    ownca_privatekey_path: /etc/kubernetes/pki/ca-key.pem
    common_name: etcd
    organization_name: k8s
    subject_alt_name: ["IP:127.0.0.1", "IP:{{ ansible_default_ipv4.address }}"]
    key_usage: [digitalSignature, keyEncipherment]
    extended_key_usage: [serverAuth, clientAuth]
    valid_days: 3650`,
  },
  args: {
    path: { type: 'path', required: true, description: 'Where the certificate (PEM) is written.' },
    privatekey_path: { type: 'path', required: true, description: 'The private key of the certificate (must exist; see openssl_privatekey).' },
    provider: { type: 'str', default: 'ownca', choices: ['ownca', 'selfsigned'], description: 'Sign with a CA (ownca) or with privatekey_path itself (selfsigned).' },
    ownca_path: { type: 'path', description: 'CA certificate (provider ownca).' },
    ownca_privatekey_path: { type: 'path', description: 'CA private key (provider ownca).' },
    common_name: { type: 'str', aliases: ['CN', 'commonName'], description: 'Subject CN.' },
    organization_name: { type: 'raw', aliases: ['O', 'organizationName'], description: 'Subject O (string or list).' },
    organizational_unit_name: { type: 'raw', aliases: ['OU', 'organizationalUnitName'], description: 'Subject OU (string or list).' },
    country_name: { type: 'str', aliases: ['C', 'countryName'], description: 'Subject C.' },
    state_or_province_name: { type: 'str', aliases: ['ST', 'stateOrProvinceName'], description: 'Subject ST.' },
    locality_name: { type: 'str', aliases: ['L', 'localityName'], description: 'Subject L.' },
    subject_alt_name: { type: 'list', elements: 'str', description: "SANs: 'DNS:name', 'IP:address', 'email:x', 'URI:x'." },
    key_usage: { type: 'list', elements: 'str', description: `Key usages: ${KEY_USAGES.join(', ')} (OpenSSL's long names accepted).` },
    extended_key_usage: { type: 'list', elements: 'str', description: `Extended key usages: ${Object.keys(EXT_KEY_USAGES).join(', ')}.` },
    is_ca: { type: 'bool', default: false, description: 'basicConstraints CA:TRUE (for a CA certificate).' },
    path_length: { type: 'int', description: 'basicConstraints pathlen for a CA.' },
    valid_days: { type: 'int', default: 365, description: 'Validity from now, in days.' },
    renew_before_days: { type: 'int', default: 30, description: 'Reissue when the certificate expires within this many days.' },
    force: { type: 'bool', default: false, description: 'Always reissue.' },
    ...FILE_ATTR_ARGS,
    mode: { ...FILE_ATTR_ARGS.mode, default: '0644' },
  },
  validate(a) {
    if (a.provider === 'ownca' && (!a.ownca_path || !a.ownca_privatekey_path)) return 'provider ownca needs ownca_path and ownca_privatekey_path';
    if (!a.common_name && !(a.subject_alt_name?.length)) return 'give common_name or subject_alt_name';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<State>> {
    const want = specFromArgs(args);
    const files = await readPems(ctx, { cert: args.path, key: args.privatekey_path, ca: args.ownca_path, cakey: args.ownca_privatekey_path }, ['key', 'cakey']);
    const keyPem = needPem(files.key, 'privatekey_path', 'private key');
    const issuer = args.provider === 'ownca' ? { certPem: needPem(files.ca, 'ownca_path', 'CA certificate'), keyPem: needPem(files.cakey, 'ownca_privatekey_path', 'CA private key') } : { keyPem };
    const cur = files.cert;
    let why: string[];
    if (!cur.exists) why = ['certificate does not exist'];
    else if (args.force) why = ['force: yes'];
    else why = certDifferences(cur.text ?? '', want, { keyPem, issuerPem: issuer.certPem, renewBeforeDays: args.renew_before_days });
    const reissue = why.length > 0;
    let pem = cur.text ?? '';
    try {
      if (reissue) pem = issueCertificate(want, publicKeyOf(keyPem), issuer);
    } catch (e: any) {
      fail(`cannot issue ${args.path}: ${e.message}`);
    }
    const before = cur.exists ? (() => { try { return summary(inspectCertificate(cur.text ?? '')); } catch { return '(not a certificate)\n'; } })() : '';
    const after = summary({ ...inspectCertificate(pem), subject: subjectLines(want.subject) });
    const p = planPemWrite(ctx, cur, Buffer.from(pem), args, reissue, { before, after });
    const facts = inspectCertificate(pem);
    return {
      changed: p.changed,
      steps: reissue ? [`issue ${args.path}: ${why.join('; ')}`, ...p.steps.filter((s) => !/content|create/.test(s))] : p.steps,
      diff: p.diff,
      state: { w: p.state },
      result: { filename: args.path, changed_because: why, not_after: facts.notAfter.toISOString(), serial_number: facts.serial },
    };
  },
  async apply(_args, plan, ctx): Promise<ModuleResult> {
    const r = await applyWrite(ctx, plan.state!.w);
    return { ...r, ...plan.result };
  },
};

export default mod;
