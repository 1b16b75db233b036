/**
 * Keyword validation: unknown keys are errors naming the nearest valid keyword.
 */
import type { Reader } from './source.ts';
import { nearest, didYouMean } from './suggest.ts';

/** Reject keys of `r` that are not in `allowed` (with a did-you-mean). */
export function checkKeys(r: Reader, allowed: Set<string>, extra: (k: string) => boolean = () => false): void {
  for (const k of Object.keys(r.ds)) {
    if (allowed.has(k) || extra(k)) continue;
    r.fail(k, `unknown ${r.what} keyword '${k}'${didYouMean(nearest(k, allowed)?.name)}`);
  }
}
