import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { wrapBecome, prepareCommand } from '../../../engine/connection/become.ts';
import { buildCommandLine, shQuote } from '../../../engine/connection/shell.ts';
import { putFileScript, failureReason } from '../../../engine/connection/files.ts';
import { withTimeout } from '../../../engine/connection/driver.ts';

const sh = (cmd: string, input = '') => spawnSync('/bin/sh', ['-c', cmd], { input });

describe('connection/shell', () => {
  it('shQuote round-trips arbitrary strings through sh', () => {
    for (const s of ['plain', '', "it's", 'a b\tc\n', '$(rm -rf /)', '`x`', '"q"', '\\', 'ünï']) {
      expect(sh(`printf %s ${shQuote(s)}`).stdout.toString()).to.equal(s);
    }
  });
  it('buildCommandLine: cwd, quoted env, invalid names rejected', () => {
    const line = buildCommandLine('pwd; printf %s "$A"', { cwd: '/tmp', env: { A: "x'y $HOME" } });
    expect(sh(line).stdout.toString()).to.equal("/tmp\nx'y $HOME");
    expect(sh(buildCommandLine('echo ok', { cwd: '/nonexistent-dir' })).status).to.equal(1);
    expect(() => buildCommandLine('x', { env: { 'A;rm': '1' } })).to.throw(/invalid environment variable name/);
  });
});

describe('connection/become: wrapping', () => {
  it('no become: the command is unchanged', () => {
    expect(wrapBecome('echo hi')).to.deep.equal({ command: 'echo hi', pty: false });
  });

  it('sudo: -S with a random prompt, success marker, target user; never the password', () => {
    const w = wrapBecome('id -u', { method: 'sudo', user: 'postgres', password: 'S3cret-pw!' }, { marker: 'm1' });
    expect(w.pty).to.equal(false);
    expect(w.command).to.match(/^sudo -H -S -p '\[tsplay-sudo-m1\] password: ' -u postgres \/bin\/sh -c /);
    expect(w.command).to.contain('echo BECOME-SUCCESS-m1; id -u');
    expect(w.command).to.not.contain('S3cret-pw!');
    expect(w.become).to.include({ method: 'sudo', user: 'postgres', successMarker: 'BECOME-SUCCESS-m1', password: 'S3cret-pw!' });
    const w2 = wrapBecome('x', { method: 'sudo', user: 'root' });
    expect(w2.become?.prompt).to.not.equal(w.become?.prompt); // random per command
  });

  it('sudo flags replace the default -H; -n is dropped when a password is given', () => {
    expect(wrapBecome('x', { method: 'sudo', user: 'root', flags: '-E -H' }, { marker: 'q' }).command).to.match(/^sudo -E -H -S -p /);
    expect(wrapBecome('x', { method: 'sudo', user: 'root', flags: '-H -S -n' }, { marker: 'q' }).command).to.match(/^sudo -H -S -n -S -p /);
    expect(wrapBecome('x', { method: 'sudo', user: 'root', flags: '-H -S -n', password: 'pw-x-1' }, { marker: 'q' }).command).to.match(/^sudo -H -S -S -p /);
  });

  it('the inner command survives quoting (executed through sh without sudo)', () => {
    const w = prepareCommand(`printf '%s|' "$V" "it's"`, { env: { V: 'a b' }, cwd: '/', become: { method: 'sudo', user: 'root' }, marker: 'z' });
    // strip the sudo prefix and run the rest with sh: same behaviour as under sudo
    const inner = w.command.replace(/^sudo .*? -u root /, '');
    expect(sh(inner).stdout.toString()).to.equal("BECOME-SUCCESS-z\na b|it's|");
  });

  it('su without password: plain su -c; with password: pty + exact stdin length', () => {
    const a = wrapBecome('id', { method: 'su', user: 'root' }, { marker: 'k' });
    expect(a.pty).to.equal(false);
    expect(a.command).to.match(/^su -s \/bin\/sh root -c /);
    const b = wrapBecome('cat > /x', { method: 'su', user: 'root', password: 'pw-su-1' }, { marker: 'k', stdinLength: 12 });
    expect(b.pty).to.equal(true);
    expect(b.command).to.contain('head -c 12 | ( cat > /x )');
    expect(b.command).to.not.contain('pw-su-1');
  });

  it('timeout wrapper uses coreutils timeout on the whole shell', () => {
    const r = sh(withTimeout('sleep 5; echo never', 1000));
    expect(r.status).to.equal(124);
    expect(r.stdout.toString()).to.equal('');
  });
});

describe('connection/files: the atomic put script (run locally with sh)', () => {
  const dir = spawnSync('mktemp', ['-d']).stdout.toString().trim();
  it('writes atomically with mode; keeps mode of an existing file when none given', () => {
    const dest = `${dir}/a file.txt`;
    let r = sh(putFileScript(dest, 5, { mode: '0640' }), 'hello');
    expect(r.status, r.stderr.toString()).to.equal(0);
    expect(sh(`stat -c %a ${shQuote(dest)}; cat ${shQuote(dest)}`).stdout.toString()).to.equal('640\nhello');
    r = sh(putFileScript(dest, 3), 'bye');
    expect(r.status).to.equal(0);
    expect(sh(`stat -c %a ${shQuote(dest)}; cat ${shQuote(dest)}`).stdout.toString()).to.equal('640\nbye');
    expect(sh(`ls -A ${shQuote(dir)} | grep -c tsplay-tmp`).stdout.toString().trim()).to.equal('0');
  });
  it('a short write fails, leaves the original and no temp file', () => {
    const dest = `${dir}/b`;
    sh(`echo original > ${dest}`);
    const r = sh(putFileScript(dest, 100), 'only-part');
    expect(r.status).to.equal(72);
    expect(failureReason(r.stderr.toString(), r.status!)).to.match(/short write/);
    expect(sh(`cat ${dest}`).stdout.toString()).to.equal('original\n');
    expect(sh(`ls -A ${shQuote(dir)} | grep -c tsplay-tmp`).stdout.toString().trim()).to.equal('0');
  });
  it('missing directory: clear error', () => {
    const r = sh(putFileScript(`${dir}/nope/x`, 1), 'x');
    expect(r.status).to.equal(70);
    expect(failureReason(r.stderr.toString(), 70)).to.contain('does not exist');
  });
  it('the directory is found without dirname (a relative name, one under /), and only stale temp files are swept', () => {
    const rel = sh(`cd ${shQuote(dir)} && ${putFileScript('rel.txt', 2)}`, 'hi');
    expect(rel.status, rel.stderr.toString()).to.equal(0);
    expect(sh(`cat ${shQuote(dir)}/rel.txt`).stdout.toString()).to.equal('hi');
    const dirOf = (dest: string) => {
      const lines = putFileScript(dest, 1).split('\n');
      return sh(`${lines[0]}\n${lines.find((l) => l.startsWith('case $dest'))}\nprintf %s "$d"`).stdout.toString();
    };
    expect([dirOf('/f'), dirOf('f'), dirOf('/a/b c/f')]).to.deep.equal(['/', '.', '/a/b c']);
    sh(`touch -d '10 minutes ago' ${shQuote(dir)}/.tsplay-tmp-stale; touch ${shQuote(dir)}/.tsplay-tmp-fresh`);
    expect(sh(putFileScript(`${dir}/c`, 1), 'c').status).to.equal(0);
    expect(sh(`ls -A ${shQuote(dir)} | grep tsplay-tmp`).stdout.toString()).to.equal('.tsplay-tmp-fresh\n');
    sh(`rm -f ${shQuote(dir)}/.tsplay-tmp-fresh`);
  });
  it('invalid mode is rejected before anything is sent', () => {
    expect(() => putFileScript('/x', 1, { mode: 'u+x; rm -rf /' })).to.throw(/invalid file mode/);
  });
  it('failureReason recognises a full disk', () => {
    expect(failureReason('cat: write error: No space left on device\n', 71)).to.equal('no space left on device');
  });
});
