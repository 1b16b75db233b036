/** Errors raised by connections besides UnreachableError (see engine/types.ts). */
import { TsplayError, ExitCode } from '../types.ts';

/** Privilege escalation failed: wrong or missing sudo/su password, sudo not allowed. */
export class BecomeError extends TsplayError {
  constructor(message: string, public readonly host: string) {
    super(message, undefined, ExitCode.HOST_FAILED);
    this.name = 'BecomeError';
  }
}

/** A command ran longer than its timeoutMs and was killed. */
export class CommandTimeoutError extends TsplayError {
  constructor(public readonly timeoutMs: number, public readonly host: string) {
    super(`command timed out after ${timeoutMs / 1000} s and was killed`, undefined, ExitCode.HOST_FAILED);
    this.name = 'CommandTimeoutError';
  }
}

/** The caller aborted the command (ExecOptions.signal): it was killed on the host, or never started. */
export class CommandAbortedError extends TsplayError {
  constructor(public readonly host: string) {
    super(`command on ${host} was stopped`, undefined, ExitCode.HOST_FAILED);
    this.name = 'CommandAbortedError';
  }
}

/** A file could not be written or read on the target (disk full, permission denied, missing). */
export class RemoteFileError extends TsplayError {
  constructor(message: string, public readonly host: string) {
    super(message, undefined, ExitCode.HOST_FAILED);
    this.name = 'RemoteFileError';
  }
}
