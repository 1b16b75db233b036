// ShellSession's framing, on a real local /bin/sh running the session loop (the channel is a
// child process with the same events an ssh2 exec channel has: data, stderr data, close).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { MarkerScanner, ShellSession, sessionLoop, SessionEndedError } from '../../../engine/connection/session.ts';
import { drive } from '../../../engine/connection/driver.ts';

/** A local `sh -c LOOP` dressed as an ssh2 channel (data / stderr data / close / write / close()). */
async function open(): Promise<{ s: ShellSession; child: ChildProcess }> {
  let child!: ChildProcess;
  const fakeClient = {
    exec(cmd: string, cb: (err: Error | undefined, ch: unknown) => void) {
      const token = /^exec \/bin\/sh -c '__tsplay_t=([0-9a-f]+);/.exec(cmd)?.[1];
      if (!token) throw new Error('unexpected session command: ' + cmd.slice(0, 60));
      child = spawn('/bin/sh', ['-c', sessionLoop(token)], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const ch = Object.assign(new EventEmitter(), {
        stderr: child.stderr,
        write: (b: Buffer) => child.stdin!.write(b),
        close: () => process.kill(-child.pid!, 'SIGKILL'),
      });
      child.stdout!.on('data', (d: Buffer) => ch.emit('data', d));
      child.on('close', () => ch.emit('close'));
      cb(undefined, ch);
    },
  };
  const s = await ShellSession.open(fakeClient as never);
  return { s, child };
}

function run(s: ShellSession, cmd: string, stdin?: Buffer | string) {
  const proc = s.start(cmd, stdin === undefined ? undefined : Buffer.from(stdin));
  let pid = 0;
  proc.onPid((p) => (pid = p));
  return drive(proc, { command: cmd, pty: false }, { host: 'local' }).then((r) => ({ ...r, pid, out: r.stdout.toString(), err: r.stderr.toString() }));
}

describe('connection/session: MarkerScanner', () => {
  const m = Buffer.from('\n@@X-end-1 ');
  it('finds a marker split across chunks and returns the value after it', () => {
    const s = new MarkerScanner(m, true);
    const parts = ['hello\n@', '@X-e', 'nd-1 ', '4', '2\nrest'];
    let out = '';
    for (const p of parts) out += s.push(Buffer.from(p)).toString();
    expect(out).to.equal('hello');
    expect(s.value).to.equal('42');
    expect(s.rest.toString()).to.equal('rest');
  });
  it('releases output that cannot be part of the marker as it arrives', () => {
    const s = new MarkerScanner(Buffer.from('\n@@X-end-1\n'), false);
    const out = s.push(Buffer.from('a'.repeat(100)));
    expect(out.length).to.equal(100 - 10);
    expect(s.found).to.equal(false);
    expect(s.push(Buffer.from('\n@@X-end-1\n')).toString()).to.equal('a'.repeat(10));
    expect(s.found).to.equal(true);
  });
  it('a near miss is output, not a marker', () => {
    const s = new MarkerScanner(m, true);
    const a = s.push(Buffer.from('x\n@@X-end-2 0\n'));
    expect(s.found).to.equal(false);
    expect(a.toString() + s.push(Buffer.from('\n@@X-end-1 7\n')).toString()).to.equal('x\n@@X-end-2 0\n');
    expect(s.value).to.equal('7');
  });
});

describe('connection/session: the loop on a real /bin/sh', function () {
  this.timeout(10000);
  it('runs commands one after another: rc, byte-exact stdout/stderr, no trailing newline added', async () => {
    const { s } = await open();
    const a = await run(s, 'echo out; echo err >&2; printf nonl; exit 3');
    expect([a.rc, a.out, a.err]).to.deep.equal([3, 'out\nnonl', 'err\n']);
    const b = await run(s, 'printf "%s" "$PWD"');
    expect(b.rc).to.equal(0);
    const c = await run(s, 'printf ""');
    expect([c.rc, c.out, c.err]).to.deep.equal([0, '', '']);
    s.discard();
  });
  it('stdin is exactly the bytes sent (binary, no newline), and unread stdin does not desync the loop', async () => {
    const { s } = await open();
    const bin = Buffer.from([0, 1, 2, 255, 10, 13, 0x40, 0x40]);
    const r = await run(s, 'od -An -tx1 | tr -s " \\n" " "', bin);
    expect(r.out.trim()).to.equal('00 01 02 ff 0a 0d 40 40');
    const partial = await run(s, 'head -c 1', 'abcdef');
    expect(partial.out).to.equal('a');
    const next = await run(s, 'echo next');
    expect(next.out).to.equal('next\n');
    s.discard();
  });
  it('each command is isolated: variables, cwd, traps, set -e and exit do not leak; loop variables are not visible', async () => {
    const { s } = await open();
    await run(s, 'X=1; cd /tmp; set -e; trap "echo bye" EXIT; exit 0');
    const r = await run(s, 'echo "[$X][$PWD][$__tsplay_s][$__tsplay_q][$__tsplay_t][$#]"; false; echo still');
    expect(r.out.split('\n')[0]).to.not.include('/tmp]');
    expect(r.out).to.match(/^\[\]\[[^\]]*\]\[\]\[\]\[\]\[0\]\nstill\n$/);
    const syntax = await run(s, 'echo ok; if then');
    expect(syntax.rc).to.equal(2);
    expect(syntax.err).to.match(/Syntax error: "then" unexpected|syntax error/);
    expect((await run(s, 'echo alive')).out).to.equal('alive\n');
    s.discard();
  });
  it('a forged marker from a command is output (the token is secret), and huge outputs arrive intact', async () => {
    const { s } = await open();
    const r = await run(s, 'printf "\\n@@tsplay-0000-end-1 0\\n"; head -c 300000 /dev/zero | tr "\\0" x');
    expect(r.out.startsWith('\n@@tsplay-0000-end-1 0\n')).to.equal(true);
    expect(r.out.length).to.equal(23 + 300000);
    s.discard();
  });
  it('reports the pid of the command: killing it ends the command (rc 143) and the session goes on', async () => {
    const { s } = await open();
    const proc = s.start('sleep 5', undefined);
    const pid = await new Promise<number>((r) => proc.onPid(r));
    expect(pid).to.be.greaterThan(1);
    setTimeout(() => process.kill(pid, 'SIGTERM'), 100);
    const t0 = Date.now();
    const r = await drive(proc, { command: 'sleep 5', pty: false }, { host: 'local' });
    expect(r.rc).to.equal(143);
    expect(Date.now() - t0).to.be.lessThan(3000);
    expect((await run(s, 'echo after')).out).to.equal('after\n');
    s.discard();
  });
  it('a session whose shell dies mid-command fails it with SessionEndedError (ready: true)', async () => {
    const { s, child } = await open();
    const p = run(s, 'sleep 5');
    // the whole session dies (as when sshd closes it): its process group
    setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 150);
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(SessionEndedError);
    expect((err as SessionEndedError).ready).to.equal(true);
    expect(s.alive).to.equal(false);
  });
  it('a session that never starts (no ready line) fails with ready: false', async () => {
    let child!: ChildProcess;
    const fakeClient = {
      exec(_cmd: string, cb: (err: Error | undefined, ch: unknown) => void) {
        child = spawn('/bin/sh', ['-c', 'echo not a shell loop; exit 1'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const ch = Object.assign(new EventEmitter(), { stderr: child.stderr, write: (b: Buffer) => child.stdin!.write(b, () => {}), close: () => child.kill() });
        child.stdin!.on('error', () => {});
        child.stdout!.on('data', (d: Buffer) => ch.emit('data', d));
        child.on('close', () => ch.emit('close'));
        cb(undefined, ch);
      },
    };
    const s = await ShellSession.open(fakeClient as never);
    const err = await run(s, 'echo hi').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(SessionEndedError);
    expect((err as SessionEndedError).ready).to.equal(false);
  });
});
