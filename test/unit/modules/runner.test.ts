import { expect } from 'chai';
import { TsplayError, UnreachableError, type ModuleContext, type ModuleDef, type Plan } from '../../../engine/types.ts';
import { runModule, SKIP_IN_CHECK_MSG } from '../../../engine/modules/runner.ts';
import { fail } from '../../../engine/modules/failure.ts';

/** A controller-only module (no host involved): records whether apply ran. */
function mod(plan: Plan | (() => Plan), applyFn?: () => never | Record<string, unknown>): ModuleDef & { applied: number } {
  const m = {
    name: 'demo',
    doc: { short: 'demo' },
    args: { x: { type: 'int' as const, description: 'x' } },
    applied: 0,
    async plan() {
      return typeof plan === 'function' ? plan() : plan;
    },
    async apply() {
      m.applied++;
      return { changed: true, ...(applyFn ? applyFn() : {}) };
    },
  };
  return m;
}

function ctx(check = false, diff = false): ModuleContext {
  return {
    host: 'h',
    conn: undefined as never,
    vars: {},
    check,
    diff,
    findFile: (_k, n) => n,
    renderTemplate: (t) => t,
    template: (v) => v,
    log: () => undefined,
  };
}

const D = [{ before: 'a\n', after: 'b\n' }];

describe('modules/runner', () => {
  it('check mode reports the plan and never applies; diff only with --diff', async () => {
    const m = mod({ changed: true, diff: D, steps: ['do it'], result: { dest: '/x' } });
    const r = await runModule(m, { x: '1' }, ctx(true, false));
    expect(r).to.deep.equal({ changed: true, dest: '/x', steps: ['do it'] });
    expect(m.applied).to.equal(0);
    const rd = await runModule(m, {}, ctx(true, true));
    expect(rd.diff).to.deep.equal(D);
  });

  it('applies only when the plan has changes; result keys never override changed', async () => {
    const none = mod({ changed: false, result: { changed: true, dest: '/x' } });
    expect(await runModule(none, {}, ctx())).to.deep.equal({ changed: false, dest: '/x' });
    expect(none.applied).to.equal(0);
    const some = mod({ changed: true, diff: D }, () => ({ dest: '/y' }));
    expect(await runModule(some, {}, ctx(false, true))).to.deep.equal({ changed: true, dest: '/y', diff: D });
    expect(some.applied).to.equal(1);
  });

  it('skipInCheck modules are reported skipped in check mode', async () => {
    const m = mod({ changed: true, skipInCheck: true });
    expect(await runModule(m, {}, ctx(true))).to.deep.equal({ changed: false, skipped: true, msg: SKIP_IN_CHECK_MSG });
  });

  it('argument errors, plan.failed, fail() and plain exceptions become failed results without stacks', async () => {
    const bad = await runModule(mod({ changed: false }), { y: 1 }, ctx());
    expect(bad).to.include({ failed: true, changed: false });
    expect(bad.msg).to.match(/^Unsupported parameters for \(demo\) module: y/);
    expect(await runModule(mod({ changed: false, failed: true, msg: 'nope' }), {}, ctx())).to.include({ failed: true, msg: 'nope' });
    const f = await runModule(mod(() => fail('clear message', { rc: 3 })), {}, ctx());
    expect(f).to.deep.equal({ changed: false, rc: 3, failed: true, msg: 'clear message' });
    const t = await runModule(mod(() => { throw new TypeError('x is not a function'); }), {}, ctx());
    expect(t).to.deep.equal({ changed: false, failed: true, msg: 'x is not a function' });
    const a = await runModule(mod({ changed: true }, () => fail('apply broke')), {}, ctx());
    expect(a).to.include({ failed: true, msg: 'apply broke' });
  });

  it('TsplayErrors such as UnreachableError propagate to the executor', async () => {
    const m = mod(() => { throw new UnreachableError('host down', 'h'); });
    let caught: unknown;
    await runModule(m, {}, ctx()).catch((e) => (caught = e));
    expect(caught).to.be.instanceOf(TsplayError);
  });
});
