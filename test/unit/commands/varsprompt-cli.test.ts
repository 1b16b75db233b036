/**
 * vars_prompt through the real CLI (`node bin/tsplay.js`, stdin a pipe: not a terminal), and
 * the missing playbook / --limit @file exit codes. Expected output is what ansible-playbook
 * 2.14 printed for the same playbook with stdin from /dev/null.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;

function tsplay(args: string[], cwd: string, stdin = ''): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('node', [join(ROOT, 'bin/tsplay.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TSPLAY_HOME: join(cwd, '.tsplay') } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ rc: code ?? 255, stdout, stderr }));
    c.stdin.end(stdin);
  });
}

const PLAY = `- hosts: localhost
  gather_facts: false
  vars:
    base: B
  vars_prompt:
    - name: nodef
      prompt: No default
    - name: withdef
      prompt: "With default {{ base }}"
      default: "d-{{ base }}"
      private: false
    - name: num
      default: 5
    - name: enc
      default: secret
      encrypt: sha512_crypt
      salt: abcdefgh
    - name: uns
      default: "{% raw %}{{ base }}{% endraw %}"
      unsafe: true
    - name: safe
      default: "{% raw %}{{ base }}{% endraw %}"
  tasks:
    - debug: msg="{{ nodef }}|{{ nodef | type_debug }}|{{ withdef }}|{{ num }}|{{ num | type_debug }}|{{ enc }}|{{ uns }}|{{ safe }}"
`;
const ENC = '$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.';

describe('vars_prompt and exit codes through the CLI (stdin not a terminal)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'tsp-vpcli-'));
  writeFileSync(join(dir, 'vp.yml'), PLAY);

  it('no terminal: the warning once on stderr, the defaults (None without one), nothing read from stdin, exit 0', async () => {
    const r = await tsplay(['vp.yml', '-c', 'local'], dir, 'typed-but-never-read\n');
    expect(r.rc, r.stderr).to.equal(0);
    expect(r.stderr.match(/\[WARNING\]: Not prompting as we are not in interactive mode/g)).to.have.length(1);
    expect(r.stdout).to.include(`"msg": "None|str|d-B|5|str|${ENC}|{{ base }}|B"`);
    expect(r.stdout + r.stderr).to.not.include('typed-but-never-read');
  });

  it('-e values skip the prompt and keep their type', async () => {
    const r = await tsplay(['vp.yml', '-c', 'local', '-e', 'nodef=given', '-e', '{"num": 7}'], dir);
    expect(r.rc, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`"msg": "given|str|d-B|7|int|${ENC}|{{ base }}|B"`);
  });

  it('--syntax-check accepts vars_prompt; a bad entry is a parse error (exit 4) at file:line', async () => {
    expect((await tsplay(['vp.yml', '--syntax-check'], dir)).rc).to.equal(0);
    writeFileSync(join(dir, 'bad.yml'), '- hosts: localhost\n  vars_prompt:\n    - name: pw\n      encrypt: bcrypt\n  tasks: []\n');
    const b = await tsplay(['bad.yml', '--syntax-check'], dir);
    expect(b.rc).to.equal(4);
    expect(b.stderr.trim()).to.match(/^ERROR! \S*bad\.yml:4:\d+: vars_prompt encrypt 'bcrypt' is not supported by tsplay/);
  });

  it('a missing playbook and a missing --limit @file exit 1 with one line, as ansible-playbook', async () => {
    const m = await tsplay(['nope.yml', '-c', 'local'], dir);
    expect(m.rc).to.equal(1);
    expect(m.stderr.trim()).to.equal('ERROR! the playbook: nope.yml could not be found');
    const l = await tsplay(['vp.yml', '-c', 'local', '-l', '@missing.retry'], dir);
    expect(l.rc).to.equal(1);
    expect(l.stderr.trim().split('\n')).to.have.length(1);
    expect(l.stderr).to.match(/^ERROR! Unable to find limit file missing\.retry/);
  });
});
