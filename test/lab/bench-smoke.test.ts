/**
 * The benchmark's CI smoke (lab 'tsp-bsmoke', 2 hosts): `bench/run.ts --smoke` runs every
 * workload once, tiny, on tsplay, ansible-playbook and the raw ssh2 replay (free-running and in
 * linear steps), and every engine
 * must succeed and leave the same final state on the hosts. Timing is never asserted.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootLab, teardownLab } from '../support/lab.ts';
import type { BenchResults } from '../../bench/report.ts';

const LAB = 'tsp-bsmoke';
const ROOT = new URL('../..', import.meta.url).pathname;

describe('bench --smoke (lab)', function () {
  this.timeout(900_000);
  let out: string;
  let run: { rc: number; stdout: string; stderr: string };

  before(async function () {
    await bootLab(LAB, 2);
    out = mkdtempSync(join(tmpdir(), 'tsplay-bench-smoke-'));
    run = await new Promise((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), '--smoke', '--lab', LAB, '--out', out], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code) => resolve({ rc: code ?? 255, stdout, stderr }));
    });
  });
  after(async function () {
    this.timeout(60_000);
    await teardownLab(LAB);
  });

  it('exits 0 and writes Markdown, JSON and SVG results', () => {
    expect(run.rc, run.stderr.slice(-3000)).to.equal(0);
    for (const f of ['results.json', 'results.md', 'results.svg']) expect(existsSync(join(out, f)), f).to.equal(true);
    expect(readFileSync(join(out, 'results.svg'), 'utf8')).to.match(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(run.stdout).to.include('| workload |');
  });

  it('ran every workload on every engine (2 hosts, 1 run)', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(r.smoke).to.equal(true);
    expect(r.labHosts).to.equal(2);
    expect(r.workloads.map((w) => w.id)).to.deep.equal(['wl1', 'wl2', 'wl3', 'wl4']);
    for (const w of r.workloads) {
      expect(w.phases.length, w.id).to.equal(w.id === 'wl2' ? 2 : 1);
      for (const p of w.phases) for (const e of ['tsplay', 'ansible', 'raw', 'raw-linear'] as const) expect(p.runs[e]?.length, `${w.id} ${p.phase} ${e}`).to.equal(1);
    }
  });

  it('every engine left the same final state on the hosts', () => {
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    const wl1 = r.workloads.find((w) => w.id === 'wl1')!;
    const wl2 = r.workloads.find((w) => w.id === 'wl2')!;
    for (const w of [wl1, wl2]) expect(w.sameState, `${w.id}: ${w.stateDiffs.join('; ')}`).to.equal(true);
    // the compared state is real: the touched file, the user, the directory and the copied file
    expect(wl1.referenceState).to.match(/\/tmp\/tsplay-bench-touch 640 root root 0/);
    for (const h of ['h1', 'h2']) expect(wl1.referenceState).to.include(`"${h}"`);
    expect(wl2.referenceState).to.include('benchuser:tsplay bench:/home/benchuser:/bin/bash');
    expect(wl2.referenceState).to.match(/\/opt\/bench directory 755 root root/);
    expect(wl2.referenceState).to.match(/\/opt\/bench\/small\.txt 644 root root \d+/);
    expect(wl2.referenceState).to.match(/[0-9a-f]{64} {2}\/opt\/bench\/small\.txt/);
  });
});
