/**
 * THE interactive prompt of the controller (one module for every question tsplay asks):
 * -k/-K passwords, --ask-vault-pass, key passphrases, --step, pause and vars_prompt.
 *
 * - Hidden answers (passwords) are read in raw mode: nothing is echoed; Ctrl+C rejects with
 *   exit code 99 (interrupted), backspace edits.
 * - Prompts are serialized: parallel hosts asking at once (key passphrases) never interleave.
 * - Without a terminal, `prompt()` reads one line from stdin (so scripts can pipe a password
 *   in; several prompts read consecutive lines), while `promptHidden()` refuses: a key
 *   passphrase is never read from a pipe.
 * - The streams are injectable (`setPromptIO`) so tests drive the same code path without a TTY.
 */
import { TsplayError, ExitCode } from './types.ts';

/** The input side of a prompt: process.stdin, or a test stream posing as one. */
export interface PromptInput extends NodeJS.EventEmitter {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** Where questions are written and answers read. */
export interface PromptIO {
  input: PromptInput;
  output: { write(s: string): unknown };
}

let custom: PromptIO | undefined;
/** Unread input after a line was consumed (piped stdin may carry several answers in one chunk). */
const pending = new WeakMap<PromptInput, string>();
let chain: Promise<unknown> = Promise.resolve();

/** Use these streams for prompts (tests); `undefined` restores process.stdin / process.stderr. */
export function setPromptIO(io: PromptIO | undefined): void {
  custom = io;
}

function currentIO(): PromptIO {
  return custom ?? { input: process.stdin as unknown as PromptInput, output: process.stderr };
}

/** Is there a terminal to ask on? (vars_prompt does not prompt otherwise, as Ansible.) */
export function isInteractive(): boolean {
  return currentIO().input.isTTY === true;
}

/** Show a line to the user where the questions are asked (e.g. vars_prompt's confirm mismatch). */
export function promptNote(line: string): void {
  currentIO().output.write(line + '\n');
}

/** Run prompts one at a time. */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const p = chain.then(fn, fn);
  chain = p.catch(() => undefined);
  return p;
}

/**
 * Ask a question; `hidden` suppresses the echo (passwords). On a terminal the question is
 * written to stderr; without one, one line is read from stdin (the question is not shown).
 * Rejects with a TsplayError (exit 5) when stdin is closed with nothing to read.
 */
export function prompt(question: string, hidden = false): Promise<string> {
  return serialized(async () => {
    const { input, output } = currentIO();
    if (!input.isTTY) return readLine(input);
    output.write(question);
    if (hidden && typeof input.setRawMode === 'function') return readHidden(input, output);
    // Cooked mode: Ctrl+C is a SIGINT, not a character; it ends the question (exit 99).
    let onSigint: (() => void) | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      onSigint = () => reject(new TsplayError('User interrupted execution', undefined, ExitCode.INTERRUPTED));
      process.once('SIGINT', onSigint);
    });
    const line = readLine(input);
    try {
      return await Promise.race([line, interrupted]);
    } finally {
      process.off('SIGINT', onSigint!);
      line.catch(() => undefined);
      input.pause();
    }
  });
}

/**
 * Ask for a secret on the terminal only (key passphrases): rejects with a clear TsplayError
 * when there is no terminal, instead of reading a pipe.
 */
export function promptHidden(question: string): Promise<string> {
  return serialized(async () => {
    const { input, output } = currentIO();
    if (!input.isTTY || typeof input.setRawMode !== 'function') {
      throw new TsplayError(`${question.replace(/:\s*$/, '')}: a passphrase is needed but there is no terminal to ask on (use ssh-agent or an unencrypted key)`);
    }
    output.write(question);
    return readHidden(input, output);
  });
}

function readLine(stream: PromptInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = pending.get(stream) ?? '';
    pending.delete(stream);
    const take = (): boolean => {
      const i = buf.indexOf('\n');
      if (i < 0) return false;
      const rest = buf.slice(i + 1);
      if (rest) pending.set(stream, rest);
      done(buf.slice(0, i).replace(/\r$/, ''));
      return true;
    };
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      take();
    };
    const onEnd = () => (buf.length ? done(buf.replace(/\r?\n$/, '')) : fail());
    const done = (v: string) => {
      cleanup();
      resolve(v);
    };
    const fail = () => {
      cleanup();
      reject(new TsplayError('no input available for a prompt (stdin closed); pass the value with an option instead', undefined, ExitCode.BAD_OPTIONS));
    };
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
    };
    if (take()) return;
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.resume();
  });
}

function readHidden(stream: PromptInput, output: PromptIO['output']): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const wasRaw = stream.isRaw === true;
    stream.setRawMode!(true);
    const onData = (d: Buffer | string) => {
      for (const ch of d.toString()) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new TsplayError('User interrupted execution', undefined, ExitCode.INTERRUPTED));
        if (ch === '\u0004' && buf === '') return finish(new TsplayError('no input available for a prompt (end of input)', undefined, ExitCode.BAD_OPTIONS));
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const finish = (e?: Error) => {
      stream.off('data', onData);
      stream.setRawMode!(wasRaw);
      stream.pause();
      output.write('\n');
      if (e) reject(e);
      else resolve(buf);
    };
    stream.on('data', onData);
    stream.resume();
  });
}
