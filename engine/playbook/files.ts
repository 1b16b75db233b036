/**
 * Finding and reading the loader's input files: task files, vars files (file or directory
 * form, .yml/.yaml/.json), with one-line errors.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadYamlFile } from '../yaml.ts';
import type { SourcePos } from '../types.ts';
import { fail, isMap, typeName } from './source.ts';

/** Read a YAML file or throw its ParseError. */
export function readYaml(file: string): unknown {
  const r = loadYamlFile(file);
  if (!r.ok) throw r.error;
  return r.value;
}

/** True when `p` is an existing directory. */
export function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** True when `p` is an existing regular file. */
export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** First existing file among candidates (absolute paths), or undefined. */
export function firstFile(candidates: string[]): string | undefined {
  return candidates.find((c) => isFile(c));
}

const EXTS = ['.yml', '.yaml', '.json'];

/**
 * Ansible's find_vars_files for role subdirs: `<dir>/<name>` with '', .yml, .yaml, .json,
 * or a directory `<dir>/<name>/` whose files are merged in sorted order.
 */
export function findVarsFiles(dir: string, name: string): string[] {
  const base = join(dir, name);
  for (const ext of [...EXTS, '']) {
    const p = base + ext;
    if (!existsSync(p)) continue;
    if (isDir(p)) {
      return readdirSync(p)
        .filter((f) => !f.startsWith('.') && !f.endsWith('~') && (EXTS.includes(f.slice(f.lastIndexOf('.'))) || !f.includes('.')))
        .sort()
        .map((f) => join(p, f))
        .filter((f) => isFile(f));
    }
    return [p];
  }
  return [];
}

/** Load and merge vars files (each must hold a mapping or nothing). */
export function loadVarsFiles(files: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of files) {
    const data = readYaml(f);
    if (data === null || data === undefined) continue;
    if (!isMap(data)) fail(`a vars file must hold a mapping of variables, got ${typeName(data)}`, { file: f, line: 1 });
    Object.assign(out, data);
  }
  return out;
}

/** Resolve a task file name: first existing of the candidate directories, else a ParseError. */
export function resolveTaskFile(name: string, dirs: string[], pos: SourcePos, what: string): string {
  const cands = name.startsWith('/') ? [name] : dirs.map((d) => resolve(d, name));
  const found = firstFile(cands);
  if (!found) fail(`${what}: file '${name}' not found (looked in ${[...new Set(name.startsWith('/') ? [name] : dirs)].join(', ')})`, pos);
  return found;
}
