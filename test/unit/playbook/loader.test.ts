/**
 * The playbook loader on positive fixtures (test/fixtures/playbooks/site): the normalized
 * model the executor runs. Expected values were checked against
 * `ansible-playbook --list-tasks --list-tags` (ansible-core 2.14) on the same fixture.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { loadPlaybook, listTasks, listTags, playTasks, walkNodes } from '../../../engine/playbook/index.ts';
import type { BlockNode, IncludeNode, Node, Play, Playbook, TaskNode } from '../../../engine/playbook/model.ts';
import { FIXTURES, testOptions } from './helpers.ts';

const SITE = join(FIXTURES, 'site');

function load(): Playbook {
  return loadPlaybook(join(SITE, 'site.yml'), testOptions({ rolesPath: [join(SITE, 'roles')] }));
}

function byName(play: Play, name: string): TaskNode | IncludeNode | BlockNode {
  for (const s of [play.preTasks, play.roles, play.tasks, play.postTasks]) {
    for (const n of walkNodes(s)) if (n.name === name) return n;
  }
  throw new Error(`no node named ${name}`);
}

function task(play: Play, name: string): TaskNode {
  const n = byName(play, name);
  expect(n.kind).to.equal('task');
  return n as TaskNode;
}

describe('playbook loader: site fixture', () => {
  const pb = load();
  const [p1, p2] = pb.plays;

  it('flattens import_playbook into the play list', () => {
    expect(pb.file).to.equal(join(SITE, 'site.yml'));
    expect(pb.dir).to.equal(SITE);
    expect(pb.plays.map((p) => p.name)).to.deep.equal(['web servers', 'db']);
  });

  it('reads play keywords', () => {
    expect(p1.hosts).to.equal('web,app');
    expect(p1.gatherFacts).to.equal(false);
    expect(p1.serial).to.deep.equal([1, '50%']);
    expect(p1.strategy).to.equal('free');
    expect(p1.become).to.equal(true);
    expect(p1.becomeUser).to.equal('deploy');
    expect(p1.vars).to.deep.equal({ http_port: 80 });
    expect(p1.varsFiles).to.deep.equal(['vars/common.yml', ['vars/missing.yml', 'vars/fallback.yml']]);
    expect(p1.environment).to.deep.equal([{ LANG: 'C' }]);
    expect(p1.maxFailPercentage).to.equal(25);
    expect(p1.forceHandlers).to.equal(true);
    expect(p1.order).to.equal('sorted');
    expect(p1.uid).to.equal(`${join(SITE, 'site.yml')}:2:3`);
  });

  it('lists tasks like ansible-playbook --list-tasks (role dedup: common runs once)', () => {
    const names = listTasks(pb)[0].tasks.map((t) => t.name);
    expect(names.slice(0, 5)).to.deep.equal(['pre', 'common : common task', 'db : db task', 'web : web task', 'db : db task']);
    expect(names).to.include.members(['setup task', 'nested import', 'include_tasks', 'db : db other', 'include_role', 'retry']);
    expect(listTasks(pb)[1].tasks.map((t) => t.name)).to.deep.equal(['common : common task', 'second play task']);
  });

  it('expands roles: dependencies first, params make a different instance', () => {
    const roleBlocks = p1.roles as BlockNode[];
    expect(roleBlocks.map((b) => [b.kind, b.role?.name, b.role?.params])).to.deep.equal([
      ['block', 'common', {}],
      ['block', 'db', { db_name: 'dep' }],
      ['block', 'web', {}],
      ['block', 'db', { db_name: 'main', db_port: 5432 }],
    ]);
    expect(roleBlocks[0].role?.parent?.name).to.equal('web');
    expect(roleBlocks[3].tags).to.deep.equal(['play_tag', 'dbtag']);
    expect(roleBlocks[3].when).to.deep.equal(['use_db | bool']);
    const dbTask = roleBlocks[3].block[0] as TaskNode;
    expect(dbTask.when).to.deep.equal(['use_db | bool']);
    expect(dbTask.tags).to.deep.equal(['play_tag', 'dbtag']);
    expect(dbTask.role?.name).to.equal('db');
    expect(dbTask.baseDir).to.equal(join(SITE, 'roles/db/tasks'));
  });

  it('reads role defaults, vars (file, directory and JSON forms) and library/', () => {
    const web = p1.roleInfos.find((r) => r.name === 'web')!;
    expect(web.path).to.equal(join(SITE, 'roles/web'));
    expect(web.defaults).to.deep.equal({ web_default: 8080 });
    expect(web.vars).to.deep.equal({ web_a: 3, web_b: 2 });
    expect(web.libraryDir).to.equal(join(SITE, 'roles/web/library'));
    const db = p1.roleInfos.find((r) => r.name === 'db')!;
    expect(db.vars).to.deep.equal({ db_var: 'json' });
    expect(p1.roleInfos.find((r) => r.name === 'common')!.defaults).to.deep.equal({ common_default: 1 });
    // the custom module of the role's library/ is a known module
    expect(task(p1, 'web task').action).to.equal('web_mod');
    // and the playbook's library/
    expect(task(p1, 'custom module from library/').action).to.equal('site_mod');
  });

  it('collects handlers: role handlers first, then the play handlers, with listen', () => {
    expect(p1.handlers.map((h) => [h.name, h.listen, h.role?.name, h.isHandler])).to.deep.equal([
      ['common handler', undefined, 'common', true],
      ['web handler', ['web changed'], 'web', true],
      ['restart web', ['web changed'], undefined, true],
      ['reload all', ['web changed', 'reload'], undefined, true],
    ]);
    expect(p1.handlers[2].action).to.equal('service');
    expect(p1.handlers[2].args).to.deep.equal({ name: 'nginx', state: 'restarted' });
  });

  it('parses k=v args, free form, args:, action: and local_action:', () => {
    const sh = task(p1, 'shell with args');
    expect(sh.action).to.equal('shell');
    expect(sh.args).to.deep.equal({ chdir: '/tmp', creates: '/tmp/port', _raw_params: 'echo {{ http_port }} > /tmp/port' });
    expect(sh.register).to.equal('port_out');
    expect(sh.changedWhen).to.deep.equal([false]);
    const old = task(p1, 'old action form');
    expect([old.action, old.args]).to.deep.equal(['copy', { src: 'a.txt', dest: '/tmp/a.txt', mode: '0644' }]);
    const local = task(p1, 'local action');
    expect([local.action, local.args, local.delegateTo]).to.deep.equal(['command', { _raw_params: 'echo hi' }, 'localhost']);
    expect(task(p1, 'pre').action).to.equal('debug');
    expect(task(p1, 'pre').args).to.deep.equal({ msg: 'pre task' });
  });

  it('normalizes loops and loop_control', () => {
    const t = task(p1, 'loop over items');
    expect(t.loop).to.deep.equal({ kind: 'items', value: [1, 2] });
    expect(t.loopControl).to.deep.equal({ loopVar: 'item', indexVar: 'idx', label: '{{ item }}' });
  });

  it('blocks: keywords inherited by children (when first, tags unioned, notify, become)', () => {
    const blk = byName(p1, 'a block') as BlockNode;
    expect(blk.kind).to.equal('block');
    expect(blk.rescue.map((n) => n.name)).to.deep.equal(['rescue task']);
    expect(blk.always.map((n) => n.name)).to.deep.equal(['always task']);
    const inside = task(p1, 'inside block');
    expect(inside.when).to.deep.equal(['http_port == 80', 'inner_ok']);
    expect(inside.tags).to.deep.equal(['play_tag', 'blk', 'inner']);
    expect(inside.become).to.equal(false);
    expect(inside.becomeUser).to.equal('deploy');
    expect(inside.notify).to.deep.equal(['restart web']);
    const nested = task(p1, 'nested');
    expect(nested.when).to.deep.equal(['http_port == 80']);
    expect(nested.args).to.deep.equal({ path: '/tmp/x', state: 'touch' });
    expect(task(p1, 'nested rescue').tags).to.deep.equal(['play_tag', 'blk']);
    const meta = task(p1, 'always task');
    expect([meta.action, meta.args]).to.deep.equal(['meta', { _raw_params: 'flush_handlers' }]);
  });

  it('import_tasks: expanded now, nested, keywords inherited, paths relative to the importing file', () => {
    const s = task(p1, 'setup task');
    expect(s.tags).to.deep.equal(['play_tag', 'imported']);
    expect(s.when).to.deep.equal(['do_setup']);
    expect(s.vars).to.deep.equal({ setup_var: 1 });
    const n = task(p1, 'nested import');
    expect(n.when).to.deep.equal(['do_setup', 'nested_ok']);
    expect(n.pos.file).to.equal(join(SITE, 'tasks/nested.yml'));
    expect(n.uid).to.equal(`${join(SITE, 'tasks/nested.yml')}:1:3`);
  });

  it('include_tasks / include_role stay IncludeNodes', () => {
    const inc = playTasks(p1).find((t) => t.kind === 'include' && t.what === 'include_tasks') as IncludeNode;
    expect(inc.target).to.equal('tasks/dynamic.yml');
    expect(inc.tags).to.deep.equal(['play_tag', 'dyn']);
    expect(inc.loop).to.deep.equal({ kind: 'loop', value: ['a', 'b'] });
    expect(inc.loopControl?.loopVar).to.equal('dyn_item');
    const ir = playTasks(p1).find((t) => t.kind === 'include' && t.what === 'include_role') as IncludeNode;
    expect(ir.target).to.equal('web');
    expect(ir.from).to.deep.equal({ tasks: 'main' });
    expect(ir.apply).to.deep.equal({ tags: 'applied' });
  });

  it('import_role: static, vars become role params, tasks_from', () => {
    const t = task(p1, 'db other');
    expect(t.role?.name).to.equal('db');
    expect(t.role?.params).to.deep.equal({ db_name: 'other' });
  });

  it('keeps task keywords: until/retries/delay/failed_when/ignore_errors/delegate_to/...', () => {
    const t = task(p1, 'retry');
    expect(t.until).to.equal('r.rc == 0');
    expect(t.retries).to.equal(3);
    expect(t.delay).to.equal('{{ d }}');
    expect(t.failedWhen).to.deep.equal(['r.rc > 1', "'boom' in r.stdout"]);
    expect(t.ignoreErrors).to.equal('{{ ie }}');
    expect(t.delegateTo).to.equal('db1');
    expect(t.runOnce).to.equal(true);
    expect(t.noLog).to.equal(true);
    expect(t.checkMode).to.equal(false);
    expect(t.diff).to.equal(false);
    expect(t.throttle).to.equal(2);
    expect(t.timeout).to.equal(30);
    expect(t.tags).to.include('always');
    const end = p1.postTasks[0] as TaskNode;
    expect([end.action, end.args, end.tags]).to.deep.equal(['meta', { _raw_params: 'end_play' }, ['play_tag', 'never']]);
  });

  it('import_playbook applies its when/tags/vars to the imported plays', () => {
    expect(p2.hosts).to.equal('db');
    expect(p2.vars).to.deep.equal({ second_var: 2, from_import: 1 });
    expect(p2.tags).to.deep.equal(['second']);
    expect(p2.when).to.deep.equal(['run_second']);
    const t = task(p2, 'second play task');
    expect(t.when).to.deep.equal(['run_second']);
    expect(t.tags).to.deep.equal(['second', 't1', 't2']);
    expect(listTags(pb)).to.include.members(['play_tag', 'dbtag', 'second', 't1', 'never', 'always']);
  });

  it('gives every node a unique uid', () => {
    const uids: string[] = [];
    for (const p of pb.plays) {
      uids.push(p.uid);
      const all: Node[] = [...p.preTasks, ...p.roles, ...p.tasks, ...p.postTasks, ...p.handlers];
      for (const n of walkNodes(all)) uids.push(n.uid);
    }
    expect(new Set(uids).size).to.equal(uids.length);
    expect(uids.some((u) => u.endsWith('#2'))).to.equal(true);
  });
});
