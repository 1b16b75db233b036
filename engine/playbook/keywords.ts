/**
 * The keywords Ansible 2.14 accepts on plays, blocks, tasks, handlers and role references
 * (from the FieldAttributes of ansible.playbook.*), and which of them tsplay refuses.
 */

/** Keywords inherited by everything below the object that carries them. */
export const INHERITABLE_KEYWORDS = [
  'any_errors_fatal', 'become', 'become_exe', 'become_flags', 'become_method', 'become_user', 'check_mode',
  'collections', 'connection', 'debugger', 'diff', 'environment', 'ignore_errors', 'ignore_unreachable',
  'module_defaults', 'name', 'no_log', 'port', 'remote_user', 'run_once', 'tags', 'throttle', 'timeout', 'vars',
] as const;

/** Keywords of a task (ansible.playbook.task.Task), besides the module key. */
export const TASK_KEYWORDS = new Set<string>([
  ...INHERITABLE_KEYWORDS,
  'action', 'args', 'async', 'changed_when', 'delay', 'delegate_facts', 'delegate_to', 'failed_when', 'local_action',
  'loop', 'loop_control', 'notify', 'poll', 'register', 'retries', 'until', 'when',
]);

/** Handler keywords: task keywords plus `listen`. */
export const HANDLER_KEYWORDS = new Set<string>([...TASK_KEYWORDS, 'listen']);

/** The `with_<lookup>` loops tsplay supports, mapped to the model's loop kind. */
export const WITH_LOOPS: Record<string, 'items' | 'list' | 'dict' | 'indexed_items' | 'fileglob' | 'sequence' | 'nested' | 'together' | 'subelements'> = {
  with_items: 'items',
  with_list: 'list',
  with_dict: 'dict',
  with_indexed_items: 'indexed_items',
  with_fileglob: 'fileglob',
  with_sequence: 'sequence',
  with_nested: 'nested',
  with_cartesian: 'nested',
  with_together: 'together',
  with_subelements: 'subelements',
};

/** Keywords of a block (ansible.playbook.block.Block). */
export const BLOCK_KEYWORDS = new Set<string>([
  ...INHERITABLE_KEYWORDS, 'block', 'rescue', 'always', 'delegate_facts', 'delegate_to', 'notify', 'when',
]);

/** Keywords of a play (ansible.playbook.play.Play). */
export const PLAY_KEYWORDS = new Set<string>([
  ...INHERITABLE_KEYWORDS, 'fact_path', 'force_handlers', 'gather_facts', 'gather_subset', 'gather_timeout', 'handlers',
  'hosts', 'max_fail_percentage', 'order', 'post_tasks', 'pre_tasks', 'roles', 'serial', 'strategy', 'tasks',
  'vars_files', 'vars_prompt',
]);

/** Keywords of a role reference in `roles:` / meta dependencies (RoleInclude); other keys are role params. */
export const ROLE_REF_KEYWORDS = new Set<string>([
  ...INHERITABLE_KEYWORDS, 'delegate_facts', 'delegate_to', 'role', 'when',
]);

/** Keywords of an `import_playbook` entry (PlaybookInclude). */
export const IMPORT_PLAYBOOK_KEYWORDS = new Set<string>([...INHERITABLE_KEYWORDS, 'import_playbook', 'when']);

/** The only keywords include_tasks / include_role accept (TaskInclude.VALID_INCLUDE_KEYWORDS). */
export const INCLUDE_KEYWORDS = new Set<string>([
  'action', 'args', 'collections', 'debugger', 'ignore_errors', 'loop', 'loop_control', 'name', 'no_log',
  'register', 'run_once', 'tags', 'timeout', 'vars', 'when',
]);

/** loop_control keys. */
export const LOOP_CONTROL_KEYS = new Set(['loop_var', 'index_var', 'label', 'pause', 'extended', 'extended_allitems']);

/** Arguments of import_role / include_role. */
export const ROLE_INCLUDE_ARGS = new Set([
  'name', 'role', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'apply', 'public', 'allow_duplicates', 'rolespec_validate',
]);

/** Modules that take free-form text (Ansible's MODULE_REQUIRE_ARGS): k=v with other keys stays raw. */
export const FREEFORM_MODULES = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell']);

/** Modules allowed to carry `_raw_params` (Ansible's RAW_PARAM_MODULES). */
export const RAW_PARAM_MODULES = new Set([
  ...FREEFORM_MODULES, 'include', 'include_vars', 'include_tasks', 'include_role', 'import_tasks', 'import_role',
  'add_host', 'group_by', 'set_fact', 'meta', 'import_playbook',
]);

/** Collection prefixes stripped from module names (`ansible.builtin.copy` -> `copy`). */
export const MODULE_PREFIXES = ['ansible.builtin.', 'ansible.legacy.', 'ansible.posix.', 'community.general.'];

/** Actions the loader itself understands (never looked up in the module registry). */
export const LOADER_ACTIONS = new Set(['meta', 'include', 'include_tasks', 'include_role', 'import_tasks', 'import_role', 'include_vars', 'import_playbook']);

/** `meta:` actions Ansible 2.14 knows. */
export const META_ACTIONS = [
  'noop', 'flush_handlers', 'refresh_inventory', 'clear_facts', 'clear_host_errors', 'end_play', 'end_host', 'end_batch',
  'reset_connection', 'role_complete',
];

/** Keywords Ansible has but tsplay refuses (with the reason shown). */
export const UNSUPPORTED: Record<string, string> = {
  async: 'async tasks are not supported by tsplay',
  poll: 'async tasks (poll) are not supported by tsplay',
  module_defaults: 'module_defaults is not supported by tsplay; set the arguments on each task',
  become_exe: 'become_exe is not supported by tsplay',
  fact_path: 'fact_path (local facts) is not supported by tsplay',
};

/** Keywords accepted and ignored with a warning. */
export const IGNORED: Record<string, string> = {
  collections: 'collections is ignored: tsplay resolves module names itself',
  debugger: 'debugger is ignored by tsplay',
  gather_subset: 'gather_subset is ignored: tsplay gathers one fixed fact set',
  gather_timeout: 'gather_timeout is ignored by tsplay',
  rolespec_validate: 'rolespec_validate is ignored by tsplay',
};

/** Strip a known collection prefix from a module name. */
export function canonicalModule(name: string): string {
  for (const p of MODULE_PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}
