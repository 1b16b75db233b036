/**
 * Where vault passwords come from: --vault-password-file (a file, or an executable whose
 * stdout is the password), --vault-id [label@]source, --ask-vault-pass, and
 * ANSIBLE_VAULT_PASSWORD_FILE. Passwords are registered as secrets and never printed.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { OptionsError } from '../types.ts';
import { prompt } from '../prompt.ts';
import { registerSecret } from '../secrets.ts';

/** One vault secret with its vault-id label ('default' when unlabelled). */
export interface VaultSecret {
  label: string;
  password: string;
}

/** Vault options as given on the command line. */
export interface VaultOptions {
  passwordFiles: string[];
  vaultIds: string[];
  askVaultPass: boolean;
}

/** Read a password file; run it when it is executable (Ansible's vault password scripts). */
export function readPasswordFile(path: string): string {
  let text: string;
  try {
    const st = statSync(path);
    let executable = false;
    try {
      accessSync(path, constants.X_OK);
      executable = st.isFile();
    } catch {
      executable = false;
    }
    text = executable ? execFileSync(path, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) : readFileSync(path, 'utf8');
  } catch (e: any) {
    throw new OptionsError(`vault password file ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message.split('\n')[0]}`);
  }
  const pw = text.replace(/\s+$/, '');
  if (pw === '') throw new OptionsError(`vault password file ${path} is empty`);
  registerSecret(pw);
  return pw;
}

/** Resolve every vault secret the options name (prompting when asked to). */
export async function collectVaultSecrets(o: VaultOptions, env = process.env): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  const files = [...o.passwordFiles];
  if (files.length === 0 && o.vaultIds.length === 0 && !o.askVaultPass && env.ANSIBLE_VAULT_PASSWORD_FILE) {
    files.push(env.ANSIBLE_VAULT_PASSWORD_FILE);
  }
  for (const f of files) out.push({ label: 'default', password: readPasswordFile(f) });
  for (const id of o.vaultIds) {
    const at = id.indexOf('@');
    const label = at >= 0 ? id.slice(0, at) : 'default';
    const source = at >= 0 ? id.slice(at + 1) : id;
    if (source === 'prompt') out.push({ label, password: await askPassword(`Vault password (${label}): `) });
    else out.push({ label, password: readPasswordFile(source) });
  }
  if (o.askVaultPass) out.push({ label: 'default', password: await askPassword('Vault password: ') });
  return out;
}

async function askPassword(q: string): Promise<string> {
  const pw = await prompt(q, true);
  if (pw === '') throw new OptionsError('empty vault password');
  registerSecret(pw);
  return pw;
}
