/**
 * A play's `vars_prompt:` as ansible-playbook 2.14 does it: loading (validated entries, with
 * positions) and asking at play start.
 *
 * - A variable given with -e is not asked.
 * - On a terminal: the question is `PROMPT [DEFAULT]: ` (or `PROMPT: `); `private` (the
 *   default) reads without echo; `confirm` asks twice until both match; an empty answer takes
 *   the default.
 * - Without a terminal nothing is read: one warning "Not prompting as we are not in
 *   interactive mode" and the default is used (the string 'None' when there is none, as
 *   Ansible's to_text(None)).
 * - Answers are strings (Python's str() of a non-string default). `encrypt` hashes them with
 *   crypt(3)'s sha512_crypt / sha256_crypt / md5_crypt (`salt`, `salt_size`), as Ansible does
 *   without passlib; other schemes are refused. `unsafe: true` keeps `{{ }}` in the answer from
 *   ever being templated.
 */
import type { SourcePos } from '../types.ts';
import { TsplayError } from '../types.ts';
import type { VarsPromptSpec } from './model.ts';
import { Reader, fail, isMap, isTemplate, itemPos, typeName } from './source.ts';
import { posOf } from '../yaml.ts';
import { nearest, didYouMean } from './suggest.ts';
import { md5Crypt, randomSalt, shaCrypt } from '../expr/crypt.ts';
import { pyStr } from '../expr/index.ts';
import { wrapUnsafe } from '../vars/unsafe.ts';
import { isInteractive, prompt, promptNote } from '../prompt.ts';

const KEYS = new Set(['name', 'prompt', 'default', 'private', 'confirm', 'encrypt', 'salt_size', 'salt', 'unsafe']);

/** crypt(3) schemes tsplay can hash with: salt size, exact salt length. */
const SCHEMES: Record<string, { saltSize: number; hash: (pw: string, salt: string) => string }> = {
  sha512_crypt: { saltSize: 16, hash: (pw, salt) => shaCrypt(pw, salt, 512) },
  sha256_crypt: { saltSize: 16, hash: (pw, salt) => shaCrypt(pw, salt, 256) },
  md5_crypt: { saltSize: 8, hash: (pw, salt) => md5Crypt(pw, salt) },
};

function unsupportedScheme(scheme: string): string {
  return `vars_prompt encrypt '${scheme}' is not supported by tsplay (use ${Object.keys(SCHEMES).join(', ')})`;
}

/** Parse a play's `vars_prompt:` (a list of mappings, or one mapping). Throws a ParseError at the entry. */
export function readVarsPrompt(r: Reader): VarsPromptSpec[] | undefined {
  const v = r.ds.vars_prompt;
  if (v === undefined || v === null) return undefined;
  const list = isMap(v) ? [v] : Array.isArray(v) ? v : r.wrong('vars_prompt', 'a list of mappings with name:, prompt:, default: ...');
  const listPos = posOf(v) ?? r.pos('vars_prompt');
  return list.map((entry, i) => {
    const at = posOf(entry) ?? itemPos(list, i, listPos);
    if (!isMap(entry)) fail(`vars_prompt entries must be mappings with 'name:', got ${typeName(entry)}`, at);
    const e: Reader = new Reader(entry, 'vars_prompt', at);
    for (const k of Object.keys(entry)) {
      if (!KEYS.has(k)) e.fail(k, `unsupported vars_prompt key '${k}'${didYouMean(nearest(k, KEYS)?.name)} (${[...KEYS].join(', ')})`);
    }
    const name = e.str('name');
    if (name === undefined || name.trim() === '') e.fail('', "a vars_prompt entry needs 'name:' (the variable to set)");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name!.trim())) e.fail('name', `vars_prompt name '${name}' is not a valid variable name`);
    const spec: VarsPromptSpec = { name: name!.trim(), pos: e.pos() };
    const raw = (k: string) => entry[k];
    if (e.has('prompt')) spec.prompt = raw('prompt');
    if (e.has('default')) spec.default = raw('default');
    for (const [k, f] of [['private', 'private'], ['confirm', 'confirm'], ['unsafe', 'unsafe']] as const) if (e.has(k)) spec[f] = e.boolish(k);
    if (e.has('encrypt') && raw('encrypt') !== null) {
      const enc = raw('encrypt');
      if (typeof enc !== 'string') e.wrong('encrypt', 'a hash scheme name such as sha512_crypt');
      if (!isTemplate(enc) && !SCHEMES[enc.trim()]) e.fail('encrypt', unsupportedScheme(enc.trim()));
      spec.encrypt = enc;
    }
    if (e.has('salt')) spec.salt = raw('salt');
    if (e.has('salt_size')) spec.saltSize = e.num('salt_size', true);
    return spec;
  });
}

/** How vars_prompt talks to the user (engine/prompt.ts on the real terminal; a fake in tests). */
export interface VarsPromptIO {
  /** Is there a terminal? Without one nothing is asked. */
  interactive(): boolean;
  ask(question: string, hidden: boolean): Promise<string>;
  /** A line shown to the user at the prompt (the confirm mismatch notice). */
  note(line: string): void;
}

/** The controller's terminal (engine/prompt.ts): what `tsplay PLAYBOOK` uses. */
export const terminalPromptIO: VarsPromptIO = { interactive: isInteractive, ask: prompt, note: promptNote };

/** Inputs of one play's prompting. */
export interface VarsPromptContext {
  /** -e variables: those names are not asked. */
  extraVars: Record<string, unknown>;
  /** Template a raw value against the play's variables (no host), as Ansible's templar. */
  template(v: unknown, pos: SourcePos): unknown;
  /** Emit a warning (once per run is the caller's business). */
  warn(msg: string): void;
}

const truthy = (v: unknown, dflt: boolean): boolean => {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  return ['yes', 'true', 'on', '1', 'y'].includes(s);
};

/** Hash `value` as Ansible's do_encrypt does with the crypt module. */
export function encryptAnswer(value: string, scheme: string, salt: unknown, saltSize: unknown, pos: SourcePos): string {
  const s = SCHEMES[scheme];
  if (!s) throw new TsplayError(unsupportedScheme(scheme), pos);
  const size = saltSize === undefined || saltSize === null ? s.saltSize : Number(saltSize);
  const sl = salt === undefined || salt === null || salt === '' ? randomSalt(size) : pyStr(salt);
  if (/[^./0-9A-Za-z]/.test(sl)) throw new TsplayError(`vars_prompt: invalid characters in salt '${sl}'`, pos);
  if (sl.length > s.saltSize) throw new TsplayError(`vars_prompt: invalid salt size (at most ${s.saltSize} characters for ${scheme})`, pos);
  return s.hash(value, sl);
}

/**
 * Ask a play's vars_prompt questions (in order) and return the values (Ansible level 13).
 * Variables given with -e are skipped.
 */
export async function resolveVarsPrompt(specs: readonly VarsPromptSpec[], io: VarsPromptIO, ctx: VarsPromptContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let warned = false;
  for (const spec of specs) {
    if (Object.prototype.hasOwnProperty.call(ctx.extraVars, spec.name)) continue;
    const t = (v: unknown) => (v === undefined ? undefined : ctx.template(v, spec.pos));
    const prompt = spec.prompt === undefined ? spec.name : t(spec.prompt);
    const dflt = t(spec.default);
    const hidden = truthy(t(spec.private), true);
    let answer: unknown;
    if (io.interactive()) {
      const msg = prompt !== null && prompt !== '' && dflt !== undefined && dflt !== null
        ? `${pyStr(prompt)} [${pyStr(dflt)}]: `
        : prompt !== null && prompt !== '' ? `${pyStr(prompt)}: ` : `input for ${spec.name}: `;
      if (truthy(t(spec.confirm), false)) {
        for (;;) {
          const first = await io.ask(msg, hidden);
          const second = await io.ask(`confirm ${msg}`, hidden);
          if (first === second) {
            answer = first;
            break;
          }
          io.note('***** VALUES ENTERED DO NOT MATCH ****');
        }
      } else answer = await io.ask(msg, hidden);
    } else if (!warned) {
      warned = true;
      ctx.warn('Not prompting as we are not in interactive mode');
    }
    if ((answer === undefined || answer === '') && dflt !== undefined && dflt !== null) answer = dflt;
    let value = answer === undefined || answer === null ? 'None' : pyStr(answer);
    const enc = t(spec.encrypt);
    if (enc !== undefined && enc !== null && enc !== '') value = encryptAnswer(value, pyStr(enc).trim(), t(spec.salt), t(spec.saltSize), spec.pos);
    out[spec.name] = truthy(t(spec.unsafe), false) ? wrapUnsafe(value) : value;
  }
  return out;
}
