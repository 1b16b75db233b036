/**
 * Private keys for certificates: RSA (default 2048 bits) or ECDSA (P-256 / P-384), generated
 * with Node's crypto (native, fast) and written as PKCS#1 / SEC1 PEM like openssl and cfssl do.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

export type KeyType = 'RSA' | 'ECC';

export interface KeySpec {
  type: KeyType;
  /** RSA modulus bits. */
  size: number;
  /** ECC curve: secp256r1 (P-256) or secp384r1 (P-384). */
  curve: 'secp256r1' | 'secp384r1';
}

/** Generate a private key; returns its PEM. */
export function generatePrivateKey(spec: KeySpec): string {
  if (spec.type === 'RSA') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: spec.size });
    return privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  }
  const namedCurve = spec.curve === 'secp384r1' ? 'secp384r1' : 'prime256v1';
  const { privateKey } = generateKeyPairSync('ec', { namedCurve });
  return privateKey.export({ type: 'sec1', format: 'pem' }) as string;
}

/** Does an existing key PEM satisfy the spec? (type, size/curve). Unparsable = no. */
export function keyMatches(pem: string, spec: KeySpec): boolean {
  try {
    const k = createPrivateKey(pem);
    if (spec.type === 'RSA') return k.asymmetricKeyType === 'rsa' && k.asymmetricKeyDetails?.modulusLength === spec.size;
    const curve = spec.curve === 'secp384r1' ? 'secp384r1' : 'prime256v1';
    return k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === curve;
  } catch {
    return false;
  }
}

/** The public key (SPKI PEM) of a private key PEM. */
export function publicKeyOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }) as string;
}
