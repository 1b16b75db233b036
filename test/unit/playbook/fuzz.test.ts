/**
 * Property: whatever a playbook file holds, the loader returns a Playbook or throws a
 * ParseError with a file position, never another exception.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import yaml from 'js-yaml';
import { loadPlaybook } from '../../../engine/playbook/index.ts';
import { ParseError } from '../../../engine/types.ts';
import { testOptions } from './helpers.ts';

const KEYS = [
  'hosts', 'name', 'tasks', 'handlers', 'roles', 'vars', 'when', 'tags', 'loop', 'with_items', 'block', 'rescue', 'always',
  'debug', 'shell', 'command', 'copy', 'notify', 'listen', 'register', 'become', 'serial', 'import_tasks', 'include_tasks',
  'import_role', 'include_role', 'loop_control', 'action', 'local_action', 'args', 'meta', 'environment', 'until', 'retries',
  'import_playbook', 'vars_files', 'gather_facts', 'strategy', 'delegate_to', 'failed_when', 'whne',
];

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('all', 'x=1 y="a b"', 'echo hi', '{{ x }}', 'a,b', '', 'flush_handlers', 'nope.yml', '50%', 'yes', '"unbalanced'),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('playbook loader: fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-pbfuzz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('any structure loads or fails with a positioned ParseError', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 }), (plays) => {
        const f = join(dir, `pb${n++}.yml`);
        writeFileSync(f, yaml.dump(plays));
        try {
          loadPlaybook(f, testOptions());
          return true;
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          expect(e.pos?.file).to.be.a('string');
          expect(e.oneLine()).to.not.include('\n');
          return true;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('plays with random tasks load or fail with a positioned ParseError', () => {
    let n = 0;
    const task = fc.dictionary(fc.constantFrom(...KEYS), value, { minKeys: 1, maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(task, { maxLength: 4 }), fc.array(task, { maxLength: 2 }), (tasks, handlers) => {
        const f = join(dir, `tasks${n++}.yml`);
        writeFileSync(f, yaml.dump([{ hosts: 'all', tasks, handlers }]));
        try {
          loadPlaybook(f, testOptions());
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
          expect(e.pos?.line, e.oneLine()).to.be.a('number');
          expect(e.oneLine()).to.not.include('\n');
        }
      }),
      { numRuns: 500 },
    );
  });
});
