/**
 * Registries of filters, tests and lookup plugins. Built-ins register themselves from
 * engine/expr/filters/*, tests.ts and lookups.ts; users add theirs with registerFilter/registerTest.
 */
import type { Ctx } from './context.ts';

/** What a filter/test/lookup can call back into. */
export interface CallCtx {
  ctx: Ctx;
  /** Apply another filter by name. */
  filter(name: string, input: unknown, args?: unknown[], kw?: Record<string, unknown>): unknown;
  /** Apply a test by name. */
  test(name: string, input: unknown, args?: unknown[], kw?: Record<string, unknown>): boolean;
  /** Jinja attribute lookup with a dotted path (`a.b.0`); returns Undefined when missing. */
  attr(obj: unknown, path: string | number): unknown;
  /** Jinja `obj[key]` for one key (no dotted path); returns Undefined when missing. */
  item(obj: unknown, key: unknown): unknown;
}

/** A filter: `input | name(args, kw)`. */
export type FilterFn = (input: unknown, args: unknown[], kw: Record<string, unknown>, cc: CallCtx) => unknown;
/** A test: `input is name(args)`. */
export type TestFn = (input: unknown, args: unknown[], kw: Record<string, unknown>, cc: CallCtx) => boolean;
/** A lookup plugin: returns a list of values, one per term (Ansible's run()). */
export type LookupFn = (terms: unknown[], kw: Record<string, unknown>, cc: CallCtx) => unknown[];

export interface FilterDef {
  fn: FilterFn;
  /** The input may be Undefined (default, mandatory). */
  undefinedOk?: boolean;
}
export interface TestDef {
  fn: TestFn;
  undefinedOk?: boolean;
}

export const filters = new Map<string, FilterDef>();
export const tests = new Map<string, TestDef>();
export const lookups = new Map<string, LookupFn>();

/** Register built-in filters (internal signature). */
export function defineFilters(defs: Record<string, FilterFn | FilterDef>): void {
  for (const [name, d] of Object.entries(defs)) filters.set(name, typeof d === 'function' ? { fn: d } : d);
}
/** Register built-in tests (internal signature). */
export function defineTests(defs: Record<string, TestFn | TestDef>): void {
  for (const [name, d] of Object.entries(defs)) tests.set(name, typeof d === 'function' ? { fn: d } : d);
}

/** Strip a collection prefix: `ansible.builtin.to_json` -> `to_json`, `community.general.x` -> `x`. */
export function bareName(name: string): string {
  const parts = name.split('.');
  return parts.length >= 3 ? parts.slice(2).join('.') : name;
}

/**
 * Add a user filter: `fn(value, ...args)`; keyword arguments, if any, are passed as a final object.
 * Names may carry a collection prefix when used (`my.coll.name`).
 */
export function registerFilter(name: string, fn: (value: unknown, ...args: unknown[]) => unknown): void {
  filters.set(name, { fn: (input, args, kw) => (Object.keys(kw).length ? fn(input, ...args, kw) : fn(input, ...args)) });
}

/** Add a user test: `fn(value, ...args)` returning a boolean. */
export function registerTest(name: string, fn: (value: unknown, ...args: unknown[]) => unknown): void {
  tests.set(name, { fn: (input, args, kw) => Boolean(Object.keys(kw).length ? fn(input, ...args, kw) : fn(input, ...args)) });
}
