/**
 * Interactive prompts on the controller's terminal (passwords without echo, yes/no questions).
 * Used for -K/-k, --ask-vault-pass and --step. Fails cleanly when there is no terminal.
 */
import { TsplayError, ExitCode } from './types.ts';

/** Ask a question on the TTY; `hidden` suppresses the echo (passwords). */
export async function prompt(question: string, hidden = false): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    // Non-interactive: read one line from stdin (so scripts can pipe a password in).
    return readLine(stdin);
  }
  process.stderr.write(question);
  stdin.setRawMode?.(hidden);
  try {
    if (!hidden) return await readLine(stdin);
    return await readHidden(stdin);
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    if (hidden) process.stderr.write('\n');
  }
}

function readLine(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i >= 0) done(buf.slice(0, i).replace(/\r$/, ''));
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
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.resume();
  });
}

function readHidden(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') {
          stream.off('data', onData);
          return reject(new TsplayError('interrupted', undefined, ExitCode.INTERRUPTED));
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const finish = () => {
      stream.off('data', onData);
      resolve(buf);
    };
    stream.on('data', onData);
    stream.resume();
  });
}
