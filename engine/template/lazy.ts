/**
 * A read-only lazy view of the variables for handlebars: string values containing `{{ }}`
 * (Jinja-style, e.g. from group_vars) are rendered on access, `!unsafe` values are shown as
 * their text and `!vault` values are decrypted. Nested lists/dicts get the same view. Data
 * marked with markUnsafe is shown as it is; under `hostvars[h]` (VARS_SCOPE) strings render
 * against that host's variables.
 */
import { UnsafeText, VaultText } from '../yaml.ts';
import { type ExprOptions, VARS_SCOPE, isTemplated, renderString, revealVault } from '../expr/index.ts';
import { NO_TEMPLATE } from '../expr/context.ts';

/** Wrap `vars` (and whatever is read from it) so handlebars sees fully rendered values. */
export function lazyVars(vars: Record<string, unknown>, opts: ExprOptions): Record<string, unknown> {
  const views = new WeakMap<object, unknown>();
  const wrap = (v: unknown, name: string, scope: Record<string, unknown>): unknown => {
    if (typeof v === 'string') return isTemplated(v) ? wrap(renderString(v, scope, opts), name, scope) : v;
    if (v instanceof UnsafeText) return v.text;
    if (v instanceof VaultText) return revealVault(v, name);
    if (v !== null && typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
      const own = (v as any)[VARS_SCOPE];
      if (own === NO_TEMPLATE) return v;
      const inner: Record<string, unknown> = own ?? scope;
      let p = views.get(v);
      if (!p) {
        p = new Proxy(v, {
          get(t, k, r) {
            const x = Reflect.get(t, k, r);
            if (typeof k === 'symbol' || !Object.prototype.hasOwnProperty.call(t, k)) return x;
            return wrap(x, k, inner);
          },
          set: () => false,
          deleteProperty: () => false,
          defineProperty: () => false,
        });
        views.set(v, p);
      }
      return p;
    }
    return v;
  };
  return wrap(vars, 'vars', vars) as Record<string, unknown>;
}
