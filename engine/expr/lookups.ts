/**
 * Lookup plugins for `lookup()` / `query()` / `q()`: env, file, vars, pipe, items/list,
 * dict, first_found, template, lines, indexed_items. They run on the controller.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ExprError } from './errors.ts';
import { renderIn } from './evaluator.ts';
import { type CallCtx, lookups } from './registry.ts';
import { Undefined, isDict, pyStr } from './values.ts';
import { makeCtx } from './context.ts';

/** Find a controller file for lookup('file'|'template'): absolute, else under the lookup roots. */
export function findLookupFile(name: string, cc: CallCtx, kinds: string[]): string | undefined {
  if (/^~(\/|$)/.test(name)) name = (process.env.HOME ?? '~') + name.slice(1);
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const roots = cc.ctx.opts.lookupRoots ?? [process.cwd()];
  for (const r of roots) {
    for (const k of kinds) {
      const p = k ? join(r, k, name) : join(r, name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function readText(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch (e: any) {
    throw new ExprError(`could not read '${p}': ${e.code ?? e.message}`);
  }
}

function flat(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]));
}

lookups.set('env', (terms, kw) =>
  terms.map((t) => {
    const v = process.env[pyStr(t)];
    return v === undefined ? (kw.default !== undefined ? kw.default : '') : v;
  }),
);

lookups.set('file', (terms, kw, cc) =>
  terms.map((t) => {
    const name = pyStr(t);
    const p = findLookupFile(name, cc, ['files', '']);
    if (!p) throw new ExprError(`could not locate file in lookup: ${name}`);
    const text = readText(p);
    const strip = kw.rstrip === undefined ? true : Boolean(kw.rstrip);
    return strip ? text.replace(/\s+$/, '') : text;
  }),
);

lookups.set('lines', (terms, _kw, cc) =>
  terms.flatMap((t) => {
    const name = pyStr(t);
    const p = findLookupFile(name, cc, ['files', '']);
    if (!p) throw new ExprError(`could not locate file in lookup: ${name}`);
    return readText(p).split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
  }),
);

lookups.set('template', (terms, _kw, cc) =>
  terms.map((t) => {
    const name = pyStr(t);
    const p = findLookupFile(name, cc, ['templates', '']);
    if (!p) throw new ExprError(`could not locate file in lookup: ${name}`);
    const text = readText(p);
    return renderIn(text, makeCtx(cc.ctx.vars, cc.ctx.opts, name, cc.ctx.run));
  }),
);

lookups.set('vars', (terms, kw, cc) =>
  terms.map((t) => {
    const name = pyStr(t);
    const v = cc.item(cc.ctx.vars, name);
    if (v instanceof Undefined) {
      if (kw.default !== undefined) return kw.default;
      throw new ExprError(`No variable found with this name: ${name}`);
    }
    return v;
  }),
);

lookups.set('pipe', (terms) =>
  terms.map((t) => {
    try {
      return execFileSync('/bin/sh', ['-c', pyStr(t)], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n+$/, '');
    } catch (e: any) {
      throw new ExprError(`lookup('pipe'): command failed (rc=${e.status ?? '?'}): ${pyStr(t)}`);
    }
  }),
);

lookups.set('items', (terms) => flat(terms));
lookups.set('list', (terms) => terms);
lookups.set('flattened', (terms) => flat(terms).flatMap((x) => (Array.isArray(x) ? x : [x])));
lookups.set('indexed_items', (terms) => flat(terms).map((x, i) => [i, x]));
lookups.set('dict', (terms) =>
  terms.flatMap((t) => {
    if (!isDict(t)) throw new ExprError(`lookup('dict') expects a dict, got ${pyStr(t)}`);
    return Object.keys(t).map((k) => ({ key: k, value: t[k] }));
  }),
);
lookups.set('first_found', (terms, kw, cc) => {
  const files = flat(terms).flatMap((t) => (isDict(t) ? ((t as any).files ?? []) : [t])).map((x) => pyStr(x));
  const paths = isDict(terms[0]) ? ((terms[0] as any).paths ?? []) : [];
  for (const f of files) {
    const cands = paths.length ? paths.map((p: string) => resolve(pyStr(p), f)) : [f];
    for (const c of cands) {
      const p = findLookupFile(c, cc, ['files', '']);
      if (p) return [p];
    }
  }
  if (kw.skip) return [];
  throw new ExprError(`No file was found when using first_found: ${files.join(', ')}`);
});

const CHARSETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/**
 * lookup('password', 'path length=N chars=ascii_letters,digits'): a random password, stored in
 * `path` on the controller and reused on later runs (`/dev/null`: a new one every time).
 */
lookups.set('password', (terms, kw, cc) =>
  terms.map((t) => {
    const parts = pyStr(t).trim().split(/\s+/);
    const opts: Record<string, string> = {};
    for (const [k, v] of Object.entries(kw)) opts[k] = pyStr(v);
    for (const p of parts.slice(1)) {
      const i = p.indexOf('=');
      if (i > 0) opts[p.slice(0, i)] = p.slice(i + 1);
    }
    const length = parseInt(opts.length ?? '20', 10);
    if (!(length > 0 && length <= 4096)) throw new ExprError(`lookup('password'): invalid length '${opts.length}'`);
    const set = (opts.chars ?? 'ascii_letters,digits,.,:-_').split(',').map((c) => CHARSETS[c] ?? c).join('') || CHARSETS.ascii_letters;
    const chars = Array.from(new Set(Array.from(set)));
    let path = parts[0];
    if (path !== '/dev/null') {
      if (/^~(\/|$)/.test(path)) path = (process.env.HOME ?? '~') + path.slice(1);
      if (!isAbsolute(path)) path = resolve((cc.ctx.opts.lookupRoots ?? [process.cwd()])[0], path);
      if (existsSync(path)) return readText(path).split('\n')[0].replace(/ salt=\S+$/, '');
    }
    let pw = '';
    for (let i = 0; i < length; i++) pw += chars[randomInt(chars.length)];
    if (path !== '/dev/null') {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, pw + '\n', { mode: 0o600 });
      } catch (e: any) {
        throw new ExprError(`lookup('password'): cannot write '${path}': ${e.code ?? e.message}`);
      }
    }
    return pw;
  }),
);
