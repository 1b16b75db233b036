/**
 * Finding modules by name: built-ins are the files `modules/NAME.ts` (imported lazily on first
 * use), plus aliases (`service` -> systemd) and Ansible collection prefixes. Custom modules come
 * from `library/` directories (beside the playbook, in roles): `NAME.ts`/`NAME.js` exporting a
 * default ModuleDef, or an executable script (`NAME`, `NAME.sh`, `NAME.py`, ...) following
 * Ansible's JSON contract.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TsplayError, type ModuleDef } from '../types.ts';
import { MODULE_ALIASES, shortModuleName } from './aliases.ts';
import { scriptModule } from './scriptmodule.ts';
import { builtinLoaders, importEsm } from './builtins.ts';

/**
 * Directory of the built-in modules' sources (repo `modules/`). From the compiled dist/ bundle
 * the built-ins come from the loaders its entry registered (engine/modules/builtins.ts) and
 * this directory only names them in messages.
 */
export const BUILTIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../modules');

let builtinCache: string[] | undefined;
const loaded = new Map<string, Promise<ModuleDef>>();

/** Names of all built-in modules (file names in modules/), sorted. */
export function builtinModuleNames(): string[] {
  const bundled = builtinLoaders();
  builtinCache ??= bundled
    ? Object.keys(bundled).sort()
    : readdirSync(BUILTIN_DIR)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
        .map((f) => f.slice(0, -3))
        .sort();
  return builtinCache;
}

const SCRIPT_EXTS = ['', '.sh', '.py', '.pl', '.rb', '.bash'];

/** Locate a custom module file for NAME in the library dirs (TS/JS first, then scripts). */
function findCustom(name: string, libraryDirs: string[]): { file: string; kind: 'js' | 'script' } | undefined {
  for (const dir of libraryDirs) {
    for (const ext of ['.ts', '.js', '.mjs']) {
      const f = join(dir, name + ext);
      if (existsSync(f)) return { file: f, kind: 'js' };
    }
    for (const ext of SCRIPT_EXTS) {
      const f = join(dir, name + ext);
      if (existsSync(f) && statSync(f).isFile()) return { file: f, kind: 'script' };
    }
  }
  return undefined;
}

function canonicalBuiltin(name: string): string | undefined {
  const short = shortModuleName(name);
  const target = MODULE_ALIASES[short] ?? short;
  return builtinModuleNames().includes(target) ? target : undefined;
}

/** True when NAME is a built-in module, an alias, or a custom module in one of the library dirs. */
export function isModuleName(name: string, libraryDirs: string[] = []): boolean {
  return canonicalBuiltin(name) !== undefined || findCustom(shortModuleName(name), libraryDirs) !== undefined;
}

/**
 * Import a module file. Built-ins are plain ESM imports; custom modules go through tsx's
 * tsImport so a `library/NAME.ts` works in a directory without a package.json "type": "module"
 * (tsx would otherwise compile it to CommonJS and fail on the engine's ESM imports).
 */
async function importFile(file: string, custom: boolean, builtin?: string): Promise<{ default?: unknown }> {
  const bundled = builtin === undefined ? undefined : builtinLoaders()?.[builtin];
  if (bundled) return bundled();
  if (!custom) return importEsm(pathToFileURL(file).href);
  const { tsImport } = (await importEsm('tsx/esm/api')) as typeof import('tsx/esm/api');
  const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  const d = mod.default as { default?: unknown; plan?: unknown } | undefined;
  // a file compiled as CommonJS exposes its exports object as `default`
  return d && typeof d.plan !== 'function' && d.default ? { default: d.default } : mod;
}

async function importDef(file: string, what: string, custom = false): Promise<ModuleDef> {
  let mod: { default?: unknown };
  try {
    mod = await importFile(file, custom, custom ? undefined : what);
  } catch (e) {
    throw new TsplayError(`cannot load module ${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { file });
  }
  const def = mod.default as ModuleDef | undefined;
  if (!def || typeof def !== 'object' || typeof def.plan !== 'function' || typeof def.args !== 'object') {
    throw new TsplayError(`module ${what} must 'export default' a ModuleDef (name, doc, args, plan, apply)`, { file });
  }
  return def;
}

/** True when a .js/.ts library file has a default export (otherwise treat it as a script). */
function looksLikeEsModule(file: string): boolean {
  return /export\s+default/.test(readFileSync(file, 'utf8'));
}

/**
 * Load a module by name (short, `ansible.builtin.` prefixed, or an alias). Custom modules in
 * `libraryDirs` shadow built-ins, as Ansible's library/ does. Undefined when not found.
 */
export async function getModule(name: string, libraryDirs: string[] = []): Promise<ModuleDef | undefined> {
  const short = shortModuleName(name);
  const custom = findCustom(short, libraryDirs);
  if (custom) {
    const key = `custom:${custom.file}`;
    if (!loaded.has(key)) {
      loaded.set(
        key,
        custom.kind === 'js' && looksLikeEsModule(custom.file)
          ? importDef(custom.file, short, true)
          : Promise.resolve(scriptModule(short, custom.file)),
      );
    }
    return loaded.get(key)!;
  }
  const builtin = canonicalBuiltin(short);
  if (!builtin) return undefined;
  if (!loaded.has(builtin)) loaded.set(builtin, importDef(join(BUILTIN_DIR, `${builtin}.ts`), builtin));
  return loaded.get(builtin)!;
}

/** Levenshtein distance (small strings). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The nearest built-in module name or alias, if it is close enough to be a likely typo. */
export function suggestModule(name: string): string | undefined {
  const short = shortModuleName(name);
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of [...builtinModuleNames(), ...Object.keys(MODULE_ALIASES)]) {
    const d = distance(short, cand);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(short.length / 3)) ? best : undefined;
}
