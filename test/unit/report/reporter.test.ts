import { expect } from 'chai';
import { capture, task, runTask, Capture } from './capture.ts';
import { createReporter } from '../../../engine/report/reporter.ts';
import { CLEAR_LINE } from '../../../engine/report/progress.ts';
import { TsplayError, ParseError } from '../../../engine/types.ts';

const ESC = '\x1b[';

/**
 * The event sequence of /tmp playbook "First play" run with ansible-playbook 2.14
 * (`ansible-playbook -i localhost, -c local a.yml --diff`), with the volatile command fields
 * (cmd, delta, start, end, stdout...) left out of the results.
 */
function firstPlay(emit: ReturnType<typeof capture>['emit']) {
  const h = 'localhost';
  emit({ type: 'playbook_start', file: '/tmp/a.yml' });
  emit({ type: 'play_start', name: 'First play', hosts: [h], uid: 'p1' });
  runTask(emit, task('Gathering Facts', 'setup'), [{ host: h, status: 'ok', result: { changed: false } }]);
  runTask(emit, task('say hi', 'debug'), [{ host: h, status: 'ok', result: { changed: false, msg: 'hello world' } }]);
  runTask(emit, task('change'), [{ host: h, status: 'changed', result: { changed: true, rc: 0 } }]);
  runTask(emit, task('fail ignored'), [
    { host: h, status: 'failed', ignored: true, result: { changed: true, failed: true, msg: 'non-zero return code', rc: 1 } },
  ]);
  runTask(emit, task('loop some skipped'), [
    { host: h, status: 'changed', item: 1, result: { changed: true } },
    { host: h, status: 'skipped', item: 2, result: { changed: false, skipped: true } },
    { host: h, status: 'changed', item: 3, result: { changed: true } },
    { host: h, status: 'changed', result: { changed: true, results: [] } },
  ]);
  runTask(emit, task('loop all skipped'), [
    { host: h, status: 'skipped', item: 1, result: { changed: false, skipped: true } },
    { host: h, status: 'skipped', item: 2, result: { changed: false, skipped: true } },
    { host: h, status: 'skipped', result: { changed: false, skipped: true, results: [], msg: 'All items skipped' } },
  ]);
  runTask(emit, task('skipped task'), [{ host: h, status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' } }]);
  runTask(emit, task('fails in block'), [{ host: h, status: 'failed', rescued: true, result: { changed: true, failed: true, rc: 1 } }]);
  runTask(emit, task('rescue task', 'debug'), [{ host: h, status: 'ok', result: { changed: false, msg: 'rescued' } }]);
  runTask(emit, task('secret', 'command', { noLog: true }), [{ host: h, status: 'changed', result: { changed: true, stdout: 'secret' } }]);
  runTask(emit, task('secret loop', 'command', { noLog: true }), [
    { host: h, status: 'changed', item: 'a', result: { changed: true } },
    { host: h, status: 'changed', item: 'b', result: { changed: true } },
    { host: h, status: 'changed', result: { changed: true, results: [] } },
  ]);
  runTask(emit, task('ok loop', 'debug'), [
    { host: h, status: 'ok', item: 'a', result: { changed: false, msg: 'a' } },
    { host: h, status: 'ok', result: { changed: false, results: [] } },
  ]);
  runTask(emit, task('delegated'), [{ host: h, status: 'ok', delegatedTo: 'localhost', result: { changed: false } }]);
  runTask(emit, task('copy', 'copy'), [
    {
      host: h,
      status: 'changed',
      result: { changed: true, diff: [{ before: 'x\ny\n', after: 'a\nb\nc\n', beforeHeader: '/tmp/out.txt', afterHeader: '/tmp/out.txt' }] },
    },
  ]);
  runTask(emit, task('h1', 'debug', { isHandler: true }), [{ host: h, status: 'ok', result: { changed: false, msg: 'handler' } }]);
  emit({ type: 'recap', stats: {}, durationMs: 1234, slowest: [] });
}

/** ansible-playbook 2.14's output for the same playbook (volatile result fields removed). */
const ANSIBLE_FIRST_PLAY = `
PLAY [First play] **************************************************************

TASK [Gathering Facts] *********************************************************
ok: [localhost]

TASK [say hi] ******************************************************************
ok: [localhost] => {
    "msg": "hello world"
}

TASK [change] ******************************************************************
changed: [localhost]

TASK [fail ignored] ************************************************************
fatal: [localhost]: FAILED! => {"changed": true, "msg": "non-zero return code", "rc": 1}
...ignoring

TASK [loop some skipped] *******************************************************
changed: [localhost] => (item=1)
skipping: [localhost] => (item=2) 
changed: [localhost] => (item=3)

TASK [loop all skipped] ********************************************************
skipping: [localhost] => (item=1) 
skipping: [localhost] => (item=2) 
skipping: [localhost]

TASK [skipped task] ************************************************************
skipping: [localhost]

TASK [fails in block] **********************************************************
fatal: [localhost]: FAILED! => {"changed": true, "rc": 1}

TASK [rescue task] *************************************************************
ok: [localhost] => {
    "msg": "rescued"
}

TASK [secret] ******************************************************************
changed: [localhost]

TASK [secret loop] *************************************************************
changed: [localhost] => (item=None)
changed: [localhost] => (item=None)
changed: [localhost]

TASK [ok loop] *****************************************************************
ok: [localhost] => (item=a) => {
    "msg": "a"
}

TASK [delegated] ***************************************************************
ok: [localhost]

TASK [copy] ********************************************************************
--- before: /tmp/out.txt
+++ after: /tmp/out.txt
@@ -1,2 +1,3 @@
-x
-y
+a
+b
+c

changed: [localhost]

RUNNING HANDLER [h1] ***********************************************************
ok: [localhost] => {
    "msg": "handler"
}

PLAY RECAP *********************************************************************
localhost                  : ok=12   changed=6    unreachable=0    failed=0    skipped=2    rescued=1    ignored=1   

`;

describe('report/reporter: default output', () => {
  it('prints exactly what ansible-playbook prints for the same run (plain, --diff)', () => {
    const { r, out, err, emit } = capture({ diff: true });
    firstPlay(emit);
    r.close();
    const text = out.text;
    const recapEnd = text.indexOf('SLOWEST TASKS');
    expect(text.slice(0, recapEnd)).to.equal(ANSIBLE_FIRST_PLAY);
    expect(err.text).to.equal('');
    expect(text).to.not.include(ESC);
  });

  it('ends with the 5 slowest tasks, longest first, profile_tasks style', () => {
    const { r, out, emit } = capture();
    emit({ type: 'play_start', name: 'p', hosts: ['h1'], uid: 'p' });
    const durations = [300, 1500, 20, 800, 45000, 2, 999];
    durations.forEach((ms, i) => runTask(emit, task(`task ${i}`), [{ status: 'ok', result: { changed: false } }], undefined, ms));
    emit({ type: 'recap', stats: {}, durationMs: 49_000, slowest: [] });
    r.close();
    const lines = out.text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('SLOWEST TASKS (run took 49.00s) ***'));
    expect(at).to.be.greaterThan(0);
    expect(lines.slice(at + 1, at + 6)).to.deep.equal([
      'task 4 '.padEnd(70, '-') + '-- 45.00s',
      'task 1 '.padEnd(70, '-') + '--- 1.50s',
      'task 6 '.padEnd(70, '-') + '--- 1.00s',
      'task 3 '.padEnd(70, '-') + '--- 0.80s',
      'task 0 '.padEnd(70, '-') + '--- 0.30s',
    ]);
  });

  it('pads banners to the terminal width (at least 3 stars)', () => {
    const { r, out, emit } = capture({ columns: 120 });
    emit({ type: 'play_start', name: 'x'.repeat(200), hosts: [], uid: 'p' });
    emit({ type: 'task_start', task: task('short'), hosts: [] });
    r.close();
    const lines = out.text.split('\n').filter(Boolean);
    expect(lines[0]).to.equal(`PLAY [${'x'.repeat(200)}] ***`);
    expect(lines[1]).to.have.length(120);
    expect(lines[1]).to.match(/^TASK \[short\] \*+$/);
  });

  it('shows role prefix, delegation, unreachable, included files and no-hosts', () => {
    const { r, out, emit } = capture();
    emit({ type: 'play_start', name: '', hosts: ['h1', 'h2'], uid: 'p' });
    runTask(emit, task('install', 'command', { role: 'web' }), [
      { host: 'h1', status: 'changed', delegatedTo: 'h3', result: { changed: true } },
      { host: 'h2', status: 'unreachable', result: { changed: false, unreachable: true, msg: 'ssh: connect refused' } },
    ]);
    const inc = task('inc', 'include_tasks');
    emit({ type: 'task_start', task: inc, hosts: ['h1', 'h2'] });
    emit({ type: 'include', file: '/p/inc.yml', host: 'h1' });
    emit({ type: 'include', file: '/p/inc.yml', host: 'h2' });
    emit({ type: 'task_end', task: inc, durationMs: 1 });
    emit({ type: 'no_hosts', play: 'x' });
    r.close();
    expect(out.text).to.include('\nPLAY ***');
    expect(out.text).to.include('TASK [web : install] ***');
    expect(out.text).to.include('changed: [h1 -> h3]\n');
    expect(out.text).to.include('fatal: [h2]: UNREACHABLE! => {"changed": false, "msg": "ssh: connect refused", "unreachable": true}\n');
    expect(out.text).to.include('included: /p/inc.yml for h1, h2\n');
    expect(out.text).to.include('skipping: no hosts matched\n');
  });

  it('an include event carrying its task shows the TASK banner first, as Ansible does', () => {
    const { r, out, emit } = capture();
    const inc = task('inc', 'include_tasks');
    emit({ type: 'include', file: '/p/inc.yml', host: 'h1', task: inc });
    emit({ type: 'include', file: '/p/inc.yml', host: 'h2', task: inc });
    runTask(emit, task('debug', 'debug'), [{ status: 'ok', result: { changed: false, msg: 'inc' } }]);
    r.close();
    expect(out.text).to.match(/^\nTASK \[inc\] \*+\nincluded: \/p\/inc.yml for h1, h2\n\nTASK \[debug\] \*+\nok: \[h1\] => \{\n    "msg": "inc"\n\}\n$/);
  });

  it('prints item failures of a loop, then only ...ignoring for the loop (Ansible 2.14)', () => {
    const { r, out, emit } = capture();
    runTask(emit, task('loop fail'), [
      { status: 'changed', item: 'true', result: { changed: true } },
      { status: 'failed', item: 'false', result: { changed: true, failed: true, rc: 1, item: 'false' } },
      { status: 'failed', ignored: true, result: { changed: true, failed: true, msg: 'One or more items failed', results: [] } },
    ]);
    r.close();
    expect(out.text).to.include(
      'changed: [h1] => (item=true)\nfailed: [h1] (item=false) => {"changed": true, "item": "false", "rc": 1}\n...ignoring\n',
    );
    expect(out.text).to.not.include('fatal');
  });

  it('prints loop items from result.results when the executor sent no per-item events', () => {
    const { r, out, emit } = capture();
    runTask(emit, task('loop'), [
      {
        status: 'changed',
        result: { changed: true, results: [{ item: 'a', changed: true }, { item: 'b', changed: false, skipped: true }] },
      },
    ]);
    r.close();
    expect(out.text).to.include('changed: [h1] => (item=a)\nskipping: [h1] => (item=b) \n');
    expect(r.stats().h1).to.include({ ok: 1, changed: 1 });
  });

  it('warnings and deprecations go to stderr once; errors are one line without stack below -vvv', () => {
    const { r, out, err, emit } = capture();
    emit({ type: 'warning', msg: 'careful' });
    emit({ type: 'warning', msg: 'careful' });
    emit({ type: 'deprecation', msg: 'old thing' });
    runTask(emit, task('w'), [{ status: 'ok', result: { changed: false, warnings: ['from module'] } }]);
    emit({ type: 'error', error: new ParseError("unknown keyword 'nmae'", { file: 'site.yml', line: 3, col: 5 }) });
    r.close();
    expect(err.text).to.equal(
      "[WARNING]: careful\n[DEPRECATION WARNING]: old thing\n[WARNING]: from module\nERROR! site.yml:3:5: unknown keyword 'nmae'\n",
    );
    expect(out.text).to.not.include('careful');
  });

  it('prints the stack of an error only at -vvv', () => {
    const a = capture({ verbosity: 2 });
    a.emit({ type: 'error', error: new TsplayError('boom') });
    expect(a.err.text).to.equal('ERROR! boom\n');
    const b = capture({ verbosity: 3 });
    b.emit({ type: 'error', error: new TsplayError('boom') });
    expect(b.err.text).to.match(/^ERROR! boom\nTsplayError: boom\n\s+at /);
  });

  it('-v shows results, -vv the task path, -vvv indented results and commands, -vvvv connection debug', () => {
    const feed = (verbosity: number) => {
      const c = capture({ verbosity });
      c.emit({ type: 'playbook_start', file: '/x/site.yml' });
      const t = task('t1', 'command', { pos: { file: '/x/site.yml', line: 5, col: 7 } });
      c.emit({ type: 'task_start', task: t, hosts: ['h1'] });
      c.emit({ type: 'verbose', level: 3, host: 'h1', msg: 'EXEC /bin/sh -c echo hi' });
      c.emit({ type: 'verbose', level: 4, host: 'h1', msg: 'ssh: channel open' });
      c.emit({ type: 'host_result', task: t, host: 'h1', status: 'changed', result: { changed: true, stdout: 'hi', invocation: { x: 1 } }, durationMs: 1 });
      c.emit({ type: 'task_end', task: t, durationMs: 1 });
      c.r.close();
      return c.out.text;
    };
    expect(feed(0)).to.include('changed: [h1]\n');
    expect(feed(0)).to.not.include('task time');
    expect(feed(1)).to.include('changed: [h1] => {"changed": true, "stdout": "hi"}\n');
    expect(feed(1)).to.include('task time: 0.00s\n');
    expect(feed(1)).to.not.include('task path');
    expect(feed(2)).to.include('PLAYBOOK: site.yml ***');
    expect(feed(2)).to.include('task path: /x/site.yml:5\n');
    expect(feed(2)).to.not.include('EXEC');
    expect(feed(3)).to.include('<h1> EXEC /bin/sh -c echo hi\n');
    expect(feed(3)).to.include('changed: [h1] => {\n    "changed": true,\n    "invocation": {\n        "x": 1\n    },\n    "stdout": "hi"\n}\n');
    expect(feed(3)).to.not.include('channel open');
    expect(feed(4)).to.include('<h1> ssh: channel open\n');
  });

  it('shows diffs only with --diff (or the task diff keyword) and only for changed results', () => {
    const diff = [{ before: 'a\n', after: 'b\n', beforeHeader: '/etc/x', afterHeader: '/etc/x' }];
    const run = (o: { diff: boolean; taskDiff?: boolean; changed?: boolean }) => {
      const c = capture({ diff: o.diff });
      runTask(c.emit, task('t', 'copy', { diff: o.taskDiff }), [
        { status: o.changed === false ? 'ok' : 'changed', result: { changed: o.changed !== false, diff } },
      ]);
      c.r.close();
      return c.out.text;
    };
    expect(run({ diff: true })).to.include('--- before: /etc/x\n+++ after: /etc/x\n@@ -1 +1 @@\n-a\n+b\n\nchanged: [h1]');
    expect(run({ diff: false })).to.not.include('---');
    expect(run({ diff: false, taskDiff: true })).to.include('+b');
    expect(run({ diff: true, taskDiff: false })).to.not.include('+b');
    expect(run({ diff: true, changed: false })).to.not.include('+b');
  });

  it('prints DRY RUN banners in check mode', () => {
    const { r, out, emit } = capture({ check: true });
    emit({ type: 'playbook_start', file: 'x.yml' });
    emit({ type: 'recap', stats: { h1: { ok: 1, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 } }, durationMs: 0, slowest: [] });
    r.close();
    expect(out.text.match(/DRY RUN \*+/g)).to.have.length(2);
    expect(out.text).to.include('h1                         : ok=1    changed=0');
  });
});

describe('report/reporter: colours', () => {
  const run = (color: boolean) => {
    const { r, out, emit } = capture({ color, diff: true });
    runTask(emit, task('t'), [
      { host: 'a', status: 'ok', result: { changed: false } },
      { host: 'b', status: 'changed', result: { changed: true, diff: [{ before: 'x\n', after: 'y\n' }] } },
      { host: 'c', status: 'failed', result: { changed: false, failed: true, msg: 'no' } },
      { host: 'd', status: 'skipped', result: { changed: false, skipped: true } },
    ]);
    emit({ type: 'recap', stats: {}, durationMs: 0, slowest: [] });
    r.close();
    return out.text;
  };

  it('uses Ansible colours when enabled: green ok, yellow changed, red failed, cyan skipped, diff colours', () => {
    const t = run(true);
    expect(t).to.include(`${ESC}32mok: [a]${ESC}39m`);
    expect(t).to.include(`${ESC}33mchanged: [b]${ESC}39m`);
    expect(t).to.include(`${ESC}31mfatal: [c]: FAILED!`);
    expect(t).to.include(`${ESC}36mskipping: [d]${ESC}39m`);
    expect(t).to.include(`${ESC}32m+y${ESC}39m`);
    expect(t).to.include(`${ESC}31m-x${ESC}39m`);
    expect(t).to.include(`${ESC}36m@@ -1 +1 @@${ESC}39m`);
    // recap: host coloured by its worst outcome, non-zero counters coloured, zeros plain
    expect(t).to.include(`${ESC}31mc${ESC}39m`);
    expect(t).to.include(`${ESC}33mb${ESC}39m`);
    expect(t).to.include(`${ESC}31mfailed=1   ${ESC}39m`);
    expect(t).to.include(' changed=0    unreachable=0 ');
  });

  it('is plain when disabled', () => {
    expect(run(false)).to.not.include('\x1b');
  });

  it('defaults: plain on a non-TTY; NO_COLOR turns colours off on a TTY', () => {
    const out = new Capture();
    const r = createReporter({ verbosity: 0, diff: false, check: false, json: false, out, err: new Capture(), isTTY: false });
    runTask(r.sink, task('t'), [{ status: 'changed', result: { changed: true } }]);
    r.close();
    expect(out.text).to.include('changed: [h1]').and.not.include('\x1b');
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const out2 = new Capture();
      const r2 = createReporter({ verbosity: 0, diff: false, check: false, json: false, out: out2, err: new Capture(), isTTY: true, progressIntervalMs: 0 });
      runTask(r2.sink, task('t'), [{ status: 'changed', result: { changed: true } }]);
      r2.close();
      expect(out2.text).to.include('changed: [h1]');
      expect(out2.text).to.not.match(/\x1b\[3\dm/);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});

describe('report/reporter: live progress line', () => {
  const feed = (isTTY: boolean) => {
    const { r, out, emit } = capture({ isTTY, progressIntervalMs: 0 });
    const t = task('slow');
    emit({ type: 'task_start', task: t, hosts: ['h1', 'h2', 'h3', 'h4'] });
    emit({ type: 'host_result', task: t, host: 'h1', status: 'ok', result: { changed: false }, durationMs: 1 });
    emit({ type: 'host_result', task: t, host: 'h2', status: 'ok', result: { changed: false }, durationMs: 1 });
    emit({ type: 'host_result', task: t, host: 'h3', status: 'ok', result: { changed: false }, durationMs: 1 });
    emit({ type: 'host_result', task: t, host: 'h4', status: 'ok', result: { changed: false }, durationMs: 1 });
    emit({ type: 'task_end', task: t, durationMs: 1 });
    r.close();
    return out.text;
  };

  it('on a TTY shows which hosts are pending, redrawn in place and cleared before normal lines', () => {
    const t = feed(true);
    expect(t).to.include(`${CLEAR_LINE}… waiting for h2, h3, h4 (0s)`);
    expect(t).to.include(`${CLEAR_LINE}… waiting for h3, h4 (0s)${CLEAR_LINE}ok: [h3]\n`);
    expect(t).to.include(`${CLEAR_LINE}… waiting for h4 (0s)${CLEAR_LINE}ok: [h4]\n`);
    // every normal line starts at column 0 of a clean line: no status text left before it
    for (const line of t.split('\n')) expect(line.replace(/^[^]*\r\x1b\[K/, '')).to.not.include('waiting');
  });

  it('never appears on a non-TTY', () => {
    const t = feed(false);
    expect(t).to.not.include('waiting');
    expect(t).to.not.include('\r');
    expect(t).to.equal('\nTASK [slow] ********************************************************************\nok: [h1]\nok: [h2]\nok: [h3]\nok: [h4]\n');
  });

  it('redraws on a timer while a task runs, and the timer stops at task end', async () => {
    const { r, out, emit } = capture({ isTTY: true, progressIntervalMs: 5 });
    const t = task('slow');
    emit({ type: 'task_start', task: t, hosts: ['h1', 'h2'] });
    await new Promise((res) => setTimeout(res, 30));
    expect(out.text).to.include('… waiting for h1, h2');
    emit({ type: 'task_end', task: t, durationMs: 1 });
    const len = out.text.length;
    await new Promise((res) => setTimeout(res, 30));
    expect(out.text.length).to.equal(len);
    expect(out.text.endsWith(CLEAR_LINE)).to.equal(true);
    r.close();
  });

  it('is never shown in --json mode even on a TTY', () => {
    const { r, out, emit } = capture({ isTTY: true, json: true, progressIntervalMs: 0 });
    runTask(emit, task('t'), [{ host: 'h1', status: 'ok', result: { changed: false } }], ['h1', 'h2']);
    r.close();
    expect(out.text).to.not.include('waiting');
    JSON.parse(out.text);
  });
});

describe('reporter: a module whose own result has a `results` list', () => {
  it('prints the changed line for dnf/yum (results is a list of strings, not loop items)', () => {
    const c = capture({ verbosity: 0 });
    c.emit({ type: 'play_start', name: 'p', hosts: ['h1'], uid: 'p1' });
    runTask(c.emit, task('install', 'dnf'), [{ host: 'h1', status: 'changed', result: { changed: true, results: ['Installed: tsplay-hello-1.0'] } }]);
    expect(c.out.text).to.include('changed: [h1]');
    expect(c.out.text).to.not.include('item=');
  });
});
