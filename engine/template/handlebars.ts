/**
 * Template files (the `template` module) rendered with handlebars: `noEscape` (config files are
 * not HTML), `strict` (an undefined variable is an error naming it and template:line),
 * compiled templates cached by text hash, every expression filter as a helper, and the magic
 * variables ansible_managed / template_host / template_path / template_fullpath / template_run_date.
 * See docs/templates.md.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { ParseError, TsplayError, UndefinedVariableError } from '../types.ts';
import { ExprError, filterRegistry, testRegistry } from '../expr/index.ts';
import { registerHelpers, type RenderData } from './helpers.ts';
import { lazyVars } from './lazy.ts';

let hbInstance: typeof import('handlebars') | undefined;

/** Our handlebars environment, created on the first template (handlebars loads on first use, not at start-up). */
function handlebars(): typeof import('handlebars') {
  hbInstance ??= (createRequire(import.meta.url)('handlebars') as typeof import('handlebars')).create();
  return hbInstance;
}

const registered = new Set<string>();
const compiled = new Map<string, HandlebarsTemplateDelegate>();
const MAX_CACHE = 2000;
let helperCount = -1;

/** Number of compiled templates in the cache (for tests and diagnostics). */
export function templateCacheSize(): number {
  return compiled.size;
}

/** Options for renderTemplate. */
export interface TemplateOptions {
  /** Directories for lookup('file') inside `x` expressions. */
  lookupRoots?: string[];
  /** The template's full path on the controller (template_fullpath). */
  fullPath?: string;
}

/** Ansible's default `ansible_managed` text. */
export const ANSIBLE_MANAGED = 'Ansible managed';

function compile(text: string, name: string): HandlebarsTemplateDelegate {
  const key = createHash('sha1').update(text).digest('hex');
  let t = compiled.get(key);
  if (t) return t;
  try {
    // precompile-time syntax check: handlebars' compile() is lazy, parse() is not
    const hb = handlebars();
    hb.parse(text);
    t = hb.compile(text, { noEscape: true, strict: true });
  } catch (e: any) {
    throw syntaxError(e, name);
  }
  if (compiled.size >= MAX_CACHE) compiled.clear();
  compiled.set(key, t);
  return t;
}

function syntaxError(e: any, name: string): ParseError {
  const msg = String(e?.message ?? e);
  const m = /^Parse error on line (\d+):\n([^\n]*)\n[^\n]*\n(?:Expecting [^\n]*got '([^']*)'|([^\n]*))/.exec(msg);
  if (m) {
    const got = m[3] === 'EOF' ? 'unexpected end of template' : m[3] ? `unexpected '${m[3]}'` : m[4];
    return new ParseError(`template syntax error: ${got} near "${m[2].trim().slice(-60)}"`, { file: name, line: parseInt(m[1], 10) });
  }
  const loc = / - (\d+):(\d+)$/.exec(msg);
  return new ParseError(`template syntax error: ${msg.split('\n')[0].replace(/ - \d+:\d+$/, '')}`, { file: name, line: loc ? parseInt(loc[1], 10) : undefined, col: loc ? parseInt(loc[2], 10) + 1 : undefined });
}

function runtimeError(e: any, name: string): TsplayError {
  if (e instanceof TsplayError) return e;
  const msg = String(e?.message ?? e);
  const m = /^"(.+?)" not defined(?: in .*?)?(?: - (\d+):(\d+))?$/.exec(msg);
  if (m) {
    const err = new UndefinedVariableError(m[1], { file: name, line: m[2] ? parseInt(m[2], 10) : undefined, col: m[3] ? parseInt(m[3], 10) + 1 : undefined });
    err.message = `'${m[1]}' is undefined in template`;
    return err;
  }
  const loc = / - (\d+):(\d+)$/.exec(msg);
  if (/Parse error|Expecting/.test(msg) || e?.name === 'Exception') return syntaxError(e, name);
  const x = new ExprError(`template error: ${msg.split('\n')[0]}`, { file: name, line: loc ? parseInt(loc[1], 10) : undefined });
  return x;
}

/**
 * Render a template file's text with handlebars. `name` (the template's path as the user wrote
 * it) is used in error messages and as template_path. Throws ParseError (bad syntax),
 * UndefinedVariableError (naming the variable and name:line) or another TsplayError.
 */
export function renderTemplate(text: string, vars: Record<string, unknown>, name: string, opts: TemplateOptions = {}): string {
  const n = filterRegistry.size + testRegistry.size;
  if (n !== helperCount) {
    registerHelpers(handlebars(), registered);
    helperCount = n;
  }
  const t = compile(text, name);
  const exprOpts = { pos: { file: name }, lookupRoots: opts.lookupRoots };
  const extras: Record<string, unknown> = {
    ansible_managed: ANSIBLE_MANAGED,
    template_host: hostname(),
    template_path: name,
    template_fullpath: opts.fullPath ?? resolve(name),
    template_run_date: new Date().toISOString(),
  };
  const all: Record<string, unknown> = { ...extras, ...vars };
  const data: RenderData = { vars: all, opts: exprOpts, name };
  try {
    return t(lazyVars(all, exprOpts), { data: { tsplay: data } });
  } catch (e) {
    throw runtimeError(e, name);
  }
}
