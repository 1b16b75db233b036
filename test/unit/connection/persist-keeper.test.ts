/**
 * The connection keeper process itself (no hosts needed): started on first need, 0700 directory
 * and 0600 socket, a stale socket (keeper killed -9) is replaced, a directory owned by someone else
 * is refused, the keeper exits once it has neither clients nor connections.
 * Real processes (bin/tsplay.js __mux); every keeper started here is killed by pid in after().
 */
import { expect } from 'chai';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MuxClient } from '../../../engine/connection/persist/client.ts';
import { keeperPaths } from '../../../engine/connection/persist/paths.ts';
import { pidAlive } from '../../support/proc.ts';


describe('connection keeper process', function () {
  this.timeout(30_000);
  const pids: number[] = [];
  let base: string;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'tsplay-keeper-'));
  });
  after(() => {
    for (const p of pids) if (pidAlive(p)) process.kill(p, 'SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });

  it('starts on first need with a 0700 directory and a 0600 socket; a stale socket is replaced; it exits when idle', async () => {
    const paths = keeperPaths({ ...process.env, TSPLAY_HOME: join(base, 'a') });
    const why: string[] = [];
    const a = await MuxClient.connect((m) => why.push(m), paths);
    expect(a, why.join('; ')).to.not.equal(undefined);
    pids.push(a!.keeperPid);
    expect(statSync(paths.dir).mode & 0o777).to.equal(0o700);
    expect(statSync(paths.socket).mode & 0o777).to.equal(0o600);
    // a second client reaches the same keeper
    const a2 = await MuxClient.connect(() => undefined, paths);
    expect(a2!.keeperPid).to.equal(a!.keeperPid);
    a2!.close();
    process.kill(a!.keeperPid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const b = await MuxClient.connect((m) => why.push(m), paths);
    expect(b, why.join('; ')).to.not.equal(undefined);
    pids.push(b!.keeperPid);
    expect(b!.keeperPid).to.not.equal(a!.keeperPid);
    b!.close();
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gone = !pidAlive(b!.keeperPid);
    }
    expect(gone, 'keeper without clients or connections exits').to.equal(true);
  });

  it('a starting keeper removes other builds\' logs older than a week, and only those', async () => {
    const home = join(base, 'c');
    const dir = join(home, 'cp');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (const f of ['old.log', 'busy.log', 'busy.sock', 'recent.log']) writeFileSync(join(dir, f), 'x');
    for (const f of ['old.log', 'busy.log', 'busy.sock']) utimesSync(join(dir, f), old, old);
    const c = await MuxClient.connect(() => undefined, keeperPaths({ ...process.env, TSPLAY_HOME: home }));
    expect(c).to.not.equal(undefined);
    pids.push(c!.keeperPid);
    c!.close();
    const left = readdirSync(dir).filter((f) => ['old.log', 'busy.log', 'recent.log'].includes(f)).sort();
    expect(left).to.deep.equal(['busy.log', 'recent.log']);
  });

  it('a keeper directory owned by another user is refused (the run connects directly)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to give the directory away; the lab suites run as root
    const home = join(base, 'b');
    mkdirSync(join(home, 'cp'), { recursive: true, mode: 0o700 });
    chownSync(join(home, 'cp'), 65534, 65534);
    const why: string[] = [];
    const c = await MuxClient.connect((m) => why.push(m), keeperPaths({ ...process.env, TSPLAY_HOME: home }));
    expect(c).to.equal(undefined);
    expect(why.join('\n')).to.match(/connection keeper not used: .*cp is owned by uid 65534/);
  });
});
