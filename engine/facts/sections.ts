/** Splitting the fact script's output into sections, and small text helpers. */
import { SECTION_MARK } from './script.ts';

/** Facts by Ansible name, without the `ansible_` prefix. */
export type Facts = Record<string, unknown>;

/** Split script output into named sections (raw text each). */
export function splitSections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^${SECTION_MARK.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([a-z0-9_]+)@@$`, 'gm');
  let m: RegExpExecArray | null;
  let last: { name: string; start: number } | undefined;
  while ((m = re.exec(stdout))) {
    if (last) out.set(last.name, stdout.slice(last.start, m.index).replace(/^\n/, '').replace(/\n$/, ''));
    last = { name: m[1], start: m.index + m[0].length + 1 };
  }
  if (last && last.name !== 'end') out.set(last.name, stdout.slice(last.start).replace(/\n$/, ''));
  return out;
}

/** Non-empty lines of a section. */
export const lines = (s: string | undefined): string[] => (s ?? '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);

/** Parse KEY=VALUE files (os-release, lsb-release), unquoting values. */
export function parseKeyValue(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines(text)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    out[m[1]] = v;
  }
  return out;
}

