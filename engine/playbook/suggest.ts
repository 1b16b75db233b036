/**
 * "Did you mean" suggestions: the nearest candidate by edit distance.
 */

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The candidate nearest to `word` if it is reasonably close (at most ~40% of the word edited). */
export function nearest(word: string, candidates: Iterable<string>): { name: string; distance: number } | undefined {
  let best: { name: string; distance: number } | undefined;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (!best || dist < best.distance) best = { name: c, distance: dist };
  }
  if (!best) return undefined;
  const limit = Math.max(2, Math.ceil(word.length * 0.4));
  return best.distance <= limit ? best : undefined;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(name: string | undefined): string {
  return name ? ` (did you mean '${name}'?)` : '';
}
