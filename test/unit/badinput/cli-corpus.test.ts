/**
 * Bad input through the real CLI (`node bin/tsplay.js` as a subprocess): the loader's playbook
 * fixtures (test/fixtures/playbooks/bad, used in place) plus the cases in cases.ts
 * (inventories, vars files, templates, -e values, host patterns, options, 50 MB files).
 * Each must give the documented exit code, exactly one error line on stderr (with file:line
 * when the input came from a file), no stack trace, and touch no host: the inventory points
 * at a TCP listener on 127.0.0.1 that counts connection attempts, which must stay at zero.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { badCases, type BadCase } from './cases.ts';
import { recordFigure } from './figures.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const BAD = join(ROOT, 'test/fixtures/playbooks/bad');

interface Out {
  rc: number;
  stdout: string;
  stderr: string;
}

function cli(argv: string[], cwd: string): Promise<Out> {
  return new Promise((resolve) => {
    const c = spawn('node', [join(ROOT, 'bin/tsplay.js'), ...argv], { cwd, env: { ...process.env, NO_COLOR: '1', TSPLAY_HOME: join(cwd, '.home') } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ rc: code ?? 255, stdout, stderr }));
    c.stdin.end('');
  });
}

/** The error lines of stderr (warnings and blank lines aside). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.trim() && !/^\[WARNING\]/.test(l));

describe('bad input through the CLI (exit code, one line with file:line, no stack, no host touched)', function () {
  this.timeout(600_000);
  let dir: string;
  let handled = 0;
  let tried = 0;
  const fixtures = readdirSync(BAD).filter((f) => f.endsWith('.yml')).sort();
  const cases = badCases();

  /** One run: its own listener (so connection attempts are counted per case) and inventory. */
  const results = new Map<string, Promise<Out & { connections: number }>>();
  const limit = pLimit(3);
  const runCase = (key: string, prepare: (cdir: string, inv: string) => string[]) => {
    results.set(
      key,
      limit(async () => {
        const cdir = mkdtempSync(join(dir, 'case-'));
        let connections = 0;
        const server: Server = createServer((s) => {
          connections++;
          s.destroy();
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        const port = (server.address() as { port: number }).port;
        const inv = join(cdir, 'hosts.ini');
        writeFileSync(inv, `[web]\nt1 ansible_host=127.0.0.1 ansible_port=${port}\nt2 ansible_host=127.0.0.1 ansible_port=${port}\n`);
        try {
          const r = await cli(prepare(cdir, inv), cdir);
          return { ...r, connections };
        } finally {
          server.close();
          rmSync(cdir, { recursive: true, force: true });
        }
      }),
    );
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsp-badinput-'));
    for (const f of fixtures) runCase(f, (_cdir, inv) => [join(BAD, f), '-i', inv]);
    for (const c of cases)
      runCase(c.name, (cdir, inv) => {
        for (const [name, content] of Object.entries(c.files)) {
          mkdirSync(dirname(join(cdir, name)), { recursive: true });
          writeFileSync(join(cdir, name), content);
        }
        return c.argv.map((a) => a.replaceAll('{dir}', cdir).replaceAll('{inv}', inv));
      });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    recordFigure('bad_inputs_handled', handled, `bad inputs run through the CLI that gave the documented exit code, one error line and touched no host (of ${tried} tried; cli-corpus.test.ts)`);
  });

  it('has at least 60 cases across playbooks, inventories, vars files, templates, -e, patterns and options', () => {
    expect(fixtures.length + cases.length).to.be.at.least(60);
    expect(cases.length, 'beyond the loader fixtures').to.be.at.least(50);
    for (const kind of ['inventory INI', 'inventory YAML', 'vars file', 'template', '-e', 'option', '50 MB']) expect(cases.some((c) => c.name.startsWith(kind)), kind).to.equal(true);
  });

  const check = (r: Out & { connections: number }, rc: number, want: RegExp, fileLine: boolean) => {
    const ctx = `rc=${r.rc}\nstdout:\n${r.stdout.slice(0, 2000)}\nstderr:\n${r.stderr.slice(0, 2000)}`;
    expect(r.rc, ctx).to.equal(rc);
    expect(r.stderr + r.stdout, ctx).to.not.match(/^\s+at /m);
    expect(r.connections, `a host was contacted\n${ctx}`).to.equal(0);
    if (rc === 2) {
      // runtime errors are reported per host by the reporter, as Ansible does
      expect(r.stdout, ctx).to.match(/fatal: \[t1\]: FAILED!/);
      expect(r.stdout, ctx).to.match(want);
      if (fileLine) expect(r.stdout, ctx).to.match(/[\w.-]+\.(yml|yaml|j2|hbs|ini|json):\d+/);
    } else {
      const lines = errorLines(r.stderr);
      expect(lines.length, `exactly one error line\n${ctx}`).to.equal(1);
      expect(lines[0], ctx).to.match(want);
      if (fileLine) expect(lines[0], ctx).to.match(/[\w.-]+\.(yml|yaml|j2|hbs|ini|json):\d+/);
    }
  };

  for (const f of fixtures) {
    it(`playbook fixture ${f}`, async () => {
      tried++;
      const first = readFileSync(join(BAD, f), 'latin1').split('\n')[0];
      const m = /^# expect: (.+)$/.exec(first)!;
      const r = await results.get(f)!;
      check(r, 4, new RegExp(m[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), true);
      handled++;
    });
  }

  for (const c of cases) {
    it(c.name, async () => {
      tried++;
      const r = await results.get(c.name)!;
      check(r, c.rc, c.expect, c.fileLine);
      handled++;
    });
  }
});

export type { BadCase };
