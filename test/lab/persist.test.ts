/**
 * Connection persistence (the connection keeper, engine/connection/persist/) over REAL SSH on
 * lab hosts, through the CLI: consecutive runs share one ssh connection per host, 0 disables it,
 * Ctrl+C kills the run's remote commands while the keeper keeps the connection, the keeper exits
 * when idle, errors read as without it, become passwords never reach its log.
 * Every test uses its own TSPLAY_HOME; keepers started here are killed (by their pid files) in after().
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootLab, teardownLab, labExec, type LabInfo } from '../support/lab.ts';
import { connParamsFor } from '../../engine/connection/params.ts';
import { MuxClient, MuxConnection } from '../../engine/connection/persist/client.ts';
import { keeperPaths } from '../../engine/connection/persist/paths.ts';
import { UnreachableError } from '../../engine/types.ts';
import { pidAlive } from '../support/proc.ts';

const LAB = 'h2-persist';
const ROOT = new URL('../..', import.meta.url).pathname;
const SUDO_PW = 'Tsp-Persist-Sudo-71';

interface Out {
  rc: number;
  stdout: string;
  stderr: string;
  ms: number;
}

describe('lab: connection persistence (connection keeper)', function () {
  this.timeout(120_000);
  let lab: LabInfo;
  let work: string;
  const homes: string[] = [];

  /** A fresh TSPLAY_HOME. */
  const newHome = (): string => {
    const h = mkdtempSync(join(work, 'home-'));
    homes.push(h);
    return h;
  };
  const cpFiles = (home: string, ext: string): string[] => {
    const d = join(home, 'cp');
    return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(ext)).map((f) => join(d, f)) : [];
  };
  const keeperPid = (home: string): number => {
    const files = cpFiles(home, '.pid');
    expect(files, `pid file in ${home}/cp`).to.have.length(1);
    return Number(readFileSync(files[0], 'utf8').trim());
  };
  const tsplay = (args: string[], home: string, env: Record<string, string> = {}, onSpawn?: (c: ReturnType<typeof spawn>) => void): Promise<Out> =>
    new Promise((resolve) => {
      const t0 = Date.now();
      const c = spawn(process.execPath, [join(ROOT, 'bin/tsplay.js'), ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1', TSPLAY_HOME: home, ...env } });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code) => resolve({ rc: code ?? 255, stdout, stderr, ms: Date.now() - t0 }));
      onSpawn?.(c);
    });
  const inHost = async (host: string, cmd: string): Promise<string> => {
    const r = await labExec(LAB, host, cmd);
    return r.stdout;
  };
  /** pids of sshd's per-connection session processes for root on a host. */
  const sessions = async (host: string, user = 'root'): Promise<string[]> =>
    (await inHost(host, `pgrep -f 'sshd: ${user}@nott[y]' || true`)).trim().split('\n').filter(Boolean);
  const playbook = (name: string, tasks: string): string => {
    const f = join(work, name);
    writeFileSync(f, `- hosts: lab\n  gather_facts: false\n  tasks:\n${tasks}`);
    return f;
  };
  const inventory = (name: string, text: string): string => {
    const f = join(work, name);
    writeFileSync(f, text);
    return f;
  };
  const hostLine = (h: string, extra = ''): string =>
    `${h} ansible_host=${lab.hosts.find((x) => x.name === h)!.ip} ansible_user=root ansible_ssh_private_key_file=${lab.keyPath}${extra}`;
  const labVars = (kh: string): string => `[lab:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes'\n`;

  before(async function () {
    this.timeout(600_000);
    lab = await bootLab(LAB, 2);
    work = mkdtempSync(join(tmpdir(), 'tsplay-persist-'));
    for (const h of ['h1', 'h2']) {
      await labExec(LAB, h, [
        'id tspuser >/dev/null 2>&1 || useradd -m -s /bin/bash tspuser',
        `echo 'tspuser:${SUDO_PW}' | chpasswd`,
        "echo 'tspuser ALL=(ALL) ALL' > /etc/sudoers.d/tspuser && chmod 440 /etc/sudoers.d/tspuser",
        'mkdir -p ~tspuser/.ssh && cp /root/.ssh/authorized_keys ~tspuser/.ssh/ && chown -R tspuser: ~tspuser/.ssh',
      ].join(' && '));
    }
  });

  after(async function () {
    this.timeout(120_000);
    for (const h of homes) {
      for (const f of cpFiles(h, '.pid')) {
        const pid = Number(readFileSync(f, 'utf8').trim());
        if (pid > 1 && pidAlive(pid)) process.kill(pid, 'SIGTERM');
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    if (work) rmSync(work, { recursive: true, force: true });
    await teardownLab(LAB);
  });

  it('two consecutive runs use ONE ssh connection per host (the second pays no handshake)', async () => {
    const home = newHome();
    const pb = playbook('echo.yml', '    - command: echo persisted\n');
    const before = { h1: await sessions('h1'), h2: await sessions('h2') };
    const r1 = await tsplay([pb, '-i', lab.inventoryPath], home);
    expect(r1.rc, r1.stdout + r1.stderr).to.equal(0);
    const pid = keeperPid(home);
    expect(pidAlive(pid)).to.equal(true);
    const s1 = { h1: (await sessions('h1')).filter((p) => !before.h1.includes(p)), h2: (await sessions('h2')).filter((p) => !before.h2.includes(p)) };
    expect(s1.h1, 'h1: one session kept after the run').to.have.length(1);
    expect(s1.h2, 'h2: one session kept after the run').to.have.length(1);
    const r2 = await tsplay([pb, '-i', lab.inventoryPath, '-vvv'], home);
    expect(r2.rc, r2.stdout + r2.stderr).to.equal(0);
    expect(r2.stdout).to.include('<h1> EXEC echo persisted'); // -vvv echo comes from the run itself
    expect(keeperPid(home)).to.equal(pid);
    const s2 = { h1: (await sessions('h1')).filter((p) => !before.h1.includes(p)), h2: (await sessions('h2')).filter((p) => !before.h2.includes(p)) };
    expect(s2).to.deep.equal(s1); // the same sshd session processes: no new connection
    expect(r2.ms, `second run ${r2.ms} ms, first (starts the keeper) ${r1.ms} ms`).to.be.below(r1.ms);
  });

  it('TSPLAY_SSH_PERSIST=0: no keeper, the run closes its connections (as before)', async () => {
    const home = newHome();
    const pb = playbook('echo0.yml', '    - command: echo direct\n');
    const before = await sessions('h1');
    const r = await tsplay([pb, '-i', lab.inventoryPath], home, { TSPLAY_SSH_PERSIST: '0' });
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('changed: [h1]');
    expect(cpFiles(home, '.sock')).to.deep.equal([]);
    expect(cpFiles(home, '.pid')).to.deep.equal([]);
    await new Promise((res) => setTimeout(res, 300));
    expect((await sessions('h1')).filter((p) => !before.includes(p))).to.deep.equal([]);
  });

  it('SIGINT during a long command kills it on the hosts; the keeper and its connections live on', async () => {
    const home = newHome();
    const warm = playbook('warm.yml', '    - command: "true"\n');
    expect((await tsplay([warm, '-i', lab.inventoryPath], home)).rc).to.equal(0);
    const pid = keeperPid(home);
    const kept = await sessions('h1');
    const pb = playbook('long.yml', '    - name: long\n      command: sleep 97\n    - name: never\n      command: "true"\n');
    let child: ReturnType<typeof spawn> | undefined;
    let out = '';
    const done = tsplay([pb, '-i', lab.inventoryPath], home, {}, (c) => {
      child = c;
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    });
    for (let i = 0; i < 120 && !out.includes('TASK [long]'); i++) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await inHost('h1', 'pgrep -x -f "sleep 97" || echo none')).trim()).to.not.equal('none');
    const t = Date.now();
    child!.kill('SIGINT');
    const r = await done;
    expect(r.rc, r.stdout + r.stderr).to.equal(99);
    expect(Date.now() - t).to.be.below(15_000);
    expect(r.stdout).to.not.include('TASK [never]');
    for (const h of ['h1', 'h2']) expect(await inHost(h, 'pgrep -x -f "sleep 97" || echo none'), h).to.equal('none\n');
    expect(pidAlive(pid), 'keeper still running').to.equal(true);
    expect(await sessions('h1')).to.include.members(kept);
    // the kept connection still works
    const again = await tsplay([warm, '-i', lab.inventoryPath], home);
    expect(again.rc).to.equal(0);
    expect(keeperPid(home)).to.equal(pid);
  });

  it('a connection lost mid-command reads as without the keeper; the next run reconnects through the same keeper', async () => {
    const home = newHome();
    const warm = playbook('warm2.yml', '    - command: "true"\n');
    expect((await tsplay([warm, '-i', lab.inventoryPath], home)).rc).to.equal(0);
    const pid = keeperPid(home);
    const pb = playbook('cut.yml', '    - name: long\n      command: sleep 93\n');
    const run = tsplay([pb, '-i', lab.inventoryPath, '--limit', 'h2'], home);
    for (let i = 0; i < 60 && (await inHost('h2', 'pgrep -x -f "sleep 93" || echo none')).trim() === 'none'; i++) await new Promise((r) => setTimeout(r, 250));
    await inHost('h2', "pkill -KILL -f 'sshd: root@nott[y]' || true");
    const r = await run;
    expect(r.rc, r.stdout + r.stderr).to.equal(3);
    expect(r.stdout).to.match(/fatal: \[h2\]: UNREACHABLE! => .*connection to h2 .*lost/);
    const again = await tsplay([warm, '-i', lab.inventoryPath], home);
    expect(again.rc, again.stdout + again.stderr).to.equal(0);
    expect(keeperPid(home)).to.equal(pid);
  });

  it('a kept connection the host silently forgot (its sshd died while the link was down) is replaced at the next run, not reported unreachable', async function () {
    this.timeout(60_000);
    const home = newHome();
    const warm = playbook('warm3.yml', '    - command: "true"\n');
    expect((await tsplay([warm, '-i', lab.inventoryPath, '--limit', 'h2'], home)).rc).to.equal(0);
    const before = await sessions('h2');
    expect(before.length).to.be.greaterThan(0);
    // the host forgets the connection while no RST/FIN can reach the controller (socket destroyed
    // with ss -K, its sshd session killed, link down meanwhile): the keeper still believes in it
    await inHost('h2', "ip link set eth0 down; ss -K state established '( sport = :22 )' >/dev/null; pkill -KILL -f 'sshd: root@nott[y]'; sleep 0.3; ip link set eth0 up; true");
    const t0 = Date.now();
    const r = await tsplay([warm, '-i', lab.inventoryPath, '--limit', 'h2'], home);
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    expect(Date.now() - t0, 'no keepalive-length wait').to.be.below(10_000);
    const after = await sessions('h2');
    expect(after.some((p) => !before.includes(p)), 'a new sshd session').to.equal(true);
    expect(readFileSync(cpFiles(home, '.log')[0], 'utf8')).to.include('the kept connection to h2 did not answer; connecting again');
  });

  it('releasing a connection kills the run\'s commands even when they fill every channel (and the queued ones that start later)', async function () {
    this.timeout(60_000);
    const home = newHome();
    const client = await MuxClient.connect(() => undefined, keeperPaths({ ...process.env, TSPLAY_HOME: home }));
    expect(client, 'keeper started').to.not.equal(undefined);
    const ip = lab.hosts.find((x) => x.name === 'h1')!.ip;
    const params = connParamsFor('h1', { ansible_host: ip, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyPath, ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes` }, {}, { sshConfig: [], env: {} });
    const r = await client!.connectHost(params, 5000);
    expect(r).to.have.property('cid');
    const conn = new MuxConnection('h1', client!, (r as { cid: string }).cid);
    const runs = Array.from({ length: 10 }, (_, i) => conn.exec(`sleep 31${i}`).then(() => undefined, (e: Error) => e));
    const count = async () => Number((await inHost('h1', "pgrep -c -f '^sleep 31[0-9]$' || true")).trim() || 0);
    for (let i = 0; i < 60 && (await count()) < 8; i++) await new Promise((res) => setTimeout(res, 250));
    expect(await count()).to.be.at.least(8);
    await conn.close();
    for (const e of await Promise.all(runs)) {
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e!.message).to.equal('connection to h1 was closed while a command was running');
    }
    let left = -1;
    for (let i = 0; i < 60 && left !== 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      left = await count();
    }
    expect(left, 'sleep 31x left on h1').to.equal(0);
    client!.close();
  });

  it('the keeper closes idle connections after TSPLAY_SSH_PERSIST seconds and then exits', async () => {
    const home = newHome();
    const pb = playbook('idle.yml', '    - command: "true"\n');
    const r = await tsplay([pb, '-i', lab.inventoryPath], home, { TSPLAY_SSH_PERSIST: '2' });
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    const pid = keeperPid(home);
    expect(pidAlive(pid)).to.equal(true);
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++) {
      await new Promise((res) => setTimeout(res, 250));
      gone = !pidAlive(pid);
    }
    expect(gone, 'keeper exited').to.equal(true);
    expect(cpFiles(home, '.sock')).to.deep.equal([]);
    expect(cpFiles(home, '.pid')).to.deep.equal([]);
  });

  it('a changed host key, an authentication failure and an encrypted key (direct fallback) read exactly as without the keeper', async () => {
    const home = newHome();
    const real = readFileSync(lab.knownHostsPath, 'utf8');
    const h1ip = lab.hosts.find((x) => x.name === 'h1')!.ip;
    const h2ip = lab.hosts.find((x) => x.name === 'h2')!.ip;
    // h1's entry carries h2's key
    const forged = real.split('\n').filter((l) => l.split(' ')[0].split(',').some((n) => n === h2ip || n === 'h2')).map((l) => l.replace(/^\S+/, h1ip)).join('\n') + '\n';
    const kh = join(work, 'forged_known_hosts');
    writeFileSync(kh, forged);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'stranger')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'key-pass-phrase', '-f', join(work, 'locked')]);
    const pb = playbook('err.yml', '    - command: "true"\n');
    const lines = (o: Out) => (o.stdout + o.stderr).split('\n').filter((l) => /UNREACHABLE|fatal|ERROR/.test(l)).join('\n');
    const cases = [
      inventory('forged.ini', `[lab]\n${hostLine('h1')}\n${labVars(kh)}`),
      inventory('badkey.ini', `[lab]\n${hostLine('h1').replace(lab.keyPath, join(work, 'stranger'))}\n${labVars(lab.knownHostsPath)}`),
      // an encrypted key: the keeper cannot ask for the passphrase, the run connects directly (and, without a TTY, fails as before)
      inventory('locked.ini', `[lab]\n${hostLine('h1').replace(lab.keyPath, join(work, 'locked'))}\n${labVars(lab.knownHostsPath)}`),
    ];
    for (const inv of cases) {
      const kept = await tsplay([pb, '-i', inv], home);
      const direct = await tsplay([pb, '-i', inv], home, { TSPLAY_SSH_PERSIST: '0' });
      expect(kept.rc, kept.stdout).to.equal(3);
      expect(direct.rc).to.equal(3);
      expect(lines(kept)).to.not.equal('');
      expect(lines(kept)).to.equal(lines(direct));
    }
    expect(lines(await tsplay([pb, '-i', cases[0]], home))).to.match(/host key for .* has CHANGED/);
    expect(lines(await tsplay([pb, '-i', cases[1]], home))).to.match(/authentication failed for user root/);
    expect(lines(await tsplay([pb, '-i', cases[2]], home))).to.match(/is encrypted and there is no terminal to ask for its passphrase/);
  });

  it('known_hosts accept-new through the keeper: the key is recorded and the note is shown (-v), as without it', async () => {
    const home = newHome();
    const pb = playbook('acc.yml', '    - command: "true"\n');
    const notes: string[] = [];
    for (const persist of ['60', '0']) {
      const kh = join(work, `accept-new-${persist}`);
      writeFileSync(kh, '');
      const inv = inventory(`acc-${persist}.ini`, `[lab]\n${hostLine('h2')}\n[lab:vars]\nansible_ssh_common_args='-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=accept-new'\n`);
      const r = await tsplay([pb, '-i', inv, '-v'], home, { TSPLAY_SSH_PERSIST: persist });
      expect(r.rc, r.stdout + r.stderr).to.equal(0);
      expect(readFileSync(kh, 'utf8')).to.match(/ssh-ed25519|ecdsa|ssh-rsa/);
      notes.push((r.stdout + r.stderr).split('\n').filter((l) => l.includes('added host key')).join('\n').replace(kh, 'KH'));
    }
    expect(notes[0]).to.include('added host key for h2');
    expect(notes[0]).to.equal(notes[1]);
  });

  it('become with a sudo password works through the keeper; the password is in no log or output', async () => {
    const home = newHome();
    const inv = inventory('become.ini', `[lab]\n${hostLine('h1').replace('ansible_user=root', 'ansible_user=tspuser')} ansible_become=true ansible_become_password=${SUDO_PW}\n${labVars(lab.knownHostsPath)}`);
    const pb = playbook('become.yml', '    - command: id -u\n      register: r\n    - copy: content=secret-free dest=/root/persist-become.txt\n    - debug: var=r.stdout\n');
    const r = await tsplay([pb, '-i', inv, '-vvv'], home);
    expect(r.rc, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('"r.stdout": "0"');
    expect(await inHost('h1', 'cat /root/persist-become.txt')).to.equal('secret-free');
    expect(pidAlive(keeperPid(home))).to.equal(true);
    expect(await sessions('h1', 'tspuser')).to.have.length.greaterThan(0); // kept by the keeper
    const logs = cpFiles(home, '.log').map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logs).to.include('listening on');
    expect(logs).to.not.include(SUDO_PW);
    expect(r.stdout + r.stderr).to.not.include(SUDO_PW);
    // a wrong password fails as without the keeper
    const bad = inventory('become-bad.ini', readFileSync(inv, 'utf8').replace(SUDO_PW, 'wrong-pw-1234'));
    const kept = await tsplay([pb, '-i', bad], home);
    const direct = await tsplay([pb, '-i', bad], home, { TSPLAY_SSH_PERSIST: '0' });
    expect(kept.rc).to.equal(2);
    expect(kept.stdout).to.include('Incorrect sudo password');
    const fatal = (o: Out) => o.stdout.split('\n').filter((l) => l.startsWith('fatal:')).join('\n');
    expect(fatal(kept)).to.equal(fatal(direct));
  });
});
