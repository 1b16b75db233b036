/** Ask the user for a secret on the terminal (no echo). Used for encrypted private keys. */
import { TsplayError } from '../types.ts';

let chain: Promise<unknown> = Promise.resolve();

/**
 * Prompt on the controlling terminal without echo. Rejects with a clear TsplayError when
 * stdin is not a TTY. Prompts are serialized (parallel hosts never interleave prompts).
 */
export function promptHidden(question: string): Promise<string> {
  const run = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const stdin = process.stdin;
      if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
        reject(new TsplayError(`${question.replace(/:\s*$/, '')}: a passphrase is needed but there is no terminal to ask on (use ssh-agent or an unencrypted key)`));
        return;
      }
      process.stderr.write(question);
      let buf = '';
      const wasRaw = stdin.isRaw;
      stdin.setRawMode(true);
      stdin.resume();
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done();
          if (ch === '\u0003') return done(new TsplayError('interrupted at passphrase prompt'));
          if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      const done = (e?: Error) => {
        stdin.off('data', onData);
        stdin.setRawMode(wasRaw);
        stdin.pause();
        process.stderr.write('\n');
        if (e) reject(e);
        else resolve(buf);
      };
      stdin.on('data', onData);
    });
  const p = chain.then(run, run);
  chain = p.catch(() => undefined);
  return p;
}
