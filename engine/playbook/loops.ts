/**
 * Loops of a task or include: `loop:` or one `with_<lookup>:`, and `loop_control:`.
 */
import type { LoopControl, TaskNode } from './model.ts';
import { Reader, isMap, isTemplate } from './source.ts';
import { LOOP_CONTROL_KEYS, WITH_LOOPS } from './keywords.ts';
import { nearest, didYouMean } from './suggest.ts';
import { checkKeys } from './checkkeys.ts';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** loop / with_* of a task or include (undefined when it has none). */
export function readLoop(r: Reader): TaskNode['loop'] | undefined {
  const withKeys = Object.keys(r.ds).filter((k) => k.startsWith('with_'));
  for (const k of withKeys) {
    if (!WITH_LOOPS[k]) {
      r.fail(k, `'${k}' is not supported by tsplay${didYouMean(nearest(k, Object.keys(WITH_LOOPS))?.name)}; use 'loop:' with a lookup or filter`);
    }
  }
  const kinds = [...(r.has('loop') ? ['loop'] : []), ...withKeys];
  if (kinds.length > 1) r.fail(kinds[1], `a task can have only one loop: '${kinds[0]}' and '${kinds[1]}' both given`);
  if (kinds.length === 0) return undefined;
  const k = kinds[0];
  const value = r.ds[k];
  if (value === null || value === undefined) r.fail(k, `'${k}' has no value`);
  if (k === 'loop') {
    if (!Array.isArray(value) && typeof value !== 'string') r.wrong('loop', 'a list or an expression');
    return { kind: 'loop', value };
  }
  if (isMap(value) && k !== 'with_dict' && k !== 'with_sequence') r.wrong(k, 'a list or an expression');
  return { kind: WITH_LOOPS[k], value };
}

/** loop_control of a task or include. */
export function readLoopControl(r: Reader): LoopControl | undefined {
  const lc = r.map('loop_control');
  if (!lc) return undefined;
  const sub = new Reader(lc, 'loop_control', r.pos('loop_control'));
  checkKeys(sub, LOOP_CONTROL_KEYS);
  const out: LoopControl = { loopVar: sub.str('loop_var') ?? 'item' };
  if (!VAR_NAME.test(out.loopVar) && !isTemplate(out.loopVar)) sub.fail('loop_var', `loop_var '${out.loopVar}' is not a valid variable name`);
  const iv = sub.str('index_var');
  if (iv !== undefined) out.indexVar = iv;
  const label = sub.ds.label;
  if (label !== undefined && label !== null) out.label = typeof label === 'string' ? label : JSON.stringify(label);
  const pause = sub.num('pause');
  if (pause !== undefined) out.pause = Number(pause);
  const ext = sub.bool('extended');
  if (ext !== undefined) out.extended = ext;
  return out;
}
