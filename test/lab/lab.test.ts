/**
 * `tsplay lab` on real hosts: boots lab 'tsp-labtest' (3 then 4 hosts) and a second lab
 * 'tsp-labstale' for the side-by-side and stale-leftover cases; both are taken down at the end.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { bootLab, teardownLab, sshRun, labExec, type LabInfo } from '../support/lab.ts';
import { labInfo, labNames, labStatus, leftovers, hostNames } from '../../engine/lab/index.ts';
import { candidatePrefixes, pickPrefix } from '../../engine/lab/naming.ts';
import { cgroupPids, cgroupRoots } from '../../engine/lab/procs.ts';
import { mountsUnder } from '../../engine/lab/mounts.ts';
import { withLock } from '../../engine/lab/lock.ts';
import { raiseLimits, LIMITS } from '../../engine/lab/limits.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const pexec = promisify(execFile);
const NAME = 'tsp-labtest';
const STALE = 'tsp-labstale';

async function cli(...args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
  try {
    const r = await pexec('node', ['bin/tsplay.js', 'lab', ...args], { cwd: new URL('../..', import.meta.url).pathname, maxBuffer: 1 << 24 });
    return { rc: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { rc: x.code ?? 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

async function must(lab: LabInfo, host: string, cmd: string): Promise<string> {
  const r = await sshRun(lab, host, cmd);
  if (r.rc !== 0) throw new Error(`${host}: ${cmd}: rc=${r.rc} ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

/** Every trace of a lab a user could find on the machine (processes by cmdline too). */
async function traces(name: string): Promise<string[]> {
  const l = labNames(name);
  const out = await leftovers(l);
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(l.dir + '/')) out.push(`process ${p}`);
    } catch { /* gone */ }
  }
  if (existsSync(l.dir)) out.push(`dir ${l.dir}`);
  return out;
}

describe('tsplay lab (real hosts)', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let machineForward = '';

  before(async () => {
    machineForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    lab = await bootLab(NAME, 3);
  });
  after(async () => {
    await teardownLab(NAME);
    await teardownLab(STALE);
  });

  it('boots 3 hosts in 198.18.0.0/15 (never 198.18.0.0/24) with distinct IPs and running PID 1s', () => {
    expect(lab.hosts.map((h) => h.name)).to.deep.equal(['h1', 'h2', 'h3']);
    expect(lab.subnet).to.match(/^198\.1[89]\.\d+\.0\/24$/);
    expect(lab.subnet).to.not.equal('198.18.0.0/24');
    expect(new Set(lab.hosts.map((h) => h.ip)).size).to.equal(3);
    for (const h of lab.hosts) {
      expect(h.ip.startsWith(lab.subnet.replace(/0\/24$/, ''))).to.equal(true);
      expect(h.leaderPid).to.be.greaterThan(1);
      expect(readFileSync(`/proc/${h.leaderPid}/comm`, 'utf8').trim()).to.equal('systemd');
    }
    expect(lab.vip.startsWith(lab.subnet.replace(/0\/24$/, ''))).to.equal(true);
    expect(lab.hosts.map((h) => h.ip)).to.not.include(lab.vip);
  });

  it('writes an INI inventory, ssh_config and known_hosts with the real host keys', () => {
    const inv = readFileSync(lab.inventoryPath, 'utf8');
    expect(inv).to.match(/^\[lab\]$/m);
    for (const h of lab.hosts) {
      expect(inv).to.include(`${h.name} ansible_host=${h.ip} ansible_user=root ansible_ssh_private_key_file=${lab.keyPath}`);
    }
    expect(inv).to.include(`lab_subnet=${lab.subnet}`);
    expect(inv).to.include(`lab_vip=${lab.vip}`);
    expect(inv).to.include(`-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`);
    const kh = readFileSync(lab.knownHostsPath, 'utf8');
    for (const h of lab.hosts) {
      const inHost = readFileSync(`/proc/${h.leaderPid}/root/etc/ssh/ssh_host_ed25519_key.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      expect(kh).to.include(`${h.name},${h.ip} ${inHost}`);
    }
    // host keys are per host
    const keys = lab.hosts.map((h) => readFileSync(`/proc/${h.leaderPid}/root/etc/ssh/ssh_host_ed25519_key.pub`, 'utf8'));
    expect(new Set(keys).size).to.equal(3);
    expect(readFileSync(lab.sshConfigPath, 'utf8')).to.include('StrictHostKeyChecking yes');
  });

  it('lets root log in by key with host-key checking ON, and refuses an unknown host key', async () => {
    for (const h of lab.hosts) {
      const { stdout } = await pexec('ssh', ['-i', lab.keyPath, '-o', `UserKnownHostsFile=${lab.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', `root@${h.ip}`, 'id -un']);
      expect(stdout.trim()).to.equal('root');
    }
    let failed = '';
    try {
      await pexec('ssh', ['-i', lab.keyPath, '-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${lab.hosts[0].ip}`, 'true']);
    } catch (e) {
      failed = String((e as { stderr?: string }).stderr);
    }
    expect(failed).to.match(/Host key verification failed/);
  });

  it('runs systemd as PID 1: is-system-running is "running" on each host; hostnames differ', async () => {
    const names: string[] = [];
    for (const h of lab.hosts) {
      const r = await sshRun(lab, h.name, 'systemctl is-system-running --wait; hostname');
      expect(r.stdout.trim().split('\n')).to.deep.equal(['running', h.name]);
      names.push(r.stdout);
    }
    expect(new Set(names).size).to.equal(3);
  });

  it('gives each host its own filesystem', async () => {
    await must(lab, 'h1', 'echo only-on-h1 > /root/marker');
    expect(await must(lab, 'h1', 'cat /root/marker')).to.equal('only-on-h1');
    expect((await sshRun(lab, 'h2', 'test -e /root/marker')).rc).to.equal(1);
  });

  it('keeps net.* sysctls per host: ip_forward on h1 leaves h2 and the machine unchanged', async () => {
    const machineBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const h2Before = await must(lab, 'h2', 'sysctl -n net.ipv4.ip_forward');
    await must(lab, 'h1', 'sysctl -qw net.ipv4.ip_forward=1');
    expect(await must(lab, 'h1', 'sysctl -n net.ipv4.ip_forward')).to.equal('1');
    expect(await must(lab, 'h2', 'sysctl -n net.ipv4.ip_forward')).to.equal(h2Before);
    expect(h2Before).to.equal('0');
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).to.equal(machineBefore);
    await must(lab, 'h1', 'sysctl -qw net.ipv4.ip_forward=0');
  });

  it('lets hosts reach each other by name, and nothing outside the lab (no default route)', async () => {
    expect(await must(lab, 'h1', 'getent hosts h3')).to.match(new RegExp(`^${lab.hosts[2].ip.replace(/\./g, '\\.')}\\s+h3`));
    await must(lab, 'h1', `ping -c1 -W2 h2 >/dev/null`);
    expect(await must(lab, 'h1', 'ip route show default | wc -l')).to.equal('0');
  });

  it('installs etcd-server offline from the local apt repository', async () => {
    const r = await sshRun(lab, 'h3', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server >/tmp/apt.log 2>&1 || { tail -5 /tmp/apt.log; exit 1; }; dpkg -s etcd-server | grep Status');
    expect(r.stdout.trim(), r.stdout + r.stderr).to.equal('Status: install ok installed');
    expect(await must(lab, 'h3', 'apt-cache policy etcd-server | grep -c /srv/tsplay/apt')).to.not.equal('0');
  });

  it('installs and removes a test RPM with dnf from the local RPM repository', async () => {
    await must(lab, 'h2', 'dnf -y -q install tsplay-world');
    expect(await must(lab, 'h2', 'rpm -q tsplay-world tsplay-hello')).to.equal('tsplay-world-1.0-1.noarch\ntsplay-hello-1.1-1.noarch');
    expect(await must(lab, 'h2', 'tsplay-hello')).to.equal('hello 1.1');
    await must(lab, 'h2', 'dnf -y -q remove tsplay-world tsplay-hello');
    expect((await sshRun(lab, 'h2', 'rpm -q tsplay-hello')).rc).to.not.equal(0);
  });

  it('runs `systemctl enable --now` of a unit', async () => {
    await must(lab, 'h1', `printf '[Unit]\\nDescription=t\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/tsp-sleep.service && systemctl daemon-reload && systemctl enable --now tsp-sleep.service 2>/dev/null`);
    expect(await must(lab, 'h1', 'systemctl is-active tsp-sleep; systemctl is-enabled tsp-sleep')).to.equal('active\nenabled');
    expect((await sshRun(lab, 'h2', 'systemctl is-active tsp-sleep')).stdout.trim()).to.not.equal('active');
  });

  it('runs commands inside a host without ssh (labExec / nsenter)', async () => {
    const r = await labExec(NAME, 'h2', 'hostname; ip -4 -o addr show eth0');
    expect(r.rc).to.equal(0);
    expect(r.stdout).to.include('h2\n');
    expect(r.stdout).to.include(`${lab.hosts[1].ip}/24`);
  });

  it('survives `systemctl reboot` inside a host (the launcher restarts it; files and host keys stay)', async () => {
    const before = labInfo(NAME).hosts[2].leaderPid;
    await must(lab, 'h3', 'echo kept > /root/reboot-marker');
    await sshRun(lab, 'h3', 'systemctl reboot');
    let after = before;
    for (let k = 0; k < 120 && (after === before || after === 0); k++) {
      await new Promise((r) => setTimeout(r, 500));
      after = labInfo(NAME).hosts[2].leaderPid;
    }
    expect(after).to.not.equal(before);
    let out = '';
    for (let k = 0; k < 60 && !out.includes('running'); k++) {
      out = (await sshRun(lab, 'h3', 'systemctl is-system-running --wait; cat /root/reboot-marker')).stdout;
      if (!out.includes('running')) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(out.trim()).to.equal('running\nkept');
  });

  it('reports status with memory per host', async () => {
    const s = labStatus(NAME);
    expect(s.hosts.map((h) => h.running)).to.deep.equal([true, true, true]);
    for (const h of s.hosts) expect(h.pssBytes).to.be.within(2e6, 400e6);
    const r = await cli('status', '--name', NAME);
    expect(r.rc).to.equal(0);
    expect(r.stdout).to.match(/h3\s+\S+\s+running\s+[\d.]+ MB/);
  });

  it('is idempotent: `up 3` again keeps the same hosts, prints the inventory path last', async () => {
    const before = labInfo(NAME).hosts.map((h) => h.leaderPid);
    const r = await cli('up', '3', '--name', NAME);
    expect(r.rc, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n').pop()).to.equal(lab.inventoryPath);
    expect(r.stderr).to.include('already running');
    expect(labInfo(NAME).hosts.map((h) => h.leaderPid)).to.deep.equal(before);
    expect(await must(lab, 'h1', 'cat /root/marker')).to.equal('only-on-h1');
  });

  it('grows: `up 4` adds h4 and every host lists it in /etc/hosts', async () => {
    const before = labInfo(NAME).hosts.map((h) => h.leaderPid);
    lab = await bootLab(NAME, 4);
    expect(lab.hosts.map((h) => h.name)).to.deep.equal(['h1', 'h2', 'h3', 'h4']);
    expect(lab.hosts.slice(0, 3).map((h) => h.leaderPid)).to.deep.equal(before);
    expect(await must(lab, 'h4', 'hostname')).to.equal('h4');
    expect(await must(lab, 'h1', 'getent hosts h4')).to.include(lab.hosts[3].ip);
    expect(readFileSync(lab.inventoryPath, 'utf8')).to.include(`h4 ansible_host=${lab.hosts[3].ip}`);
  });

  it('repairs a host whose launcher was SIGKILLed (its nspawn left running) and keeps the others', async () => {
    const l = labNames(NAME);
    const before = labInfo(NAME).hosts;
    const launcher = Number(readFileSync(hostNames(l, 2).launcherPidFile, 'utf8'));
    const oldNspawn = Number(readFileSync(hostNames(l, 2).nspawnPidFile, 'utf8'));
    process.kill(launcher, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(labInfo(NAME).hosts[1].running).to.equal(false);
    lab = await bootLab(NAME, 4);
    expect(lab.hosts.every((h) => h.running)).to.equal(true);
    expect(lab.hosts[0].leaderPid).to.equal(before[0].leaderPid);
    expect(lab.hosts[1].leaderPid).to.not.equal(before[1].leaderPid);
    // dead: gone, or a zombie waiting for its new parent (the launcher that spawned it was killed) to reap it
    const dead = (pid: number) => {
      try {
        const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return st.slice(st.lastIndexOf(')') + 2)[0] === 'Z';
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 50 && !dead(oldNspawn); i++) await new Promise((r) => setTimeout(r, 100));
    expect(dead(oldNspawn), `old systemd-nspawn ${oldNspawn} still running`).to.equal(true);
    expect(await must(lab, 'h2', 'systemctl is-system-running --wait; hostname')).to.equal('running\nh2');
    // known_hosts was rewritten with h2's new host key: strict checking still passes (must() above)
  });

  it('runs a second lab side by side on its own subnet and bridge', async () => {
    const other = await bootLab(STALE, 2);
    expect(other.subnet).to.not.equal(lab.subnet);
    expect(other.bridge).to.not.equal(lab.bridge);
    expect(other.bridge.length).to.be.at.most(15);
    expect(await must(other, 'h1', 'hostname')).to.equal('h1');
    // the other lab's h1 cannot reach this lab's hosts
    expect((await sshRun(other, 'h1', `ping -c1 -W1 ${lab.hosts[0].ip} >/dev/null 2>&1`)).rc).to.not.equal(0);
  });

  it('clears a stale lab (processes killed, mounts and netns left) on the next up', async () => {
    const l = labNames(STALE);
    await must(labInfo(STALE), 'h1', 'echo old > /root/stale-marker');
    // kill every process of the lab the hard way: launchers, nspawn, containers
    const dirs = cgroupRoots().map((r) => `${r}/${l.cgroup}`);
    for (let k = 0; k < 20; k++) {
      const pids = dirs.flatMap(cgroupPids);
      if (!pids.length) break;
      for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(labInfo(STALE).hosts.every((h) => !h.running)).to.equal(true);
    expect(mountsUnder(l.dir).length).to.be.greaterThan(0);
    expect(existsSync(`/run/netns/tsp-${l.tag}-h1`)).to.equal(true);
    const again = await bootLab(STALE, 2);
    expect(again.hosts.every((h) => h.running)).to.equal(true);
    expect((await sshRun(again, 'h1', 'systemctl is-system-running --wait')).stdout.trim()).to.equal('running');
    expect((await sshRun(again, 'h1', 'test -e /root/stale-marker')).rc).to.equal(1);
    expect(mountsUnder(l.dir).length).to.equal(2);
  });

  it('down leaves no netns, mount, veth, bridge, cgroup dir or process of the lab', async () => {
    const r = await cli('down', '--name', STALE);
    expect(r.rc, r.stderr).to.equal(0);
    expect(await traces(STALE)).to.deep.equal([]);
    await teardownLab(NAME);
    expect(await traces(NAME)).to.deep.equal([]);
    // the machine's own forwarding setting was never touched by any of this
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).to.equal(machineForward);
  });

  it('refuses to run without root, in one line', async function () {
    const r = await new Promise<{ rc: number; stderr: string }>((resolve) => {
      execFile('runuser', ['-u', 'nobody', '--', 'node', 'bin/tsplay.js', 'lab', 'up', '2', '--name', 'tsp-noroot'],
        { cwd: new URL('../..', import.meta.url).pathname }, (e, _o, stderr) => resolve({ rc: (e as { code?: number } | null)?.code ?? 0, stderr }));
    });
    expect(r.rc).to.equal(1);
    expect(r.stderr.trim()).to.match(/^ERROR! lab: must run as root/);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(existsSync(labNames('tsp-noroot').dir)).to.equal(false);
  });

  it('derives short interface names and a /24 that avoids taken ones and 198.18.0.0/24', () => {
    const long = labNames('a-very-long-lab-name-of-32-chars');
    expect(long.bridge.length).to.be.at.most(15);
    expect(hostNames(long, 200).veth.length).to.be.at.most(15);
    expect(candidatePrefixes()).to.not.include('198.18.0');
    expect(candidatePrefixes()).to.have.length(510);
    const p = pickPrefix('x', new Set());
    expect(pickPrefix('x', new Set([p]))).to.not.equal(p);
    const allButOne = new Set(candidatePrefixes().filter((c) => c !== '198.19.7'));
    expect(pickPrefix('x', allButOne)).to.equal('198.19.7');
    expect(() => pickPrefix('x', new Set(candidatePrefixes()))).to.throw(/no free \/24/);
  });

  it('serializes holders of the cache lock and takes over a lock left by a dead process', async () => {
    const path = `${mkdtempSync(`${tmpdir()}/tsp-lock-`)}/x.lock`;
    writeFileSync(path, '999999999 1\n'); // a PID that cannot exist
    const order: string[] = [];
    let waited = 0;
    const hold = (tag: string) => withLock(path, async () => {
      order.push(`${tag}+`);
      await new Promise((r) => setTimeout(r, 200));
      order.push(`${tag}-`);
    }, () => waited++);
    await Promise.all([hold('a'), hold('b')]);
    expect(order).to.deep.equal(['a+', 'a-', 'b+', 'b-']);
    expect(waited).to.equal(1);
    expect(existsSync(path)).to.equal(false);
  });

  it('raises machine limits the hosts need, never lowers them', () => {
    for (const [path, min] of LIMITS) expect(Number(readFileSync(path, 'utf8'))).to.be.at.least(min); // after up
    const dir = mkdtempSync(`${tmpdir()}/tsp-limits-`);
    writeFileSync(`${dir}/low`, '128\n');
    writeFileSync(`${dir}/high`, '99999\n');
    const notes = raiseLimits([[`${dir}/low`, 8192], [`${dir}/high`, 8192]]);
    expect(readFileSync(`${dir}/low`, 'utf8').trim()).to.equal('8192');
    expect(readFileSync(`${dir}/high`, 'utf8').trim()).to.equal('99999');
    expect(notes).to.have.length(1);
    expect(notes[0]).to.match(/from 128 to 8192/);
  });

  it('fails with one clear line for bad input', async () => {
    const r = await cli('up', '3', '--name', 'Bad/Name');
    expect(r.rc).to.equal(5);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/invalid lab name/);
    const s = await cli('status', '--name', 'tsp-nosuchlab');
    expect(s.rc).to.not.equal(0);
    expect(s.stderr).to.match(/no lab named 'tsp-nosuchlab'/);
  });
});
