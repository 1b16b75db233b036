/** Private keys for ssh authentication: read, detect encryption, ask for passphrases (cached). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TsplayError } from '../types.ts';
import { isInteractive, promptHidden } from '../prompt.ts';

/** ssh2's key parser, loaded on first use (keeps ssh2 out of runs that never connect directly). */
const requireCjs = createRequire(import.meta.url);
const utils = {
  parseKey: (...a: Parameters<typeof import('ssh2').utils.parseKey>) => (requireCjs('ssh2') as typeof import('ssh2')).utils.parseKey(...a),
};

/** Passphrases already given, per key file (asked once per run). */
const passphraseCache = new Map<string, string>();

/** A usable private key. */
export interface LoadedKey {
  file: string;
  key: Buffer;
  passphrase?: string;
}

/** Read and (if needed) decrypt the usable private keys among `files` (missing files are skipped). */
export async function loadKeys(files: readonly string[], hooks: { passphrase?: (keyFile: string) => Promise<string> }): Promise<{ keys: LoadedKey[]; skipped: string[] }> {
  const keys: LoadedKey[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      skipped.push(`${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      continue;
    }
    let parsed = utils.parseKey(data);
    if (!(parsed instanceof Error)) {
      keys.push({ file, key: data });
      continue;
    }
    if (!/encrypt|passphrase/i.test(parsed.message)) {
      skipped.push(`${file} (${parsed.message})`);
      continue;
    }
    let pass = passphraseCache.get(file);
    if (pass === undefined) {
      if (hooks.passphrase) pass = await hooks.passphrase(file);
      else if (!isInteractive()) throw new TsplayError(`private key ${file} is encrypted and there is no terminal to ask for its passphrase (load it into ssh-agent, or run from a terminal)`);
      else pass = await promptHidden(`Enter passphrase for key '${file}': `);
    }
    parsed = utils.parseKey(data, pass);
    if (parsed instanceof Error) throw new TsplayError(`cannot decrypt private key ${file}: wrong passphrase`);
    passphraseCache.set(file, pass);
    keys.push({ file, key: data, passphrase: pass });
  }
  return { keys, skipped };
}
