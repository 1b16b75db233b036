import { expect } from 'chai';
import { capture, task, runTask } from './capture.ts';
import { registerSecret, clearSecrets } from '../../../engine/secrets.ts';
import { CENSORED_MSG } from '../../../engine/report/format.ts';
import { TsplayError } from '../../../engine/types.ts';
import type { RunEvent } from '../../../engine/types.ts';

/** A registered secret with characters that JSON escapes, so escaping cannot disguise it. */
const CANARY = 'Canary"Pw\\9x\tZ-7731';
/** Never registered: only no_log censoring keeps it out. */
const NOLOG_CANARY = 'nolog-canary-5512';

/** Every kind of event, with the canary in every field that can carry text. */
function feedEverything(emit: (e: RunEvent) => void) {
  const s = CANARY;
  emit({ type: 'playbook_start', file: `/p/${s}.yml` });
  emit({ type: 'play_start', name: `play ${s}`, hosts: ['h1', 'h2'], uid: 'p1' });
  emit({ type: 'warning', msg: `warn ${s}` });
  emit({ type: 'deprecation', msg: `old ${s}` });
  emit({ type: 'verbose', level: 3, host: 'h1', msg: `EXEC sudo -S -p prompt sh -c 'echo ${s} | chpasswd'` });
  emit({ type: 'verbose', level: 4, host: 'h1', msg: `ssh: auth password ${s}` });
  const t1 = task(`set ${s}`, 'command', { pos: { file: `/p/${s}.yml`, line: 3 } });
  runTask(emit, t1, [
    {
      host: 'h1',
      status: 'changed',
      result: { changed: true, stdout: `out ${s}`, cmd: ['echo', s], nested: { [s]: [s, { deep: s }] }, invocation: { module_args: { password: s } }, warnings: [`mod ${s}`] },
    },
    { host: 'h2', status: 'failed', delegatedTo: `jump-${s}`, result: { changed: false, failed: true, msg: `failed ${s}`, stderr: s } },
  ]);
  runTask(emit, task('diff', 'copy', { diff: true }), [
    { host: 'h1', status: 'changed', result: { changed: true, diff: [{ before: `a\npassword=${s}\n`, after: 'a\npassword=new\n', beforeHeader: `/etc/${s}`, afterHeader: '/etc/x' }] } },
  ]);
  runTask(emit, task('loop'), [
    { host: 'h1', status: 'changed', item: { user: 'bob', password: s }, result: { changed: true, item: { password: s } } },
    { host: 'h1', status: 'skipped', item: s, result: { changed: false } },
    { host: 'h1', status: 'failed', item: [s], ignored: true, result: { changed: false, failed: true, msg: s } },
    { host: 'h1', status: 'failed', ignored: true, result: { changed: false, failed: true, msg: s, results: [{ msg: s }] } },
  ]);
  // no_log task: its results hold an UNREGISTERED value; censoring alone must hide it
  const nl = task('no_log task', 'command', { noLog: true });
  runTask(emit, nl, [
    { host: 'h1', status: 'changed', item: NOLOG_CANARY, result: { changed: true, stdout: NOLOG_CANARY, item: NOLOG_CANARY } },
    { host: 'h1', status: 'changed', result: { changed: true, stdout: NOLOG_CANARY, results: [{ stdout: NOLOG_CANARY }], warnings: [NOLOG_CANARY] } },
    { host: 'h2', status: 'failed', ignored: true, result: { changed: false, failed: true, msg: NOLOG_CANARY, diff: [{ before: NOLOG_CANARY, after: 'x' }] } },
  ]);
  runTask(emit, task('debug', 'debug', { noLog: true }), [{ host: 'h1', status: 'ok', result: { changed: false, msg: NOLOG_CANARY } }]);
  runTask(emit, task('unreach'), [{ host: 'h2', status: 'unreachable', result: { changed: false, unreachable: true, msg: `Permission denied for ${s}` } }]);
  const inc = task('inc', 'include_tasks');
  emit({ type: 'task_start', task: inc, hosts: ['h1'] });
  emit({ type: 'include', file: `/p/${s}/inc.yml`, host: 'h1' });
  emit({ type: 'task_end', task: inc, durationMs: 3 });
  emit({ type: 'error', error: new TsplayError(`cannot decrypt ${s}`, { file: `/p/${s}.yml`, line: 1 }) });
  emit({ type: 'recap', stats: {}, durationMs: 10, slowest: [{ task: t1, durationMs: 10 }] });
}

describe('report/redaction: registered secrets and no_log results never printed', () => {
  before(() => {
    registerSecret(CANARY);
  });
  after(() => clearSecrets());

  for (const json of [false, true]) {
    for (let verbosity = 0; verbosity <= 4; verbosity++) {
      for (const color of [false, true]) {
        it(`${json ? '--json' : 'text'} at verbosity ${verbosity}${color ? ' (colour)' : ''}: no canary on stdout or stderr`, () => {
          const { r, out, err, emit } = capture({ json, verbosity, color, diff: true, isTTY: color, progressIntervalMs: 0 });
          feedEverything(emit);
          r.close();
          const all = out.text + err.text;
          expect(out.text.length).to.be.greaterThan(100);
          for (const probe of [CANARY, JSON.stringify(CANARY).slice(1, -1), 'Canary', NOLOG_CANARY]) {
            expect(all, `leaked ${probe}`).to.not.include(probe);
          }
          expect(all).to.include('********');
          if (json) {
            const doc = JSON.parse(out.text);
            const nolog = doc.plays[0].tasks.find((t: { task: { name: string } }) => t.task.name === 'no_log task');
            expect(nolog.hosts.h1).to.deep.equal({ action: 'command', censored: CENSORED_MSG, changed: true });
            expect(nolog.hosts.h2).to.deep.equal({ action: 'command', censored: CENSORED_MSG, changed: false, failed: true });
          } else {
            const plain = out.text.replace(/\x1b\[[0-9;]*m/g, '');
            expect(plain).to.include(
              verbosity >= 3
                ? `fatal: [h2]: FAILED! => {\n    "censored": "${CENSORED_MSG}",\n    "changed": false\n}`
                : `fatal: [h2]: FAILED! => {"censored": "${CENSORED_MSG}", "changed": false}`,
            );
            expect(plain).to.include('changed: [h1] => (item=None)');
          }
        });
      }
    }
  }

  it('the stack trace shown at -vvv is redacted too', () => {
    const { r, err, emit } = capture({ verbosity: 4 });
    const e = new TsplayError(`bad ${CANARY}`);
    emit({ type: 'error', error: e });
    r.close();
    expect(err.text).to.include('ERROR! bad ********');
    expect(err.text).to.include('    at ');
    expect(err.text).to.not.include('Canary');
  });

  it('no_log debug results show only the censored text at -v (as ansible-playbook -v prints b.yml)', () => {
    const { r, out, emit } = capture({ verbosity: 1 });
    runTask(emit, task('d', 'debug', { noLog: true }), [{ status: 'ok', result: { changed: false, msg: NOLOG_CANARY } }]);
    r.close();
    expect(out.text).to.include(`ok: [h1] => {"censored": "${CENSORED_MSG}"}\n`);
  });
});
