/**
 * Python/Jinja value semantics on plain JavaScript values: None is null, lists are arrays,
 * dicts are plain objects. Truthiness, str()/repr(), equality, ordering, type names,
 * the Undefined marker and the `omit` sentinel.
 */
import { UnsafeText, VaultText } from '../yaml.ts';
import { ExprError } from './errors.ts';

/** An undefined value (a missing variable, key or attribute). Using it is an error. */
export class Undefined {
  constructor(
    /** The variable expression, e.g. `foo.bar`. */
    public readonly name: string,
    /** Ansible's wording: `'foo' is undefined`, `'dict object' has no attribute 'bar'`. */
    public readonly hint: string,
  ) {}
}

/** Ansible's `omit`: a module argument whose value is omit is dropped. */
export const OMIT: { readonly __omit: true; toString(): string } = Object.freeze({
  __omit: true as const,
  toString: () => OMIT_STRING,
});
/** How `omit` renders inside a larger string (Ansible renders a placeholder too). */
export const OMIT_STRING = '__omit_place_holder__tsplay';

/** True for the omit sentinel (or its placeholder string). */
export function isOmit(v: unknown): boolean {
  return v === OMIT || v === OMIT_STRING;
}

/** A plain dict (object literal, JSON/YAML mapping), not a class instance. */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Own-property read that can never reach a prototype. */
export function own(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** Set a key as an own data property (a `__proto__` key never changes the prototype). */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** Own-property test. */
export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Python's type name of a value (for messages and `type_debug`). */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string' || v instanceof UnsafeText) return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (v instanceof Undefined) return 'AnsibleUndefined';
  if (v instanceof VaultText) return 'AnsibleVaultEncryptedUnicode';
  if (v === OMIT) return 'str';
  return 'object';
}

/** Jinja's object description for attribute errors: 'dict object', 'list object', 'str object'. */
export function objDesc(v: unknown): string {
  if (v === null || v === undefined) return "'None'";
  return `'${typeName(v)} object'`;
}

/** Python truthiness. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  if (v instanceof UnsafeText) return v.text.length > 0;
  return true;
}

function numStr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python repr() of a string. */
export function reprStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += '\\' + q;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

/** Python repr() (lists and dicts render their items with it). */
export function pyRepr(v: unknown, depth = 0): string {
  if (depth > 100) return '...';
  if (typeof v === 'string') return reprStr(v);
  if (v instanceof UnsafeText) return reprStr(v.text);
  if (Array.isArray(v)) return '[' + v.map((x) => pyRepr(x, depth + 1)).join(', ') + ']';
  if (isDict(v)) return '{' + Object.keys(v).map((k) => reprStr(k) + ': ' + pyRepr(v[k], depth + 1)).join(', ') + '}';
  return pyStr(v);
}

/** Python str(). */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return numStr(v);
  if (Array.isArray(v) || isDict(v)) return pyRepr(v);
  if (v instanceof UnsafeText) return v.text;
  if (v === OMIT) return OMIT_STRING;
  if (v instanceof VaultText) return String(v);
  if (v instanceof Undefined) throw new ExprError(v.hint);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return '<object>';
}

function isNumLike(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** Python `==` (deep for lists and dicts; True == 1). */
export function pyEq(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 200) return false;
  if (a instanceof UnsafeText) a = a.text;
  if (b instanceof UnsafeText) b = b.text;
  if (isNumLike(a) && isNumLike(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !pyEq(a[k], b[k], depth + 1)) return false;
    return true;
  }
  return false;
}

/** Python ordering: -1, 0, 1. Throws ExprError for unorderable types, as Python 3 does. */
export function pyCmp(a: unknown, b: unknown, op: string): number {
  if (a instanceof UnsafeText) a = a.text;
  if (b instanceof UnsafeText) b = b.text;
  if (isNumLike(a) && isNumLike(b)) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (pyEq(a[i], b[i])) continue;
      return pyCmp(a[i], b[i], op);
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  throw new ExprError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python's `in`. */
export function pyIn(item: unknown, container: unknown): boolean {
  if (item instanceof UnsafeText) item = item.text;
  if (container instanceof UnsafeText) container = container.text;
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new ExprError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isDict(container)) {
    if (typeof item === 'string') return hasOwn(container, item);
    if (typeof item === 'number' || typeof item === 'boolean') return hasOwn(container, String(item));
    return false;
  }
  throw new ExprError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Iterate a value the Python way: list items, dict keys, string characters. */
export function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof UnsafeText) return Array.from(v.text);
  if (isDict(v)) return Object.keys(v);
  throw new ExprError(`'${typeName(v)}' object is not iterable`);
}

/** Python len(). */
export function pyLen(v: unknown): number {
  if (typeof v === 'string') return Array.from(v).length;
  if (v instanceof UnsafeText) return Array.from(v.text).length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  throw new ExprError(`object of type '${typeName(v)}' has no len()`);
}

/** A string value (UnsafeText unwrapped), or undefined when the value is not a string. */
export function asStr(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof UnsafeText) return v.text;
  return undefined;
}

/** Require a string (for string filters); other scalars are converted with str(). */
export function toStr(v: unknown): string {
  return asStr(v) ?? pyStr(v);
}

/** Require an integer argument. */
export function toInt(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
  throw new ExprError(`${what}: expected an integer, got ${typeName(v)} ${pyRepr(v)}`);
}
