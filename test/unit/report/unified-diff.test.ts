import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedDiff, diffLines, splitLines, NO_EOL } from '../../../engine/report/unified-diff.ts';

/** Apply a unified diff (our output) to `before`; throws if a context/removed line mismatches. */
function applyDiff(before: string, diff: string[]): string {
  const src = splitLines(before);
  const out: string[] = [];
  let pos = 0;
  let i = 2; // skip ---/+++ headers
  while (i < diff.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(diff[i]);
    if (!m) throw new Error(`bad hunk header: ${diff[i]}`);
    const aStart = Number(m[1]);
    const aLen = m[2] === undefined ? 1 : Number(m[2]);
    const first = aLen === 0 ? aStart : aStart - 1;
    while (pos < first) out.push(src[pos++]);
    i++;
    while (i < diff.length && !diff[i].startsWith('@@')) {
      let line = diff[i].slice(1);
      const op = diff[i][0];
      if (diff[i + 1] === NO_EOL) {
        line += '\n' + NO_EOL;
        i++;
      }
      if (op === ' ' || op === '-') {
        if (src[pos] !== line) throw new Error(`mismatch at ${pos}: ${JSON.stringify(src[pos])} vs ${JSON.stringify(line)}`);
        pos++;
      }
      if (op === ' ' || op === '+') out.push(line);
      i++;
    }
  }
  while (pos < src.length) out.push(src[pos++]);
  return out.map((l) => (l.endsWith('\n' + NO_EOL) ? l.slice(0, -(NO_EOL.length + 1)) : l + '\n')).join('');
}

/** GNU `diff -u` of two texts, labels before/after. */
function gnuDiff(dir: string, a: string, b: string): string[] {
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  try {
    execFileSync('diff', ['-u', '--label', 'before', '--label', 'after', join(dir, 'a'), join(dir, 'b')]);
    return [];
  } catch (e) {
    const out = String((e as { stdout: Buffer }).stdout);
    return out.replace(/\n$/, '').split('\n');
  }
}

const changedLines = (d: string[]) => d.slice(2).filter((l) => /^[-+]/.test(l)).length;

/** Small texts over a tiny alphabet (many repeats: the hard case), sometimes without final newline. */
const textArb = fc
  .tuple(fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 25 }), fc.boolean())
  .map(([lines, eol]) => (lines.length ? lines.join('\n') + (eol ? '\n' : '') : ''));

describe('report/unified-diff', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsplay-diff-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).to.deep.equal([]);
    expect(unifiedDiff('', '')).to.deep.equal([]);
  });

  it('prints the same text as diff -u for an unambiguous change (Ansible copy example)', () => {
    const d = unifiedDiff('x\ny\n', 'a\nb\nc\n', { fromFile: 'before: /tmp/out.txt', toFile: 'after: /tmp/out.txt' });
    expect(d).to.deep.equal(['--- before: /tmp/out.txt', '+++ after: /tmp/out.txt', '@@ -1,2 +1,3 @@', '-x', '-y', '+a', '+b', '+c']);
  });

  it('uses 3 lines of context and splits distant changes into hunks exactly like diff -u', () => {
    const a = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const b = a.replace('line 2\n', 'LINE 2\n').replace('line 25\n', 'LINE 25\n').replace('line 12\n', '');
    expect(unifiedDiff(a, b)).to.deep.equal(gnuDiff(dir, a, b));
  });

  it('marks a missing final newline like diff -u', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n')).to.deep.equal(gnuDiff(dir, 'a\nb', 'a\nb\n'));
    expect(unifiedDiff('a\n', 'a\nc')).to.deep.equal(gnuDiff(dir, 'a\n', 'a\nc'));
    expect(unifiedDiff('', 'x')).to.deep.equal(gnuDiff(dir, '', 'x'));
    expect(unifiedDiff('x\n', '')).to.deep.equal(gnuDiff(dir, 'x\n', ''));
  });

  it('property: applying the diff to before gives after, and it is as short as diff -u (minimal)', () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const d = unifiedDiff(a, b);
        expect(applyDiff(a, d)).to.equal(b);
        const g = gnuDiff(dir, a, b);
        expect(changedLines(d)).to.equal(changedLines(g));
        expect(d.length === 0).to.equal(g.length === 0);
      }),
      { numRuns: 150 },
    );
  });

  it('property: the edit script is an LCS alignment (kept lines = LCS length)', () => {
    const lcs = (a: string[], b: string[]) => {
      const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      return t[a.length][b.length];
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 40 }), fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 40 }), (a, b) => {
        const ops = diffLines(a, b);
        expect(ops.filter((o) => o.op === ' ').length).to.equal(lcs(a, b));
        expect(ops.filter((o) => o.op !== '+').map((o) => o.text)).to.deep.equal(a);
        expect(ops.filter((o) => o.op !== '-').map((o) => o.text)).to.deep.equal(b);
      }),
      { numRuns: 300 },
    );
  });

  it('handles a large file with a few changes quickly', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `row ${i} ${i % 7}`);
    const a = lines.join('\n') + '\n';
    const changed = [...lines];
    changed[10] = 'changed 10';
    changed.splice(100_000, 3);
    changed[199_990] = 'changed end';
    const b = changed.join('\n') + '\n';
    const t0 = Date.now();
    const d = unifiedDiff(a, b);
    expect(Date.now() - t0).to.be.below(3000);
    expect(applyDiff(a, d)).to.equal(b);
    expect(d.filter((l) => l.startsWith('@@'))).to.have.length(3);
  });

  it('falls back to one replacement block (still correct) when files are totally different', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join('\n') + '\n';
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`).join('\n') + '\n';
    const t0 = Date.now();
    const d = unifiedDiff(a, b, { maxEdits: 500 });
    expect(Date.now() - t0).to.be.below(3000);
    expect(applyDiff(a, d)).to.equal(b);
    expect(d[2]).to.equal('@@ -1,20000 +1,20000 @@');
  });

  it('bounds the time on huge repetitive inputs with many edits (work budget)', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => (i % 50 === 0 ? 'b' : 'a')).join('\n') + '\n';
    const b = Array.from({ length: 100_000 }, (_, i) => (i % 40 === 0 ? 'b' : 'a')).join('\n') + '\n';
    const t0 = Date.now();
    const d = unifiedDiff(a, b);
    expect(Date.now() - t0).to.be.below(5000);
    expect(applyDiff(a, d)).to.equal(b);
  });
});
