/**
 * Loop expansion: `loop:` and the `with_*` kinds, applied to an already templated value.
 * Pure. Errors are thrown as plain Error with Ansible's wording; the caller turns them
 * into a failed task result.
 */
import type { TaskNode, LoopControl } from '../playbook/model.ts';

type LoopKind = NonNullable<TaskNode['loop']>['kind'];

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Items of a loop of `kind` over the templated `value`. */
export function expandLoop(kind: LoopKind, value: unknown): unknown[] {
  switch (kind) {
    case 'loop':
      if (!Array.isArray(value)) throw new Error(`Invalid data passed to 'loop', it requires a list, got this instead: ${show(value)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`);
      return value;
    case 'items': {
      const list = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
      return list.flatMap((x) => (Array.isArray(x) ? x : [x]));
    }
    case 'list':
      return value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
    case 'indexed_items':
      return asList(value, 'with_indexed_items').map((x, i) => [i, x]);
    case 'dict':
      if (!isDict(value)) throw new Error(`with_dict expects a dict, got ${show(value)}`);
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    case 'sequence':
      return sequence(value);
    case 'nested':
      return nested(asList(value, 'with_nested').map((x) => asList(x, 'with_nested')));
    case 'together': {
      const lists = asList(value, 'with_together').map((x) => asList(x, 'with_together'));
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : null)));
    }
    case 'subelements':
      return subelements(value);
    case 'fileglob':
      // The caller resolves globs on the controller and passes the list of paths.
      return asList(value, 'with_fileglob');
    default:
      throw new Error(`unsupported loop kind with_${kind as string}`);
  }
}

function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return [v];
  throw new Error(`${what} expects a list, got ${show(v)}`);
}

function nested(lists: unknown[][]): unknown[] {
  let out: unknown[][] = [[]];
  for (const l of lists) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return lists.length ? out : [];
}

/** with_sequence: `start=1 end=5 stride=1 format=%d` or `count=3`, or a dict. */
function sequence(v: unknown): unknown[] {
  let o: Record<string, unknown>;
  if (typeof v === 'string') {
    o = {};
    const m = /^\s*(\d+)-(\d+)(?:\/(\d+))?(?::(.+))?\s*$/.exec(v);
    if (m) o = { start: m[1], end: m[2], stride: m[3] ?? 1, format: m[4] };
    else for (const kv of v.trim().split(/\s+/)) {
      const i = kv.indexOf('=');
      if (i < 0) throw new Error(`with_sequence: can't parse '${kv}'`);
      o[kv.slice(0, i)] = kv.slice(i + 1);
    }
  } else if (isDict(v)) o = v;
  else throw new Error(`with_sequence expects 'start=N end=M' or a dict, got ${show(v)}`);
  const num = (x: unknown, d: number): number => (x === undefined ? d : Number.parseInt(String(x), String(x).startsWith('0x') ? 16 : 10));
  const start = num(o.start, 1);
  const stride = num(o.stride, 1);
  const end = o.count !== undefined ? start + (num(o.count, 0) - 1) * stride : num(o.end, NaN);
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(stride) || stride === 0) throw new Error(`with_sequence: invalid arguments ${show(v)}`);
  const fmt = o.format === undefined ? '%d' : String(o.format);
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(fmt.replace(/%0?(\d*)[dxX]/, (m, w: string) => {
    const s = m.endsWith('x') ? i.toString(16) : m.endsWith('X') ? i.toString(16).toUpperCase() : String(i);
    return m.startsWith('%0') ? s.padStart(Number(w), '0') : s.padStart(Number(w || 0), ' ');
  }));
  return out;
}

/** with_subelements: [list_of_dicts, 'key'] (optionally a flags dict) -> [[dict, sub], ...]. */
function subelements(v: unknown): unknown[] {
  const l = asList(v, 'with_subelements');
  const [list, key, flags] = l as [unknown, unknown, unknown];
  const skipMissing = isDict(flags) && (flags.skip_missing === true || flags.skip_missing === 'yes');
  if (typeof key !== 'string') throw new Error('with_subelements expects [list, "subkey"]');
  const out: unknown[] = [];
  const items = isDict(list) ? Object.values(list) : asList(list, 'with_subelements');
  for (const el of items) {
    if (!isDict(el)) throw new Error(`with_subelements: item ${show(el)} is not a dict`);
    let sub: unknown = el;
    for (const part of key.split('.')) sub = isDict(sub) ? sub[part] : undefined;
    if (sub === undefined) {
      if (skipMissing) continue;
      throw new Error(`could not find '${key}' key in iterated item ${show(el)}`);
    }
    for (const s of asList(sub, 'with_subelements')) out.push([el, s]);
  }
  return out;
}

/** The `ansible_loop` dict for item `i` of `items` (loop_control.extended). */
export function loopInfo(items: readonly unknown[], i: number): Record<string, unknown> {
  const n = items.length;
  return {
    allitems: items,
    index: i + 1,
    index0: i,
    revindex: n - i,
    revindex0: n - i - 1,
    first: i === 0,
    last: i === n - 1,
    length: n,
    previtem: i > 0 ? items[i - 1] : undefined,
    nextitem: i < n - 1 ? items[i + 1] : undefined,
  };
}

/** Variables a loop adds for item `i` (loop_var, index_var, ansible_loop when extended). */
export function itemVars(items: readonly unknown[], i: number, lc?: LoopControl): Record<string, unknown> {
  const loopVar = lc?.loopVar || 'item';
  const out: Record<string, unknown> = { [loopVar]: items[i], ansible_loop_var: loopVar };
  if (lc?.indexVar) {
    out[lc.indexVar] = i;
    out.ansible_index_var = lc.indexVar;
  }
  if (lc?.extended) out.ansible_loop = loopInfo(items, i);
  return out;
}
