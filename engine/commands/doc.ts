/**
 * `tsplay doc`: module documentation generated from the ModuleDefs the runner validates with.
 *   tsplay doc --list                 every module with its short description
 *   tsplay doc MODULE [-M LIBDIR]     arguments, return values, check/diff support, examples
 *   tsplay doc --markdown DIR         write DIR/<name>.md for every built-in module + README.md
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, OptionsError, type ModuleDef } from '../types.ts';
import { builtinModuleNames, getModule, suggestModule } from '../modules/registry.ts';
import { indexMarkdown, moduleMarkdown, moduleText } from '../modules/docformat.ts';

const USAGE = 'usage: tsplay doc --list | tsplay doc MODULE [-M LIBRARY_DIR] | tsplay doc --markdown DIR';

async function allBuiltins(): Promise<ModuleDef[]> {
  const defs: ModuleDef[] = [];
  for (const n of builtinModuleNames()) {
    const d = await getModule(n);
    if (d) defs.push(d);
  }
  return defs;
}

/** Entry point: returns the exit code. */
export async function docMain(argv: string[]): Promise<number> {
  const libs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-M' || argv[i] === '--module-path') {
      if (argv[i + 1] === undefined) throw new OptionsError(`${argv[i]} needs a directory`);
      libs.push(argv[++i]);
    } else rest.push(argv[i]);
  }
  if (rest.length === 0 || rest[0] === '-h' || rest[0] === '--help') {
    process.stdout.write(USAGE + '\n');
    return rest.length === 0 ? ExitCode.BAD_OPTIONS : ExitCode.OK;
  }
  if (rest[0] === '--list' || rest[0] === '-l') {
    const defs = await allBuiltins();
    const width = Math.max(...defs.map((d) => d.name.length));
    process.stdout.write(defs.map((d) => `${d.name.padEnd(width)}  ${d.doc.short}`).join('\n') + '\n');
    return ExitCode.OK;
  }
  if (rest[0] === '--markdown') {
    const dir = rest[1];
    if (!dir) throw new OptionsError('--markdown needs a directory');
    mkdirSync(dir, { recursive: true });
    const defs = await allBuiltins();
    for (const d of defs) writeFileSync(join(dir, `${d.name}.md`), moduleMarkdown(d));
    writeFileSync(join(dir, 'README.md'), indexMarkdown(defs));
    process.stdout.write(`wrote ${defs.length} module pages to ${dir}\n`);
    return ExitCode.OK;
  }
  let code: number = ExitCode.OK;
  for (const name of rest) {
    const def = await getModule(name, libs);
    if (!def) {
      const hint = suggestModule(name);
      process.stderr.write(`ERROR! module ${name} not found${hint ? `; did you mean '${hint}'?` : ''}\n`);
      code = ExitCode.ERROR;
      continue;
    }
    process.stdout.write(moduleText(def) + '\n');
  }
  return code;
}
