/**
 * Vars files and vars directories: `group_vars/NAME(.yml|.yaml|.json)`, `group_vars/NAME/`
 * (every file inside, recursively, in lexical order), the same for host_vars, and `vars_files`.
 * A port of Ansible's DataLoader.find_vars_files and the host_group_vars plugin.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../types.ts';
import { loadYamlFile, posOf } from '../yaml.ts';

/** Extensions Ansible accepts for vars files (YAML_FILENAME_EXTENSIONS), after "no extension". */
export const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'] as const;

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function statOf(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i) : '';
}

/** Every vars file in a directory, recursively, sorted by name; hidden and `~` backup files skipped. */
export function dirVarsFiles(dir: string): string[] {
  const found: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e: any) {
    throw new ParseError(`cannot read vars directory: ${e.code ?? e.message}`, { file: dir });
  }
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const full = join(dir, name);
    const ext = extOf(name);
    const st = statOf(full);
    if (!st) continue;
    if (st.isDirectory()) {
      if (!ext) found.push(...dirVarsFiles(full));
    } else if (st.isFile() && (VARS_EXTENSIONS as readonly string[]).includes(ext)) {
      found.push(full);
    }
  }
  return found;
}

/**
 * Files holding the vars of `name` under `dir` (e.g. dir = `inventory/group_vars`): the first of
 * `name`, `name.yml`, `name.yaml`, `name.json` that exists; a directory expands to its files.
 */
export function findVarsFiles(dir: string, name: string): string[] {
  const base = join(dir, name);
  for (const ext of VARS_EXTENSIONS) {
    const full = base + ext;
    const st = statOf(full);
    if (!st) continue;
    return st.isDirectory() ? dirVarsFiles(full) : [full];
  }
  return [];
}

/** Load one vars file: a mapping (empty file = {}). Throws ParseError naming file:line. */
export function loadVarsFile(file: string): Record<string, unknown> {
  const r = loadYamlFile(file);
  if (!r.ok) throw r.error;
  const v = r.value;
  if (v === null || v === undefined) return {};
  if (!isMapping(v)) {
    const kind = Array.isArray(v) ? 'a list' : `a ${typeof v}`;
    throw new ParseError(`vars file must contain a mapping of variable names to values, got ${kind}`, posOf(v) ?? { file, line: 1 });
  }
  return v;
}

/**
 * Load a vars file or a vars directory (every vars file inside, in lexical order, later files
 * replacing earlier keys). Used for group_vars/host_vars and for `vars_files`.
 */
export function loadVarsPath(path: string): Record<string, unknown> {
  const st = statOf(path);
  if (!st) throw new ParseError('no such vars file or directory', { file: path });
  if (!st.isDirectory()) return { ...loadVarsFile(path) };
  let out: Record<string, unknown> = {};
  for (const f of dirVarsFiles(path)) out = { ...out, ...loadVarsFile(f) };
  return out;
}
