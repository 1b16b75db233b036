/**
 * The module runner: validate arguments, plan (read-only), then either report the plan
 * (check mode) or apply it. Every module gets honest check mode and diff this way.
 */
import { TsplayError, type ModuleContext, type ModuleDef, type ModuleResult, type Plan } from '../types.ts';
import { validateArgs } from './args.ts';
import { ModuleFailure } from './failure.ts';

/** The message Ansible prints for modules that cannot predict their effect in check mode. */
export const SKIP_IN_CHECK_MSG = 'Command would have run if not in check mode';

function failedFrom(e: unknown): ModuleResult {
  // By name too: under tsx a module file can be loaded twice (static + dynamic import), giving two ModuleFailure classes.
  if (e instanceof ModuleFailure || (e instanceof Error && e.name === 'ModuleFailure')) {
    const f = e as ModuleFailure;
    return { changed: false, ...(f.extra ?? {}), failed: true, msg: f.message };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { changed: false, failed: true, msg };
}

function withDiff(result: ModuleResult, plan: Plan, ctx: ModuleContext): ModuleResult {
  const diff = result.diff ?? plan.diff;
  const out = { ...result };
  if (ctx.diff && diff && diff.length) out.diff = diff;
  else delete out.diff;
  return out;
}

/**
 * Run one module invocation on one host. Argument errors and module failures come back as
 * `{failed: true, msg}`; TsplayErrors other than argument errors (e.g. UnreachableError)
 * propagate to the executor.
 */
export async function runModule(def: ModuleDef, rawArgs: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult> {
  let args: Record<string, unknown>;
  try {
    args = validateArgs(def, rawArgs);
  } catch (e) {
    if (e instanceof TsplayError) return { changed: false, failed: true, msg: e.message };
    throw e;
  }
  let plan: Plan;
  try {
    plan = await def.plan(args, ctx);
  } catch (e) {
    if (e instanceof TsplayError) throw e;
    return failedFrom(e);
  }
  if (plan.failed) return { changed: false, ...plan.result, failed: true, msg: plan.msg ?? `${def.name} failed` };
  const base: ModuleResult = { ...plan.result, changed: plan.changed };
  if (plan.msg !== undefined) base.msg = plan.msg;

  if (ctx.check) {
    if (plan.skipInCheck && plan.changed) {
      return { changed: false, skipped: true, msg: plan.msg ?? SKIP_IN_CHECK_MSG };
    }
    const res = withDiff(base, plan, ctx);
    if (plan.steps?.length && plan.changed) res.steps = plan.steps;
    return res;
  }
  if (!plan.changed || !def.apply) return withDiff(base, plan, ctx);
  try {
    const applied = await def.apply(args, plan, ctx);
    return withDiff(applied, plan, ctx);
  } catch (e) {
    if (e instanceof TsplayError) throw e;
    return failedFrom(e);
  }
}
