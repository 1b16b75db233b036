/**
 * Errors point at the offending key (file:line:col), role de-duplication, *_from files,
 * nested import_playbook.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { loadPlaybook, listTasks } from '../../../engine/playbook/index.ts';
import { ParseError } from '../../../engine/types.ts';
import { FIXTURES, testOptions } from './helpers.ts';

const BAD = join(FIXTURES, 'bad');
const MISC = join(FIXTURES, 'misc');

function errorOf(file: string): string {
  try {
    loadPlaybook(file, testOptions());
  } catch (e) {
    if (e instanceof ParseError) return e.oneLine();
    throw e;
  }
  throw new Error('no error');
}

describe('playbook loader: error positions', () => {
  const cases: [string, string][] = [
    ['unknown-task-keyword.yml', 'unknown-task-keyword.yml:6:7:'],
    ['unknown-module.yml', 'unknown-module.yml:5:7:'],
    ['two-modules.yml', 'two-modules.yml:6:7:'],
    ['hosts-number.yml', 'hosts-number.yml:2:3:'],
    ['when-mapping.yml', 'when-mapping.yml:5:7:'],
    ['loop-control-unknown.yml', 'loop-control-unknown.yml:7:9:'],
    ['task-scalar.yml', 'task-scalar.yml:4:5:'],
    ['role-missing.yml', 'role-missing.yml:4:5:'],
    ['strategy-bad.yml', 'strategy-bad.yml:3:3:'],
    ['import-tasks-missing.yml', 'import-tasks-missing.yml:4:7:'],
    ['duplicate-key.yml', 'duplicate-key.yml:5:'],
    ['binary-junk.yml', 'binary-junk.yml:4:'],
    ['role-circular.yml', 'roles/cyc_b/meta/main.yml:2:5:'],
    ['import-tasks-circular.yml', 'support/loop_b.yml:2:3:'],
  ];
  for (const [file, where] of cases) {
    it(`${file} -> ${where}`, () => {
      expect(errorOf(join(BAD, file))).to.include(where);
    });
  }
  it('circular chains are shown relative to the playbook dir', () => {
    expect(errorOf(join(BAD, 'import-tasks-circular.yml'))).to.include('circular import_tasks: support/loop_a.yml -> support/loop_b.yml -> support/loop_a.yml');
  });
});

describe('playbook loader: role de-duplication and *_from', () => {
  const pb = loadPlaybook(join(MISC, 'dups.yml'), testOptions());
  const play = pb.plays[0];
  it('a role runs once per play unless allow_duplicates or other params', () => {
    expect(listTasks(pb)[0].tasks.map((t) => t.name)).to.deep.equal([
      'dup : dup task', 'dup : dup task', 'order_r : from roles', 'order_r : from roles', 'multi : multi alt',
    ]);
    expect(play.roleInfos.filter((r) => r.name === 'order_r').map((r) => r.params)).to.deep.equal([{}, { p: 1 }]);
  });
  it('import_role tasks_from / vars_from / defaults_from / handlers_from', () => {
    const multi = play.roleInfos.find((r) => r.name === 'multi')!;
    expect(multi.vars).to.deep.equal({ v: 'alt' });
    expect(multi.defaults).to.deep.equal({ d: 'alt' });
    // order_r ran with two param sets: its handlers are still added once
    expect(play.handlers.map((h) => h.name)).to.deep.equal(['order_r handler', 'multi alt handler']);
  });
  it('nested import_playbook: paths relative to each importing file, tags and when carried down', () => {
    const nested = loadPlaybook(join(MISC, 'nested.yml'), testOptions());
    expect(nested.plays.length).to.equal(1);
    expect(nested.plays[0].tags).to.deep.equal(['l1']);
    expect(nested.plays[0].when).to.deep.equal(['l2']);
    expect(nested.plays[0].tasks[0].when).to.deep.equal(['l2']);
    expect(nested.plays[0].tasks[0].pos.file).to.equal(join(MISC, 'sub/level3.yml'));
  });
});

describe('playbook loader: module suggestions', () => {
  it('suggests executor actions (debug, set_fact, ...) even when the registry suggests nothing', () => {
    let msg = '';
    try {
      loadPlaybook(join(BAD, 'unknown-module.yml'), testOptions({ suggestModule: () => undefined }));
    } catch (e) {
      msg = (e as ParseError).oneLine();
    }
    expect(msg).to.include("unknown module 'debgu' (did you mean 'debug'?)");
  });
});
