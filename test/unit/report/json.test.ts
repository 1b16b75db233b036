import { expect } from 'chai';
import { capture, task, runTask } from './capture.ts';
import { CENSORED_MSG } from '../../../engine/report/format.ts';
import { TsplayError } from '../../../engine/types.ts';

describe('report/--json (shape of the ansible.posix json callback)', () => {
  const run = () => {
    let t = 1_700_000_000_000;
    const c = capture({ json: true, now: () => (t += 1000), verbosity: 4 });
    const { emit } = c;
    emit({ type: 'playbook_start', file: 'site.yml' });
    emit({ type: 'warning', msg: 'a warning' });
    emit({ type: 'play_start', name: 'web', hosts: ['h1', 'h2'], uid: 'play-1' });
    emit({ type: 'verbose', level: 3, host: 'h1', msg: 'EXEC echo' });
    runTask(emit, task('install', 'command', { uid: 'task-1' }), [
      { host: 'h1', status: 'changed', result: { changed: true, rc: 0, stdout: 'ok' } },
      { host: 'h2', status: 'failed', result: { changed: false, failed: true, msg: 'boom' } },
    ]);
    runTask(emit, task('skip', 'command', { uid: 'task-2' }), [{ host: 'h1', status: 'skipped', result: { changed: false, skip_reason: 'Conditional result was False' } }]);
    runTask(emit, task('loop', 'debug', { uid: 'task-3' }), [
      { host: 'h1', status: 'ok', item: 'a', result: { changed: false, msg: 'a' } },
      { host: 'h1', status: 'ok', item: 'b', result: { changed: false, msg: 'b' } },
      { host: 'h1', status: 'ok', result: { changed: false, msg: 'All items completed' } },
    ]);
    runTask(emit, task('secret', 'command', { uid: 'task-4', noLog: true }), [
      { host: 'h1', status: 'changed', item: 'x', result: { changed: true, stdout: 'hidden-1' } },
      { host: 'h1', status: 'changed', result: { changed: true, stdout: 'hidden-2', results: [{ stdout: 'hidden-3' }] } },
    ]);
    emit({ type: 'error', error: new TsplayError('late error') });
    emit({ type: 'recap', stats: {}, durationMs: 5000, slowest: [] });
    c.r.close();
    return c;
  };

  it('writes exactly one JSON document on stdout, nothing else; other messages go to stderr', () => {
    const { out, err } = run();
    const doc = JSON.parse(out.text);
    expect(out.text.trim().startsWith('{')).to.equal(true);
    expect(Object.keys(doc).sort()).to.deep.equal(['custom_stats', 'global_custom_stats', 'plays', 'stats']);
    expect(err.text).to.include('[WARNING]: a warning');
    expect(err.text).to.include('ERROR! late error');
    expect(err.text).to.include('<h1> EXEC echo');
  });

  it('has plays with tasks and per-host results with action and failed/skipped flags', () => {
    const doc = JSON.parse(run().out.text);
    expect(doc.custom_stats).to.deep.equal({});
    expect(doc.global_custom_stats).to.deep.equal({});
    expect(doc.plays).to.have.length(1);
    const play = doc.plays[0];
    expect(play.play.name).to.equal('web');
    expect(play.play.id).to.equal('play-1');
    expect(play.play.duration.start).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(play.play.duration.end)).to.be.greaterThan(Date.parse(play.play.duration.start));
    expect(play.tasks.map((t: { task: { id: string } }) => t.task.id)).to.deep.equal(['task-1', 'task-2', 'task-3', 'task-4']);
    const [install, skip, loop, secret] = play.tasks;
    expect(install.task.name).to.equal('install');
    expect(install.task.duration.start).to.be.a('string');
    expect(install.task.duration.end).to.be.a('string');
    expect(install.hosts.h1).to.deep.equal({ action: 'command', changed: true, rc: 0, stdout: 'ok' });
    expect(install.hosts.h2).to.deep.equal({ action: 'command', changed: false, failed: true, msg: 'boom' });
    expect(skip.hosts.h1).to.deep.equal({ action: 'command', changed: false, skip_reason: 'Conditional result was False', skipped: true });
    expect(loop.hosts.h1.results).to.deep.equal([
      { changed: false, item: 'a', msg: 'a' },
      { changed: false, item: 'b', msg: 'b' },
    ]);
    expect(secret.hosts.h1).to.deep.equal({ action: 'command', censored: CENSORED_MSG, changed: true });
    expect(JSON.stringify(doc)).to.not.match(/hidden-\d/);
  });

  it('has stats per host with Ansible key names', () => {
    const doc = JSON.parse(run().out.text);
    expect(doc.stats).to.deep.equal({
      h1: { ok: 3, changed: 2, unreachable: 0, failures: 0, skipped: 1, rescued: 0, ignored: 0 },
      h2: { ok: 0, changed: 0, unreachable: 0, failures: 1, skipped: 0, rescued: 0, ignored: 0 },
    });
  });

  it('sorts keys like the callback (sort_keys=True) and writes the document once, even if closed twice', () => {
    const c = run();
    c.r.close();
    const text = c.out.text;
    expect(text.indexOf('"custom_stats"')).to.be.lessThan(text.indexOf('"global_custom_stats"'));
    expect(text.indexOf('"global_custom_stats"')).to.be.lessThan(text.indexOf('"plays"'));
    expect(text.match(/"custom_stats"/g)).to.have.length(1);
  });

  it('writes the document at close() when no recap event came', () => {
    const { r, out, emit } = capture({ json: true });
    runTask(emit, task('t'), [{ status: 'ok', result: { changed: false } }]);
    expect(out.text).to.equal('');
    r.close();
    expect(JSON.parse(out.text).stats.h1.ok).to.equal(1);
  });

  it('several playbooks (one recap each) still give ONE document, written at close()', () => {
    const { r, out, emit } = capture({ json: true });
    for (const name of ['one', 'two']) {
      emit({ type: 'playbook_start', file: `${name}.yml` });
      emit({ type: 'play_start', name, hosts: ['h1'], uid: name });
      runTask(emit, task(`t ${name}`), [{ status: 'changed', result: { changed: true } }]);
      emit({ type: 'recap', stats: {}, durationMs: 1, slowest: [] });
      expect(out.text).to.equal('');
    }
    r.close();
    const doc = JSON.parse(out.text);
    expect(doc.plays.map((p: { play: { name: string } }) => p.play.name)).to.deep.equal(['one', 'two']);
    expect(doc.stats.h1).to.include({ ok: 2, changed: 2 });
  });
});
