/**
 * Doc-only ModuleDefs for actions the executor performs itself (debug, set_fact, assert, ...):
 * they exist so `tsplay doc` and argument validation know them; running them through the
 * module runner is a bug, so their plan() throws.
 */
import type { ArgSchema, ModuleDef, ModuleDoc } from '../types.ts';

/** A ModuleDef documenting an executor action. */
export function executorAction(name: string, doc: ModuleDoc, args: ArgSchema, freeForm = false): ModuleDef {
  return {
    name,
    doc: { check: 'full', diff: false, ...doc },
    args,
    freeForm,
    controllerOnly: true,
    async plan() {
      throw new Error(`${name} is handled by the executor, not the module runner`);
    },
  };
}
