/**
 * The playbook loader's public API: YAML -> the normalized model in model.ts.
 *
 * - `loadPlaybook(file, opts)`: plays in order, import_playbook flattened (its when/tags/vars
 *   applied), play `roles:`, import_role and import_tasks expanded, every keyword validated.
 *   Bad input throws a ParseError (exit 4) naming file:line:col and the key.
 * - Every node carries its EFFECTIVE keywords: parents' `when` first, tags unioned, become*,
 *   environment (parents first), ... `vars` on nodes are block/import/include/task vars only;
 *   play vars are `Play.vars`, role defaults/vars/params are in `node.role` (RoleInfo).
 * - `roles:` entries run once per play (same path + params), unless meta allow_duplicates;
 *   dependencies first. import_role blocks carry `roleRun` (de-duplicated per host at run time
 *   by their own `allow_duplicates`, default true, as include_role), not against `roles:`.
 *   `Play.handlers` = role handlers (once per role) then the play's own, in definition order.
 * - Dynamic includes stay IncludeNodes. At run time pass the IncludeNode itself as `parent` to
 *   `loadTaskFile` / `loadRoleForInclude`: its `apply:` keywords are merged and its own `when`
 *   is not inherited (Ansible), only `parentWhen`. Tags on includes/roles DO reach their tasks.
 * - Role handlers carry the role's tags: handlers must not be filtered by --tags.
 */
export { loadPlaybook, loadTaskFile, loadRoleForInclude, includeParent, type LoaderOptions } from './load.ts';
export { listTasks, listTags, playTasks, walkNodes, playSections, taskDisplayName } from './walk.ts';
export { parseKv, splitArgs } from './splitargs.ts';
export { findRole, roleSearchPath, roleRunKey } from './role.ts';
export type * from './model.ts';
