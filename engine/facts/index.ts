/**
 * Fact gathering: ONE command per host (the script in script.ts), parsed by `parseFacts`.
 * The executor exposes the result both as `ansible_facts.<name>` and `ansible_<name>`.
 */
import { TsplayError, type Connection, type BecomeSpec } from '../types.ts';
import { FACTS_SCRIPT } from './script.ts';
import { parseFacts, type Facts } from './parse.ts';

export { parseFacts, FACTS_SCRIPT };
export type { Facts };

/**
 * Gather facts from a host in one round trip. Rejects with UnreachableError when the host
 * cannot be reached, TsplayError when the script could not run at all.
 * `become` is optional: as root the script also sees /proc/1/environ (container detection).
 */
export async function gatherFacts(conn: Connection, opts: { become?: BecomeSpec; timeoutMs?: number } = {}): Promise<Facts> {
  const r = await conn.exec(FACTS_SCRIPT, { become: opts.become, timeoutMs: opts.timeoutMs ?? 60_000 });
  if (!r.stdout.includes('@@tsplay-facts:end@@')) {
    throw new TsplayError(`fact gathering failed on ${conn.host} (rc ${r.rc}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return parseFacts(r.stdout);
}

/**
 * Ansible's two views of facts: `{ ansible_facts: {...}, ansible_<name>: ... }` (for the
 * executor's convenience; it may also build this itself).
 */
export function factsAsVars(facts: Facts): Record<string, unknown> {
  const out: Record<string, unknown> = { ansible_facts: facts };
  for (const [k, v] of Object.entries(facts)) out[`ansible_${k}`] = v;
  return out;
}
