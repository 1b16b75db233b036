/**
 * The helper API for custom modules (library/NAME.ts): everything a module needs to read the
 * target in one command, plan, and write files the way the built-in modules do.
 *
 *   import type { ModuleDef } from 'tsplay/engine/types.ts';
 *   import { planEdit, applyEdit, EDIT_ARGS } from 'tsplay/engine/modules/api.ts';
 */
export { quote, quoteArgv } from './quote.ts';
export { sh, mustSh, lines } from './remote.ts';
export { fail, ModuleFailure } from './failure.ts';
export { readRemoteFile, readRemoteFiles, type RemoteFile } from './remotefile.ts';
export { planWrite, applyWrite, readDest, type WriteState, type WriteWant } from './filewrite.ts';
export { planEdit, applyEdit, EDIT_ARGS, type EditSpec } from './fileedit.ts';
export { FILE_ATTR_ARGS, planAttrs } from './attrs.ts';
export { contentDiff, attrDiff } from './diff.ts';
export type { EditResult } from './text/lineinfile.ts';
