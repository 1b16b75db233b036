/**
 * Module argument validation with Ansible's argument_spec semantics: aliases, defaults,
 * required, choices, type coercion (the way Ansible converts 'yes', '10', 'a,b', 'k=v'),
 * list elements, `_raw_params` for free-form modules. Errors are one-line TsplayErrors
 * worded like Ansible's.
 */
import { TsplayError, type ArgSpec, type ArgType, type ModuleDef } from '../types.ts';
import { pyStr } from '../expr/values.ts';

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't', '1.0']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f', '0.0']);

/** Keys the engine may pass that are never module arguments. */
const INTERNAL = /^_ansible_/;

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return 'str';
}

/** Ansible's boolean(): yes/no/on/off/true/false/1/0 (any case). Returns undefined if invalid. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  return undefined;
}

/** Parse Ansible's `k=v k2="v 2"` / `k=v,k2=v2` dict string form. */
function parseKvDict(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const re = /\s*([^=,\s]+)=("([^"]*)"|'([^']*)'|[^,\s]*)\s*,?/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s)) !== null && m[0] !== '') {
    out[m[1]] = m[3] ?? m[4] ?? m[2];
    consumed = re.lastIndex;
  }
  return consumed === s.length && Object.keys(out).length > 0 ? out : undefined;
}

/** Convert one value to an Ansible type; throws a message string when impossible. */
export function coerce(value: unknown, type: ArgType, name: string): unknown {
  const bad = (why = ''): never => {
    throw `argument '${name}' is of type ${typeName(value)} and we were unable to convert to ${type}${why ? `: ${why}` : ''}`;
  };
  switch (type) {
    case 'raw':
      return value;
    case 'str':
    case 'path':
      if (typeof value === 'string') return value;
      // Ansible converts with Python's str(): True -> 'True', 1.5 -> '1.5' (a lone '{{ expr }}' is native).
      if (typeof value === 'number' || typeof value === 'boolean') return pyStr(value);
      return bad();
    case 'bool': {
      const b = toBool(value);
      if (b === undefined) {
        throw `argument '${name}' is of type ${typeName(value)} and we were unable to convert to bool: The value '${String(value)}' is not a valid boolean. Valid booleans include: 'yes', 'no', 'true', 'false', 'on', 'off', '1', '0'`;
      }
      return b;
    }
    case 'int': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'number') return Number.isInteger(value) ? value : bad(`${value} cannot be converted to an int`);
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
      return bad(`${JSON.stringify(value)} cannot be converted to an int`);
    }
    case 'float': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value))) return Number(value);
      return bad(`${JSON.stringify(value)} cannot be converted to a float`);
    }
    case 'list': {
      if (Array.isArray(value)) return value;
      if (typeof value === 'string') return value === '' ? [] : value.split(',');
      if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
      return bad();
    }
    case 'dict': {
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
      if (typeof value === 'string') {
        const t = value.trim();
        if (t.startsWith('{')) {
          try {
            const d = JSON.parse(t);
            if (d && typeof d === 'object' && !Array.isArray(d)) return d;
          } catch {
            /* fall through */
          }
          return bad('dictionary requested, could not parse JSON or key=value');
        }
        const kv = parseKvDict(t);
        if (kv) return kv;
        return bad('dictionary requested, could not parse JSON or key=value');
      }
      return bad();
    }
    case 'json': {
      if (typeof value === 'string') return value;
      if (value && typeof value === 'object') return JSON.stringify(value);
      return bad();
    }
  }
}

/** Build the canonical-name lookup table: argument names and their aliases. */
function nameTable(schema: Record<string, ArgSpec>): Map<string, string> {
  const t = new Map<string, string>();
  for (const [name, spec] of Object.entries(schema)) {
    t.set(name, name);
    for (const a of spec.aliases ?? []) t.set(a, name);
  }
  return t;
}

/** All names a module accepts (arguments and aliases), sorted, as Ansible lists them. */
export function supportedNames(def: ModuleDef): string[] {
  return [...nameTable(def.args).keys()].sort();
}

/**
 * Validate and normalise raw task arguments against `def.args`.
 * Returns the canonical arguments (aliases resolved, defaults filled, values coerced).
 * Throws a one-line TsplayError naming the argument on any problem.
 */
export function validateArgs(def: ModuleDef, raw: Record<string, unknown>): Record<string, unknown> {
  if ((def as { acceptAnyArgs?: boolean }).acceptAnyArgs) {
    return Object.fromEntries(Object.entries(raw ?? {}).filter(([k]) => !INTERNAL.test(k)));
  }
  const table = nameTable(def.args);
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (INTERNAL.test(key)) continue;
    if (key === '_raw_params' && def.freeForm) {
      out._raw_params = value;
      continue;
    }
    const canon = table.get(key);
    if (!canon) {
      unknown.push(key);
      continue;
    }
    if (canon in out && key !== canon && out[canon] !== undefined) continue; // canonical name wins
    out[canon] = value;
  }
  if (unknown.length) {
    throw new TsplayError(
      `Unsupported parameters for (${def.name}) module: ${unknown.sort().join(', ')}. Supported parameters include: ${supportedNames(def).join(', ')}.`,
    );
  }
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(def.args)) {
    let v = out[name];
    if (v === undefined || v === null) {
      if (spec.required) missing.push(name);
      else if (spec.default !== undefined) out[name] = structuredClone(spec.default);
      else delete out[name];
      continue;
    }
    try {
      v = coerce(v, spec.type ?? 'str', name);
      if (spec.type === 'list' && spec.elements && Array.isArray(v)) {
        v = v.map((e, i) => coerce(e, spec.elements!, `${name}[${i}]`));
      }
    } catch (e) {
      if (typeof e === 'string') throw new TsplayError(e);
      throw e;
    }
    if (spec.choices) {
      const vals = Array.isArray(v) ? v : [v];
      for (const x of vals) {
        if (!spec.choices.some((c) => c === x || String(c) === String(x))) {
          throw new TsplayError(`value of ${name} must be one of: ${spec.choices.join(', ')}, got: ${String(x)}`);
        }
      }
    }
    out[name] = v;
  }
  if (missing.length) throw new TsplayError(`missing required arguments: ${missing.join(', ')}`);
  if (def.validate) {
    const msg = def.validate(out);
    if (msg) throw new TsplayError(msg);
  }
  return out;
}
