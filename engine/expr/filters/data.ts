/**
 * Data format and digest filters: to_json/to_nice_json/from_json (Python json.dumps output),
 * to_yaml/to_nice_yaml/from_yaml(_all), hash, checksum, password_hash, to_uuid-free basics.
 */
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { ANSIBLE_SCHEMA, UnsafeText, VaultText } from '../../yaml.ts';
import { md5Crypt, randomSalt, shaCrypt } from '../crypt.ts';
import { ExprError } from '../errors.ts';
import { defineFilters } from '../registry.ts';
import { OMIT, OMIT_STRING, Undefined, asStr, isDict, setKey, pyStr, toInt, typeName } from '../values.ts';
import { toBool } from './core.ts';

function jsonStr(s: string, ascii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Python's json.dumps: `{"a": 1, "b": [1, 2]}`; with indent, items on lines and `,`/`: ` separators. */
export function pyJson(v: unknown, o: { indent?: number; sortKeys?: boolean; ascii?: boolean } = {}, level = 0): string {
  if (level > 500) throw new ExprError('to_json: data nested too deep');
  const ascii = o.ascii ?? true;
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
  const s = asStr(v);
  if (s !== undefined) return jsonStr(s, ascii);
  if (v === OMIT) return jsonStr(OMIT_STRING, ascii);
  if (v instanceof VaultText) return jsonStr(String(v), ascii);
  if (v instanceof Undefined) throw new ExprError(v.hint);
  const nl = o.indent !== undefined ? '\n' + ' '.repeat(o.indent * (level + 1)) : '';
  const end = o.indent !== undefined ? '\n' + ' '.repeat(o.indent * level) : '';
  const sep = o.indent !== undefined ? ',' : ', ';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return '[' + nl + v.map((x) => pyJson(x, o, level + 1)).join(sep + nl) + end + ']';
  }
  if (isDict(v)) {
    const keys = Object.keys(v);
    if (o.sortKeys) keys.sort();
    if (!keys.length) return '{}';
    return '{' + nl + keys.map((k) => jsonStr(k, ascii) + ': ' + pyJson(v[k], o, level + 1)).join(sep + nl) + end + '}';
  }
  if (v instanceof Date) return jsonStr(v.toISOString(), ascii);
  throw new ExprError(`Object of type ${typeName(v)} is not JSON serializable`);
}

/** Plain data for YAML dumping (unsafe/vault/omit unwrapped). */
function plain(v: unknown): unknown {
  if (v instanceof UnsafeText) return v.text;
  if (v === OMIT) return OMIT_STRING;
  if (v instanceof Undefined) throw new ExprError(v.hint);
  if (Array.isArray(v)) return v.map(plain);
  if (isDict(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setKey(o, k, plain(v[k]));
    return o;
  }
  return v;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object' || v instanceof Date;
}

function flow(v: unknown): string {
  return yaml.dump(v, { schema: ANSIBLE_SCHEMA, flowLevel: 0, lineWidth: -1, noRefs: true }).replace(/\n$/, '');
}

function isLeaf(v: unknown): boolean {
  if (isScalar(v)) return true;
  return (Array.isArray(v) ? v : Object.values(v as object)).every(isScalar);
}

function block(v: unknown, pad: string, step: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isLeaf(item)) out.push(`${pad}- ${flow(item)}`);
      else {
        const sub: string[] = [];
        block(item, pad + '  ', step, sub);
        sub[0] = `${pad}- ${sub[0].slice(pad.length + 2)}`;
        out.push(...sub);
      }
    }
    return;
  }
  const d = v as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    const key = flow(k);
    const val = d[k];
    if (isLeaf(val)) out.push(`${pad}${key}: ${flow(val)}`);
    else {
      out.push(`${pad}${key}:`);
      block(val, Array.isArray(val) ? pad : pad + step, step, out);
    }
  }
}

/** PyYAML's default_flow_style=None output: block style, collections of scalars in flow style. */
function toYamlMixed(v: unknown, indent: number): string {
  const p = plain(v);
  if (isLeaf(p)) return flow(p) + '\n';
  const out: string[] = [];
  block(p, '', ' '.repeat(indent), out);
  return out.join('\n') + '\n';
}

function toYaml(v: unknown, indent: number): string {
  try {
    return yaml.dump(plain(v), { schema: ANSIBLE_SCHEMA, indent, lineWidth: -1, noRefs: true, noArrayIndent: true });
  } catch (e: any) {
    throw new ExprError(`to_yaml: ${e.message}`);
  }
}

function str(v: unknown, what: string): string {
  const s = asStr(v);
  if (s === undefined) throw new ExprError(`${what} expects a string, got ${typeName(v)}`);
  return s;
}

const HASHES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'blake2b', 'sha3_256', 'sha3_512'];

defineFilters({
  to_json: (v, a, kw) => pyJson(v, { indent: kw.indent === undefined ? undefined : toInt(kw.indent, 'indent'), sortKeys: toBool(kw.sort_keys ?? false), ascii: toBool(kw.ensure_ascii ?? true) }),
  to_nice_json: (v, a, kw) => pyJson(v, { indent: toInt(kw.indent ?? a[0] ?? 4, 'indent'), sortKeys: toBool(kw.sort_keys ?? true), ascii: toBool(kw.ensure_ascii ?? true) }),
  from_json: (v) => {
    const s = str(v, 'from_json');
    try {
      return JSON.parse(s);
    } catch (e: any) {
      throw new ExprError(`from_json: invalid JSON: ${e.message}`);
    }
  },
  to_yaml: (v, a, kw) => {
    try {
      return toYamlMixed(v, toInt(kw.indent ?? 2, 'indent'));
    } catch (e: any) {
      throw e instanceof ExprError ? e : new ExprError(`to_yaml: ${e.message}`);
    }
  },
  to_nice_yaml: (v, a, kw) => toYaml(v, toInt(kw.indent ?? a[0] ?? 4, 'indent')),
  from_yaml: (v) => {
    if (typeof v !== 'string') return v;
    try {
      return yaml.load(v, { schema: ANSIBLE_SCHEMA }) ?? null;
    } catch (e: any) {
      throw new ExprError(`from_yaml: ${String(e.reason ?? e.message).split('\n')[0]}`);
    }
  },
  from_yaml_all: (v) => {
    try {
      return yaml.loadAll(str(v, 'from_yaml_all'), undefined, { schema: ANSIBLE_SCHEMA });
    } catch (e: any) {
      throw new ExprError(`from_yaml_all: ${String(e.reason ?? e.message).split('\n')[0]}`);
    }
  },
  hash: (v, a) => {
    const t = pyStr(a[0] ?? 'sha1');
    if (!HASHES.includes(t)) throw new ExprError(`hash: unsupported hash type '${t}'`);
    const algo = t === 'blake2b' ? 'blake2b512' : t.replace('_', '-');
    return createHash(algo).update(pyStr(v), 'utf8').digest('hex');
  },
  checksum: (v) => createHash('sha1').update(pyStr(v), 'utf8').digest('hex'),
  md5: (v) => createHash('md5').update(pyStr(v), 'utf8').digest('hex'),
  sha1: (v) => createHash('sha1').update(pyStr(v), 'utf8').digest('hex'),
  password_hash: (v, a, kw) => {
    const pw = pyStr(v);
    const t = pyStr(a[0] ?? kw.hashtype ?? 'sha512').replace(/_crypt$/, '');
    const saltArg = a[1] ?? kw.salt;
    const rounds = a[2] ?? kw.rounds;
    const salt = saltArg === undefined || saltArg === null ? undefined : pyStr(saltArg);
    if (salt !== undefined && !/^[./0-9A-Za-z]*$/.test(salt)) throw new ExprError('password_hash: invalid characters in salt');
    switch (t) {
      case 'sha512':
        return shaCrypt(pw, salt ?? randomSalt(16), 512, rounds === undefined || rounds === null ? 5000 : toInt(rounds, 'rounds'));
      case 'sha256':
        return shaCrypt(pw, salt ?? randomSalt(16), 256, rounds === undefined || rounds === null ? 5000 : toInt(rounds, 'rounds'));
      case 'md5':
        return md5Crypt(pw, salt ?? randomSalt(8));
    }
    throw new ExprError(`password_hash: unsupported hash type '${t}' (use sha512, sha256 or md5)`);
  },
});
