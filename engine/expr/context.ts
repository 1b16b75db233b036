/**
 * Evaluation context shared by the evaluator, filters, tests and lookups:
 * the variables, options, step budget, cycle detection and per-evaluation caches.
 */
import type { SourcePos } from '../types.ts';
import { shortSrc } from './parse.ts';

/** Options for evaluate / renderString / templateValue. */
export interface ExprOptions {
  /** Where the expression came from (for error messages). */
  pos?: SourcePos;
  /** Directories searched, in order, for relative paths in lookup('file'|'template'). */
  lookupRoots?: string[];
}

/**
 * Put `[VARS_SCOPE]: hostVars` on an object (e.g. each `hostvars[h]`) so template strings
 * found under it are rendered against that host's variables, not the current host's.
 */
export const VARS_SCOPE: unique symbol = Symbol.for('tsplay.varsScope');

/** The scope of data that is never templated (see markUnsafe). */
export const NO_TEMPLATE: Record<string, unknown> = Object.freeze(Object.create(null));

/**
 * Mark data that must never be templated, like Ansible's unsafe registered results and facts:
 * strings anywhere under `o` (e.g. a command's stdout containing `{{`) are read as written.
 * Returns `o`.
 */
export function markUnsafe<T extends object>(o: T): T {
  if (!Object.prototype.hasOwnProperty.call(o, VARS_SCOPE)) Object.defineProperty(o, VARS_SCOPE, { value: NO_TEMPLATE, enumerable: false });
  return o;
}

/** Maximum evaluation steps for one top-level call (guards against runaway templates). */
export const MAX_STEPS = 2_000_000;
/** Maximum nesting of lazily rendered variables. */
export const MAX_DEPTH = 64;
/** Largest string a template may build. */
export const MAX_STRING = 64 * 1024 * 1024;

/** Shared state of one top-level evaluation (and the lazy renders it triggers). */
export interface RunState {
  steps: number;
  /** Template strings being rendered, with the variables they render against (cycle detection). */
  resolving: { src: string; vars: object; name: string }[];
  /** Scope propagated from objects carrying VARS_SCOPE. */
  scopeOf: WeakMap<object, Record<string, unknown>>;
  /** Deep-resolved containers, per scope. */
  deep: WeakMap<object, unknown>;
  /** Set while trackUnsafe() runs: flagged when the evaluation reads unsafe data. */
  taint?: { unsafe: boolean };
}

/** The sink evaluations started now report unsafe reads to (see trackUnsafe in index.ts). */
let taintSink: { unsafe: boolean } | undefined;

/** Run `fn` with `sink` collecting unsafe reads of the evaluations it starts (synchronous). */
export function withTaintSink<T>(sink: { unsafe: boolean }, fn: () => T): T {
  const prev = taintSink;
  taintSink = sink;
  try {
    return fn();
  } finally {
    taintSink = prev;
  }
}

/** The evaluation context of one template string. */
export interface Ctx {
  vars: Record<string, unknown>;
  opts: ExprOptions;
  /** The source text (one line, shortened) for messages. */
  src: string;
  /** Local frames from {% set %} and {% for %}, innermost last. */
  frames: Map<string, unknown>[];
  run: RunState;
  /** The CallCtx for filters (created on first use). */
  calls?: import('./registry.ts').CallCtx;
}

/** A context whose `src` (for messages) is shortened only when an error needs it. */
export function makeCtx(vars: Record<string, unknown>, opts: ExprOptions, raw: string, run: RunState): Ctx {
  return new EvalCtx(vars, opts, raw, run);
}

class EvalCtx implements Ctx {
  frames: Map<string, unknown>[] = [];
  calls?: Ctx['calls'];
  private short?: string;
  constructor(public vars: Record<string, unknown>, public opts: ExprOptions, private raw: string, public run: RunState) {}
  get src(): string {
    return (this.short ??= shortSrc(this.raw));
  }
}

/** A fresh run state. */
export function newRun(): RunState {
  return new Run();
}

class Run implements RunState {
  steps = 0;
  taint = taintSink;
  resolving: RunState['resolving'] = [];
  private _scopeOf?: WeakMap<object, Record<string, unknown>>;
  private _deep?: WeakMap<object, unknown>;
  get scopeOf(): WeakMap<object, Record<string, unknown>> {
    return (this._scopeOf ??= new WeakMap());
  }
  get deep(): WeakMap<object, unknown> {
    return (this._deep ??= new WeakMap());
  }
}
