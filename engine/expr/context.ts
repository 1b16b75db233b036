/**
 * Evaluation context shared by the evaluator, filters, tests and lookups:
 * the variables, options, step budget, cycle detection and per-evaluation caches.
 */
import type { SourcePos } from '../types.ts';

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

/** Maximum evaluation steps for one top-level call (guards against runaway templates). */
export const MAX_STEPS = 5_000_000;
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
}

/** A fresh run state. */
export function newRun(): RunState {
  return { steps: 0, resolving: [], scopeOf: new WeakMap(), deep: new WeakMap() };
}
