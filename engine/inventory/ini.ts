/**
 * Ansible's INI inventory format (a port of ansible/plugins/inventory/ini.py, ansible-core 2.14):
 * `[group]` host lines with inline `key=value` vars, `[group:vars]`, `[group:children]` (children
 * may be declared later in the file), host ranges, `host:port`, `#` and `;` comment lines.
 * Values go through Python's literal_eval, both on host lines and in `:vars` sections (`x=5` is
 * the number 5, `y='a b'` the string `a b`, `z=yes` the string `yes`).
 */
import { ParseError, TsplayError } from '../types.ts';
import { expandHostPattern } from './address.ts';
import type { InventoryBuilder } from './builder.ts';
import { parseIniValue } from './pyliteral.ts';
import { shlexSplit } from './shlex.ts';

const SECTION_RE = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUPNAME_RE = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  name: string;
  parents: string[];
}

/** Parse INI inventory text into `inv`. Throws ParseError naming `file:line`. */
export function parseIniInventory(text: string, file: string, inv: InventoryBuilder): void {
  const lines = text.split(/\r\n|\r|\n/);
  let lineno = 0;
  const fail = (msg: string): never => {
    throw new ParseError(msg, { file, line: lineno });
  };
  const pending = new Map<string, Pending>();
  let groupname = 'ungrouped';
  let state = 'hosts';

  const addPendingChildren = (group: string): void => {
    const p = pending.get(group)!;
    for (const parent of p.parents) {
      inv.addChild(parent, group);
      const pp = pending.get(parent);
      if (pp && pp.state === 'children') addPendingChildren(parent);
    }
    pending.delete(group);
  };

  for (const raw of lines) {
    lineno++;
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    try {
      const m = SECTION_RE.exec(line);
      if (m) {
        groupname = m[1];
        state = m[2] ?? 'hosts';
        if (!['hosts', 'children', 'vars'].includes(state)) fail(`Section [${m[1]}:${m[2]}] has unknown type: ${state}`);
        if (!inv.groups.has(groupname)) {
          if (state === 'vars' && !pending.has(groupname)) {
            pending.set(groupname, { line: lineno, state: 'vars', name: groupname, parents: [] });
          }
          inv.addGroup(groupname);
        }
        const p = pending.get(groupname);
        if (p && state !== 'vars') {
          if (p.state === 'children') addPendingChildren(groupname);
          else pending.delete(groupname);
        }
        continue;
      } else if (line.startsWith('[') && line.endsWith(']')) {
        fail(
          `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, ` +
            `and that there are no other invalid characters`,
        );
      }

      if (state === 'hosts') {
        let tokens: string[];
        try {
          tokens = shlexSplit(line);
        } catch (e) {
          return fail(`Error parsing host definition '${line}': ${(e as Error).message}`);
        }
        const pattern = tokens[0] ?? '';
        const { hosts, port } = expandHostPattern(pattern);
        if (pattern.trim().endsWith(':') && port === undefined) {
          fail(`Invalid host pattern '${pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`);
        }
        if (hosts.some((h) => h.trim() === '---')) {
          fail(`Invalid host pattern '${pattern}' supplied, '---' is normally a sign this is a YAML file.`);
        }
        const vars: [string, unknown][] = [];
        for (const t of tokens.slice(1)) {
          const eq = t.indexOf('=');
          if (eq < 0) fail(`Expected key=value host variable assignment, got: ${t}`);
          vars.push([t.slice(0, eq), parseIniValue(t.slice(eq + 1))]);
        }
        for (const h of hosts) {
          inv.addHost(h, groupname, port);
          for (const [k, v] of vars) inv.setVar(h, k, v);
        }
      } else if (state === 'vars') {
        const eq = line.indexOf('=');
        if (eq < 0) fail(`Expected key=value, got: ${line}`);
        inv.setVar(groupname, line.slice(0, eq).trim(), parseIniValue(line.slice(eq + 1).trim()));
      } else {
        const gm = GROUPNAME_RE.exec(line);
        if (!gm) fail(`Expected group name, got: ${line}`);
        const child = gm![1];
        if (!inv.groups.has(child)) {
          const p = pending.get(child);
          if (!p) pending.set(child, { line: lineno, state: 'children', name: child, parents: [groupname] });
          else p.parents.push(groupname);
        } else inv.addChild(groupname, child);
      }
    } catch (e) {
      if (e instanceof ParseError) throw e;
      if (e instanceof TsplayError) throw new ParseError(e.message, { file, line: lineno });
      throw e;
    }
  }
  for (const d of pending.values()) {
    if (d.state === 'vars') {
      throw new ParseError(`Section [${d.name}:vars] not valid for undefined group: ${d.name}`, { file, line: d.line });
    }
    throw new ParseError(`Section [${d.parents[d.parents.length - 1]}:children] includes undefined group: ${d.name}`, { file, line: d.line });
  }
}
