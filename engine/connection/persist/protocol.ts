/**
 * Messages between a tsplay run (client) and the connection keeper, carried in frames
 * (frame.ts). Every request has an `id`; the keeper answers it with exactly one `ok` or `error`
 * (or `fallback` for connect: use a direct connection). `log` messages are unsolicited.
 *
 *   hello   {v}                                   -> ok {pid}
 *   connect {params, persistMs}                   -> ok {cid, notes} | error | fallback {reason}
 *   run     {cid, command, opts}  [stdin]          -> ok {rc} [stdout, stderr]
 *   put     {cid, path, opts}     [content]        -> ok
 *   get     {cid, path, become?}                   -> ok [content]
 *   release {cid}   kill this client's commands on cid, drop its reference -> ok
 *   log     {cid, msg}  (keeper -> client: known_hosts accept-new and similar notes)
 */
import type { BecomeSpec, PutFileOptions } from '../../types.ts';

/** Protocol version; a keeper answering another version is not used. */
export const PROTO_VERSION = 1;

/** ExecOptions as sent (stdin travels as a payload). */
export interface WireExecOptions {
  env?: Record<string, string>;
  cwd?: string;
  become?: BecomeSpec;
  timeoutMs?: number;
  /** a stdin payload is present */
  stdin?: boolean;
}

/** Client -> keeper request headers. */
export type Request =
  | { op: 'hello'; id: number; v: number }
  | { op: 'connect'; id: number; params: import('../params.ts').ConnParams; persistMs: number }
  | { op: 'run'; id: number; cid: string; command: string; opts: WireExecOptions }
  | { op: 'put'; id: number; cid: string; path: string; opts: PutFileOptions }
  | { op: 'get'; id: number; cid: string; path: string; become?: BecomeSpec }
  | { op: 'release'; id: number; cid: string };

/** Keeper -> client headers. */
export type Reply =
  | { op: 'ok'; id: number; pid?: number; v?: number; cid?: string; rc?: number; notes?: string[] }
  | { op: 'error'; id: number; error: import('./errcodec.ts').WireError }
  | { op: 'fallback'; id: number; reason: string }
  | { op: 'log'; cid: string; msg: string };
