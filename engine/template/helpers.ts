/**
 * Handlebars helpers for template files: every expression filter as a helper
 * (`{{join groups.k8s-master ","}}`), tests as `is_<test>` helpers (`{{#if (is_version v "1.2" ">=")}}`),
 * comparison/logic helpers (eq ne lt gt le ge and or not in), and `x`, which evaluates an Ansible
 * expression in the current context (`{{x "groups['etcd'] | join(',')"}}`).
 */
import type { HelperOptions } from 'handlebars';
import {
  type ExprOptions, Undefined, callFilter, callTest, evaluateWith, filterRegistry, pyCmp, pyEq, pyStr, testRegistry, truthy,
} from '../expr/index.ts';

/** Names handlebars itself defines (never overridden by filters). */
const RESERVED = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing', 'x']);

/** Per-render data the helpers read (set through the template's `data` option). */
export interface RenderData {
  vars: Record<string, unknown>;
  opts: ExprOptions;
  name: string;
}

function renderData(o: HelperOptions): RenderData {
  return (o.data as any).tsplay as RenderData;
}

/** The position of a helper call: `file:line:col`. */
export function helperPos(o: HelperOptions): ExprOptions {
  const d = renderData(o);
  const loc = (o as any).loc?.start;
  return { ...d.opts, pos: { file: d.name, line: loc?.line, col: loc ? loc.column + 1 : undefined } };
}

function argOf(v: unknown, helper: string, i: number): unknown {
  return v === undefined ? new Undefined(`argument ${i + 1} of '${helper}'`, `argument ${i + 1} of helper '${helper}' is undefined`) : v;
}

/** Plain values out of a helper's `hash` (keyword arguments). */
function kwOf(o: HelperOptions): Record<string, unknown> {
  return { ...(o.hash ?? {}) };
}

/** Register (or refresh) the helpers on a handlebars environment. */
export function registerHelpers(hb: typeof import('handlebars'), done: Set<string>): void {
  for (const name of filterRegistry.keys()) {
    if (RESERVED.has(name) || done.has(name)) continue;
    done.add(name);
    hb.registerHelper(name, function (this: unknown, ...params: unknown[]) {
      const o = params.pop() as HelperOptions;
      if (params.length === 0) {
        // `{{first}}` with no argument: the variable of that name, not the filter
        const ctx = this as any;
        if (ctx && typeof ctx === 'object' && Object.prototype.hasOwnProperty.call(ctx, name)) return ctx[name];
        const root = (o.data as any)?.root;
        if (root && Object.prototype.hasOwnProperty.call(root, name)) return root[name];
        // handlebars routes `{{@first}}` / `{{@last}}` to a helper of the same name
        const data = o.data as any;
        if (data && (name === 'first' || name === 'last') && typeof data[name] === 'boolean') return data[name];
        throw Object.assign(new Error(`"${name}" not defined`), { tsplayVar: name });
      }
      const d = renderData(o);
      const input = params[0] === undefined && (name === 'default' || name === 'd' || name === 'mandatory')
        ? new Undefined(`argument 1 of '${name}'`, `argument 1 of '${name}' is undefined`)
        : argOf(params[0], name, 0);
      return callFilter(name, input, params.slice(1).map((p, i) => argOf(p, name, i + 1)), kwOf(o), d.vars, helperPos(o));
    });
  }
  for (const name of testRegistry.keys()) {
    const h = `is_${name}`;
    if (done.has(h) || !/^\w+$/.test(name)) continue;
    done.add(h);
    hb.registerHelper(h, function (...params: unknown[]) {
      const o = params.pop() as HelperOptions;
      const d = renderData(o);
      const input = params[0] === undefined ? new Undefined(`argument 1 of '${h}'`, `argument 1 of '${h}' is undefined`) : params[0];
      return callTest(name, input, params.slice(1), kwOf(o), d.vars, helperPos(o));
    });
  }
  if (done.has('x')) return;
  done.add('x');
  const bin = (f: (a: unknown, b: unknown) => boolean) => (a: unknown, b: unknown) => f(a, b);
  hb.registerHelper({
    eq: bin((a, b) => pyEq(a, b)),
    ne: bin((a, b) => !pyEq(a, b)),
    lt: bin((a, b) => pyCmp(a, b, '<') < 0),
    gt: bin((a, b) => pyCmp(a, b, '>') > 0),
    le: bin((a, b) => pyCmp(a, b, '<=') <= 0),
    ge: bin((a, b) => pyCmp(a, b, '>=') >= 0),
    and: (...p: unknown[]) => {
      p.pop();
      let last: unknown = true;
      for (const v of p) {
        last = v;
        if (!truthy(v ?? null)) return v;
      }
      return last;
    },
    or: (...p: unknown[]) => {
      p.pop();
      for (const v of p) if (truthy(v ?? null)) return v;
      return p.length ? p[p.length - 1] : false;
    },
    not: (v: unknown) => !truthy(v ?? null),
    in: (item: unknown, seq: unknown) => (Array.isArray(seq) ? seq.some((s) => pyEq(s, item)) : typeof seq === 'string' ? seq.includes(pyStr(item)) : !!seq && typeof seq === 'object' && Object.prototype.hasOwnProperty.call(seq, pyStr(item))),
    x: function (this: unknown, expr: unknown, o: HelperOptions) {
      const d = renderData(o);
      const data = o.data as any;
      const locals: Record<string, unknown> = { this: this, item: this };
      if (data?.index !== undefined) locals.index = data.index;
      if (data?.key !== undefined) locals.key = data.key;
      if (this && typeof this === 'object' && !Array.isArray(this) && this !== data?.root) Object.assign(locals, this);
      return evaluateWith(pyStr(expr), d.vars, locals, helperPos(o));
    },
  });
}
