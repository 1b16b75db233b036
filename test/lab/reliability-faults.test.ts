/**
 * Fault injection through the real CLI on real lab hosts (lab 'tsp-rel', 4 hosts):
 * sshd killed on 1 of 4 hosts mid-play, a network link cut mid-task, SIGINT and SIGKILL of the
 * controller, a full target disk, host-key changes / unknown hosts / accept-new, handler
 * notifications surviving a failed run, and --retry-file / --limit @file.
 * Faults are injected inside the hosts with labExec (nsenter, no ssh).
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { bootLab, teardownLab, labExec, type LabInfo } from '../support/lab.ts';
import { tsplay, startTsplay, recap, writeInventory, sleep, waitFor } from './reliability-support.ts';
import { recordFigure } from '../unit/badinput/figures.ts';

const LAB = 'tsp-rel';

describe('reliability: faults on lab hosts (tsp-rel)', function () {
  this.timeout(120_000);
  let lab: LabInfo;
  let dir: string;
  let inv: string;
  let home: string;
  let survived = 0;
  const env = () => ({ TSPLAY_HOME: home });
  /** Stop the connection keepers the runs started (docs/cli.md, "Connection persistence"): only the pids in their pid files. */
  const stopKeepers = async () => {
    const cp = join(home, 'cp');
    const pids = existsSync(cp) ? readdirSync(cp).filter((f) => f.endsWith('.pid')).map((f) => Number(readFileSync(join(cp, f), 'utf8').trim())).filter((p) => p > 1) : [];
    for (const p of pids) {
      try { process.kill(p, 'SIGTERM'); } catch { /* gone */ }
    }
    await waitFor(async () => pids.every((p) => { try { process.kill(p, 0); return false; } catch { return true; } }), 5_000);
  };
  const inHost = async (host: string, cmd: string) => (await labExec(LAB, host, cmd, { timeoutMs: 30_000 })) as { rc: number; stdout: string; stderr: string };
  const play = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async function () {
    this.timeout(600_000);
    lab = await bootLab(LAB, 4);
    dir = mkdtempSync(join(tmpdir(), 'tsp-rel-'));
    home = join(dir, 'home');
    // short keepalives so a dead link is noticed in seconds (ServerAliveInterval x CountMax)
    inv = writeInventory(lab, dir, 'hosts.ini', {
      commonArgs: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes -o ServerAliveInterval=2 -o ServerAliveCountMax=2`,
    });
  });

  after(async function () {
    this.timeout(120_000);
    recordFigure('faults_survived', survived, 'faults injected on lab hosts and survived with nothing lost (reliability-faults.test.ts)');
    if (home) await stopKeepers();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await teardownLab(LAB);
  });

  it('sshd killed on 1 of 4 hosts mid-play: the other 3 finish, recap shows it unreachable, exit 3, a re-run converges', async () => {
    const pb = play('kill-sshd.yml', `
- hosts: lab
  gather_facts: false
  tasks:
    - copy: { content: "one\\n", dest: /root/rel-a1 }
    - shell: sleep 4
    - copy: { content: "two\\n", dest: /root/rel-a2 }
`);
    await Promise.all(['h1', 'h2', 'h3', 'h4'].map((h) => inHost(h, 'rm -f /root/rel-a1 /root/rel-a2')));
    const run = startTsplay([pb, '-i', inv], { env: env() });
    // wait until the sleep runs on h2, then kill every sshd process of h2 (listener and sessions)
    expect(await waitFor(async () => (await inHost('h2', 'pgrep -x sleep')).rc === 0, 30_000), 'sleep never started on h2').to.equal(true);
    await inHost('h2', 'systemctl kill -s KILL ssh.service; systemctl stop ssh.service; kill -9 $(pidof sshd) 2>/dev/null; true');
    const r = await run.done;
    const rc = recap(r.stdout);
    expect(r.rc, r.stdout + r.stderr).to.equal(3);
    expect(rc.h2.unreachable, r.stdout).to.equal(1);
    for (const h of ['h1', 'h3', 'h4']) {
      expect(rc[h], r.stdout).to.include({ failed: 0, unreachable: 0 });
      expect((await inHost(h, 'cat /root/rel-a2')).stdout).to.equal('two\n');
    }
    expect(r.stderr).to.not.match(/^\s+at /m);
    // restore h2 and re-run: converges, only h2 changes
    await inHost('h2', 'systemctl start ssh.service');
    expect(await waitFor(async () => (await inHost('h2', 'systemctl is-active ssh.service')).stdout.trim() === 'active', 20_000)).to.equal(true);
    const again = await tsplay([pb, '-i', inv], { env: env() });
    expect(again.rc, again.stdout + again.stderr).to.equal(0);
    const rc2 = recap(again.stdout);
    expect(rc2.h2.changed, again.stdout).to.be.greaterThan(0);
    expect((await inHost('h2', 'cat /root/rel-a2')).stdout).to.equal('two\n');
    for (const h of ['h1', 'h3', 'h4']) expect(rc2[h].changed, again.stdout).to.equal(1); // only the shell task
    survived++;
  });

  it('network cut mid-task (eth0 down inside the host): the task fails after the keepalive timeout, no hang', async () => {
    const pb = play('netcut.yml', `
- hosts: h3
  gather_facts: false
  tasks:
    - shell: sleep 30
`);
    const run = startTsplay([pb, '-i', inv, '-T', '3'], { env: env() });
    try {
      expect(await waitFor(async () => (await inHost('h3', 'pgrep -x sleep')).rc === 0, 30_000), 'sleep never started').to.equal(true);
      await inHost('h3', 'ip link set eth0 down');
      const cut = Date.now();
      const r = await Promise.race([run.done, sleep(25_000).then(() => undefined)]);
      expect(r, 'the controller hung for 25 s after the link went down').to.not.equal(undefined);
      const out = r!;
      expect(Date.now() - cut).to.be.lessThan(20_000);
      expect(out.rc, out.stdout + out.stderr).to.equal(3);
      expect(recap(out.stdout).h3.unreachable, out.stdout).to.equal(1);
      expect(out.stdout + out.stderr).to.match(/h3/);
      expect(out.stderr).to.not.match(/^\s+at /m);
    } finally {
      run.child.kill('SIGKILL');
      await inHost('h3', 'ip link set eth0 up; pkill -x sleep; true');
    }
    // the host is reachable again afterwards
    expect(await waitFor(async () => (await tsplay(['run', 'h3', '-i', inv, '-a', 'true'], { env: env() })).rc === 0, 20_000)).to.equal(true);
    survived++;
  });

  it('SIGINT to the controller: remote commands stopped, clean summary, exit 99', async () => {
    const pb = play('sigint.yml', `
- hosts: h1,h4
  gather_facts: false
  tasks:
    - shell: sleep 61
`);
    const run = startTsplay([pb, '-i', inv], { env: env() });
    expect(await waitFor(async () => (await inHost('h1', 'pgrep -fx "sleep 61"')).rc === 0 && (await inHost('h4', 'pgrep -fx "sleep 61"')).rc === 0, 30_000)).to.equal(true);
    run.child.kill('SIGINT');
    const r = await Promise.race([run.done, sleep(20_000).then(() => undefined)]);
    expect(r, 'no exit 20 s after SIGINT').to.not.equal(undefined);
    expect(r!.rc, r!.stdout + r!.stderr).to.equal(99);
    expect(r!.stderr).to.match(/User interrupted execution/);
    expect(r!.stdout).to.match(/PLAY RECAP/);
    expect(r!.stderr).to.not.match(/^\s+at /m);
    for (const h of ['h1', 'h4']) {
      expect(await waitFor(async () => (await inHost(h, 'pgrep -fx "sleep 61"')).rc !== 0, 10_000), `sleep 61 still runs on ${h}`).to.equal(true);
    }
    // the run's connections are kept by the connection keeper (ControlPersist-like); once it is stopped, none remains
    await stopKeepers();
    for (const h of ['h1', 'h4']) {
      // connections closed: no sshd session process for root remains
      expect(await waitFor(async () => !/sshd: root/.test((await inHost(h, 'ps -eo args')).stdout), 10_000), `an ssh session is still open on ${h}`).to.equal(true);
    }
    survived++;
  });

  it('SIGKILL while copying 200 MB: the target holds the old file or the new one; no temp file remains after the next run', async () => {
    const big = join(dir, 'big.bin');
    const data = randomBytes(200 * 1024 * 1024);
    writeFileSync(big, data);
    const newSum = createHash('sha256').update(data).digest('hex');
    await inHost('h1', 'mkdir -p /root/big && printf old > /root/big/file && rm -f /root/big/.tsplay-tmp-*');
    const oldSum = (await inHost('h1', 'sha256sum /root/big/file')).stdout.split(' ')[0];
    const pb = play('bigcopy.yml', `
- hosts: h1
  gather_facts: false
  tasks:
    - copy: { src: ${big}, dest: /root/big/file }
`);
    const run = startTsplay([pb, '-i', inv], { env: env() });
    const started = await waitFor(async () => /[1-9]/.test((await inHost('h1', 'stat -c %s /root/big/.tsplay-tmp-* 2>/dev/null')).stdout), 60_000);
    run.child.kill('SIGKILL');
    await run.done;
    expect(started, 'the transfer never started').to.equal(true);
    await sleep(1000);
    const sum = (await inHost('h1', 'sha256sum /root/big/file')).stdout.split(' ')[0];
    expect([oldSum, newSum]).to.include(sum);
    // the next run completes the copy and leaves no temp file behind
    const r = await tsplay([pb, '-i', inv], { env: env() });
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    expect((await inHost('h1', 'sha256sum /root/big/file')).stdout.split(' ')[0]).to.equal(newSum);
    expect((await inHost('h1', 'ls -a /root/big')).stdout.split('\n').filter((f) => f.startsWith('.tsplay'))).to.deep.equal([]);
    await inHost('h1', 'rm -rf /root/big');
    survived++;
  });

  it('a stale temp file left by a killed run is removed by the next write to that directory', async () => {
    // a temp file whose writer died long ago (as after a power loss of the controller)
    await inHost('h2', 'mkdir -p /root/stale && touch -d "-10 min" /root/stale/.tsplay-tmp-abc123 && printf x > /root/stale/f');
    const r = await tsplay(['run', 'h2', '-i', inv, '-m', 'copy', '-a', 'content=y dest=/root/stale/f'], { env: env() });
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    expect((await inHost('h2', 'ls -a /root/stale')).stdout.split('\n').filter((f) => f.startsWith('.tsplay'))).to.deep.equal([]);
    await inHost('h2', 'rm -rf /root/stale');
    survived++;
  });

  it('target disk full (1 MB tmpfs): a clear error, the original file intact, no temp file left', async () => {
    await inHost('h4', 'mkdir -p /mnt/small && (mountpoint -q /mnt/small || mount -t tmpfs -o size=1m tmpfs /mnt/small) && printf original > /mnt/small/f');
    const big = join(dir, 'three-mb.bin');
    writeFileSync(big, randomBytes(3 * 1024 * 1024));
    const pb = play('diskfull.yml', `
- hosts: h4
  gather_facts: false
  tasks:
    - copy: { src: ${big}, dest: /mnt/small/f }
`);
    try {
      const r = await tsplay([pb, '-i', inv], { env: env() });
      expect(r.rc, r.stdout + r.stderr).to.equal(2);
      expect(r.stdout + r.stderr).to.match(/no space left on device/i);
      expect(r.stdout + r.stderr).to.match(/\/mnt\/small\/f/);
      expect(r.stderr).to.not.match(/^\s+at /m);
      expect((await inHost('h4', 'cat /mnt/small/f')).stdout).to.equal('original');
      expect((await inHost('h4', 'ls -a /mnt/small')).stdout.split('\n').filter((f) => f.startsWith('.tsplay'))).to.deep.equal([]);
    } finally {
      await inHost('h4', 'umount /mnt/small; rmdir /mnt/small');
    }
    survived++;
  });

  it('handler notifications survive a failed run; --force-handlers runs them in the failed run', async () => {
    const pb = play('handlers.yml', `
- hosts: h1,h2
  gather_facts: false
  tasks:
    - copy: { content: "{{ conf }}\\n", dest: /root/rel-h.conf }
      notify: restart thing
    - fail: { msg: boom }
      when: fail_now | bool
  handlers:
    - name: restart thing
      shell: echo ran >> /root/rel-h.log
`);
    await Promise.all(['h1', 'h2'].map((h) => inHost(h, 'rm -f /root/rel-h.conf /root/rel-h.log')));
    const count = async (h: string) => Number((await inHost(h, 'cat /root/rel-h.log 2>/dev/null | wc -l')).stdout.trim());
    // 1. notify, then fail: the handler does not run (as Ansible) but is remembered
    const r1 = await tsplay([pb, '-i', inv, '-e', 'conf=v1', '-e', 'fail_now=true'], { env: env() });
    expect(r1.rc, r1.stdout + r1.stderr).to.equal(2);
    expect(await count('h1')).to.equal(0);
    // 2. nothing changes now, yet the pending handler runs
    const r2 = await tsplay([pb, '-i', inv, '-e', 'conf=v1', '-e', 'fail_now=false'], { env: env() });
    expect(r2.rc, r2.stdout + r2.stderr).to.equal(0);
    expect(r2.stdout).to.match(/RUNNING HANDLER \[restart thing\]/);
    expect(await count('h1')).to.equal(1);
    expect(await count('h2')).to.equal(1);
    // 3. once run, it is forgotten: the next unchanged run runs no handler
    const r3 = await tsplay([pb, '-i', inv, '-e', 'conf=v1', '-e', 'fail_now=false'], { env: env() });
    expect(r3.rc).to.equal(0);
    expect(await count('h1')).to.equal(1);
    // 4. --force-handlers: the failing run itself runs the handler
    const r4 = await tsplay([pb, '-i', inv, '-e', 'conf=v2', '-e', 'fail_now=true', '--force-handlers'], { env: env() });
    expect(r4.rc, r4.stdout + r4.stderr).to.equal(2);
    expect(await count('h1')).to.equal(2);
    expect(await count('h2')).to.equal(2);
    survived++;
  });

  it('--retry-file writes the failed hosts; --limit @file re-runs only them', async () => {
    const pb = play('retry.yml', `
- hosts: lab
  gather_facts: false
  tasks:
    - fail: { msg: "not yet" }
      when: inventory_hostname in bad and not fixed | bool
    - command: "true"
`);
    const retry = join(dir, 'failed.retry');
    const r1 = await tsplay([pb, '-i', inv, '-e', '{"bad": ["h2", "h3"], "fixed": false}', '--retry-file', retry], { env: env() });
    expect(r1.rc, r1.stdout + r1.stderr).to.equal(2);
    expect(existsSync(retry)).to.equal(true);
    expect(readFileSync(retry, 'utf8').split('\n').filter(Boolean).sort()).to.deep.equal(['h2', 'h3']);
    const r2 = await tsplay([pb, '-i', inv, '-e', '{"bad": ["h2", "h3"], "fixed": true}', '--limit', `@${retry}`], { env: env() });
    expect(r2.rc, r2.stdout + r2.stderr).to.equal(0);
    expect(Object.keys(recap(r2.stdout)).sort()).to.deep.equal(['h2', 'h3']);
    // without --retry-file no file is written (opt-in)
    const dflt = pb.replace(/\.yml$/, '.retry');
    await tsplay([pb, '-i', inv, '-e', '{"bad": ["h2"], "fixed": false}'], { env: env() });
    expect(existsSync(dflt)).to.equal(false);
    survived++;
  });

  it('host keys: a changed key is refused naming the host and both fingerprints; unknown refused; accept-new records and connects', async () => {
    const h4 = lab.hosts.find((h) => h.name === 'h4')!;
    const fp = async () => (await inHost('h4', 'for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf $f; done')).stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
    const khInv = (name: string, kh: string, policy: string) =>
      writeInventory(lab, dir, name, { hosts: ['h4'], commonArgs: `-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=${policy}` });
    const oldFps = await fp();
    const known = join(dir, 'known_hosts.h4');
    writeFileSync(known, readFileSync(lab.knownHostsPath, 'utf8').split('\n').filter((l) => l.split(' ')[0].split(',').some((n) => n === h4.ip || n === 'h4')).join('\n') + '\n');
    expect(readFileSync(known, 'utf8')).to.include(h4.ip);
    const strict = khInv('kh-strict.ini', known, 'yes');
    expect((await tsplay(['run', 'h4', '-i', strict, '-a', 'true'], { env: env() })).rc).to.equal(0);
    // regenerate h4's host keys (kept aside, restored afterwards)
    await inHost('h4', 'mkdir -p /root/keybak && cp -a /etc/ssh/ssh_host_* /root/keybak/ && rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh.service');
    // a kept connection (opened before the change) would still be used, as an OpenSSH ControlPersist master would: stop the keeper
    await stopKeepers();
    try {
      const newFps = await fp();
      expect(newFps.some((f) => oldFps.includes(f))).to.equal(false);
      const r = await tsplay(['run', 'h4', '-i', strict, '-a', 'touch /root/should-not-exist'], { env: env() });
      expect(r.rc, r.stdout + r.stderr).to.equal(3);
      const msg = r.stdout + r.stderr;
      expect(msg).to.match(/h4/);
      expect(msg).to.match(/CHANGED/);
      expect(oldFps.some((f) => msg.includes(f)), `old fingerprint missing: ${msg}`).to.equal(true);
      expect(newFps.some((f) => msg.includes(f)), `new fingerprint missing: ${msg}`).to.equal(true);
      expect(r.stderr).to.not.match(/^\s+at /m);
      expect((await inHost('h4', 'test -e /root/should-not-exist')).rc).to.not.equal(0);
      // unknown host (an empty known_hosts): refused
      const empty = join(dir, 'known_hosts.empty');
      writeFileSync(empty, '');
      const u = await tsplay(['run', 'h4', '-i', khInv('kh-unknown.ini', empty, 'yes'), '-a', 'true'], { env: env() });
      expect(u.rc, u.stdout + u.stderr).to.equal(3);
      expect(u.stdout + u.stderr).to.match(/h4.*not known/);
      expect(readFileSync(empty, 'utf8')).to.equal('');
      // accept-new: recorded and connected; then strict checking with that file passes
      const a = await tsplay(['run', 'h4', '-i', khInv('kh-accept.ini', empty, 'accept-new'), '-a', 'true'], { env: env() });
      expect(a.rc, a.stdout + a.stderr).to.equal(0);
      expect(readFileSync(empty, 'utf8')).to.include(h4.ip);
      const s = await tsplay(['run', 'h4', '-i', khInv('kh-after.ini', empty, 'yes'), '-a', 'true'], { env: env() });
      expect(s.rc, s.stdout + s.stderr).to.equal(0);
      // accept-new never accepts a CHANGED key
      const c = await tsplay(['run', 'h4', '-i', khInv('kh-accept-changed.ini', known, 'accept-new'), '-a', 'true'], { env: env() });
      expect(c.rc, c.stdout + c.stderr).to.equal(3);
    } finally {
      await inHost('h4', 'cp -a /root/keybak/ssh_host_* /etc/ssh/ && systemctl restart ssh.service');
    }
    expect((await tsplay(['run', 'h4', '-i', strict, '-a', 'true'], { env: env() })).rc).to.equal(0);
    survived++;
  });
});
