/**
 * The connection layer over REAL SSH on lab hosts: exec semantics, one connection per host,
 * concurrent channels, atomic files, become (sudo/su with passwords), host-key checking,
 * password auth, ProxyJump, drop + reconnect, timeouts, unreachable hosts.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootLab, teardownLab, labExec, type LabInfo } from '../support/lab.ts';
import { connParamsFor, type ConnParams } from '../../engine/connection/params.ts';
import { SshConnection } from '../../engine/connection/ssh.ts';
import { ConnectionPool } from '../../engine/connection/pool.ts';
import { BecomeError, CommandAbortedError, CommandTimeoutError, RemoteFileError } from '../../engine/connection/errors.ts';
import { UnreachableError } from '../../engine/types.ts';
import { redact } from '../../engine/secrets.ts';

const LAB = 'tsp-conn';

/** Await a promise that must reject; return the error. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

async function inHost(host: string, cmd: string): Promise<string> {
  const r = await labExec(LAB, host, cmd);
  if (r.rc !== 0) throw new Error(`lab ${host}: ${cmd}: rc ${r.rc}: ${r.stderr}`);
  return r.stdout;
}

/** `ssh-keygen -l` fingerprints of the lab's known_hosts entries: "name keytype" -> SHA256:... */
function labFingerprints(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of execFileSync('ssh-keygen', ['-l', '-f', file]).toString().trim().split('\n')) {
    const m = /^\d+ (SHA256:\S+) (\S+) \((\w+)\)$/.exec(l);
    if (m) out.set(`${m[2].split(',')[0]} ${m[3]}`, m[1]);
  }
  return out;
}

describe('lab: SSH connection layer', function () {
  this.timeout(120_000);
  let lab: LabInfo;
  const opened: SshConnection[] = [];
  const ipOf = (h: string) => lab.hosts.find((x) => x.name === h)!.ip;
  /** Params the way the executor builds them from the lab inventory's vars. */
  const params = (host: string, extra: Record<string, unknown> = {}, khArgs?: string): ConnParams =>
    connParamsFor(
      host,
      {
        ansible_host: ipOf(host),
        ansible_user: 'root',
        ansible_ssh_private_key_file: lab.keyPath,
        ansible_ssh_common_args: khArgs ?? `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
        ...extra,
      },
      {},
      { sshConfig: [], env: {} },
    );
  const open = async (p: ConnParams) => {
    const c = await SshConnection.open(p);
    opened.push(c);
    return c;
  };

  before(async function () {
    this.timeout(600_000);
    lab = await bootLab(LAB, 3);
    // A non-root user with a sudo password and root's key, root with a password (for su).
    for (const h of ['h1', 'h2', 'h3']) {
      await inHost(h, [
        'id tspuser >/dev/null 2>&1 || useradd -m -s /bin/bash tspuser',
        "echo 'tspuser:Tsp-Sudo-Pw-91' | chpasswd",
        "echo 'root:Tsp-Root-Pw-37' | chpasswd",
        "echo 'tspuser ALL=(ALL) ALL' > /etc/sudoers.d/tspuser && chmod 440 /etc/sudoers.d/tspuser",
        'mkdir -p ~tspuser/.ssh && cp /root/.ssh/authorized_keys ~tspuser/.ssh/ && chown -R tspuser: ~tspuser/.ssh',
      ].join(' && '));
    }
  });

  after(async function () {
    this.timeout(120_000);
    await Promise.allSettled(opened.map((c) => c.close()));
    await teardownLab(LAB);
  });

  describe('exec', () => {
    let c: SshConnection;
    before(async () => {
      c = await open(params('h1'));
    });

    it('returns rc, stdout, stderr; a non-zero rc is a result, not a rejection', async () => {
      expect(await c.exec('echo out; echo err >&2; exit 3')).to.deep.equal({ rc: 3, stdout: 'out\n', stderr: 'err\n' });
    });

    it('stdin (byte-exact), env (quoted), cwd', async () => {
      const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
      const r = await c.run('cat', { stdin: bin });
      expect(r.stdout.equals(bin)).to.equal(true);
      const e = await c.exec('pwd; printf %s "$MY_VAR"', { env: { MY_VAR: "it's $HOME `x`" }, cwd: '/etc' });
      expect(e.stdout).to.equal("/etc\nit's $HOME `x`");
      expect((await c.exec('true', { cwd: '/nonexistent' })).rc).to.not.equal(0);
    });

    it('ONE TCP connection serves many sequential and concurrent commands', async () => {
      for (let i = 0; i < 20; i++) expect((await c.exec(`echo ${i}`)).stdout).to.equal(`${i}\n`);
      const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => c.exec(`echo ${i}`)));
      expect(rs.map((r) => r.stdout.trim())).to.deep.equal(Array.from({ length: 30 }, (_, i) => String(i)));
      const ss = await inHost('h1', "ss -Htn state established '( sport = :22 )'");
      const fromController = ss.trim().split('\n').filter((l) => l.includes(lab.subnet.replace(/\.0\/24$/, '.1:')));
      expect(fromController, ss).to.have.length(1);
      expect(c.connectCount).to.equal(1);
    });

    it('stdout and stderr of 200 concurrent commands all arrive intact', async () => {
      const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => c.exec(`echo err${i} >&2; echo out${i}; exit ${i % 3}`)));
      rs.forEach((r, i) => expect(r, `command ${i}`).to.deep.equal({ rc: i % 3, stdout: `out${i}\n`, stderr: `err${i}\n` }));
    });

    it('sequential commands run in ONE long-lived /bin/sh session; TSPLAY_SSH_SESSIONS=0 gives one exec channel each, also /bin/sh', async () => {
      // in a session, every command is a subshell of the same loop ($$ is the loop's pid)
      const loops = new Set<string>();
      for (let i = 0; i < 10; i++) loops.add((await c.exec('echo $$')).stdout);
      expect(loops.size).to.equal(1);
      // and it runs under /bin/sh, like Ansible's `/bin/sh -c`
      expect((await c.exec('readlink /proc/$$/exe')).stdout.trim()).to.equal((await c.exec('readlink -f /bin/sh')).stdout.trim());
      process.env.TSPLAY_SSH_SESSIONS = '0';
      try {
        const e = await open(params('h1'));
        const pids = new Set<string>();
        for (let i = 0; i < 5; i++) pids.add((await e.exec('echo $$')).stdout);
        expect(pids.size).to.equal(5);
        // exec channels run commands under /bin/sh too (not the login shell)
        expect((await e.exec('readlink /proc/$$/exe')).stdout.trim()).to.equal((await e.exec('readlink -f /bin/sh')).stdout.trim());
        await e.close();
      } finally {
        delete process.env.TSPLAY_SSH_SESSIONS;
      }
    });

    it('ExecOptions.signal: an abort kills the running command on the host (session and exec channel, also under sudo) and a queued one never starts', async () => {
      const ac = new AbortController();
      const inSession = c.exec('sleep 71 & sleep 72; echo x', { signal: ac.signal });
      const underSudo = c.exec('sleep 73', { signal: ac.signal, become: { method: 'sudo', user: 'root' } });
      const onChannel = c.exec('sleep 74', { signal: ac.signal, stdin: 'x', become: { method: 'sudo', user: 'root' } }); // stdin under become: exec channel
      await new Promise((r) => setTimeout(r, 800));
      expect(await inHost('h1', 'for n in 71 72 73 74; do pgrep -x sleep -a | grep -q "sleep $n" && printf "$n "; done')).to.equal('71 72 73 74 ');
      ac.abort();
      const queued = c.exec('touch /tmp/tsplay-never', { signal: ac.signal });
      for (const e of await Promise.all([inSession, underSudo, onChannel, queued].map((p) => p.then(() => null, (x: unknown) => x)))) {
        expect(e).to.be.instanceOf(CommandAbortedError);
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect(await inHost('h1', "pgrep -a -f 'sleep 7[1234]' || echo none; test -e /tmp/tsplay-never && echo ran || true")).to.equal('none\n');
      expect((await c.exec('echo still fine')).stdout).to.equal('still fine\n');
    });

    it('concurrent channels really run in parallel', async () => {
      const t0 = Date.now();
      const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => c.exec(`sleep 1; echo ${i}`)));
      expect(rs.every((r) => r.rc === 0)).to.equal(true);
      expect(Date.now() - t0).to.be.lessThan(2900);
    });

    it('timeoutMs kills the command on the host and rejects with CommandTimeoutError', async () => {
      const t0 = Date.now();
      const e = await rejection(c.exec('sleep 47; echo never', { timeoutMs: 1000 }));
      expect(e).to.be.instanceOf(CommandTimeoutError);
      expect(Date.now() - t0).to.be.lessThan(6000);
      expect((await c.exec("pgrep -x -f 'sleep 47' || true")).stdout.trim()).to.equal('');
    });
  });

  describe('files', () => {
    let c: SshConnection;
    before(async () => {
      c = await open(params('h1'));
    });

    it('putFile writes atomically with mode and owner; getFile reads it back', async () => {
      await c.putFile('/tmp/put-test.txt', Buffer.from('content 1\n'), { mode: '0640', owner: 'tspuser', group: 'tspuser' });
      expect((await c.exec('stat -c "%a %U %G" /tmp/put-test.txt')).stdout).to.equal('640 tspuser tspuser\n');
      expect((await c.getFile('/tmp/put-test.txt')).toString()).to.equal('content 1\n');
      // replacing keeps mode and owner when none are given
      await c.putFile('/tmp/put-test.txt', Buffer.from('content 2\n'));
      expect((await c.exec('stat -c "%a %U" /tmp/put-test.txt; cat /tmp/put-test.txt')).stdout).to.equal('640 tspuser\ncontent 2\n');
      expect((await c.exec('ls -A /tmp | grep -c tsplay-tmp || true')).stdout.trim()).to.equal('0');
    });

    it('a large binary file round-trips', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
      await c.putFile('/tmp/big.bin', big);
      expect((await c.getFile('/tmp/big.bin')).equals(big)).to.equal(true);
    });

    it('disk full: clear error, original file intact, no temp file left', async () => {
      await c.exec('mkdir -p /mnt/small && (mountpoint -q /mnt/small || mount -t tmpfs -o size=64k tmpfs /mnt/small) && echo original > /mnt/small/f');
      const e = await rejection(c.putFile('/mnt/small/f', Buffer.alloc(512 * 1024, 65)));
      expect(e).to.be.instanceOf(RemoteFileError);
      expect(e.message).to.equal('could not write /mnt/small/f on h1: no space left on device');
      expect((await c.exec('cat /mnt/small/f; ls -A /mnt/small')).stdout).to.equal('original\nf\n');
      await c.exec('umount /mnt/small');
    });

    it('controller SIGKILLed while copying a large file: old file intact, temp file gone', async function () {
      this.timeout(60_000);
      await c.exec('printf original > /tmp/kill-test.dat; rm -f /tmp/.tsplay-tmp-*');
      // a child controller process that copies 300 MB, killed with SIGKILL mid-transfer
      const d = mkdtempSync(join(tmpdir(), 'tsp-kill-'));
      const script = join(d, 'put.mts');
      const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
      writeFileSync(script, [
        `import { SshConnection } from ${JSON.stringify(join(root, 'engine/connection/ssh.ts'))};`,
        `const c = await SshConnection.open(JSON.parse(process.argv[2]));`,
        `process.stdout.write('connected\\n');`,
        `await c.putFile('/tmp/kill-test.dat', Buffer.alloc(300 * 1024 * 1024, 120));`,
        `process.stdout.write('finished\\n');`,
      ].join('\n'));
      const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(params('h1'))], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      // wait until the temp file on the host is growing, then kill the controller
      let sawTemp = false;
      for (let i = 0; i < 200 && !sawTemp; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const r = await c.exec("find /tmp -maxdepth 1 -name '.tsplay-tmp-*' -size +1k | grep -c . || true");
        sawTemp = r.stdout.trim() !== '0';
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      expect(sawTemp, `temp file never seen; child said: ${out}`).to.equal(true);
      expect(out).to.not.contain('finished');
      let left = '';
      for (let i = 0; i < 50; i++) {
        left = (await c.exec("ls -A /tmp | grep tsplay-tmp || true")).stdout.trim();
        if (!left) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(left, 'temp file left behind').to.equal('');
      expect((await c.exec('cat /tmp/kill-test.dat')).stdout).to.equal('original');
    });

    it('getFile of a missing file rejects with a clear message', async () => {
      const e = await rejection(c.getFile('/nonexistent/file'));
      expect(e).to.be.instanceOf(RemoteFileError);
      expect(e.message).to.match(/could not read \/nonexistent\/file on h1: .*No such file or directory/);
    });
  });

  describe('become', () => {
    let c: SshConnection;
    const sudo = (password?: string) => ({ method: 'sudo' as const, user: 'root', ...(password ? { password } : {}) });
    before(async () => {
      c = await open(params('h2', { ansible_user: 'tspuser' }));
    });

    it('sudo with a password as a non-root user: rc, stdout, stdin, env, cwd all work', async () => {
      expect((await c.exec('id -un')).stdout).to.equal('tspuser\n');
      const r = await c.exec('id -un; cat; pwd; echo "$V"', { become: sudo('Tsp-Sudo-Pw-91'), stdin: 'via-stdin\n', env: { V: 'v 1' }, cwd: '/root' });
      expect(r).to.deep.equal({ rc: 0, stdout: 'root\nvia-stdin\n/root\nv 1\n', stderr: '' });
      expect((await c.exec('exit 4', { become: sudo('Tsp-Sudo-Pw-91') })).rc).to.equal(4);
    });

    it('putFile / getFile under become (root-owned destination)', async () => {
      await c.putFile('/root/secret.conf', Buffer.from('x=1\n'), { mode: '0600', become: sudo('Tsp-Sudo-Pw-91') });
      expect((await c.exec('stat -c "%a %U" /root/secret.conf', { become: sudo('Tsp-Sudo-Pw-91') })).stdout).to.equal('600 root\n');
      expect((await c.getFile('/root/secret.conf', sudo('Tsp-Sudo-Pw-91'))).toString()).to.equal('x=1\n');
      const e = await rejection(c.getFile('/root/secret.conf'));
      expect(e.message).to.match(/Permission denied/);
    });

    it('wrong sudo password: "Incorrect sudo password", password never in the error', async () => {
      const wrong = 'Wrong-Pw-Canary-5521';
      const e = await rejection(c.exec('id -u', { become: sudo(wrong) }));
      expect(e).to.be.instanceOf(BecomeError);
      expect(e.message).to.equal('Incorrect sudo password');
      expect(e.message + String(e.stack)).to.not.contain(wrong);
      // the connection is still usable afterwards
      expect((await c.exec('echo still-ok')).stdout).to.equal('still-ok\n');
    });

    it('missing sudo password: "Missing sudo password"', async () => {
      const e = await rejection(c.exec('id -u', { become: sudo() }));
      expect(e).to.be.instanceOf(BecomeError);
      expect(e.message).to.equal('Missing sudo password');
    });

    it('su with the root password (pty), including stdin; wrong password fails clearly', async () => {
      const su = (password: string) => ({ method: 'su' as const, user: 'root', password });
      const r = await c.exec('id -un; cat', { become: su('Tsp-Root-Pw-37'), stdin: 'line1\nline2\n' });
      expect(r.rc).to.equal(0);
      expect(r.stdout.replace(/\r/g, '')).to.equal('root\nline1\nline2\n');
      const e = await rejection(c.exec('id -u', { become: su('Bad-Su-Pw-7781') }));
      expect(e).to.be.instanceOf(BecomeError);
      expect(e.message).to.equal('Incorrect su password');
      expect(e.message).to.not.contain('Bad-Su-Pw-7781');
    });

    it('sudo and su from root (no password needed) also work', async () => {
      const root = await open(params('h2'));
      expect((await root.exec('id -un', { become: { method: 'sudo', user: 'tspuser' } })).stdout).to.equal('tspuser\n');
      expect((await root.exec('id -un; cat', { become: { method: 'su', user: 'tspuser' }, stdin: 'in' })).stdout).to.equal('tspuser\nin');
    });
  });

  describe('host keys', () => {
    const dir = () => mkdtempSync(join(tmpdir(), 'tsp-kh-'));
    const strict = (file: string, mode = 'yes') => `-o UserKnownHostsFile=${file} -o StrictHostKeyChecking=${mode}`;

    it('a changed host key is refused, naming the host and BOTH fingerprints', async () => {
      const fps = labFingerprints(lab.knownHostsPath);
      const real = readFileSync(lab.knownHostsPath, 'utf8');
      // h1's names with h2's keys: to the client, h1's key "changed"
      const forged = real.split('\n').filter((l) => l.startsWith('h2,')).map((l) => l.replace(/^h2,\S+/, `h1,${ipOf('h1')}`)).join('\n') + '\n';
      const f = join(dir(), 'known_hosts');
      writeFileSync(f, forged);
      const e = await rejection(SshConnection.open(params('h1', {}, strict(f))));
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.contain(`host key for h1 (${ipOf('h1')}) has CHANGED`);
      expect(e.message).to.contain(fps.get('h2 ED25519')!);
      expect(e.message).to.contain(fps.get('h1 ED25519')!);
      expect((e as UnreachableError).host).to.equal('h1');
    });

    it('an unknown host is refused with the documented message', async () => {
      const f = join(dir(), 'known_hosts');
      writeFileSync(f, '');
      const e = await rejection(SshConnection.open(params('h1', {}, strict(f))));
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.equal(`host key for h1 (${ipOf('h1')}) is not known; add it to known_hosts or use accept-new`);
    });

    it('accept-new records the key, which then verifies with strict checking', async () => {
      const f = join(dir(), 'known_hosts');
      const c = await open(params('h3', {}, strict(f, 'accept-new')));
      expect((await c.exec('hostname')).stdout).to.equal('h3\n');
      const recorded = readFileSync(f, 'utf8');
      expect(recorded).to.match(new RegExp(`^${ipOf('h3').replace(/\./g, '\\.')} ssh-ed25519 `));
      const fp = execFileSync('ssh-keygen', ['-l', '-f', f]).toString();
      expect(fp).to.contain(labFingerprints(lab.knownHostsPath).get('h3 ED25519')!);
      const again = await open(params('h3', {}, strict(f, 'yes')));
      expect((await again.exec('echo ok')).stdout).to.equal('ok\n');
      // accept-new still refuses a CHANGED key
      writeFileSync(f, recorded.replace(ipOf('h3'), ipOf('h1')));
      const e = await rejection(SshConnection.open(params('h1', {}, strict(f, 'accept-new'))));
      expect(e.message).to.contain('has CHANGED');
    });

    it('host_key_checking: false connects despite a bad known_hosts (explicit opt-out only)', async () => {
      const f = join(dir(), 'known_hosts');
      writeFileSync(f, '');
      const c = await open(params('h1', { host_key_checking: false }, strict(f)));
      expect((await c.exec('echo ok')).stdout).to.equal('ok\n');
      expect(readFileSync(f, 'utf8')).to.equal('');
    });
  });

  describe('authentication and routing', () => {
    it('password authentication (PasswordAuthentication enabled on h3 for this test)', async () => {
      await inHost('h3', "sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' /etc/ssh/sshd_config.d/tsplay-lab.conf && systemctl reload ssh");
      // sshd re-executes on reload: wait until it listens again
      await inHost('h3', "for i in $(seq 50); do ss -Htln '( sport = :22 )' | grep -q . && exit 0; sleep 0.1; done; exit 1");
      const base = { ansible_host: ipOf('h3'), ansible_user: 'tspuser', ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath}` };
      const env = { sshConfig: [], env: {}, fileExists: () => false };
      const p = connParamsFor('h3', { ...base, ansible_password: 'Tsp-Sudo-Pw-91' }, {}, env);
      expect(p.identityFiles).to.deep.equal([]);
      const c = await open(p);
      expect((await c.exec('id -un')).stdout).to.equal('tspuser\n');
      const bad = connParamsFor('h3', { ...base, ansible_ssh_pass: 'Bad-Login-Pw-3301' }, {}, env);
      const e = await rejection(SshConnection.open(bad));
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.match(/authentication failed for user tspuser \(tried password\)/);
      expect(e.message).to.not.contain('Bad-Login-Pw-3301');
      expect(redact('Bad-Login-Pw-3301')).to.equal('********');
    });

    it('key types ed25519, rsa, ecdsa; an encrypted key asks for its passphrase; no TTY fails clearly', async () => {
      const d = mkdtempSync(join(tmpdir(), 'tsp-keys-'));
      const gen = (name: string, type: string, pass = '') => {
        execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', pass, '-C', `tsp-${name}`, '-f', join(d, name)]);
        return readFileSync(join(d, `${name}.pub`), 'utf8').trim();
      };
      const pubs = [gen('ed', 'ed25519'), gen('rsa', 'rsa'), gen('ec', 'ecdsa'), gen('enc', 'ed25519', 'Key-Pass-Phrase-61')];
      await inHost('h1', `printf '%s\\n' ${pubs.map((p) => `'${p}'`).join(' ')} >> /root/.ssh/authorized_keys`);
      const env = { sshConfig: [], env: {}, fileExists: () => false };
      const withKey = (file: string) =>
        connParamsFor('h1', { ansible_host: ipOf('h1'), ansible_user: 'root', ansible_ssh_private_key_file: file, ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath}` }, {}, env);
      for (const k of ['ed', 'rsa', 'ec']) {
        const c = await open(withKey(join(d, k)));
        expect((await c.exec('echo ok')).stdout, k).to.equal('ok\n');
      }
      let asked = '';
      const c = await SshConnection.open(withKey(join(d, 'enc')), { passphrase: async (f) => ((asked = f), 'Key-Pass-Phrase-61') });
      opened.push(c);
      expect(asked).to.equal(join(d, 'enc'));
      expect((await c.exec('echo enc-ok')).stdout).to.equal('enc-ok\n');
      // without a hook and without a TTY (mocha's stdin is not one in CI): a clear error
      if (!process.stdin.isTTY) {
        const encCopy = join(d, 'enc2');
        writeFileSync(encCopy, readFileSync(join(d, 'enc')), { mode: 0o600 });
        const e = await rejection(SshConnection.open(withKey(encCopy)));
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.match(/private key .*enc2 is encrypted and there is no terminal to ask for its passphrase/);
      }
    });

    it('ssh-agent (SSH_AUTH_SOCK) authenticates without any key file', async () => {
      const d = mkdtempSync(join(tmpdir(), 'tsp-agent-'));
      const sock = join(d, 'agent.sock');
      const out = execFileSync('ssh-agent', ['-a', sock, '-s']).toString();
      const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
      try {
        execFileSync('ssh-add', [lab.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
        const p = connParamsFor('h1', { ansible_host: ipOf('h1'), ansible_user: 'root', ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath}` }, {}, { sshConfig: [], env: { SSH_AUTH_SOCK: sock }, fileExists: () => false });
        expect(p.identityFiles).to.deep.equal([]);
        expect(p.agentSocket).to.equal(sock);
        const c = await open(p);
        expect((await c.exec('echo agent-ok')).stdout).to.equal('agent-ok\n');
      } finally {
        process.kill(pid, 'SIGTERM');
      }
    });

    it('an ssh_config file alone (HostName, User, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking) is enough', async () => {
      const p = connParamsFor('h2', { ansible_ssh_common_args: `-F ${lab.sshConfigPath}` }, {}, { env: {}, fileExists: () => false });
      expect(p).to.include({ address: ipOf('h2'), user: 'root', strictHostKeyChecking: 'yes', identitiesOnly: true });
      expect(p.identityFiles).to.deep.equal([lab.keyPath]);
      expect(p.knownHostsFiles).to.deep.equal([lab.knownHostsPath]);
      const c = await open(p);
      expect((await c.exec('hostname')).stdout).to.equal('h2\n');
    });

    it('ProxyJump (and ProxyCommand ssh -W): reached through h1 (the session comes from h1)', async () => {
      const p = params('h2', {}, `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes -o ProxyJump=root@${ipOf('h1')}`);
      expect(p.proxyJump).to.have.length(1);
      const c = await open(p);
      const r = await c.exec('hostname; echo $SSH_CLIENT');
      const [name, client] = r.stdout.trim().split('\n');
      expect(name).to.equal('h2');
      expect(client.split(' ')[0]).to.equal(ipOf('h1'));
      // the older idiom: ProxyCommand ssh -W %h:%p bastion
      const pc = params('h3', {}, `-o UserKnownHostsFile=${lab.knownHostsPath} -o ProxyCommand="ssh -W %h:%p root@${ipOf('h1')}"`);
      const c3 = await open(pc);
      expect((await c3.exec('echo $SSH_CLIENT')).stdout.split(' ')[0]).to.equal(ipOf('h1'));
    });

    it('an address where nothing answers is unreachable after the connect timeout', async () => {
      const dead = lab.subnet.replace(/\.0\/24$/, '.201');
      const t0 = Date.now();
      const e = await rejection(SshConnection.open(connParamsFor('ghost', { ansible_host: dead, ansible_user: 'root', ansible_ssh_private_key_file: lab.keyPath, ansible_ssh_timeout: 2 }, {}, { sshConfig: [], env: {} })));
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.match(/ssh to ghost .*: (connection timed out after 2 s|no route to host)/);
      expect(Date.now() - t0).to.be.lessThan(8000);
      const refused = await rejection(SshConnection.open(params('h1', { ansible_port: 2 })));
      expect(refused.message).to.match(/connection refused/);
    });
  });

  describe('drops', () => {
    it('close() kills commands still running on the host (whole process group, also under sudo) and rejects them', async () => {
      const c = await SshConnection.open(params('h2', { ansible_user: 'tspuser' }));
      const plain = rejection(c.exec("sh -c 'sleep 61; echo x' & sleep 62; wait"));
      const sudo = rejection(c.exec('sleep 63', { become: { method: 'sudo', user: 'root', password: 'Tsp-Sudo-Pw-91' } }));
      await new Promise((r) => setTimeout(r, 1500));
      await c.close();
      for (const e of await Promise.all([plain, sudo])) {
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.equal('connection to h2 was closed while a command was running');
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(await inHost('h2', "pgrep -a -f 'sleep 6[123]' || echo none")).to.equal('none\n');
    });

    it('the pool keeps one connection per host and per remote user, shared by concurrent callers', async () => {
      const pool = new ConnectionPool();
      const [a, b] = await Promise.all([pool.get('h2', params('h2')), pool.get('h2', params('h2'))]);
      expect(a).to.equal(b);
      const u = await pool.get('h2', params('h2', { ansible_user: 'tspuser' }));
      expect(u).to.not.equal(a);
      expect((await a.exec('id -un')).stdout).to.equal('root\n');
      expect((await u.exec('id -un')).stdout).to.equal('tspuser\n');
      expect(await pool.get('h2', params('h2'))).to.equal(a);
      expect((a as SshConnection).connectCount).to.equal(1);
      await pool.closeAll();
    });

    it('network cut mid-command (link down): unreachable after the keepalive timeout, no hang', async function () {
      this.timeout(60_000);
      const kh = `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes -o ServerAliveInterval=1 -o ServerAliveCountMax=2`;
      const c = await open(params('h3', {}, kh));
      expect((await c.exec('echo up')).stdout).to.equal('up\n');
      const running = rejection(c.exec('sleep 40'));
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      await inHost('h3', 'ip link set eth0 down');
      try {
        const e = await running;
        expect(e).to.be.instanceOf(UnreachableError);
        expect(e.message).to.match(/connection to h3 .*lost/);
        expect(Date.now() - t0).to.be.lessThan(10_000);
      } finally {
        await inHost('h3', 'ip link set eth0 up');
      }
    });

    it('a dropped connection fails the running command as unreachable; the next call reconnects', async () => {
      const pool = new ConnectionPool();
      const p = params('h3');
      const c = (await pool.get('h3', p)) as SshConnection;
      const [again] = await Promise.all([pool.get('h3', p), pool.get('h3', p)]);
      expect(again).to.equal(c);
      expect((await c.exec('echo up')).stdout).to.equal('up\n');
      const running = rejection(c.exec('sleep 30'));
      await new Promise((r) => setTimeout(r, 300));
      await inHost('h3', "pkill -KILL -f 'sshd: root@nott[y]' || true");
      const e = await running;
      expect(e).to.be.instanceOf(UnreachableError);
      expect(e.message).to.match(/connection to h3 .*lost/);
      const c2 = await pool.get('h3', p);
      expect((await c2.exec('echo back')).stdout).to.equal('back\n');
      expect((c2 as SshConnection).connectCount).to.equal(2);
      await pool.closeAll();
      const closed = await rejection(c.exec('true'));
      expect(closed).to.be.instanceOf(UnreachableError);
    });
  });
});
