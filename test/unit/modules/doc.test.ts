import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docMain } from '../../../engine/commands/doc.ts';
import { builtinModuleNames } from '../../../engine/modules/registry.ts';

/** Capture stdout/stderr of a docMain call. */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await docMain(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

describe('tsplay doc', () => {
  it('--list names every built-in module', async () => {
    const r = await capture(['--list']);
    expect(r.code).to.equal(0);
    for (const n of builtinModuleNames()) expect(r.out).to.match(new RegExp(`^${n}\\s`, 'm'));
  });

  it('MODULE shows arguments with type, default, choices, aliases; check/diff; returns; examples', async () => {
    const r = await capture(['service']);
    expect(r.code).to.equal(0);
    expect(r.out).to.include('> SYSTEMD');
    expect(r.out).to.match(/- state\n\s+.*\n\s+type: str; choices: \["reloaded", "restarted", "started", "stopped"\]/);
    expect(r.out).to.match(/- name\n.*\n\s+type: str; aliases: \[service, unit\]/);
    expect(r.out).to.include('CHECK MODE: full');
    expect(r.out).to.include('RETURN VALUES:');
    expect(r.out).to.include('EXAMPLES:');
  });

  it('an unknown module is an error with a suggestion', async () => {
    const r = await capture(['cpoy']);
    expect(r.code).to.equal(1);
    expect(r.err).to.equal("ERROR! module cpoy not found; did you mean 'copy'?\n");
  });

  it('-M LIBDIR documents a custom module', async () => {
    const r = await capture(['-M', new URL('../../../examples/library', import.meta.url).pathname, 'ini_value']);
    expect(r.out).to.include('> INI_VALUE');
  });

  it('docs/modules is up to date with the schemas (regenerate: tsplay doc --markdown docs/modules)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsp-doc-'));
    try {
      expect((await capture(['--markdown', dir])).code).to.equal(0);
      const repo = new URL('../../../docs/modules/', import.meta.url).pathname;
      for (const f of readdirSync(dir)) {
        const committed = (() => {
          try {
            return readFileSync(join(repo, f), 'utf8');
          } catch {
            return '(missing)';
          }
        })();
        expect(committed, `docs/modules/${f} is stale: run tsplay doc --markdown docs/modules`).to.equal(readFileSync(join(dir, f), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
