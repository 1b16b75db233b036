/**
 * Expected module failures. A module throws `ModuleFailure` (via `fail()`) when the task must
 * fail with a clear message; the runner turns it into `{failed: true, msg, ...extra}`.
 */

/** A task failure with a message and optional extra result keys (rc, stderr, ...). */
export class ModuleFailure extends Error {
  constructor(message: string, public readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ModuleFailure';
  }
}

/** Throw a ModuleFailure: the task fails with `msg` and the extra result keys. */
export function fail(msg: string, extra: Record<string, unknown> = {}): never {
  throw new ModuleFailure(msg, extra);
}
