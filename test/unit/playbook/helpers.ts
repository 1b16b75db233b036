/**
 * Test helpers for the playbook loader: a fixed module list standing in for the module
 * registry (the loader takes it through LoaderOptions), and fixture paths.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { LoaderOptions } from '../../../engine/playbook/options.ts';
import { nearest } from '../../../engine/playbook/suggest.ts';

/** Module names the tests treat as known. */
export const MODULES = [
  'command', 'shell', 'raw', 'script', 'copy', 'template', 'file', 'debug', 'set_fact', 'assert', 'fail', 'setup', 'ping',
  'apt', 'service', 'systemd', 'lineinfile', 'stat', 'user', 'group', 'sysctl', 'modprobe', 'mount', 'get_url', 'unarchive',
  'wait_for', 'pause', 'package', 'blockinfile', 'replace', 'uri', 'slurp', 'fetch', 'add_host', 'group_by',
];

/** Root of the playbook fixtures. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/playbooks');

/** LoaderOptions with the fixed module list; `library/NAME.ts` in a library dir is a module too. */
export function testOptions(extra: Partial<LoaderOptions> = {}): LoaderOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    rolesPath: [],
    isModule: (name, libraryDirs) =>
      MODULES.includes(name) || libraryDirs.some((d) => existsSync(join(d, `${name}.ts`)) || existsSync(join(d, `${name}.js`))),
    suggestModule: (name) => nearest(name, MODULES)?.name,
    warn: (msg) => warnings.push(msg),
    warnings,
    ...extra,
  };
}
