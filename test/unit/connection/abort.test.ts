// ExecOptions.signal on a real local shell (LocalConnection shares drive() with SshConnection):
// an abort kills the running command's process tree and rejects; an aborted command never starts.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { LocalConnection } from '../../../engine/connection/local.ts';
import { CommandAbortedError } from '../../../engine/connection/errors.ts';

const alive = (pat: string) => execFileSync('/bin/sh', ['-c', `pgrep -f '${pat}' || true`]).toString().trim() !== '';

describe('connection: ExecOptions.signal', function () {
  this.timeout(10_000);
  it('aborting a running command kills it (and its children) and rejects with CommandAbortedError', async () => {
    const c = new LocalConnection('local');
    const ac = new AbortController();
    const t0 = Date.now();
    const p = c.exec('sleep 311 & sleep 312; echo never', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    expect(alive('sleep 31[2]')).to.equal(true);
    ac.abort();
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(CommandAbortedError);
    expect((err as Error).message).to.equal('command on local was stopped');
    expect(Date.now() - t0).to.be.lessThan(3000);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive('sleep 31[12]')).to.equal(false);
  });
  it('an already aborted signal: the command never runs', async () => {
    const c = new LocalConnection('local');
    const ac = new AbortController();
    ac.abort();
    const marker = `/tmp/tsplay-abort-${process.pid}`;
    const err = await c.exec(`touch ${marker}`, { signal: ac.signal }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(CommandAbortedError);
    await new Promise((r) => setTimeout(r, 200));
    expect(execFileSync('/bin/sh', ['-c', `test -e ${marker} && echo yes || echo no`]).toString().trim()).to.equal('no');
  });
  it('a command that finished before the abort keeps its result', async () => {
    const c = new LocalConnection('local');
    const ac = new AbortController();
    const r = await c.exec('echo done', { signal: ac.signal });
    ac.abort();
    expect(r).to.deep.equal({ rc: 0, stdout: 'done\n', stderr: '' });
  });
});

describe('connection: PutFileOptions.signal', function () {
  this.timeout(10_000);
  it('an aborted write never happens: the destination keeps its content, no temp file is left', async () => {
    const { mkdtempSync, writeFileSync, readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tsp-abortput-'));
    writeFileSync(join(dir, 'f'), 'old');
    const c = new LocalConnection('local');
    const ac = new AbortController();
    ac.abort();
    const err = await c.putFile(join(dir, 'f'), Buffer.from('new'), { signal: ac.signal }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(CommandAbortedError);
    expect(readFileSync(join(dir, 'f'), 'utf8')).to.equal('old');
    expect(readdirSync(dir)).to.deep.equal(['f']);
    await c.putFile(join(dir, 'f'), Buffer.from('new'), { signal: new AbortController().signal });
    expect(readFileSync(join(dir, 'f'), 'utf8')).to.equal('new');
  });
});
