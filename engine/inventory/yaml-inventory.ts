/**
 * Ansible's YAML inventory format (a port of ansible/plugins/inventory/yaml.py, ansible-core 2.14):
 * top-level keys are groups; each group may have `hosts` (host patterns, ranges allowed, each
 * mapping to its vars or null), `vars` and `children` (nested groups of the same shape).
 */
import { ParseError, type SourcePos, TsplayError } from '../types.ts';
import { posOf } from '../yaml.ts';
import { expandHostPattern } from './address.ts';
import type { InventoryBuilder } from './builder.ts';

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const pyType = (v: unknown): string =>
  Array.isArray(v) ? "<class 'list'>" : typeof v === 'string' ? "<class 'str'>" : typeof v === 'number' ? (Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>") : typeof v === 'boolean' ? "<class 'bool'>" : `<class '${typeof v}'>`;

/** The source text of the file being parsed (to find the line of a key). */
let currentLines: string[] = [];

/**
 * Where `key` of the mapping `obj` is: the first line at or after the mapping's start that holds
 * `key:` (js-yaml reports a block mapping as starting where its parent key ends).
 */
function keyPos(obj: unknown, key: string, fallback: SourcePos): SourcePos {
  const p = posOf(obj) ?? fallback;
  if (!p.line) return p;
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[\\s{,-])(["']?)${esc}\\2\\s*:`);
  for (let i = p.line - 1; i < currentLines.length && i < p.line + 500; i++) {
    const m = re.exec(currentLines[i]);
    if (m) return { file: p.file, line: i + 1, col: m.index + m[1].length + 1 };
  }
  return p;
}

/** Run fn; a TsplayError it throws becomes a ParseError at `pos`. */
function at(pos: SourcePos, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof TsplayError && !(e instanceof ParseError)) throw new ParseError(e.message, pos);
    throw e;
  }
}

/** Bound on group nesting (a guard against pathological YAML). */
const MAX_DEPTH = 200;

/**
 * Load parsed YAML `data` (from `file`) into `inv`. Throws ParseError naming `file:line` when the
 * structure is wrong (`text`, the file's source, lets errors name the key's line); keys Ansible would skip with a warning are added to `inv.warnings`.
 */
export function parseYamlInventory(data: unknown, file: string, inv: InventoryBuilder, text = ''): void {
  currentLines = text.split('\n');
  const top: SourcePos = posOf(data) ?? { file, line: 1 };
  if (data === null || data === undefined || data === '' || data === false || data === 0 || (isMapping(data) && Object.keys(data).length === 0)) throw new ParseError('Parsed empty YAML file', top);
  if (!isMapping(data)) {
    throw new ParseError(`YAML inventory has invalid structure, it should be a dictionary, got: ${pyType(data)}`, top);
  }
  if (data.plugin) throw new ParseError('Plugin configuration YAML file, not YAML inventory (inventory plugins are not supported)', top);
  for (const name of Object.keys(data)) parseGroup(name, data[name], data, file, inv, 0);
}

function parseGroup(group: string, groupData: unknown, parent: object, file: string, inv: InventoryBuilder, depth: number): string {
  const where: SourcePos = posOf(groupData) ?? posOf(parent) ?? { file };
  if (depth > MAX_DEPTH) throw new ParseError(`groups nested more than ${MAX_DEPTH} deep at group ${group}`, where);
  if (!(groupData === null || groupData === undefined || isMapping(groupData))) {
    inv.warnings.push(`${file}: Skipping '${group}' as this is not a valid group definition`);
    return group;
  }
  try {
    inv.addGroup(group);
  } catch (e) {
    throw new ParseError(`Unable to add group ${group}: ${(e as Error).message}`, where);
  }
  if (!groupData) return group;
  for (const section of ['vars', 'children', 'hosts']) {
    if (!(section in groupData)) continue;
    if (typeof groupData[section] === 'string') groupData[section] = { [groupData[section] as string]: null };
    const v = groupData[section];
    if (!(v === null || v === undefined || isMapping(v))) {
      throw new ParseError(`Invalid "${section}" entry for "${group}" group, requires a dictionary, found "${pyType(v)}" instead.`, keyPos(groupData, section, where));
    }
  }
  for (const key of Object.keys(groupData)) {
    const value = groupData[key];
    if (!(value === null || value === undefined || isMapping(value))) {
      inv.warnings.push(`${file}: Skipping key (${key}) in group (${group}) as it is not a mapping, it is a ${pyType(value)}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    try {
      if (key === 'vars') {
        for (const k of Object.keys(value)) inv.setVar(group, k, value[k]);
      } else if (key === 'children') {
        for (const sub of Object.keys(value)) {
          const child = parseGroup(sub, value[sub], value, file, inv, depth + 1);
          at(keyPos(value, sub, where), () => inv.addChild(group, child));
        }
      } else if (key === 'hosts') {
        for (const pattern of Object.keys(value)) {
          const hostVars = value[pattern] ?? {};
          if (!isMapping(hostVars)) {
            throw new ParseError(`Invalid data for host '${pattern}' in group '${group}': expected a dictionary, got ${pyType(hostVars)}`, keyPos(value, pattern, where));
          }
          at(keyPos(value, pattern, where), () => {
            const { hosts, port } = expandHostPattern(pattern);
            for (const h of hosts) {
              inv.addHost(h, group, port);
              for (const k of Object.keys(hostVars)) inv.setVar(h, k, hostVars[k]);
            }
          });
        }
      } else {
        inv.warnings.push(`${file}: Skipping unexpected key (${key}) in group (${group}), only "vars", "children" and "hosts" are valid`);
      }
    } catch (e) {
      if (e instanceof ParseError) throw e;
      if (e instanceof TsplayError) throw new ParseError(e.message, posOf(value) ?? where);
      throw e;
    }
  }
  return group;
}
