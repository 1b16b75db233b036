/**
 * Loaders of the built-in modules in the compiled dist/ bundle. bin/dist.js generates the
 * bundle's entry, which registers one literal `() => import('./modules/NAME.ts')` per built-in
 * (so esbuild bundles each module as its own chunk sharing the engine's module instances).
 * From the TypeScript sources (tsx) nothing registers: the registry reads modules/ instead.
 */

/** A built-in module's loader: its ES module namespace (`default` is the ModuleDef). */
export type BuiltinLoader = () => Promise<{ default?: unknown }>;

let loaders: Readonly<Record<string, BuiltinLoader>> | undefined;

/** Register the built-in modules' loaders (called once by the dist/ bundle's entry). */
export function registerBuiltinLoaders(map: Record<string, BuiltinLoader>): void {
  loaders = Object.freeze({ ...map });
}

/** The registered loaders, or undefined when running from the sources. */
export function builtinLoaders(): Readonly<Record<string, BuiltinLoader>> | undefined {
  return loaders;
}

/** Imports an ES module (package name or file URL) with Node's own ESM loader. */
export type EsmImport = (specifier: string) => Promise<Record<string, unknown>>;

let esmImport: EsmImport | undefined;

/**
 * Register how to import external ES modules (tsx's API, custom modules). The dist/ bundle runs
 * inside vm.Script (bin/load.js), where `import()` of an external cannot run; its entry registers
 * the loader's import function here.
 */
export function registerEsmImport(f: EsmImport | undefined): void {
  esmImport = f;
}

/** Import an external ES module: through the registered function, else a plain `import()`. */
export function importEsm(specifier: string): Promise<Record<string, unknown>> {
  return esmImport ? esmImport(specifier) : import(specifier);
}
