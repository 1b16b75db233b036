/**
 * File modules on real lab hosts over real SSH, through the real registry + runner:
 * first run changed, second run ok, check mode on a fresh host changes nothing, diff shows
 * before/after, failures give clear messages.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useModuleLab, type ModuleLab } from '../support/modules.ts';

const LAB = 'tsp-mod';
const BASE = new URL('./fixtures/modules/', import.meta.url).pathname;

describe('lab: file modules (copy, template, file, lineinfile, blockinfile, replace, stat, slurp, fetch, find)', function () {
  this.timeout(120_000);
  const m = useModuleLab(LAB, 2, 0, { baseDir: BASE, vars: { port: 8080, app: { name: 'demo' } } });
  const run: ModuleLab['run'] = (...a) => m.run(...a);
  const remote: ModuleLab['remote'] = (c) => m.remote(c);

  it('copy content: check mode on a fresh host changes nothing; then changed, then ok; diff shows content', async () => {
    const args = { content: 'hello\n', dest: '/root/t/copy1.txt', mode: '0640' };
    await remote('mkdir -p /root/t');
    const c = await run('copy', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0]).to.include({ before: '', after: 'hello\n' });
    expect(await remote('ls /root/t/copy1.txt 2>&1 || true')).to.match(/No such file/);
    const r1 = await run('copy', args);
    expect(r1).to.include({ changed: true, mode: '0640', checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f' });
    expect(await remote('stat -c %a /root/t/copy1.txt; cat /root/t/copy1.txt')).to.equal('640\nhello\n');
    const r2 = await run('copy', args);
    expect(r2.changed).to.equal(false);
  });

  it('copy reports a mode-only change with a diff of the mode, and backup keeps the old file', async () => {
    const r = await run('copy', { content: 'hello\n', dest: '/root/t/copy1.txt', mode: '0600' }, { diff: true });
    expect(r.changed).to.equal(true);
    expect(r.diff?.[0].before).to.include('mode: 0640');
    expect(r.diff?.[0].after).to.include('mode: 0600');
    const b = await run('copy', { content: 'v2\n', dest: '/root/t/copy1.txt', backup: true });
    expect(b.backup_file).to.be.a('string');
    expect(await remote(`cat '${b.backup_file}'`)).to.equal('hello\n');
    expect(await remote('stat -c %a /root/t/copy1.txt')).to.equal('600\n'); // existing mode kept
  });

  it('copy src file, directory tree, and a missing src fails clearly', async () => {
    const f = await run('copy', { src: 'hello.txt', dest: '/root/t/' });
    expect(f).to.include({ changed: true, dest: '/root/t/hello.txt' });
    expect((await run('copy', { src: 'hello.txt', dest: '/root/t/' })).changed).to.equal(false);
    const t = await run('copy', { src: 'tree', dest: '/root/t', directory_mode: '0750' });
    expect(t.changed).to.equal(true);
    expect(await remote('cat /root/t/tree/a.txt /root/t/tree/sub/b.txt; stat -c %a /root/t/tree/sub')).to.equal('a\nb\n750\n');
    expect((await run('copy', { src: 'tree', dest: '/root/t', directory_mode: '0750' })).changed).to.equal(false);
    const rs = { src: '/root/t/tree/', dest: '/root/t/tree2', remote_src: true, mode: '0600' };
    expect((await run('copy', rs, { check: true })).changed).to.equal(true);
    expect(await remote('test -e /root/t/tree2 && echo yes || echo no')).to.equal('no\n');
    expect((await run('copy', rs)).changed).to.equal(true);
    expect(await remote('cat /root/t/tree2/a.txt /root/t/tree2/sub/b.txt; stat -c %a /root/t/tree2/sub/b.txt')).to.equal('a\nb\n600\n');
    expect((await run('copy', rs)).changed).to.equal(false);
    const rf = { src: '/root/t/tree/a.txt', dest: '/root/t/a-copy.txt', remote_src: true };
    expect((await run('copy', rf)).changed).to.equal(true);
    expect((await run('copy', rf)).changed).to.equal(false);
    const miss = await run('copy', { src: 'nope.txt', dest: '/root/t/' });
    expect(miss.failed).to.equal(true);
    expect(miss.msg).to.match(/Could not find or access 'nope.txt'/);
    const nodir = await run('copy', { content: 'x', dest: '/root/missing-dir/x' });
    expect(nodir).to.include({ failed: true, msg: 'Destination directory /root/missing-dir does not exist' });
  });

  it('copy validate: a failing validator leaves the file alone', async () => {
    const r = await run('copy', { content: 'bad\n', dest: '/root/t/hello.txt', validate: 'grep -q good %s' });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/failed to validate/);
    expect(await remote('cat /root/t/hello.txt; ls -a /root/t | grep -c tsplay || true')).to.equal('static file\n0\n');
    const ok = await run('copy', { content: 'good\n', dest: '/root/t/hello.txt', validate: 'grep -q good %s' });
    expect(ok.changed).to.equal(true);
  });

  it('template renders with the task variables, idempotent, diff', async () => {
    const args = { src: 'app.conf.j2', dest: '/root/t/app.conf', owner: 'root', group: 'root', mode: '0644' };
    const c = await run('template', args, { check: true, diff: true });
    expect(c.changed).to.equal(true);
    expect(c.diff?.[0].after).to.equal('listen 8080\nname demo\n');
    expect((await run('template', args)).changed).to.equal(true);
    expect(await remote('cat /root/t/app.conf')).to.equal('listen 8080\nname demo\n');
    expect((await run('template', args)).changed).to.equal(false);
    const d = await run('template', args, { vars: { port: 9090, app: { name: 'demo' } }, diff: true });
    expect(d.changed).to.equal(true);
    expect(d.diff?.[0]).to.include({ before: 'listen 8080\nname demo\n', after: 'listen 9090\nname demo\n' });
    const u = await run('template', args, { vars: { app: { name: 'x' } } });
    expect(u.failed).to.equal(true);
    expect(u.msg).to.match(/port/);
  });

  it('file: directory, touch (always changed), link, hard, absent, symbolic and recursive modes', async () => {
    const d = { path: '/root/t/dir/sub', state: 'directory', mode: 'u=rwx,g=rx,o=' };
    expect((await run('file', d, { check: true })).changed).to.equal(true);
    expect(await remote('test -e /root/t/dir && echo yes || echo no')).to.equal('no\n');
    expect((await run('file', d)).changed).to.equal(true);
    expect(await remote('stat -c %a /root/t/dir/sub')).to.equal('750\n');
    expect((await run('file', d)).changed).to.equal(false);
    expect((await run('file', { path: '/root/t/dir/f', state: 'touch' })).changed).to.equal(true);
    expect((await run('file', { path: '/root/t/dir/f', state: 'touch' })).changed).to.equal(true);
    const keep = { path: '/root/t/dir/f', state: 'touch', access_time: 'preserve', modification_time: 'preserve' };
    expect((await run('file', keep)).changed, 'touch with preserved times is idempotent').to.equal(false);
    expect((await run('file', { path: '/root/t/dir/f', mode: 'u+x' })).changed).to.equal(true);
    expect((await run('file', { path: '/root/t/dir/f', mode: 'u+x' })).changed).to.equal(false);
    const rec = { path: '/root/t/dir', state: 'directory', recurse: true, owner: 'nobody' };
    expect((await run('file', rec)).changed).to.equal(true);
    expect(await remote('stat -c %U /root/t/dir/f /root/t/dir/sub')).to.equal('nobody\nnobody\n');
    expect((await run('file', rec)).changed).to.equal(false);
    const l = { src: '/root/t/dir/f', dest: '/root/t/link', state: 'link' };
    expect((await run('file', l)).changed).to.equal(true);
    expect((await run('file', l)).changed).to.equal(false);
    expect(await remote('readlink /root/t/link')).to.equal('/root/t/dir/f\n');
    const hl = { src: '/root/t/dir/f', dest: '/root/t/hard', state: 'hard' };
    expect((await run('file', hl)).changed).to.equal(true);
    expect((await run('file', hl)).changed).to.equal(false);
    const bad = await run('file', { path: '/root/t/nothing', state: 'file' });
    expect(bad).to.include({ failed: true, msg: 'file (/root/t/nothing) is absent, cannot continue' });
    const a = await run('file', { path: '/root/t/dir', state: 'absent' }, { diff: true });
    expect(a.changed).to.equal(true);
    expect(a.diff?.[0].after).to.include('state: absent');
    expect((await run('file', { path: '/root/t/dir', state: 'absent' })).changed).to.equal(false);
  });

  it('lineinfile / blockinfile / replace: changed then ok, check mode, diff, backup, missing file', async () => {
    await remote("printf 'a=1\\nSELINUX=enforcing\\n/swap.img none swap sw 0 0\\n' > /root/t/cfg");
    const li = { path: '/root/t/cfg', regexp: '^SELINUX=', line: 'SELINUX=permissive' };
    const c = await run('lineinfile', li, { check: true, diff: true });
    expect(c).to.include({ changed: true, msg: 'line replaced' });
    expect(c.diff?.[0].after).to.include('SELINUX=permissive');
    expect(await remote('grep SELINUX /root/t/cfg')).to.equal('SELINUX=enforcing\n');
    expect((await run('lineinfile', { ...li, backup: true })).backup).to.be.a('string');
    expect((await run('lineinfile', li)).changed).to.equal(false);
    const bi = { path: '/root/t/cfg', block: 'x=1\ny=2' };
    expect((await run('blockinfile', bi)).msg).to.equal('Block inserted');
    expect((await run('blockinfile', bi)).changed).to.equal(false);
    const rp = { path: '/root/t/cfg', regexp: '^([^#].*\\sswap\\s.*)$', replace: '# \\1' };
    expect((await run('replace', rp)).msg).to.equal('1 replacements made');
    expect((await run('replace', rp)).changed).to.equal(false);
    expect(await remote('cat /root/t/cfg')).to.equal('a=1\nSELINUX=permissive\n# /swap.img none swap sw 0 0\n# BEGIN ANSIBLE MANAGED BLOCK\nx=1\ny=2\n# END ANSIBLE MANAGED BLOCK\n');
    const miss = await run('lineinfile', { path: '/root/t/none', line: 'x' });
    expect(miss).to.include({ failed: true, msg: 'Destination /root/t/none does not exist !' });
    const create = await run('lineinfile', { path: '/root/t/new/dir/file', line: 'x', create: true, mode: '0600' });
    expect(create.changed).to.equal(true);
    expect(await remote('cat /root/t/new/dir/file; stat -c %a /root/t/new/dir/file')).to.equal('x\n600\n');
    const badre = await run('replace', { path: '/root/t/cfg', regexp: '(' });
    expect(badre.failed).to.equal(true);
    expect(badre.msg).to.match(/invalid regular expression/);
  });

  it('stat, slurp, find, fetch', async () => {
    const s = await run('stat', { path: '/root/t/cfg' }, { check: true });
    expect(s.changed).to.equal(false);
    expect(s.stat).to.include({ exists: true, isreg: true, pw_name: 'root', mode: '0644' });
    expect((await run('stat', { path: '/root/none' })).stat).to.deep.equal({ exists: false });
    const sl = await run('slurp', { src: '/root/t/new/dir/file' });
    expect(Buffer.from(String(sl.content), 'base64').toString()).to.equal('x\n');
    expect((await run('slurp', { src: '/root/none' })).msg).to.equal('file not found: /root/none');
    const f = await run('find', { paths: '/root/t', patterns: '*.txt', recurse: true });
    expect((f.files as { path: string }[]).map((x) => x.path).sort()).to.deep.equal(['/root/t/a-copy.txt', '/root/t/copy1.txt', '/root/t/hello.txt', '/root/t/tree/a.txt', '/root/t/tree/sub/b.txt', '/root/t/tree2/a.txt', '/root/t/tree2/sub/b.txt']);
    const fc = await run('find', { paths: ['/root/t'], contains: 'good' });
    expect((fc.files as { path: string }[]).map((x) => x.path)).to.deep.equal(['/root/t/hello.txt']);
    const dir = mkdtempSync(join(tmpdir(), 'tsp-fetch-'));
    try {
      const fe = await run('fetch', { src: '/root/t/cfg', dest: dir });
      expect(fe.changed).to.equal(true);
      expect(readFileSync(join(dir, m.host, 'root/t/cfg'), 'utf8')).to.include('SELINUX=permissive');
      expect((await run('fetch', { src: '/root/t/cfg', dest: dir })).changed).to.equal(false);
      const flat = await run('fetch', { src: '/root/t/cfg', dest: join(dir, 'flat.cfg'), flat: true });
      expect(flat.dest).to.equal(join(dir, 'flat.cfg'));
      expect((await run('fetch', { src: '/root/none', dest: dir })).msg).to.match(/does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unknown and invalid arguments are one-line failures naming the argument', async () => {
    const r = await run('copy', { content: 'x', dest: '/root/t/x', modee: '0644' });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/^Unsupported parameters for \(copy\) module: modee\. Supported parameters include: .*mode/);
    const m = await run('file', { path: '/root/t/cfg', mode: 'rwxrwxrwx' });
    expect(m.msg).to.match(/mode must be in octal or symbolic form/);
    const ch = await run('file', { path: '/root/t/x', state: 'gone' });
    expect(ch.msg).to.equal('value of state must be one of: absent, directory, file, hard, link, touch, got: gone');
  });
});
