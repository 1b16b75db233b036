/** Controller-side source files of modules (copy src, template src, script). */
import { existsSync } from 'node:fs';
import type { ModuleContext } from '../types.ts';
import { fail } from './failure.ts';

/** Resolve `name` the way Ansible does (role files/ or templates/, playbook dir); fail clearly if missing. */
export function localFile(ctx: ModuleContext, kind: 'files' | 'templates', name: string): string {
  let found: string | undefined;
  try {
    found = ctx.findFile(kind, name);
  } catch {
    found = undefined;
  }
  if (!found || !existsSync(found)) fail(`Could not find or access '${name}' on the controller (searched the ${kind}/ directories and the playbook directory)`);
  return found;
}
