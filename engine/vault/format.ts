/**
 * The ansible-vault file format, version 1.1 and 1.2 with the AES256 cipher:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";<vault-id label>")
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ), wrapped at 80 columns
 *
 * key1|key2|iv = PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 80 bytes);
 * ciphertext = AES-256-CTR(key1, iv, PKCS#7-padded plaintext); hmac = HMAC-SHA256(key2, ciphertext).
 * Pure functions on Buffers: no I/O.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Result, ok, err } from '../types.ts';

export const VAULT_HEADER = '$ANSIBLE_VAULT';

/** True when the text is a vault envelope (a vaulted file or an inline `!vault` value). */
export function isVaulted(text: string | Buffer): boolean {
  const s = typeof text === 'string' ? text : text.subarray(0, VAULT_HEADER.length + 1).toString('latin1');
  return s.trimStart().startsWith(VAULT_HEADER + ';');
}

function deriveKeys(password: Buffer, salt: Buffer): { key1: Buffer; key2: Buffer; iv: Buffer } {
  const d = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
  return { key1: d.subarray(0, 32), key2: d.subarray(32, 64), iv: d.subarray(64, 80) };
}

function pkcs7Pad(data: Buffer): Buffer {
  const n = 16 - (data.length % 16);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(data: Buffer): Buffer | undefined {
  if (data.length === 0) return data;
  const n = data[data.length - 1];
  if (n < 1 || n > 16 || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

/** Encrypt plaintext into a vault envelope (1.1, or 1.2 when a vault-id label is given). */
export function vaultEncrypt(plaintext: Buffer | string, password: string, opts: { label?: string; salt?: Buffer } = {}): string {
  const salt = opts.salt ?? randomBytes(32);
  const { key1, key2, iv } = deriveKeys(Buffer.from(password, 'utf8'), salt);
  const cipher = createCipheriv('aes-256-ctr', key1, iv);
  const data = pkcs7Pad(Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'));
  const ct = Buffer.concat([cipher.update(data), cipher.final()]);
  const mac = createHmac('sha256', key2).update(ct).digest('hex');
  const inner = Buffer.from(`${salt.toString('hex')}\n${mac}\n${ct.toString('hex')}`, 'latin1').toString('hex');
  const header = opts.label ? `${VAULT_HEADER};1.2;AES256;${opts.label}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = inner.match(/.{1,80}/g) ?? [''];
  return `${header}\n${lines.join('\n')}\n`;
}

/** The parsed header of a vault envelope. */
export interface VaultHeader {
  version: string;
  cipher: string;
  label?: string;
}

/** Parse the header line of a vault envelope. */
export function parseHeader(envelope: string): Result<VaultHeader, string> {
  const first = envelope.trimStart().split(/\r?\n/, 1)[0].trim();
  const parts = first.split(';');
  if (parts[0] !== VAULT_HEADER || parts.length < 3) return err('not a vault envelope (expected a "$ANSIBLE_VAULT;1.1;AES256" header)');
  const [, version, cipher, label] = parts;
  if (version !== '1.1' && version !== '1.2') return err(`unsupported vault format version ${version} (expected 1.1 or 1.2)`);
  if (cipher !== 'AES256') return err(`unsupported vault cipher ${cipher} (expected AES256)`);
  return ok({ version, cipher, label });
}

/** Decrypt a vault envelope. A wrong password is an error, not garbage. */
export function vaultDecrypt(envelope: string, password: string): Result<Buffer, string> {
  const h = parseHeader(envelope);
  if (!h.ok) return h;
  const body = envelope.trimStart().split(/\r?\n/).slice(1).map((l) => l.trim()).join('');
  if (!/^([0-9a-fA-F]{2})*$/.test(body)) return err('vault payload is not hexadecimal');
  const parts = Buffer.from(body, 'hex').toString('latin1').split('\n');
  if (parts.length !== 3 || !parts.every((p) => /^([0-9a-fA-F]{2})+$/.test(p))) return err('vault payload is malformed');
  const [salt, mac, ct] = parts.map((p) => Buffer.from(p, 'hex'));
  const { key1, key2, iv } = deriveKeys(Buffer.from(password, 'utf8'), salt);
  const expect = createHmac('sha256', key2).update(ct).digest();
  if (mac.length !== expect.length || !timingSafeEqual(mac, expect)) return err('Decryption failed (no vault secrets were found that could decrypt)');
  const decipher = createDecipheriv('aes-256-ctr', key1, iv);
  const padded = Buffer.concat([decipher.update(ct), decipher.final()]);
  const plain = pkcs7Unpad(padded);
  if (!plain) return err('vault payload has bad padding');
  return ok(plain);
}
