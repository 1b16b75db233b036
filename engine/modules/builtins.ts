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
