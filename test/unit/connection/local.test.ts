import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../../engine/connection/local.ts';
import { ConnectionPool } from '../../../engine/connection/pool.ts';
import { connParamsFor } from '../../../engine/connection/params.ts';
import { CommandTimeoutError, RemoteFileError } from '../../../engine/connection/errors.ts';
import { registerSecret, clearSecrets } from '../../../engine/secrets.ts';

describe('connection/local: LocalConnection (the controller itself)', () => {
  const c = new LocalConnection('localhost');
  const dir = mkdtempSync(join(tmpdir(), 'tsp-local-'));

  it('exec returns rc/stdout/stderr and never rejects on rc != 0', async () => {
    expect(await c.exec('echo out; echo err >&2; exit 7')).to.deep.equal({ rc: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('stdin, env (quoted), cwd', async () => {
    const r = await c.exec('cat; pwd; printf %s "$X"', { stdin: 'data\n', env: { X: "a 'b' $c" }, cwd: dir });
    expect(r.stdout).to.equal(`data\n${dir}\na 'b' $c`);
  });

  it('binary stdin round-trips byte-exact', async () => {
    const buf = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r = await c.run('cat', { stdin: buf });
    expect(r.stdout.equals(buf)).to.equal(true);
  });

  it('timeoutMs kills the whole command and rejects with CommandTimeoutError', async () => {
    const marker = `tsp-sleep-${process.pid}`;
    const t0 = Date.now();
    let err: unknown;
    try {
      await c.exec(`sh -c 'sleep 30; echo ${marker}' & wait`, { timeoutMs: 1000 });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(CommandTimeoutError);
    expect(Date.now() - t0).to.be.lessThan(6000);
    // /proc scan (no procps needed); the [t] keeps this command from matching itself
    const ps = await c.exec(`grep -la "[t]sp-sleep-${process.pid}" /proc/[0-9]*/cmdline 2>/dev/null | wc -l`);
    expect(ps.stdout.trim()).to.equal('0');
    const self = await c.exec(`sh -c 'sleep 1; echo ${marker}' >/dev/null & sleep 0.2; grep -la "[t]sp-sleep-${process.pid}" /proc/[0-9]*/cmdline 2>/dev/null | wc -l; wait`);
    expect(Number(self.stdout.trim())).to.be.greaterThan(0); // the check can see such a process
  });

  it('putFile is atomic with mode; getFile reads bytes; missing file is a clear error', async () => {
    const f = join(dir, 'f.txt');
    writeFileSync(f, 'old');
    await c.putFile(f, Buffer.from('new content'), { mode: '0600' });
    expect(readFileSync(f, 'utf8')).to.equal('new content');
    expect(statSync(f).mode & 0o777).to.equal(0o600);
    expect((await c.getFile(f)).toString()).to.equal('new content');
    expect(readdirSync(dir).filter((n) => n.includes('tsplay-tmp'))).to.deep.equal([]);
    let err: unknown;
    try {
      await c.getFile(join(dir, 'missing'));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(RemoteFileError);
    expect((err as Error).message).to.match(/could not read .*missing on localhost: .*No such file/);
  });

  it('su with a password is refused clearly (no pty locally)', async () => {
    let err: unknown;
    try {
      await c.exec('id', { become: { method: 'su', user: 'root', password: 'x-pw-123' } });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.match(/su with a password is not supported on the local connection/);
    expect((err as Error).message).to.not.contain('x-pw-123');
  });

  it('ConnectionPool gives local connections for ansible_connection=local / implicit localhost', async () => {
    const pool = new ConnectionPool();
    const a = await pool.get('localhost', connParamsFor('localhost', {}));
    const b = await pool.get('localhost', connParamsFor('localhost', {}));
    expect(a).to.equal(b);
    expect(a).to.be.instanceOf(LocalConnection);
    expect((await a.exec('echo ok')).stdout).to.equal('ok\n');
    await pool.closeAll();
  });

  it('onCommand hook sees every command (redacted) for -vvv', async () => {
    const seen: string[] = [];
    registerSecret('cmd-secret-991');
    const pool = new ConnectionPool({ onCommand: (h, cmd, b) => seen.push(`${h}|${b ?? '-'}|${cmd}`) });
    const conn = await pool.get('localhost', connParamsFor('localhost', {}));
    await conn.exec('echo cmd-secret-991 >/dev/null');
    expect(seen).to.deep.equal(['localhost|-|echo ******** >/dev/null']);
    clearSecrets();
    await pool.closeAll();
  });

  it('a command line over the kernel limit is refused clearly, before anything runs', async () => {
    let err: unknown;
    try {
      await c.exec(`echo ${'x'.repeat(130 * 1024)}`);
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.match(/command for localhost is too long \(\d+ bytes, the limit is 122880\): send large data on stdin or with putFile/);
  });

  it('close() kills the process group of running commands (Ctrl+C does not wait for them)', async () => {
    const conn = new LocalConnection('localhost');
    const marker = join(dir, 'after-close');
    const t0 = Date.now();
    const p = conn.exec(`(sleep 30; touch ${marker}) & sleep 30; touch ${marker}`);
    await new Promise((r) => setTimeout(r, 300));
    await conn.close();
    const r = await p;
    expect(Date.now() - t0).to.be.lessThan(5000);
    expect(r.rc).to.not.equal(0);
    await new Promise((res) => setTimeout(res, 200));
    expect(readdirSync(dir)).to.not.include('after-close');
  });
});
