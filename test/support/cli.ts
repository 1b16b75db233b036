/** Running the tsplay CLI from tests as a child process (async, so mocha's timeouts still work). */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** What a CLI run returned: exit status, output, and the parsed --json document when asked for. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/** Run `bin/tsplay.js ARGS` (with `--json` appended and parsed when `json`), cwd = the repo root. */
export function runTsplay(args: string[], json = false, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin/tsplay.js'), ...args, ...(json ? ['--json'] : [])], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => {
      const r: CliRun = { status: code ?? 255, stdout, stderr };
      if (json) {
        try {
          r.json = JSON.parse(stdout);
        } catch {
          /* left undefined: the caller's assertion shows stdout */
        }
      }
      done(r);
    });
  });
}
