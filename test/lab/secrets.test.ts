/**
 * Secrets canary (lab 'tsp-sec', 2 hosts, real SSH, the real CLI as a subprocess).
 * Canary values are used as: the SSH password and the become (sudo) password of a non-root
 * user on h1 (sshd with PasswordAuthentication on), the vault password, a vault-encrypted
 * vars file, an inline `!vault` value, the args and registered result of no_log tasks, a
 * debug of variables holding them, and a failure message on h2 (which also writes a retry
 * file and a handler-journal entry). The playbook runs at default verbosity, -v .. -vvvv and
 * --json; then `tsplay run` ad hoc with -K (password on stdin) at -vvvv. stdout, stderr and
 * every file the runs wrote (TSPLAY_HOME with the journal, the retry file, anything new in the
 * work dir and the temp dir) are searched: no canary may appear anywhere.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bootLab, teardownLab, labExec, type LabInfo } from '../support/lab.ts';
import { tsplay, recap } from './reliability-support.ts';
import { recordFigure } from '../unit/badinput/figures.ts';

const LAB = 'tsp-sec';
const tag = randomBytes(4).toString('hex');
/** every canary starts with this; the search looks for the prefix and each full value */
const PREFIX = `tspcanary${tag}`;
const C = {
  userPw: `${PREFIX}-userpw-Zq8`,
  vaultPw: `${PREFIX}-vaultpw-Xk2`,
  file: `${PREFIX}-vaultfile-Lm3`,
  inline: `${PREFIX}-inline-Rt5`,
  nolog: `${PREFIX}-nolog-Wy7`,
};

/** Every regular file under `dir` modified at or after `since` (ms), up to `depth` levels. */
function filesSince(dir: string, since: number, depth: number, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (depth > 0) filesSince(p, since, depth - 1, out);
    } else if (st.isFile() && st.mtimeMs >= since && st.size < 20 * 1024 * 1024) out.push(p);
  }
  return out;
}

describe('secrets never leak (tsp-sec canary)', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let dir: string;
  let home: string;
  let inv: string;
  let pwFile: string;
  let vaultPwFile: string;
  const inHost = async (host: string, cmd: string) => (await labExec(LAB, host, cmd, { timeoutMs: 30_000 })) as { rc: number; stdout: string; stderr: string };

  before(async function () {
    this.timeout(600_000);
    lab = await bootLab(LAB, 2);
    dir = mkdtempSync(join(tmpdir(), 'tsp-sec-'));
    home = join(dir, 'home');
    // h1: user 'canary' whose password is the canary; sudo needs it; sshd takes passwords
    const setup = [
      'id canary >/dev/null 2>&1 || useradd -m -s /bin/bash canary',
      `echo 'canary:${C.userPw}' | chpasswd`,
      "echo 'canary ALL=(ALL) ALL' > /etc/sudoers.d/canary && chmod 0440 /etc/sudoers.d/canary",
      "printf 'PasswordAuthentication yes\\nKbdInteractiveAuthentication yes\\n' > /etc/ssh/sshd_config.d/00-canary.conf",
      'systemctl restart ssh.service',
    ].join(' && ');
    const r = await inHost('h1', setup);
    expect(r.rc, r.stderr).to.equal(0);
    const [h1, h2] = lab.hosts;
    const kh = `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`;
    inv = join(dir, 'hosts.ini');
    // h1: password login only (no key given; IdentitiesOnly with no identity = no key tried)
    writeFileSync(
      inv,
      `[lab]\nh1 ansible_host=${h1.ip} ansible_user=canary ansible_ssh_common_args='${kh} -o IdentitiesOnly=yes'\n` +
        `h2 ansible_host=${h2.ip} ansible_user=root ansible_ssh_private_key_file=${lab.keyPath} ansible_ssh_common_args='${kh}'\n`,
    );
    pwFile = join(dir, 'conn.pw');
    writeFileSync(pwFile, C.userPw + '\n');
    vaultPwFile = join(dir, 'vault.pw');
    writeFileSync(vaultPwFile, C.vaultPw + '\n');
    // a vaulted vars file and an inline !vault value, made with our vault CLI
    const vf = join(dir, 'secret-vars.yml');
    writeFileSync(vf, `file_secret: ${C.file}\n`);
    const enc = await tsplay(['vault', 'encrypt', '--vault-password-file', vaultPwFile, vf]);
    expect(enc.rc, enc.stderr).to.equal(0);
    expect(readFileSync(vf, 'utf8')).to.match(/^\$ANSIBLE_VAULT;1\.1;AES256/);
    const es = await tsplay(['vault', 'encrypt_string', '--vault-password-file', vaultPwFile, '--name', 'inline_secret', C.inline]);
    expect(es.rc, es.stderr).to.equal(0);
    expect(es.stdout).to.match(/inline_secret: !vault \|/);
    const inline = es.stdout.trimEnd().split('\n').map((l) => '    ' + l).join('\n');
    writeFileSync(
      join(dir, 'site.yml'),
      `- hosts: lab
  gather_facts: false
  vars_files: [secret-vars.yml]
  vars:
${inline}
  tasks:
    - name: become with the password
      command: whoami
      become: true
      register: who
      when: inventory_hostname == 'h1'
    - assert: { that: "who.stdout == 'root'" }
      when: inventory_hostname == 'h1'
    - name: vault values are used
      copy: { content: "{{ file_secret }} {{ inline_secret }}\\n", dest: /tmp/tsp-secret.txt, mode: "0600" }
    - name: a no_log task (args and result hold a secret)
      shell: "echo ${C.nolog}; echo {{ file_secret }} >&2"
      no_log: true
      register: nl
    - name: a failing no_log task
      shell: "echo ${C.nolog}; exit 3"
      no_log: true
      ignore_errors: true
    - set_fact: { held: "${C.nolog}" }
      no_log: true
    - debug: { var: nl }
    - debug: { msg: "{{ file_secret }} {{ inline_secret }} {{ held }}" }
    - debug: { var: inline_secret }
    - command: "cat /tmp/tsp-secret.txt"
      changed_when: false
    - name: notify, then fail on h2 (retry file + handler journal)
      command: "true"
      notify: a handler
      when: inventory_hostname == 'h2'
    - fail: { msg: "failing with {{ inline_secret }} and {{ file_secret }}" }
      when: inventory_hostname == 'h2'
  handlers:
    - name: a handler
      debug: { msg: "{{ file_secret }}" }
`,
    );
  });

  after(async function () {
    this.timeout(120_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await teardownLab(LAB);
  });

  it('no canary in stdout, stderr, --json or any file written, at every verbosity; ad-hoc -K too', async () => {
    const started = Date.now() - 1000;
    const outputs: { what: string; text: string }[] = [];
    const modes = [[], ['-v'], ['-vv'], ['-vvv'], ['-vvvv'], ['--json'], ['--json', '-vvvv'], ['-D', '-vvvv']];
    for (const m of modes) {
      const retry = join(dir, `run${modes.indexOf(m)}.retry`);
      const r = await tsplay(['site.yml', '-i', inv, '--vault-password-file', vaultPwFile, '--connection-password-file', pwFile, '--become-password-file', pwFile, '--retry-file', retry, ...m], {
        cwd: dir,
        env: { TSPLAY_HOME: home },
      });
      const label = `playbook ${m.join(' ') || '(default)'}`;
      // the run really worked: h1 over password + sudo, h2 failed on purpose
      expect(r.rc, `${label}\n${r.stdout}\n${r.stderr}`).to.equal(2);
      if (!m.includes('--json')) {
        const rc = recap(r.stdout);
        expect(rc.h1, r.stdout).to.include({ failed: 0, unreachable: 0 });
        expect(rc.h2.failed, r.stdout).to.equal(1);
      } else {
        const doc = JSON.parse(r.stdout);
        expect(doc.stats.h1.failures ?? 0).to.equal(0);
        expect(doc.stats.h1.unreachable ?? 0).to.equal(0);
      }
      expect(readFileSync(retry, 'utf8').trim()).to.equal('h2');
      outputs.push({ what: `${label} stdout`, text: r.stdout }, { what: `${label} stderr`, text: r.stderr });
    }
    // ad hoc with -K (password on stdin) and the SSH password from a file
    const a = await tsplay(['run', 'h1', '-i', inv, '-b', '-K', '--connection-password-file', pwFile, '-m', 'shell', '-a', 'whoami; sudo -n true 2>&1; echo done', '-vvvv'], {
      cwd: dir,
      env: { TSPLAY_HOME: home },
      input: C.userPw + '\n',
    });
    expect(a.rc, a.stdout + a.stderr).to.equal(0);
    expect(a.stdout).to.match(/root/);
    outputs.push({ what: 'ad-hoc -K stdout', text: a.stdout }, { what: 'ad-hoc -K stderr', text: a.stderr });
    // the host did receive the secrets (so the canary was really in play)
    expect((await inHost('h1', 'cat /tmp/tsp-secret.txt')).stdout).to.equal(`${C.file} ${C.inline}\n`);

    // every file the runs wrote: TSPLAY_HOME (journal), the work dir (retry files), the temp dir
    // the inputs the test wrote itself (the playbook holds the no_log canary literally)
    const skip = new Set([join(dir, 'conn.pw'), join(dir, 'vault.pw'), join(dir, 'site.yml'), join(dir, 'secret-vars.yml'), inv]);
    const files = [...filesSince(dir, started, 6), ...filesSince(tmpdir(), started, 2).filter((f) => !f.startsWith(dir))].filter((f) => !skip.has(f));
    expect(files.some((f) => f.startsWith(home)), `the journal under TSPLAY_HOME was not written: ${files.join(', ')}`).to.equal(true);
    expect(files.some((f) => f.endsWith('.retry'))).to.equal(true);
    for (const f of files) {
      try {
        outputs.push({ what: `file ${f}`, text: readFileSync(f, 'latin1') });
      } catch {
        // a file of another process in the temp dir that is already gone
      }
    }

    const leaks: string[] = [];
    for (const o of outputs) {
      for (const [k, v] of Object.entries({ ...C, prefix: PREFIX })) if (o.text.includes(v)) leaks.push(`${k} in ${o.what}`);
    }
    recordFigure('secrets_leaked', leaks.length, `canary occurrences in ${outputs.length} outputs and files (8 verbosity/--json runs + ad-hoc -K; secrets.test.ts)`);
    recordFigure('secrets_outputs_searched', outputs.length, 'stdout/stderr streams and files searched for the canaries (secrets.test.ts)');
    expect(leaks, leaks.join('\n')).to.deep.equal([]);
    // the redaction placeholder shows up where the secrets were printed
    expect(outputs.find((o) => o.what === 'playbook -v stdout')!.text).to.include('********');
  });
});


