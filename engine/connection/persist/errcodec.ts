/**
 * Errors across the keeper socket: encoded by kind and rebuilt on the client as the same
 * classes (UnreachableError, BecomeError, CommandTimeoutError, RemoteFileError, TsplayError,
 * ParseError, OptionsError), with the same message, host, exit code and position.
 */
import { OptionsError, ParseError, TsplayError, UnreachableError, type ExitCode, type SourcePos } from '../../types.ts';
import { BecomeError, CommandTimeoutError, RemoteFileError } from '../errors.ts';

/** An error as it travels in a frame header. */
export interface WireError {
  kind: string;
  message: string;
  host?: string;
  timeoutMs?: number;
  exitCode?: number;
  pos?: SourcePos;
}

/** Encode any thrown value. */
export function encodeError(e: unknown): WireError {
  if (!(e instanceof Error)) return { kind: 'Error', message: String(e) };
  const host = (e as { host?: unknown }).host;
  const w: WireError = { kind: e.name, message: e.message, ...(typeof host === 'string' ? { host } : {}) };
  if (e instanceof CommandTimeoutError) w.timeoutMs = e.timeoutMs;
  if (e instanceof TsplayError) {
    w.exitCode = e.exitCode;
    if (e.pos) w.pos = e.pos;
    if (!['UnreachableError', 'BecomeError', 'CommandTimeoutError', 'RemoteFileError', 'ParseError', 'OptionsError'].includes(w.kind)) w.kind = 'TsplayError';
  } else w.kind = 'Error';
  return w;
}

/** Rebuild the error a WireError describes. */
export function decodeError(w: WireError): Error {
  const host = w.host ?? '';
  switch (w.kind) {
    case 'UnreachableError':
      return new UnreachableError(w.message, host);
    case 'BecomeError':
      return new BecomeError(w.message, host);
    case 'CommandTimeoutError': {
      const e = new CommandTimeoutError(w.timeoutMs ?? 0, host);
      if (e.message !== w.message) e.message = w.message;
      return e;
    }
    case 'RemoteFileError':
      return new RemoteFileError(w.message, host);
    case 'ParseError':
      return new ParseError(w.message, w.pos);
    case 'OptionsError':
      return new OptionsError(w.message);
    case 'TsplayError':
      return new TsplayError(w.message, w.pos, (w.exitCode ?? 1) as ExitCode);
    default:
      return new Error(w.message);
  }
}
