/**
 * The playbook loader's public API: YAML -> the normalized model in model.ts.
 */
export { loadPlaybook, loadTaskFile, loadRoleForInclude, includeParent, type LoaderOptions } from './load.ts';
export { listTasks, listTags, playTasks, walkNodes, playSections, taskDisplayName } from './walk.ts';
export { parseKv, splitArgs } from './splitargs.ts';
export { findRole, roleSearchPath } from './role.ts';
export type * from './model.ts';
