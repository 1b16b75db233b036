/**
 * Errors raised while evaluating expressions: type errors, bad filter arguments,
 * failed lookups. Undefined variables use UndefinedVariableError (engine/types.ts).
 */
import { TsplayError, UndefinedVariableError, type SourcePos } from '../types.ts';

/** A template/expression failed at run time (Jinja's TemplateRuntimeError / TypeError). */
export class ExprError extends TsplayError {
  /** True when this wraps an unexpected JavaScript exception (a tsplay bug, not user input). */
  public internal = false;
  constructor(message: string, pos?: SourcePos) {
    super(oneLine(message), pos);
    this.name = 'ExprError';
  }
}

/** Collapse line breaks so an error always prints as one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Build an UndefinedVariableError with Ansible's wording (`hint`) and the expression. */
export function undefinedError(variable: string, hint: string, src: string | undefined, pos?: SourcePos): UndefinedVariableError {
  const e = new UndefinedVariableError(variable, pos);
  e.message = oneLine(src ? `${hint} (in "${src}")` : hint);
  return e;
}
