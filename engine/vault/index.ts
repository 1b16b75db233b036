/**
 * Vault integration: once the passwords are known, vault-encrypted vars files and inline
 * `!vault` values decrypt transparently; every decrypted value is registered as a secret so
 * it is redacted from all output.
 */
import { parseYaml, setVaultFileDecryptor, VaultText } from '../yaml.ts';
import { ParseError, type Result, ok, err } from '../types.ts';
import { registerSecret } from '../secrets.ts';
import { parseHeader, vaultDecrypt } from './format.ts';
import type { VaultSecret } from './passwords.ts';

export { vaultEncrypt, vaultDecrypt, isVaulted } from './format.ts';
export { collectVaultSecrets, type VaultSecret, type VaultOptions } from './passwords.ts';

/** Try every secret (the labelled one first) on an envelope. */
export function decryptWith(secrets: VaultSecret[], envelope: string): Result<Buffer, string> {
  const h = parseHeader(envelope);
  if (!h.ok) return h;
  if (secrets.length === 0) return err('vault-encrypted data found, but no vault secret was given (use --vault-password-file or --ask-vault-pass)');
  const ordered = h.value.label ? [...secrets.filter((s) => s.label === h.value.label), ...secrets.filter((s) => s.label !== h.value.label)] : secrets;
  let last = 'Decryption failed';
  for (const s of ordered) {
    const r = vaultDecrypt(envelope, s.password);
    if (r.ok) return r;
    last = r.error;
  }
  return err(last);
}

/** Register every string leaf of a decrypted document as a secret (short scalars excepted). */
function registerLeaves(v: unknown): void {
  if (typeof v === 'string') {
    if (v.length >= 4) registerSecret(v);
  } else if (Array.isArray(v)) v.forEach(registerLeaves);
  else if (v && typeof v === 'object') Object.values(v).forEach(registerLeaves);
}

/** Decrypt an inline `!vault` value (throws a one-line ParseError when it cannot). */
export function makeInlineDecryptor(secrets: VaultSecret[]): (v: VaultText) => string {
  return (v: VaultText) => {
    const r = decryptWith(secrets, v.ciphertext);
    if (!r.ok) throw new ParseError(`cannot decrypt !vault value: ${r.error}`);
    const s = r.value.toString('utf8');
    registerSecret(s);
    return s;
  };
}

/**
 * Install the vault hooks for this run: vault-encrypted YAML files decrypt on load, and the
 * returned function decrypts inline `!vault` values (hand it to the expression layer).
 */
export function configureVault(secrets: VaultSecret[]): (v: VaultText) => string {
  setVaultFileDecryptor((text, file) => {
    const r = decryptWith(secrets, text);
    if (!r.ok) return err(new ParseError(r.error, { file, line: 1 }));
    const plain = r.value.toString('utf8');
    const doc = parseYaml(plain, file);
    if (doc.ok) registerLeaves(doc.value);
    return ok(plain);
  });
  return makeInlineDecryptor(secrets);
}
