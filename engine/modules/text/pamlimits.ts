/** limits.conf editing as community.general.pam_limits does it (pure). */
import type { EditResult } from './lineinfile.ts';

export interface PamLimitsOptions {
  domain: string;
  limit_type: string;
  limit_item: string;
  value: string;
  use_max?: boolean;
  use_min?: boolean;
  comment?: string;
}

const UNLIMITED = new Set(['unlimited', 'infinity', '-1']);

function pick(actual: string, wanted: string, o: PamLimitsOptions): string {
  if (!o.use_max && !o.use_min) return wanted;
  if (o.limit_item === 'nice' || o.limit_item === 'priority') {
    const a = Number(actual);
    const w = Number(wanted);
    return String(o.use_max ? Math.max(a, w) : Math.min(a, w));
  }
  if (o.use_max) {
    if (UNLIMITED.has(actual)) return actual;
    if (UNLIMITED.has(wanted)) return wanted;
    return String(Math.max(Number(actual), Number(wanted)));
  }
  if (UNLIMITED.has(actual)) return wanted;
  if (UNLIMITED.has(wanted)) return actual;
  return String(Math.min(Number(actual), Number(wanted)));
}

/** Set the limit line for (domain, type, item) in a limits.conf text. */
export function pamLimits(text: string, o: PamLimitsOptions): EditResult {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const comment = o.comment ? `\t#${o.comment}` : '';
  let found = false;
  let changed = false;
  let written = '';
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith('#')) {
      out.push(line);
      continue;
    }
    const [body] = t.split('#');
    const f = body.trim().split(/\s+/);
    if (found || f.length !== 4 || f[0] !== o.domain || f[1] !== o.limit_type || f[2] !== o.limit_item) {
      out.push(line);
      continue;
    }
    found = true;
    const value = pick(f[3], String(o.value), o);
    const existingComment = t.includes('#') ? t.slice(t.indexOf('#') + 1) : '';
    if (value !== f[3] || (o.comment !== undefined && o.comment !== '' && existingComment !== o.comment)) {
      written = `${o.domain}\t${o.limit_type}\t${o.limit_item}\t${value}${comment}\n`;
      out.push(written);
      changed = true;
    } else out.push(line);
  }
  if (!found) {
    if (out.length && !out[out.length - 1].endsWith('\n')) out[out.length - 1] += '\n';
    written = `${o.domain}\t${o.limit_type}\t${o.limit_item}\t${o.value}${comment}\n`;
    out.push(written);
    changed = true;
  }
  return { text: out.join(''), changed, msg: changed ? written.trim() : '' };
}
