/**
 * Options of the playbook loader and the per-load state shared by its parts.
 */
import type { SourcePos } from '../types.ts';
import type { RoleInfo } from './model.ts';

/** What the loader needs from the outside world (module registry, search paths). */
export interface LoaderOptions {
  /** Extra role directories, in order (`--roles-path`, ANSIBLE_ROLES_PATH). */
  rolesPath: string[];
  /** The tsplay project root: its `roles/` is searched after rolesPath. */
  projectRoot?: string;
  /** True when NAME (already without `ansible.builtin.` etc.) is a module, built in or in one of libraryDirs. */
  isModule: (name: string, libraryDirs: string[]) => boolean;
  /** The nearest known module name, for "did you mean" in errors. */
  suggestModule?: (name: string) => string | undefined;
  /** Modules that take a free-form string (`NAME: some text`) besides Ansible's own list. */
  isFreeForm?: (name: string) => boolean;
  /** Receives non-fatal warnings (ignored keywords, deprecated forms). */
  warn?: (msg: string, pos?: SourcePos) => void;
  /**
   * Directory of the top playbook (playbook_dir). Needed by loadTaskFile / loadRoleForInclude
   * at run time (role search, library/); loadPlaybook sets it itself.
   */
  playbookDir?: string;
}

/** Mutable state of one loader run (one playbook, or one run-time include). */
export interface LoadState {
  opts: LoaderOptions;
  /** playbook_dir of the top playbook. */
  pbDir: string;
  /** Directory of the playbook file being loaded (import_playbook changes it). */
  baseDir: string;
  /** library/ directories known so far (playbook dir's, then every loaded role's). */
  libraryDirs: string[];
  /** Files currently being imported (import_tasks chain), for cycle detection. */
  fileStack: string[];
  /** Role paths currently being expanded (dependency chain), for cycle detection. */
  roleStack: string[];
  /** uids handed out so far: duplicates get a `#n` suffix. */
  uids: Map<string, number>;
  /** Per play: roles expanded so far (path + params) for de-duplication. */
  play?: PlayState;
}

/** Roles and handlers collected while one play is loaded. */
export interface PlayState {
  /** key (role path + params JSON) -> RoleInfo of roles already expanded in this play. */
  seen: Map<string, RoleInfo>;
  roleInfos: RoleInfo[];
  /** Handlers of roles, in load order (appended after the play's own handlers). */
  roleHandlers: import('./model.ts').TaskNode[];
}

/** A fresh load state. */
export function newState(opts: LoaderOptions, pbDir: string, baseDir = pbDir): LoadState {
  return { opts, pbDir, baseDir, libraryDirs: [], fileStack: [], roleStack: [], uids: new Map() };
}
