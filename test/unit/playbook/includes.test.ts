/**
 * Role search order, FQCN module names, every loop kind, handler blocks/imports, and the
 * run-time API the executor calls for include_tasks / include_role.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { loadPlaybook, loadTaskFile, loadRoleForInclude, includeParent, listTasks } from '../../../engine/playbook/index.ts';
import type { IncludeNode, TaskNode } from '../../../engine/playbook/model.ts';
import { FIXTURES, testOptions } from './helpers.ts';

const MISC = join(FIXTURES, 'misc');

describe('playbook loader: role search order', () => {
  it("playbook roles/, then rolesPath, then the project's roles/, then the playbook dir", () => {
    const opts = testOptions({ rolesPath: [join(MISC, 'extra_roles')], projectRoot: join(MISC, 'project') });
    const names = listTasks(loadPlaybook(join(MISC, 'search.yml'), opts))[0].tasks.map((t) => t.name);
    expect(names).to.deep.equal(['order_r : from roles', 'only_extra : only extra', 'only_project : only project', 'only_here : only here']);
  });
  it('rolesPath wins over the project roles/', () => {
    const opts = testOptions({ rolesPath: [join(MISC, 'project/roles'), join(MISC, 'extra_roles')], projectRoot: join(MISC, 'project') });
    const pb = loadPlaybook(join(MISC, 'search.yml'), opts);
    expect(pb.plays[0].roleInfos.map((r) => r.path)).to.deep.equal([
      join(MISC, 'roles/order_r'),
      join(MISC, 'extra_roles/only_extra'),
      join(MISC, 'project/roles/only_project'),
      join(MISC, 'only_here'),
    ]);
  });
});

describe('playbook loader: misc forms', () => {
  const opts = testOptions();
  const pb = loadPlaybook(join(MISC, 'misc.yml'), opts);
  const play = pb.plays[0];
  const tasks = play.tasks as (TaskNode | IncludeNode)[];
  const named = (n: string) => tasks.find((t) => t.name === n) as TaskNode;

  it('maps collection prefixes to the short module name', () => {
    expect(tasks.slice(0, 3).map((t) => (t as TaskNode).action)).to.deep.equal(['sysctl', 'modprobe', 'ping']);
    expect((tasks[0] as TaskNode).args).to.deep.equal({ name: 'vm.swappiness', value: '10' });
    expect((tasks[2] as TaskNode).args).to.deep.equal({});
  });

  it('warns about ignored keywords (collections) and deprecated include', () => {
    expect(opts.warnings.some((w) => w.includes('collections is ignored'))).to.equal(true);
    expect(opts.warnings.some((w) => w.includes("'include' is deprecated"))).to.equal(true);
  });

  it('normalizes every with_* loop kind', () => {
    expect(named('dict loop').loop).to.deep.equal({ kind: 'dict', value: '{{ users }}' });
    expect(named('nested loop').loop).to.deep.equal({ kind: 'nested', value: [[1, 2], ['a', 'b']] });
    expect(named('sequence').loop).to.deep.equal({ kind: 'sequence', value: 'start=1 end=3' });
    expect(named('subelements').loop).to.deep.equal({ kind: 'subelements', value: ['{{ users }}', 'keys'] });
    expect(named('indexed').loop?.kind).to.equal('indexed_items');
    expect(named('fileglob').loop?.kind).to.equal('fileglob');
    expect(named('together').loop?.kind).to.equal('together');
    expect(named('list').loop?.kind).to.equal('list');
  });

  it('splits tags strings on commas and keeps when lists', () => {
    expect(named('tags as csv string').tags).to.deep.equal(['a', 'b', 'c']);
    expect(named('when list and bool').when).to.deep.equal([true, 'x is defined']);
  });

  it('include_vars and set_fact take k=v / free form', () => {
    expect(named('play with free form include_vars').action).to.equal('include_vars');
    expect(named('play with free form include_vars').args).to.deep.equal({ _raw_params: 'vars.yml' });
    expect(named('set_fact k=v').args).to.deep.equal({ a: '1', b: 'two words' });
    expect(named('command with argv').args).to.deep.equal({ argv: ['echo', 'hi'] });
    expect(named('environment list').environment).to.deep.equal([{ A: 1 }, { B: 2 }]);
    expect(named('templated environment').environment).to.deep.equal(['{{ proxy_env }}']);
    expect([named('action mapping form').action, named('action mapping form').args]).to.deep.equal(['copy', { src: 'a', dest: '/tmp/b' }]);
  });

  it('notify on import_tasks reaches imported tasks that set none', () => {
    expect(named('notified task').notify).to.deep.equal(['topic']);
    expect(named('own notify').notify).to.deep.equal(['other']);
  });

  it('import_tasks paths may use {{ playbook_dir }}', () => {
    const t = tasks.find((x) => x.tags.includes('via_playbook_dir')) as TaskNode;
    expect(t.name).to.equal('old include task');
  });

  it("reads 'include:' as include_tasks", () => {
    const inc = tasks.find((t) => t.kind === 'include' && t.target === 'tasks/old.yml') as IncludeNode;
    expect(inc.what).to.equal('include_tasks');
  });

  it('flattens handler blocks and imported handler files, keeping inherited keywords', () => {
    expect(play.handlers.map((h) => [h.name, h.become, h.listen, h.isHandler])).to.deep.equal([
      ['handler in block', true, undefined, true],
      ['imported handler', undefined, ['topic'], true],
    ]);
  });

  it('loadRoleForInclude: deps first, handlers, RoleInfo; include keywords inherited', () => {
    const inc = tasks.find((t) => t.kind === 'include' && t.what === 'include_role') as IncludeNode;
    expect(inc.target).to.equal('inc');
    const r = loadRoleForInclude(inc.target, inc.from, includeParent(inc), { ...opts, playbookDir: pb.dir });
    expect(r.role.name).to.equal('inc');
    expect(r.role.defaults).to.deep.equal({ inc_default: 1 });
    expect(r.handlers.map((h) => h.name)).to.deep.equal(['inc handler']);
    expect(r.nodes.map((n) => n.kind === 'block' && n.role?.name)).to.deep.equal(['incdep', 'inc']);
    const incTask = (r.nodes[1] as { block: TaskNode[] }).block[0];
    expect(incTask.name).to.equal('inc task');
    // the include's own `when` decided whether it ran; included tasks do not inherit it (Ansible)
    expect(inc.when).to.deep.equal(['inc_ok']);
    expect(inc.parentWhen).to.deep.equal([]);
    expect(incTask.when).to.deep.equal([]);
    expect(incTask.tags).to.deep.equal(['inc_tag']);
    expect((incTask as unknown as Record<string, unknown>).target).to.equal(undefined);
    // a nested include_tasks inside the role resolves against the role's tasks/ dir
    const nested = (r.nodes[1] as { block: IncludeNode[] }).block[1];
    expect(nested.kind).to.equal('include');
    const more = loadTaskFile(nested.target, includeParent(nested), { ...opts, playbookDir: pb.dir });
    expect(more.map((n) => n.name)).to.deep.equal(['more task']);
    expect((more[0] as TaskNode).role?.name).to.equal('inc');
    expect((more[0] as TaskNode).loop).to.equal(undefined);
  });

  it('import_tasks paths may use {{ role_path }} inside a role', () => {
    const parent = { when: [], tags: [], vars: {}, baseDir: MISC, pos: { file: join(MISC, 'misc.yml'), line: 1 } };
    const r = loadRoleForInclude('inc', { tasks: 'rp' }, parent, { ...opts, playbookDir: MISC });
    const block = r.nodes[r.nodes.length - 1] as { block: TaskNode[] };
    expect(block.block.map((t) => t.name)).to.deep.equal(['more task']);
  });

  it('loadTaskFile: relative to the parent baseDir, apply keywords merged by includeParent', () => {
    const parent: IncludeNode = {
      kind: 'include', uid: 'x', what: 'include_tasks', target: 'tasks/dyn.yml', when: ['a'], tags: ['t'], vars: { v: 1 },
      baseDir: MISC, pos: { file: join(MISC, 'misc.yml'), line: 1 }, apply: { become: true, tags: ['applied'] },
      loop: { kind: 'loop', value: [1, 2] },
    };
    const nodes = loadTaskFile(parent.target, includeParent(parent), { ...opts, playbookDir: MISC });
    const t = nodes[0] as TaskNode;
    expect([t.name, t.when, t.tags, t.vars, t.become, t.loop]).to.deep.equal(['dyn task', ['a'], ['t', 'applied', 'own'], { v: 1 }, true, undefined]);
    expect(() => loadTaskFile('nope.yml', parent, opts)).to.throw(/include_tasks: file 'nope.yml' not found/);
    // with parentWhen (as the loader sets it), only the enclosing conditions are inherited
    const fromNode = loadTaskFile(parent.target, { ...parent, when: ['outer', 'own'], parentWhen: ['outer'] } as IncludeNode, { ...opts, playbookDir: MISC });
    expect((fromNode[0] as TaskNode).when).to.deep.equal(['outer']);
    expect((fromNode[0] as TaskNode).tags).to.deep.equal(['t', 'applied', 'own']);
  });
});
