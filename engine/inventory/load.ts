/**
 * loadInventory: every `-i` source merged into one Inventory, as Ansible's InventoryManager does.
 * A source is a `h1,h2,` list (it has a comma and is not a path), a directory (every inventory
 * file in it, sorted, recursively, skipping hidden files, group_vars/, host_vars/ and the
 * extensions Ansible ignores: .ini .cfg .retry .orig .md .txt .rst .bak .swp ~ ...), or a file
 * (YAML when its extension is .yml/.yaml/.json or none and it parses as a YAML inventory,
 * otherwise INI, the way Ansible tries its yaml plugin before its ini plugin).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { ParseError, TsplayError } from '../types.ts';
import { decryptVaultFileText, MAX_YAML_BYTES, parseYaml } from '../yaml.ts';
import { parseAddress } from './address.ts';
import { InventoryBuilder } from './builder.ts';
import { parseIniInventory } from './ini.ts';
import type { Inventory } from './types.ts';
import { parseYamlInventory } from './yaml-inventory.ts';

/** Largest inventory file tsplay reads (the same bound as YAML files: a guard against runaway inputs). */
export const MAX_INVENTORY_BYTES = MAX_YAML_BYTES;

const IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const YAML_EXTS = ['', '.yml', '.yaml', '.json'];

/** Whether a directory entry is skipped when a directory is an inventory source (Ansible's IGNORED). */
export function ignoredInInventoryDir(name: string): boolean {
  return /^\./.test(name) || name === 'host_vars' || name === 'group_vars' || name === 'vars_plugins' || IGNORED_EXTS.some((e) => name.endsWith(e));
}

/** Whether `source` is a `h1,h2,` host list rather than a path (Ansible's host_list plugin test). */
export function isHostList(source: string): boolean {
  return source.includes(',') && !existsSync(source);
}

/** Absolute path of a file/directory source (`~` expanded); host lists are returned unchanged. */
export function resolveSource(source: string): string {
  if (isHostList(source)) return source;
  const expanded = source === '~' || source.startsWith('~/') ? join(homedir(), source.slice(1)) : source;
  return resolve(expanded);
}

/**
 * Load and merge inventory sources (each `-i` value: file, directory or `h1,h2,` list).
 * Throws ParseError (one line, `file:line`) for a missing source or bad inventory content.
 * group_vars/ and host_vars/ beside the sources are read later, by hostVarLayers.
 */
export function loadInventory(sources: string[]): Inventory {
  const resolved = sources.map(resolveSource);
  const inv = new InventoryBuilder(resolved);
  for (const src of resolved) {
    if (isHostList(src)) parseHostList(src, inv);
    else loadPath(src, inv, true);
  }
  inv.currentFile = undefined;
  try {
    return inv.finish();
  } catch (e) {
    if (e instanceof TsplayError && !(e instanceof ParseError)) throw new ParseError(e.message, { file: resolved.find((s) => !isHostList(s)) ?? resolved.join(' ') });
    throw e;
  }
}

function parseHostList(list: string, inv: InventoryBuilder): void {
  inv.currentFile = undefined;
  for (const raw of list.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    const a = parseAddress(h, false);
    const host = a ? a.host : h;
    if (!inv.hosts.has(host)) inv.addHost(host, 'ungrouped', a?.port);
  }
}

function loadPath(path: string, inv: InventoryBuilder, explicit: boolean): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    if (explicit) {
      throw new ParseError(`inventory source not found (to give a list of hosts, write them with commas: 'host1,' or 'host1,host2')`, { file: path });
    }
    return;
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch (e: any) {
      throw new ParseError(`cannot read inventory directory: ${e.code ?? e.message}`, { file: path });
    }
    for (const name of names) {
      if (!ignoredInInventoryDir(name)) loadPath(join(path, name), inv, false);
    }
    return;
  }
  loadFile(path, inv);
}

/** Decode a file as UTF-8, refusing binary data and invalid UTF-8 outside comment lines. */
function readText(file: string): string {
  let buf: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_INVENTORY_BYTES) {
      throw new ParseError(`file is ${(size / 1048576).toFixed(1)} MB; an inventory must be under ${MAX_INVENTORY_BYTES / 1048576} MB`, { file, line: 1 });
    }
    buf = readFileSync(file);
  } catch (e: any) {
    if (e instanceof ParseError) throw e;
    throw new ParseError(`cannot read inventory: ${e.code === 'ENOENT' ? 'no such file' : e.code ?? e.message}`, { file });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const lines = buf.toString('latin1').split('\n');
    let line = 1;
    for (const [i, l] of lines.entries()) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(l, 'latin1'));
      } catch {
        line = i + 1;
        break;
      }
    }
    throw new ParseError('inventory is not valid UTF-8 text', { file, line });
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('$ANSIBLE_VAULT;')) {
    const plain = decryptVaultFileText(text, file);
    if (!plain.ok) throw plain.error;
    text = plain.value;
  }
  const bad = text.search(/[\u0000-\u0008\u000e-\u001f]/);
  if (bad >= 0) {
    throw new ParseError('binary data where an inventory was expected', { file, line: text.slice(0, bad).split('\n').length });
  }
  return text;
}

/** First line that is not blank or a comment. */
function firstSignificantLine(text: string): string {
  for (const l of text.split(/\r?\n/)) {
    const t = l.trim();
    if (t && !t.startsWith('#') && !t.startsWith(';')) return t;
  }
  return '';
}

function loadFile(file: string, inv: InventoryBuilder): void {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.toml') throw new ParseError('TOML inventories are not supported; use INI or YAML', { file });
  inv.currentFile = file;
  let yamlError: ParseError | undefined;
  if (YAML_EXTS.includes(ext)) {
    const doc = parseYaml(text, file);
    if (doc.ok) {
      // Snapshot first, so a failed YAML attempt leaves nothing behind before INI is tried.
      const attempt = inv.snapshot();
      try {
        parseYamlInventory(doc.value, file, inv, text);
        return;
      } catch (e) {
        inv.restore(attempt);
        if (!(e instanceof TsplayError)) throw e;
        yamlError = e instanceof ParseError ? e : new ParseError(e.message, { file });
      }
    } else yamlError = doc.error;
  }
  const attempt = inv.snapshot();
  try {
    parseIniInventory(text, file, inv);
  } catch (e) {
    inv.restore(attempt);
    if (!(e instanceof TsplayError)) throw e;
    const first = firstSignificantLine(text);
    const looksYaml = ext === '.yml' || ext === '.yaml' || ext === '.json' || first === '---' || /^[^\s=[\]]+:\s*(#.*)?$/.test(first) || first.startsWith('{');
    if (yamlError && looksYaml) throw yamlError;
    throw e instanceof ParseError ? e : new ParseError(e.message, { file });
  }
}
