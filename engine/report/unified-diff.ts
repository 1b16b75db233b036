/**
 * A small, dependency-free unified diff (the `diff -u` / Python difflib format Ansible prints
 * with --diff). Lines are compared by a Myers O((N+M)D) shortest edit script after trimming the
 * common prefix and suffix; when the two texts are so different that the edit distance exceeds
 * `maxEdits` (or the work exceeds a fixed budget), the differing middle is reported as one replacement (still a correct diff, just
 * not minimal) so huge unrelated files never cost quadratic time or memory.
 */

/** One line of an edit script: kept (' '), removed ('-') or added ('+'). */
export interface DiffOp {
  op: ' ' | '-' | '+';
  /** The line text without its newline. */
  text: string;
}

/** Options for `unifiedDiff`. */
export interface UnifiedDiffOptions {
  /** Header of the old side (`--- fromFile`). Default 'before'. */
  fromFile?: string;
  /** Header of the new side (`+++ toFile`). Default 'after'. */
  toFile?: string;
  /** Lines of context around each change. Default 3. */
  context?: number;
  /** Edit-distance budget of the exact algorithm before falling back. Default 2000 (memory ~ maxEdits^2 ints). */
  maxEdits?: number;
}

/** Marker line `diff -u` prints after a last line that has no trailing newline. */
export const NO_EOL = '\\ No newline at end of file';

/**
 * Split text into lines the way diff does: a final line without '\n' is marked with NO_EOL
 * (folded into the line value so "x" and "x\n" compare different, as in diff -u).
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n' + NO_EOL;
  return lines;
}

/**
 * Shortest edit script from `a` to `b` (arrays of lines). Pure; exact (minimal) unless the
 * edit distance of the trimmed middle exceeds `maxEdits`.
 */
export function diffLines(a: readonly string[], b: readonly string[], maxEdits = 2000): DiffOp[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops: DiffOp[] = [];
  for (let i = 0; i < pre; i++) ops.push({ op: ' ', text: a[i] });
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  for (const o of myers(am, bm, maxEdits)) ops.push(o);
  for (let i = a.length - suf; i < a.length; i++) ops.push({ op: ' ', text: a[i] });
  return ops;
}

/** Myers' greedy algorithm with a stored trace for the backtrack; interned lines for speed. */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): DiffOp[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: '+' as const, text }));
  if (m === 0) return a.map((text) => ({ op: '-' as const, text }));
  const ids = new Map<string, number>();
  const intern = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const ai = Int32Array.from(a, intern);
  const bi = Int32Array.from(b, intern);
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  // Work budget (k steps + snake steps): bounds time on huge, repetitive inputs.
  let work = 0;
  const budget = 30_000_000;
  for (let d = 0; d <= max && work < budget; d++) {
    work += 2 * d + 1;
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      const x0 = x;
      while (x < n && y < m && ai[x] === bi[y]) {
        x++;
        y++;
      }
      work += x - x0;
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) {
    // Too different for the budget: one replacement block (correct, not minimal).
    return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
  }
  // Backtrack: trace[d] holds v (before round d) for k in [-d-1, d+1] at index k + d + 1.
  const rev: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d];
    const at = (k: number) => vd[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px && y > py) {
      rev.push({ op: ' ', text: a[x - 1] });
      x--;
      y--;
    }
    if (down) rev.push({ op: '+', text: b[--y] });
    else rev.push({ op: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) {
    rev.push({ op: ' ', text: a[x - 1] });
    x--;
    y--;
  }
  return rev.reverse();
}

/** `start,len` of a hunk range as diff -u / difflib print it. */
function range(start: number, len: number): string {
  if (len === 1) return `${start + 1}`;
  if (len === 0) return `${start},0`;
  return `${start + 1},${len}`;
}

/**
 * Unified diff of two texts as lines (no trailing newlines): `--- from`, `+++ to`, then
 * `@@ -a,b +c,d @@` hunks with `context` lines around changes. Empty array when equal.
 * A missing final newline shows as NO_EOL after the affected line, as in `diff -u`.
 */
export function unifiedDiff(before: string, after: string, opts: UnifiedDiffOptions = {}): string[] {
  const ctx = opts.context ?? 3;
  const ops = diffLines(splitLines(before), splitLines(after), opts.maxEdits);
  if (!ops.some((o) => o.op !== ' ')) return [];
  const out = [`--- ${opts.fromFile ?? 'before'}`, `+++ ${opts.toFile ?? 'after'}`];
  // Old/new line index at each op.
  const aAt: number[] = [];
  const bAt: number[] = [];
  let ax = 0;
  let bx = 0;
  for (const o of ops) {
    aAt.push(ax);
    bAt.push(bx);
    if (o.op !== '+') ax++;
    if (o.op !== '-') bx++;
  }
  const changes: number[] = [];
  ops.forEach((o, idx) => o.op !== ' ' && changes.push(idx));
  let c = 0;
  while (c < changes.length) {
    // A hunk spans changes separated by at most 2*ctx unchanged lines.
    let last = c;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] - 1 <= 2 * ctx) last++;
    const start = Math.max(0, changes[c] - ctx);
    const end = Math.min(ops.length, changes[last] + 1 + ctx);
    let aLen = 0;
    let bLen = 0;
    const header = out.length;
    out.push('');
    for (let p = start; p < end; p++) {
      const o = ops[p];
      if (o.op !== '+') aLen++;
      if (o.op !== '-') bLen++;
      for (const l of `${o.op}${o.text}`.split('\n')) out.push(l);
    }
    out[header] = `@@ -${range(aAt[start], aLen)} +${range(bAt[start], bLen)} @@`;
    c = last + 1;
  }
  return out;
}
