/**
 * `tsplay vault create|encrypt|decrypt|view|edit|rekey|encrypt_string` — ansible-vault's
 * commands and flags, file format compatible both ways (1.1/1.2, AES256).
 * Plaintext only ever touches disk inside a private 0700 temp dir (for the editor), removed after.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ExitCode, OptionsError, TsplayError } from '../types.ts';
import { prompt } from '../prompt.ts';
import { registerSecret } from '../secrets.ts';
import { isVaulted, vaultEncrypt } from './format.ts';
import { collectVaultSecrets, readPasswordFile, type VaultSecret } from './passwords.ts';
import { decryptWith } from './index.ts';

const USAGE = `usage: tsplay vault {create,encrypt,decrypt,view,edit,rekey,encrypt_string} [options] [FILE...]
  --vault-password-file F   password from a file (or an executable's stdout); repeatable
  --vault-id [LABEL@]SRC    SRC is a password file or 'prompt'; repeatable
  --ask-vault-pass          prompt for the password
  --encrypt-vault-id LABEL  which vault id to encrypt with (writes format 1.2 with that label)
  --new-vault-password-file F / --new-vault-id [LABEL@]SRC   (rekey)
  --output F                write to F instead of in place ('-' = stdout)   (encrypt, decrypt)
  -n/--name NAME            variable name            (encrypt_string)
  -p/--prompt               read the string from a prompt (encrypt_string)
  --stdin-name NAME         read the string from stdin and name it NAME (encrypt_string)`;

interface VaultArgs {
  sub: string;
  files: string[];
  passwordFiles: string[];
  vaultIds: string[];
  askVaultPass: boolean;
  encryptVaultId?: string;
  newPasswordFile?: string;
  newVaultId?: string;
  output?: string;
  names: string[];
  promptString: boolean;
  stdinName?: string;
}

function parseArgs(argv: string[]): VaultArgs {
  const [sub, ...rest] = argv;
  if (!sub || sub === '-h' || sub === '--help') throw new OptionsError(USAGE);
  const a: VaultArgs = { sub, files: [], passwordFiles: [], vaultIds: [], askVaultPass: false, names: [], promptString: false };
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i];
    const eq = t.startsWith('--') ? t.indexOf('=') : -1;
    const flag = eq > 0 ? t.slice(0, eq) : t;
    const value = (): string => {
      if (eq > 0) return t.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) throw new OptionsError(`option ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--vault-password-file': case '--vault-pass-file': a.passwordFiles.push(value()); break;
      case '--vault-id': a.vaultIds.push(value()); break;
      case '--ask-vault-pass': case '--ask-vault-password': case '-J': a.askVaultPass = true; break;
      case '--encrypt-vault-id': a.encryptVaultId = value(); break;
      case '--new-vault-password-file': a.newPasswordFile = value(); break;
      case '--new-vault-id': a.newVaultId = value(); break;
      case '--output': a.output = value(); break;
      case '-n': case '--name': a.names.push(value()); break;
      case '-p': case '--prompt': a.promptString = true; break;
      case '--stdin-name': a.stdinName = value(); break;
      case '-v': case '-vv': case '-vvv': case '-vvvv': break;
      default:
        if (t.startsWith('-') && t !== '-') throw new OptionsError(`tsplay vault: unknown option ${t}`);
        a.files.push(t);
    }
  }
  return a;
}

/** The secret new files are encrypted with: --encrypt-vault-id's, else the only/first one. */
function encryptSecret(secrets: VaultSecret[], label?: string): VaultSecret {
  if (secrets.length === 0) throw new OptionsError('a vault password is required: use --vault-password-file, --vault-id or --ask-vault-pass');
  if (label) {
    const s = secrets.find((x) => x.label === label);
    if (!s) throw new OptionsError(`--encrypt-vault-id ${label}: no vault secret with that label was given`);
    return s;
  }
  return secrets[0];
}

function encrypt(plain: Buffer | string, s: VaultSecret): string {
  return vaultEncrypt(plain, s.password, s.label !== 'default' ? { label: s.label } : {});
}

function readInput(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new TsplayError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

/** Write a file atomically, keeping the original's mode (0600 for new files). */
function writeAtomic(file: string, text: string | Buffer): void {
  if (file === '-') {
    process.stdout.write(text);
    return;
  }
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  const tmp = join(dirname(file), `.${basename(file)}.tsplay-tmp-${process.pid}`);
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

function decryptOrThrow(secrets: VaultSecret[], file: string, text: string): Buffer {
  if (!isVaulted(text)) throw new TsplayError(`${file}: input is not vault encrypted data`);
  const r = decryptWith(secrets, text);
  if (!r.ok) throw new TsplayError(`${file}: ${r.error}`);
  return r.value;
}

/** Open $EDITOR on plaintext in a private temp dir; returns the edited text. */
function editInEditor(initial: Buffer, name: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-vault-'));
  chmodSync(dir, 0o700);
  const f = join(dir, basename(name));
  try {
    writeFileSync(f, initial, { mode: 0o600 });
    const editor = process.env.EDITOR || process.env.VISUAL || 'vi';
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', f], { stdio: 'inherit' });
    if (r.status !== 0) throw new TsplayError(`editor '${editor}' exited with ${r.status ?? r.signal}; file left unchanged`);
    return readFileSync(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function formatEncryptedString(name: string | undefined, envelope: string): string {
  const body = envelope.trimEnd().split('\n').map((l) => `          ${l}`).join('\n');
  return name ? `${name}: !vault |\n${body}\n` : `!vault |\n${body}\n`;
}

/** `tsplay vault ...` entry point. */
export async function vaultMain(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const secrets = await collectVaultSecrets(a);
  const needFiles = () => {
    if (a.files.length === 0) throw new OptionsError(`tsplay vault ${a.sub}: give at least one file`);
  };
  switch (a.sub) {
    case 'encrypt': {
      const s = encryptSecret(secrets, a.encryptVaultId);
      const files = a.files.length ? a.files : ['-'];
      for (const f of files) {
        const text = readInput(f);
        if (isVaulted(text)) throw new TsplayError(`${f}: input is already encrypted`);
        writeAtomic(a.output ?? f, encrypt(text, s));
        if (f !== '-' && (a.output ?? f) !== '-') process.stderr.write('Encryption successful\n');
      }
      return ExitCode.OK;
    }
    case 'decrypt': {
      const files = a.files.length ? a.files : ['-'];
      for (const f of files) {
        const plain = decryptOrThrow(secrets, f, readInput(f));
        writeAtomic(a.output ?? f, plain);
        if ((a.output ?? f) !== '-') process.stderr.write('Decryption successful\n');
      }
      return ExitCode.OK;
    }
    case 'view': {
      needFiles();
      for (const f of a.files) process.stdout.write(decryptOrThrow(secrets, f, readInput(f)));
      return ExitCode.OK;
    }
    case 'create': {
      needFiles();
      const s = encryptSecret(secrets, a.encryptVaultId);
      const f = a.files[0];
      if (existsSync(f)) throw new TsplayError(`${f} exists, please use 'edit' instead`);
      const text = editInEditor(Buffer.alloc(0), f);
      writeAtomic(f, encrypt(text, s));
      return ExitCode.OK;
    }
    case 'edit': {
      needFiles();
      const f = a.files[0];
      const before = decryptOrThrow(secrets, f, readInput(f));
      const after = editInEditor(before, f);
      if (!after.equals(before)) writeAtomic(f, encrypt(after, encryptSecret(secrets, a.encryptVaultId)));
      return ExitCode.OK;
    }
    case 'rekey': {
      needFiles();
      let next: VaultSecret;
      if (a.newPasswordFile) next = { label: 'default', password: readPasswordFile(a.newPasswordFile) };
      else if (a.newVaultId) next = (await collectVaultSecrets({ passwordFiles: [], vaultIds: [a.newVaultId], askVaultPass: false }))[0];
      else {
        const pw = await prompt('New Vault password: ', true);
        if (!pw) throw new OptionsError('empty vault password');
        registerSecret(pw);
        next = { label: 'default', password: pw };
      }
      for (const f of a.files) writeAtomic(f, encrypt(decryptOrThrow(secrets, f, readInput(f)), next));
      process.stderr.write('Rekey successful\n');
      return ExitCode.OK;
    }
    case 'encrypt_string': {
      const s = encryptSecret(secrets, a.encryptVaultId);
      const items: { name?: string; value: string }[] = [];
      if (a.stdinName !== undefined) items.push({ name: a.stdinName, value: readFileSync(0, 'utf8') });
      else if (a.promptString) items.push({ name: a.names[0], value: await prompt('String to encrypt (hidden): ', true) });
      else if (a.files.length === 0) items.push({ name: a.names[0], value: readFileSync(0, 'utf8') });
      a.files.forEach((v, i) => items.push({ name: a.names[i], value: v }));
      for (const it of items) {
        registerSecret(it.value);
        process.stdout.write(formatEncryptedString(it.name, encrypt(it.value, s)));
      }
      return ExitCode.OK;
    }
    default:
      throw new OptionsError(`tsplay vault: unknown action '${a.sub}' (expected create, encrypt, decrypt, view, edit, rekey or encrypt_string)`);
  }
}
