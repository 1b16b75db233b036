/**
 * YAML loading with source positions. Every mapping/sequence loaded here remembers the
 * file, line and column it came from, so errors can name `file:line:col`.
 * Duplicate keys, syntax errors and binary junk become one-line ParseErrors.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { ParseError, type Result, type SourcePos, ok, err } from './types.ts';

/** An inline `!vault |` value: ciphertext, decrypted later by the vault layer. */
export class VaultText {
  constructor(public readonly ciphertext: string) {}
  toString(): string {
    return '<vaulted value>';
  }
}

/** A `!unsafe` string: never templated. */
export class UnsafeText {
  constructor(public readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const vaultType = new yaml.Type('!vault', {
  kind: 'scalar',
  construct: (data: string) => new VaultText(String(data)),
  instanceOf: VaultText,
  represent: (v: object) => (v as VaultText).ciphertext,
});
const unsafeType = new yaml.Type('!unsafe', {
  kind: 'scalar',
  construct: (data: string) => new UnsafeText(String(data ?? '')),
  instanceOf: UnsafeText,
  represent: (v: object) => (v as UnsafeText).text,
});

/**
 * YAML 1.1 booleans, as PyYAML (and so Ansible) reads them: yes/no/on/off/true/false in
 * lower, Title or UPPER case. js-yaml's YAML 1.2 core schema would keep `yes` a string, and
 * `gather_facts: no` would then be truthy.
 */
const BOOL_11 = /^(?:y(?:es)?|Y(?:es)?|YES|n(?:o)?|N(?:o)?|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const bool11Type = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOL_11.test(data) && !/^[yYnN]$/.test(data),
  construct: (data: string) => /^(?:y|yes|true|on)$/i.test(data),
  predicate: (v: unknown) => typeof v === 'boolean',
  represent: { lowercase: (v: object) => (v ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

/**
 * YAML 1.1 integers, as PyYAML reads them: `0755` is octal (493), `0b101` binary, `0x1F` hex,
 * `1_000` has separators. (`mode: 0644` then means what it means in Ansible.)
 */
const INT_11 = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|(?:0|[1-9][0-9_]*))$/;
const int11Type = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT_11.test(data) && /[0-9]$|[0-9a-fA-F]$/.test(data) && !/__/.test(data),
  construct: (data: string) => {
    let s = data.replace(/_/g, '');
    let sign = 1;
    if (s[0] === '-' || s[0] === '+') {
      if (s[0] === '-') sign = -1;
      s = s.slice(1);
    }
    if (s === '0') return 0;
    if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
    if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
    if (s.startsWith('0')) return sign * parseInt(s.slice(1), 8);
    return sign * parseInt(s, 10);
  },
  predicate: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  represent: { decimal: (v: object) => String(v) },
  defaultStyle: 'decimal',
});

/** js-yaml's default schema with YAML 1.1 bool/int (as Ansible) plus `!vault` and `!unsafe`. */
export const ANSIBLE_SCHEMA = yaml.DEFAULT_SCHEMA.extend({ implicit: [bool11Type, int11Type], explicit: [vaultType, unsafeType] });

const positions = new WeakMap<object, SourcePos>();

/** Where a loaded mapping or sequence came from, if it was loaded by this module. */
export function posOf(value: unknown): SourcePos | undefined {
  return value !== null && typeof value === 'object' ? positions.get(value as object) : undefined;
}

/** Attach a position to an object built in code (e.g. a task synthesized from a role). */
export function setPos(value: object, pos: SourcePos): void {
  positions.set(value, pos);
}

/** Largest file tsplay will parse as YAML (a guard against runaway inputs). */
export const MAX_YAML_BYTES = 20 * 1024 * 1024;

/** Parse YAML text. `file` is used for positions and error messages. */
export function parseYaml(text: string, file: string): Result<unknown, ParseError> {
  if (text.length > MAX_YAML_BYTES) {
    return err(new ParseError(`file is ${(text.length / 1048576).toFixed(1)} MB; expected YAML under ${MAX_YAML_BYTES / 1048576} MB`, { file, line: 1 }));
  }
  const bad = text.search(/[\u0000-\u0008\u000e-\u001f]/);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    return err(new ParseError('binary data where YAML text was expected', { file, line }));
  }
  const stack: { line: number; col: number }[] = [];
  try {
    const data = yaml.load(text, {
      filename: file,
      schema: ANSIBLE_SCHEMA,
      listener(event: string, state: any) {
        if (event === 'open') {
          stack.push({ line: state.line + 1, col: state.position - state.lineStart + 1 });
        } else {
          const start = stack.pop();
          const r = state.result;
          if (r !== null && typeof r === 'object' && !Array.isArray(r) && Object.prototype.hasOwnProperty.call(r, '[object Object]')) {
            throw new ParseError('a value starting with "{{" must be quoted: write "{{ ... }}" (YAML reads an unquoted {{ }} as a mapping)', { file, line: start?.line, col: start?.col });
          }
          if (start && r !== null && typeof r === 'object' && !positions.has(r)) {
            positions.set(r, { file, line: start.line, col: start.col });
          }
        }
      },
    });
    return ok(data);
  } catch (e: any) {
    if (e instanceof ParseError) return err(e);
    if (e instanceof yaml.YAMLException) {
      const m = (e as any).mark;
      const reason = (e as any).reason ?? e.message;
      return err(new ParseError(`YAML syntax error: ${reason}`, { file, line: m ? m.line + 1 : undefined, col: m ? m.column + 1 : undefined }));
    }
    throw e;
  }
}

/** Decrypts a whole vault-encrypted file's text; set by engine/vault when passwords are known. */
export type VaultFileDecryptor = (text: string, file: string) => Result<string, ParseError>;
let vaultFileDecryptor: VaultFileDecryptor | undefined;

/** Install (or remove) the decryptor used for vault-encrypted YAML files. */
export function setVaultFileDecryptor(fn: VaultFileDecryptor | undefined): void {
  vaultFileDecryptor = fn;
}

/** Decrypt a whole vault-encrypted file's text with the installed decryptor (used for vaulted INI inventories). */
export function decryptVaultFileText(text: string, file: string): Result<string, ParseError> {
  if (!vaultFileDecryptor) {
    return err(new ParseError('file is vault-encrypted; give --vault-password-file or --ask-vault-pass', { file, line: 1 }));
  }
  return vaultFileDecryptor(text, file);
}

/** Read and parse a YAML (or JSON) file; a vault-encrypted file is decrypted first. */
export function loadYamlFile(file: string): Result<unknown, ParseError> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: any) {
    return err(new ParseError(`cannot read file: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { file }));
  }
  if (text.trimStart().startsWith('$ANSIBLE_VAULT;')) {
    if (!vaultFileDecryptor) {
      return err(new ParseError('file is vault-encrypted; give --vault-password-file or --ask-vault-pass', { file, line: 1 }));
    }
    const plain = vaultFileDecryptor(text, file);
    if (!plain.ok) return plain;
    text = plain.value;
  }
  return parseYaml(text, file);
}

/** Serialize to YAML (for to_yaml / to_nice_yaml and diffs). */
export function dumpYaml(value: unknown, indent = 2): string {
  return yaml.dump(value, { schema: ANSIBLE_SCHEMA, indent, lineWidth: -1, noRefs: true, sortKeys: false });
}
