/**
 * Vault: format round trips, wrong passwords, 1.2 labels, compatibility BOTH ways with
 * Debian's ansible-vault (installed by .ci/run; the test fails, not skips, if it is missing),
 * vaulted vars files and inline !vault values, and the `tsplay vault` CLI.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultEncrypt, vaultDecrypt, isVaulted } from '../../../engine/vault/format.ts';
import { configureVault, decryptWith } from '../../../engine/vault/index.ts';
import { loadYamlFile, parseYaml, setVaultFileDecryptor, VaultText } from '../../../engine/yaml.ts';
import { redact } from '../../../engine/secrets.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TSPLAY = join(ROOT, 'bin/tsplay.js');

function tsplay(args: string[], input?: string) {
  return spawnSync('node', [TSPLAY, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('vault', () => {
  let dir: string;
  let pwFile: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsplay-vault-test-'));
    pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'correct horse\n');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    setVaultFileDecryptor(undefined);
  });

  describe('format', () => {
    it('round-trips text and binary data', () => {
      for (const plain of ['', 'x', 'a'.repeat(16), 'héllo\nwörld\n', Buffer.from([0, 1, 2, 255, 254]).toString('latin1')]) {
        const env = vaultEncrypt(plain, 'pw');
        expect(env.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).to.equal(true);
        expect(env.split('\n').slice(1, -1).every((l) => l.length <= 80 && /^[0-9a-f]+$/.test(l))).to.equal(true);
        const r = vaultDecrypt(env, 'pw');
        expect(r.ok && r.value.toString('utf8')).to.equal(plain);
      }
    });
    it('refuses a wrong password and tampered data', () => {
      const env = vaultEncrypt('secret', 'pw');
      const bad = vaultDecrypt(env, 'nope');
      expect(bad.ok).to.equal(false);
      const lines = env.split('\n');
      lines[3] = lines[3].replace(/^./, (c) => (c === '3' ? '4' : '3'));
      expect(vaultDecrypt(lines.join('\n'), 'pw').ok).to.equal(false);
      expect(vaultDecrypt('$ANSIBLE_VAULT;9.9;AES256\n00\n', 'pw').ok).to.equal(false);
    });
    it('writes 1.2 with a vault-id label and picks the labelled secret first', () => {
      const env = vaultEncrypt('labelled', 'pw-dev', { label: 'dev' });
      expect(env.startsWith('$ANSIBLE_VAULT;1.2;AES256;dev\n')).to.equal(true);
      const r = decryptWith([{ label: 'prod', password: 'x' }, { label: 'dev', password: 'pw-dev' }], env);
      expect(r.ok && r.value.toString()).to.equal('labelled');
      expect(isVaulted(env)).to.equal(true);
      expect(isVaulted('plain: text')).to.equal(false);
    });
  });

  describe('compatibility with ansible-vault', () => {
    before(() => {
      const r = spawnSync('ansible-vault', ['--version'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error('ansible-vault is not installed (apt-get install ansible-core; .ci/run does this)');
    });
    it('ansible-vault decrypts what tsplay encrypted', () => {
      const f = join(dir, 'from-tsplay.yml');
      writeFileSync(f, vaultEncrypt('db_password: s3cr3t-from-tsplay\n', 'correct horse'));
      const out = execFileSync('ansible-vault', ['view', '--vault-password-file', pwFile, f], { encoding: 'utf8' });
      expect(out).to.equal('db_password: s3cr3t-from-tsplay\n');
    });
    it('tsplay decrypts what ansible-vault encrypted (file and encrypt_string)', () => {
      const f = join(dir, 'from-ansible.yml');
      writeFileSync(f, 'api_key: from-ansible-123\n');
      execFileSync('ansible-vault', ['encrypt', '--vault-password-file', pwFile, f], { encoding: 'utf8', stdio: 'pipe' });
      const r = vaultDecrypt(readFileSync(f, 'utf8'), 'correct horse');
      expect(r.ok && r.value.toString()).to.equal('api_key: from-ansible-123\n');
      const s = execFileSync('ansible-vault', ['encrypt_string', '--vault-password-file', pwFile, '--name', 'tok', 'inline-v4lue'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const doc = parseYaml(s, 'x.yml');
      expect(doc.ok).to.equal(true);
      const v = (doc as any).value.tok;
      expect(v).to.be.instanceOf(VaultText);
      const d = configureVault([{ label: 'default', password: 'correct horse' }]);
      expect(d(v)).to.equal('inline-v4lue');
    });
    it('ansible-vault reads a 1.2 labelled file written by tsplay', () => {
      const f = join(dir, 'labelled.yml');
      writeFileSync(f, vaultEncrypt('x: 1\n', 'correct horse', { label: 'dev' }));
      const out = execFileSync('ansible-vault', ['view', '--vault-id', `dev@${pwFile}`, f], { encoding: 'utf8' });
      expect(out).to.equal('x: 1\n');
    });
  });

  describe('vaulted vars files and inline values', () => {
    it('loads a vaulted YAML file once passwords are configured, and redacts its values', () => {
      const f = join(dir, 'vars.yml');
      writeFileSync(f, vaultEncrypt('canary_secret: CANARY-v4ult-9931\nport: 80\n', 'correct horse'));
      setVaultFileDecryptor(undefined);
      const before = loadYamlFile(f);
      expect(before.ok).to.equal(false);
      expect(!before.ok && before.error.oneLine()).to.match(/vars\.yml:1: file is vault-encrypted/);
      configureVault([{ label: 'default', password: 'correct horse' }]);
      const r = loadYamlFile(f);
      expect(r.ok && (r.value as any).canary_secret).to.equal('CANARY-v4ult-9931');
      expect(redact('value is CANARY-v4ult-9931')).to.equal('value is ********');
    });
    it('gives a one-line error for a wrong vault password', () => {
      const f = join(dir, 'vars2.yml');
      writeFileSync(f, vaultEncrypt('a: b\n', 'other'));
      configureVault([{ label: 'default', password: 'correct horse' }]);
      const r = loadYamlFile(f);
      expect(!r.ok && r.error.oneLine()).to.match(/vars2\.yml:1: Decryption failed/);
    });
  });

  describe('tsplay vault CLI', () => {
    it('encrypt, view, decrypt, rekey a file', () => {
      const f = join(dir, 'cli.yml');
      writeFileSync(f, 'k: cli-value\n');
      let r = tsplay(['vault', 'encrypt', '--vault-password-file', pwFile, f]);
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(f, 'utf8').startsWith('$ANSIBLE_VAULT;1.1;AES256')).to.equal(true);
      r = tsplay(['vault', 'view', '--vault-password-file', pwFile, f]);
      expect(r.stdout).to.equal('k: cli-value\n');
      const pw2 = join(dir, 'pw2');
      writeFileSync(pw2, 'new pass\n');
      r = tsplay(['vault', 'rekey', '--vault-password-file', pwFile, '--new-vault-password-file', pw2, f]);
      expect(r.status, r.stderr).to.equal(0);
      expect(vaultDecrypt(readFileSync(f, 'utf8'), 'new pass').ok).to.equal(true);
      r = tsplay(['vault', 'decrypt', '--vault-password-file', pw2, f]);
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(f, 'utf8')).to.equal('k: cli-value\n');
    });
    it('encrypt_string prints a !vault value that ansible-vault can read', () => {
      const r = tsplay(['vault', 'encrypt_string', '--vault-password-file', pwFile, '--name', 'token', 'str-s3cret']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^token: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n/);
      expect(r.stdout).to.not.include('str-s3cret');
      const f = join(dir, 'es.yml');
      writeFileSync(f, r.stdout);
      const out = execFileSync('ansible', ['localhost', '-i', 'localhost,', '-c', 'local', '-m', 'debug', '-a', 'var=token', '-e', `@${f}`, '--vault-password-file', pwFile], { encoding: 'utf8' });
      expect(out).to.include('str-s3cret');
    });
    it('edit and create use $EDITOR and never leave plaintext behind', () => {
      const editor = join(dir, 'editor.sh');
      writeFileSync(editor, '#!/bin/sh\necho "added: line" >> "$1"\necho "$1" > ' + join(dir, 'edited-path') + '\n');
      chmodSync(editor, 0o755);
      const f = join(dir, 'new.yml');
      const env = { ...process.env, EDITOR: editor };
      let r = spawnSync('node', [TSPLAY, 'vault', 'create', '--vault-password-file', pwFile, f], { encoding: 'utf8', env });
      expect(r.status, r.stderr).to.equal(0);
      const tmpPath = readFileSync(join(dir, 'edited-path'), 'utf8').trim();
      expect(() => readFileSync(tmpPath)).to.throw();
      r = spawnSync('node', [TSPLAY, 'vault', 'edit', '--vault-password-file', pwFile, f], { encoding: 'utf8', env });
      expect(r.status, r.stderr).to.equal(0);
      const v = vaultDecrypt(readFileSync(f, 'utf8'), 'correct horse');
      expect(v.ok && v.value.toString()).to.equal('added: line\nadded: line\n');
    });
    it('wrong password: one-line error, non-zero exit, no stack trace', () => {
      const f = join(dir, 'wp.yml');
      writeFileSync(f, vaultEncrypt('a: 1\n', 'other'));
      const r = tsplay(['vault', 'view', '--vault-password-file', pwFile, f]);
      expect(r.status).to.not.equal(0);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(/wp\.yml: Decryption failed/);
      expect(r.stderr).to.not.match(/\n\s+at /);
    });
  });
});
