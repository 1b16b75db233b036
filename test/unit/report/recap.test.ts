/**
 * Recap counting pinned to ansible-core 2.14 behaviour. Each scenario mirrors a small playbook
 * run with `ansible-playbook -i localhost, -c local X.yml` on this machine (Debian ansible-core
 * 2.14.18); the expected recap line is copied from that run. The rules come from
 * StrategyBase._process_pending_results (lib/ansible/plugins/strategy/__init__.py).
 */
import { expect } from 'chai';
import { capture, task, runTask } from './capture.ts';
import { countOutcome, outcomeFromItems } from '../../../engine/report/stats.ts';

const recapLine = (text: string, host: string) => text.split('\n').find((l) => l.startsWith(`${host} `) && l.includes(' : ok='));

describe('report/recap counting (Ansible 2.14 rules)', () => {
  it('playbook a.yml: facts, debug, changed, ignored failure, loops, skipped, rescued block, no_log, delegation, handler', () => {
    // Ansible printed: localhost : ok=12 changed=6 unreachable=0 failed=0 skipped=2 rescued=1 ignored=1
    const { r, out, emit } = capture();
    const h = 'localhost';
    emit({ type: 'play_start', name: 'First play', hosts: [h], uid: 'p' });
    runTask(emit, task('Gathering Facts', 'setup'), [{ host: h, status: 'ok', result: { changed: false } }]);
    runTask(emit, task('say hi', 'debug'), [{ host: h, status: 'ok', result: { changed: false, msg: 'hi' } }]);
    runTask(emit, task('change'), [{ host: h, status: 'changed', result: { changed: true } }]);
    // ignore_errors on a failure whose result says changed: ok + ignored + changed
    runTask(emit, task('fail ignored'), [{ host: h, status: 'failed', ignored: true, result: { changed: true, failed: true } }]);
    // a loop with one item skipped counts ONCE, as ok+changed (not skipped)
    runTask(emit, task('loop some skipped'), [
      { host: h, status: 'changed', item: 1, result: { changed: true } },
      { host: h, status: 'skipped', item: 2, result: { changed: false, skipped: true } },
      { host: h, status: 'changed', item: 3, result: { changed: true } },
      { host: h, status: 'changed', result: { changed: true, results: [] } },
    ]);
    // all items skipped: skipped once
    runTask(emit, task('loop all skipped'), [
      { host: h, status: 'skipped', item: 1, result: { changed: false, skipped: true } },
      { host: h, status: 'skipped', item: 2, result: { changed: false, skipped: true } },
      { host: h, status: 'skipped', result: { changed: false, skipped: true, results: [] } },
    ]);
    runTask(emit, task('skipped task'), [{ host: h, status: 'skipped', result: { changed: false, skipped: true } }]);
    // failure caught by rescue: rescued, NOT failures, NOT changed (although the result says changed)
    runTask(emit, task('fails in block'), [{ host: h, status: 'failed', rescued: true, result: { changed: true, failed: true } }]);
    runTask(emit, task('rescue task', 'debug'), [{ host: h, status: 'ok', result: { changed: false, msg: 'r' } }]);
    runTask(emit, task('secret', 'command', { noLog: true }), [{ host: h, status: 'changed', result: { changed: true } }]);
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
    runTask(emit, task('copy', 'copy'), [{ host: h, status: 'changed', result: { changed: true } }]);
    // a handler run counts like any task
    runTask(emit, task('h1', 'debug', { isHandler: true }), [{ host: h, status: 'ok', result: { changed: false, msg: 'x' } }]);
    emit({ type: 'recap', stats: {}, durationMs: 0, slowest: [] });
    r.close();
    expect(r.stats()).to.deep.equal({ localhost: { ok: 12, changed: 6, unreachable: 0, failures: 0, skipped: 2, rescued: 1, ignored: 1 } });
    expect(recapLine(out.text, 'localhost')).to.equal(
      'localhost                  : ok=12   changed=6    unreachable=0    failed=0    skipped=2    rescued=1    ignored=1   ',
    );
  });

  it('playbook f.yml: a loop with one failing item counts failed=1 once, ok=0, changed=0', () => {
    // Ansible printed: localhost : ok=0 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0
    const { r, emit } = capture();
    runTask(emit, task('loop with one failing item'), [
      { host: 'localhost', status: 'changed', item: 'true', result: { changed: true } },
      { host: 'localhost', status: 'failed', item: 'false', result: { changed: true, failed: true } },
      { host: 'localhost', status: 'changed', item: 'true', result: { changed: true } },
      { host: 'localhost', status: 'failed', result: { changed: true, failed: true, results: [] } },
    ]);
    r.close();
    expect(r.stats().localhost).to.deep.equal({ ok: 0, changed: 0, unreachable: 0, failures: 1, skipped: 0, rescued: 0, ignored: 0 });
  });

  it('playbook b.yml: ignored failures (loop, plain, no_log), delegation, include, real failure', () => {
    // Ansible printed: localhost : ok=7 changed=3 unreachable=0 failed=1 skipped=0 rescued=0 ignored=3
    const { r, emit } = capture();
    const h = 'localhost';
    runTask(emit, task('loop fail'), [
      { host: h, status: 'changed', item: 'true', result: { changed: true } },
      { host: h, status: 'failed', item: 'false', result: { changed: true, failed: true } },
      { host: h, status: 'failed', ignored: true, result: { changed: true, failed: true, results: [] } },
    ]);
    runTask(emit, task('deleg'), [{ host: h, status: 'changed', delegatedTo: 'otherhost', result: { changed: true } }]);
    // include_tasks counts ok once per host (a play with only `include_tasks: empty.yml` recaps ok=1)
    const inc = task('inc', 'include_tasks');
    emit({ type: 'task_start', task: inc, hosts: [h] });
    emit({ type: 'include', file: '/tmp/inc.yml', host: h });
    // an executor that also reports the include's own ok result must not double count it
    emit({ type: 'host_result', task: inc, host: h, status: 'ok', result: { changed: false }, durationMs: 0 });
    emit({ type: 'task_end', task: inc, durationMs: 0 });
    runTask(emit, task('debug', 'debug'), [{ host: h, status: 'ok', result: { changed: false, msg: 'inc' } }]);
    runTask(emit, task('warn'), [{ host: h, status: 'failed', ignored: true, result: { changed: false, failed: true } }]);
    runTask(emit, task('secret', 'debug', { noLog: true }), [{ host: h, status: 'ok', result: { changed: false } }]);
    runTask(emit, task('fail secret', 'command', { noLog: true }), [{ host: h, status: 'failed', ignored: true, result: { changed: true, failed: true } }]);
    runTask(emit, task('real fail', 'fail'), [{ host: h, status: 'failed', result: { changed: false, failed: true, msg: 'boom' } }]);
    r.close();
    expect(r.stats().localhost).to.deep.equal({ ok: 7, changed: 3, unreachable: 0, failures: 1, skipped: 0, rescued: 0, ignored: 3 });
  });

  it('playbook g.yml: unreachable with ignore_unreachable is ok+ignored; without it, unreachable', () => {
    // Ansible printed: badhost : ok=1 changed=0 unreachable=1 failed=0 skipped=0 rescued=0 ignored=1
    const { r, emit } = capture();
    runTask(emit, task('unreachable ignored', 'ping'), [
      { host: 'badhost', status: 'unreachable', ignored: true, result: { changed: false, unreachable: true, msg: 'refused' } },
    ]);
    runTask(emit, task('unreachable', 'ping'), [{ host: 'badhost', status: 'unreachable', result: { changed: false, unreachable: true, msg: 'refused' } }]);
    r.close();
    expect(r.stats().badhost).to.deep.equal({ ok: 1, changed: 0, unreachable: 1, failures: 0, skipped: 0, rescued: 0, ignored: 1 });
  });

  it('loops count once per task per host even when no final event arrives (derived from items)', () => {
    const { r, emit } = capture();
    runTask(emit, task('l1'), [
      { host: 'h1', status: 'ok', item: 1, result: { changed: false } },
      { host: 'h1', status: 'changed', item: 2, result: { changed: true } },
      { host: 'h2', status: 'skipped', item: 1, result: { changed: false } },
      { host: 'h2', status: 'skipped', item: 2, result: { changed: false } },
      { host: 'h3', status: 'ok', item: 1, result: { changed: false } },
      { host: 'h3', status: 'failed', item: 2, result: { changed: false, failed: true } },
    ]);
    r.close();
    const s = r.stats();
    expect(s.h1).to.include({ ok: 1, changed: 1, skipped: 0 });
    expect(s.h2).to.include({ ok: 0, skipped: 1 });
    expect(s.h3).to.include({ ok: 0, failures: 1 });
  });

  it('a handler that runs twice in a play (two flushes) counts twice', () => {
    const { r, emit } = capture();
    const h = task('restart', 'command', { isHandler: true });
    runTask(emit, h, [{ status: 'changed', result: { changed: true } }]);
    runTask(emit, h, [{ status: 'changed', result: { changed: true } }]);
    r.close();
    expect(r.stats().h1).to.include({ ok: 2, changed: 2 });
  });

  it('several hosts: recap sorted by host, hosts known only to the recap event shown with their stats', () => {
    const { r, out, emit } = capture();
    runTask(emit, task('t'), [
      { host: 'web2', status: 'ok', result: { changed: false } },
      { host: 'web1', status: 'failed', result: { changed: false, failed: true } },
    ]);
    emit({ type: 'recap', stats: { db1: { ok: 0, changed: 0, unreachable: 1, failures: 0, skipped: 0, rescued: 0, ignored: 0 } }, durationMs: 0, slowest: [] });
    r.close();
    const lines = out.text.split('\n').filter((l) => l.includes(' : ok='));
    expect(lines.map((l) => l.split(' ')[0])).to.deep.equal(['db1', 'web1', 'web2']);
    expect(lines[0]).to.include('unreachable=1 ');
    expect(lines[1]).to.include('failed=1 ');
  });

  it('countOutcome / outcomeFromItems implement the rules directly', () => {
    const s = {};
    countOutcome(s, 'h', { status: 'failed', changed: true, ignored: true });
    countOutcome(s, 'h', { status: 'failed', changed: true, rescued: true });
    countOutcome(s, 'h', { status: 'failed', changed: true });
    countOutcome(s, 'h', { status: 'unreachable', changed: false });
    countOutcome(s, 'h', { status: 'skipped', changed: false });
    countOutcome(s, 'h', { status: 'changed', changed: true });
    expect(s).to.deep.equal({ h: { ok: 2, changed: 2, unreachable: 1, failures: 1, skipped: 1, rescued: 1, ignored: 1 } });
    expect(outcomeFromItems([]).status).to.equal('ok');
    expect(outcomeFromItems([{ status: 'skipped', result: { changed: false } }, { status: 'ok', result: { changed: false } }]).status).to.equal('ok');
  });
});
