/**
 * `serial:` batching as Ansible's PlaybookExecutor._get_serialized_batches: a list of
 * batch sizes (numbers or 'N%' of the play's hosts); the last size repeats until every
 * host is in a batch. Empty list = one batch of all hosts.
 */
import { ParseError, type SourcePos } from '../types.ts';

/** Ansible's pct_to_int: 'N%' of total (at least `min`), or the integer itself. */
export function pctToInt(value: number | string, total: number, min = 1): number {
  const s = String(value).trim();
  if (s.endsWith('%')) {
    const pct = Number(s.slice(0, -1));
    if (!Number.isFinite(pct)) throw new ParseError(`invalid serial value '${s}'`);
    return Math.floor((pct / 100) * total) || min;
  }
  const n = Number(s);
  if (!Number.isInteger(n)) throw new ParseError(`invalid serial value '${s}': expected an integer or a percentage`);
  return n;
}

/** Split `hosts` into serial batches. Pure. */
export function serialBatches<T>(hosts: readonly T[], serial: readonly (number | string)[], pos?: SourcePos): T[][] {
  if (hosts.length === 0) return [];
  const list = serial.length ? serial : [-1];
  const out: T[][] = [];
  let rest = hosts.slice();
  let i = 0;
  while (rest.length) {
    let n: number;
    try {
      n = pctToInt(list[i], hosts.length);
    } catch (e) {
      throw new ParseError((e as Error).message, pos);
    }
    if (n <= 0) {
      out.push(rest);
      break;
    }
    out.push(rest.slice(0, n));
    rest = rest.slice(n);
    if (i < list.length - 1) i++;
  }
  return out;
}
