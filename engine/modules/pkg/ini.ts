/**
 * Repository INI files (/etc/yum.repos.d/*.repo) read and written the way Python's
 * configparser does for Ansible's yum_repository: `[section]`, `key = value`, multi-line
 * values continued with a tab, a blank line after each section. Pure (unit tested).
 */

/** One section: its name and its entries in file order (keys lower-cased). */
export interface IniSection {
  name: string;
  entries: [string, string][];
}

/** Parse an INI text into sections (comments and lines before the first section are dropped). */
export function parseIni(text: string): IniSection[] {
  const out: IniSection[] = [];
  let cur: IniSection | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*[#;]/.test(line) || line.trim() === '') continue;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (sec) {
      cur = { name: sec[1], entries: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    if (/^\s/.test(line) && cur.entries.length) {
      const last = cur.entries[cur.entries.length - 1];
      last[1] = last[1] === '' ? line.trim() : `${last[1]}\n${line.trim()}`;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) cur.entries.push([kv[1].trim().toLowerCase(), kv[2].trim()]);
  }
  return out;
}

/** Render sections like configparser.write (continuation lines indented with a tab). */
export function renderIni(sections: IniSection[]): string {
  return sections.map((s) => `[${s.name}]\n${s.entries.map(([k, v]) => `${k} = ${v.split('\n').join('\n\t')}\n`).join('')}\n`).join('');
}

/** Ansible's yum_repository dump: sections and keys sorted, for the diff and the change test. */
export function dumpIni(sections: IniSection[]): string {
  return [...sections]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) => `[${s.name}]\n${[...s.entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => `${k} = ${v}\n`).join('')}\n`)
    .join('');
}

/** Replace (or add at the end) section `name`; `entries` undefined removes it. */
export function setSection(sections: IniSection[], name: string, entries: [string, string][] | undefined): IniSection[] {
  const rest = sections.filter((s) => s.name !== name);
  if (!entries) return rest;
  const i = sections.findIndex((s) => s.name === name);
  const sec = { name, entries };
  if (i < 0) return [...rest, sec];
  return [...sections.slice(0, i), sec, ...sections.slice(i + 1)];
}
