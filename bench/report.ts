/**
 * Benchmark results: the JSON document, its Markdown table and a hand-written SVG bar chart
 * (no charting dependency), all written to bench/results/.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from './stats.ts';

/** tsplay-tsx: tsplay from the TypeScript sources through tsx (no dist/), the state before the compiled start; only with --with-tsx. */
/** raw-linear: the raw replay with a barrier at each of tsplay's task boundaries (the floor for a linear strategy). */
export const ENGINES = ['tsplay', 'tsplay-tsx', 'ansible', 'raw', 'raw-linear'] as const;
export type Engine = (typeof ENGINES)[number];

/** One timed phase of a workload (a single run, or the first / second run). */
export interface PhaseResult {
  /** 'run', 'first run' or 'second run' */
  phase: string;
  /** per engine: the wall times (ms) and peak RSS (KiB) of each measured run */
  runs: Partial<Record<Engine, { wallMs: number; rssKb: number }[]>>;
  wall: Partial<Record<Engine, Summary>>;
  rss: Partial<Record<Engine, Summary>>;
  /** median ansible / median tsplay */
  ansibleOverTsplay?: number;
  /** median tsplay / median raw */
  tsplayOverRaw?: number;
  /** median tsplay / median raw-linear */
  tsplayOverRawLinear?: number;
  /** the same two ratios for tsplay-tsx (when run) */
  ansibleOverTsplayTsx?: number;
  tsplayTsxOverRaw?: number;
}

/** One workload's results. */
export interface WorkloadResult {
  id: string;
  title: string;
  hosts: number;
  phases: PhaseResult[];
  /** why an engine was left out */
  skipped: Partial<Record<Engine, string>>;
  /** final state identical on every engine (undefined: workload has no state check) */
  sameState?: boolean;
  stateDiffs: string[];
  /** the final state tsplay left (per lab host, JSON), what every engine is compared with */
  referenceState?: string;
}

/** The whole benchmark document. */
export interface BenchResults {
  date: string;
  smoke: boolean;
  labHosts: number;
  runs: number;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  ansibleConfig: string;
  rssMethod: string;
  workloads: WorkloadResult[];
}

const fmtS = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);
const fmtX = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}x`);
const fmtMb = (kb: number | undefined) => (kb === undefined || !Number.isFinite(kb) || kb <= 0 ? '—' : `${(kb / 1024).toFixed(0)} MB`);

/** The Markdown report. */
export function markdown(r: BenchResults): string {
  const L: string[] = [];
  L.push(`# tsplay benchmark — ${r.date}${r.smoke ? ' (smoke)' : ''}`, '');
  L.push(`${r.labHosts} lab hosts, ${r.runs} measured run(s) per engine after a warm-up, engines alternated run by run.`, '');
  L.push('![chart](results.svg)', '');
  const present = ENGINES.filter((e) => r.workloads.some((w) => w.phases.some((p) => p.wall[e]) || w.skipped[e]));
  const NAMES: Record<Engine, string> = { tsplay: 'tsplay', 'tsplay-tsx': 'tsplay via tsx (no dist/)', ansible: 'ansible-playbook', raw: 'raw ssh2', 'raw-linear': 'raw ssh2, linear steps' };
  const withTsx = present.includes('tsplay-tsx');
  L.push(`| workload | phase | ${present.map((e) => `${NAMES[e]} median (min–max)`).join(' | ')} | ansible / tsplay | tsplay / raw | tsplay / raw-linear |${withTsx ? ' ansible / tsplay-tsx | tsplay-tsx / raw |' : ''} peak RSS ${present.join(' / ')} |`);
  L.push(`|---|---|${present.map(() => '---|').join('')}---|---|---|${withTsx ? '---|---|' : ''}---|`);
  for (const w of r.workloads) {
    for (const p of w.phases) {
      const cell = (e: Engine) => {
        const s = p.wall[e];
        if (!s) return w.skipped[e] ? `not run (${w.skipped[e]})` : '—';
        return `${fmtS(s.median)} (${fmtS(s.min)}–${fmtS(s.max)}${s.n !== r.runs ? `, ${s.n} run${s.n > 1 ? 's' : ''}` : ''})`;
      };
      L.push(`| ${w.title} | ${p.phase} | ${present.map(cell).join(' | ')} | ${fmtX(p.ansibleOverTsplay)} | ${fmtX(p.tsplayOverRaw)} | ${fmtX(p.tsplayOverRawLinear)} |${withTsx ? ` ${fmtX(p.ansibleOverTsplayTsx)} | ${fmtX(p.tsplayTsxOverRaw)} |` : ''} ${present.map((e) => fmtMb(p.rss[e]?.max)).join(' / ')} |`);
    }
  }
  L.push('');
  L.push('Final state on the hosts after each engine (compared with tsplay\'s):', '');
  for (const w of r.workloads) {
    if (w.sameState === undefined) continue;
    L.push(`- ${w.title}: ${w.sameState ? 'identical' : 'DIFFERENT: ' + w.stateDiffs.join('; ')}`);
  }
  L.push('');
  L.push(`Peak RSS: ${r.rssMethod}`, '');
  L.push('## ansible-playbook configuration', '', '```ini', r.ansibleConfig.trim(), '```', '');
  L.push('## Machine and versions', '', '| | |', '|---|---|');
  for (const [k, v] of Object.entries(r.machine)) L.push(`| ${k} | ${v} |`);
  for (const [k, v] of Object.entries(r.versions)) L.push(`| ${k} | ${v} |`);
  L.push('');
  return L.join('\n');
}

const COLORS: Record<Engine, string> = { tsplay: '#2b8a3e', 'tsplay-tsx': '#8ce99a', ansible: '#c92a2a', raw: '#868e96', 'raw-linear': '#495057' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Horizontal bar chart of the median wall times: one group per workload phase, one bar per
 * engine, each group on its own scale (ansible and tsplay differ by an order of magnitude).
 */
export function svgChart(r: BenchResults): string {
  const engines = ENGINES.filter((e) => r.workloads.some((w) => w.phases.some((p) => p.wall[e])));
  const groups = r.workloads.flatMap((w) => w.phases.map((p) => ({ label: `${w.title.split(':')[0].replace(/ x .*/, '')} — ${p.phase}`, p })));
  const W = 860;
  const left = 150;
  const barH = 16;
  const groupH = engines.length * (barH + 4) + 30;
  const H = 60 + groups.length * groupH + 20;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  o.push(`<text x="10" y="22" font-size="16" font-weight="bold">tsplay vs ansible-playbook vs raw ssh2 — median wall time (${r.labHosts} lab hosts${r.smoke ? ', smoke' : ''})</text>`);
  engines.forEach((e, i) => {
    o.push(`<rect x="${10 + i * 170}" y="34" width="12" height="12" fill="${COLORS[e]}"/><text x="${26 + i * 170}" y="45">${{ tsplay: 'tsplay', 'tsplay-tsx': 'tsplay via tsx (no dist/)', ansible: 'ansible-playbook', raw: 'raw ssh2 baseline', 'raw-linear': 'raw ssh2, linear steps' }[e]}</text>`);
  });
  let y = 64;
  for (const g of groups) {
    o.push(`<text x="10" y="${y + 10}" font-weight="bold">${esc(g.label)}</text>`);
    const max = Math.max(...engines.map((e) => g.p.wall[e]?.median ?? 0), 1);
    let by = y + 18;
    for (const e of engines) {
      const s = g.p.wall[e];
      o.push(`<text x="${left - 8}" y="${by + 12}" text-anchor="end">${e}</text>`);
      if (s) {
        const w = Math.max(1, ((W - left - 120) * s.median) / max);
        o.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[e]}"/>`);
        o.push(`<text x="${(left + w + 6).toFixed(1)}" y="${by + 12}">${fmtS(s.median)}</text>`);
      } else o.push(`<text x="${left}" y="${by + 12}" fill="#888">not run</text>`);
      by += barH + 4;
    }
    y += groupH;
  }
  o.push('</svg>');
  return o.join('\n') + '\n';
}

/** Write results.json, results.md and results.svg into `dir`. */
export function writeResults(dir: string, r: BenchResults): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'results.json'), join(dir, 'results.md'), join(dir, 'results.svg')];
  writeFileSync(files[0], JSON.stringify(r, null, 2) + '\n');
  writeFileSync(files[1], markdown(r));
  writeFileSync(files[2], svgChart(r));
  return files;
}
