/**
 * One play: keywords, sections (pre_tasks, roles, tasks, post_tasks, handlers), roles
 * expanded, role handlers collected (role handlers first, as Ansible orders them).
 */
import type { SourcePos } from '../types.ts';
import type { Node, Play, TaskNode } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, typeName } from './source.ts';
import { PLAY_KEYWORDS } from './keywords.ts';
import { type Scope, checkUnsupported, inheritablePart, merge, readOwn, rootScope } from './inherit.ts';
import type { LoadState } from './options.ts';
import { makeUid } from './uid.ts';
import { checkKeys, loadNodeList } from './tasks.ts';
import { expandRoleRef, parseRoleRef } from './role.ts';
import { posOf } from '../yaml.ts';
import { readVarsPrompt } from './varsprompt.ts';

/** Keywords an import_playbook entry applies to the plays it imports. */
export interface ImportedBy {
  when: unknown[];
  tags: string[];
  vars: Record<string, unknown>;
}

const ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;

function readHosts(r: Reader): string {
  if (!r.has('hosts')) r.fail('', "a play needs 'hosts:' (a host pattern such as 'all' or 'web:&prod')");
  const v = r.ds.hosts;
  if (typeof v === 'string') {
    if (v.trim() === '') r.fail('hosts', 'hosts cannot be empty');
    return v.trim();
  }
  if (Array.isArray(v)) {
    if (!v.length) r.fail('hosts', 'hosts cannot be an empty list');
    return v
      .map((h) => {
        if (typeof h !== 'string' || h.trim() === '') r.fail('hosts', `hosts list entries must be host patterns (strings), got ${typeName(h)}`);
        return h.trim();
      })
      .join(',');
  }
  r.wrong('hosts', 'a host pattern string or a list of patterns');
}

function readSerial(r: Reader): (number | string)[] {
  const v = r.ds.serial;
  if (v === undefined || v === null) return [];
  const one = (x: unknown): number | string => {
    if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return x;
    if (typeof x === 'string') {
      const s = x.trim();
      if (/^\d+$/.test(s)) return Number(s);
      if (/^\d+(\.\d+)?%$/.test(s) || isTemplate(s)) return s;
    }
    r.fail('serial', `serial entries must be a number, a percentage such as '30%', or a list of those; got ${typeof x === 'string' ? `'${x}'` : typeName(x)}`);
  };
  return Array.isArray(v) ? v.map(one) : [one(v)];
}

function readVarsFiles(r: Reader): (string | string[])[] {
  const v = r.ds.vars_files;
  if (v === undefined || v === null) return [];
  const entries = typeof v === 'string' ? [v] : Array.isArray(v) ? v : r.wrong('vars_files', 'a list of file names');
  return entries.map((e) => {
    if (typeof e === 'string') return e;
    if (Array.isArray(e) && e.length && e.every((x) => typeof x === 'string')) return e as string[];
    r.fail('vars_files', `vars_files entries must be file names (or lists of file names: first found wins), got ${typeName(e)}`);
  });
}

/** Load one play mapping. */
export function loadPlay(ds: unknown, st: LoadState, listPos: SourcePos, imported?: ImportedBy): Play {
  if (!isMap(ds)) fail(`each entry of a playbook must be a play (a mapping with 'hosts:') or an import_playbook, got ${typeName(ds)}`, listPos);
  const r = new Reader(ds, 'play', listPos);
  checkKeys(r, PLAY_KEYWORDS);
  checkUnsupported(r, st);
  const hosts = readHosts(r);
  const pos = r.pos();
  const own = readOwn(r, false);
  const playVars = { ...(own.vars ?? {}), ...(imported?.vars ?? {}) };
  delete own.vars;
  if (imported) {
    own.when = [...imported.when];
    own.tags = [...(own.tags ?? []), ...imported.tags];
  }
  const scope: Scope = merge(rootScope(st.baseDir, pos), own, pos);

  const strategy = (r.str('strategy') ?? 'linear') as Play['strategy'];
  if (strategy !== 'linear' && strategy !== 'free') r.fail('strategy', `strategy '${strategy}' is not supported (linear, free)`);
  const order = r.str('order');
  if (order !== undefined && !(ORDERS as readonly string[]).includes(order)) r.fail('order', `order '${order}' is not one of ${ORDERS.join(', ')}`);
  const mfp = r.num('max_fail_percentage');

  st.play = { seen: new Map(), roleInfos: [], roleHandlers: [] };
  const roles: Node[] = [];
  const roleList = r.list('roles') ?? [];
  const rolesPos = posOf(r.ds.roles) ?? r.pos('roles');
  for (const [i, entry] of roleList.entries()) {
    const ref = parseRoleRef(entry, st, posOf(entry) ?? itemPos(roleList, i, rolesPos));
    roles.push(...expandRoleRef(ref, scope, st));
  }
  const section = (key: string, handlers = false): Node[] =>
    loadNodeList(r.ds[key], handlers ? { ...scope, handlers: true } : scope, st, r.pos(key), `play '${key}'`);
  const preTasks = section('pre_tasks');
  const tasks = section('tasks');
  const postTasks = section('post_tasks');
  const ownHandlers = section('handlers', true) as TaskNode[];

  const play: Play = {
    uid: makeUid(st, pos),
    name: r.str('name') ?? hosts,
    hosts,
    ...inheritablePart(scope),
    vars: playVars,
    gatherFacts: r.bool('gather_facts') ?? true,
    varsFiles: readVarsFiles(r),
    serial: readSerial(r),
    strategy,
    preTasks,
    roles,
    tasks,
    postTasks,
    handlers: [...st.play.roleHandlers, ...ownHandlers],
    roleInfos: st.play.roleInfos,
  };
  if (mfp !== undefined) play.maxFailPercentage = Number(mfp);
  const fh = r.bool('force_handlers');
  if (fh !== undefined) play.forceHandlers = fh;
  if (order !== undefined) play.order = order as Play['order'];
  const vp = readVarsPrompt(r);
  if (vp?.length) play.varsPrompt = vp;
  st.play = undefined;
  return play;
}
