/**
 * engine/prompt.ts, the one prompt module: hidden answers are never echoed, a fake terminal
 * (an injected stream with isTTY and setRawMode) drives the same code as a real one, piped
 * stdin gives consecutive lines, key passphrases are refused without a terminal, Ctrl+C is
 * exit 99, and prompts never interleave.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { isInteractive, prompt, promptHidden, setPromptIO, type PromptInput } from '../../../engine/prompt.ts';
import { ExitCode, TsplayError } from '../../../engine/types.ts';

/** A stream posing as a terminal (or a pipe when tty=false); records raw-mode switches. */
function fakeInput(tty: boolean): PromptInput & PassThrough & { rawLog: boolean[] } {
  const s = new PassThrough() as PassThrough & PromptInput & { rawLog: boolean[] };
  s.rawLog = [];
  if (tty) {
    s.isTTY = true;
    s.isRaw = false;
    s.setRawMode = (m: boolean) => {
      s.rawLog.push(m);
      s.isRaw = m;
      return s;
    };
  }
  return s;
}

function io(tty: boolean) {
  const input = fakeInput(tty);
  let out = '';
  setPromptIO({ input, output: { write: (x: string) => (out += x) } });
  return { input, out: () => out };
}

describe('prompt (engine/prompt.ts)', () => {
  afterEach(() => setPromptIO(undefined));

  it('hidden on a terminal: raw mode on then restored, question shown, the answer never echoed', async () => {
    const t = io(true);
    const p = prompt('BECOME password: ', true);
    t.input.write('s3cr');
    t.input.write('x\u007fet\r');
    expect(await p).to.equal('s3cret');
    expect(t.out()).to.equal('BECOME password: \n');
    expect(t.out()).to.not.include('s3');
    expect(t.input.rawLog).to.deep.equal([true, false]);
    expect(isInteractive()).to.equal(true);
  });

  it('visible on a terminal: reads one line', async () => {
    const t = io(true);
    const p = prompt('Perform task? ');
    t.input.write('yes\n');
    expect(await p).to.equal('yes');
    expect(t.out()).to.equal('Perform task? ');
  });

  it('without a terminal: consecutive lines of the pipe answer consecutive prompts (even from one chunk), nothing written', async () => {
    const t = io(false);
    t.input.write('pw1\npw2\n');
    expect(await prompt('SSH password: ', true)).to.equal('pw1');
    expect(await prompt('BECOME password: ', true)).to.equal('pw2');
    expect(t.out()).to.equal('');
    expect(isInteractive()).to.equal(false);
    t.input.end();
    const e = await prompt('more: ').catch((x) => x);
    expect(e).to.be.instanceOf(TsplayError);
    expect((e as TsplayError).exitCode).to.equal(ExitCode.BAD_OPTIONS);
  });

  it('a key passphrase is refused without a terminal (never read from a pipe)', async () => {
    const t = io(false);
    t.input.write('notme\n');
    const e = await promptHidden("Enter passphrase for key '/k': ").catch((x) => x);
    expect(e).to.be.instanceOf(TsplayError);
    expect((e as TsplayError).message).to.match(/Enter passphrase for key '\/k': a passphrase is needed but there is no terminal/);
  });

  it('Ctrl+C at a hidden prompt rejects with exit 99 and restores the terminal', async () => {
    const t = io(true);
    const p = promptHidden('Enter passphrase: ');
    t.input.write('ab\u0003');
    const e = await p.catch((x) => x);
    expect((e as TsplayError).exitCode).to.equal(ExitCode.INTERRUPTED);
    expect(t.input.isRaw).to.equal(false);
  });

  it('prompts are serialized: the second question is shown only after the first is answered', async () => {
    const t = io(true);
    const a = promptHidden('first: ');
    const b = promptHidden('second: ');
    await new Promise((r) => setImmediate(r));
    expect(t.out()).to.equal('first: ');
    t.input.write('1\r');
    expect(await a).to.equal('1');
    await new Promise((r) => setImmediate(r));
    expect(t.out()).to.equal('first: \nsecond: ');
    t.input.write('2\r');
    expect(await b).to.equal('2');
  });
});
