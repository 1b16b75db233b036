/**
 * Command-line option parsing for `tsplay PLAYBOOK...` and `tsplay run PATTERN`, with
 * ansible-playbook's / ansible's flags and meanings. Pure: argv in, options out; a bad
 * option is an OptionsError (exit 5) with a one-line message.
 *
 * Supported forms: `--opt value`, `--opt=value`, `-x value`, `-xvalue` (value options),
 * and grouped boolean short flags (`-bK`, `-vvv`, `-CD`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { OptionsError, TsplayError } from '../types.ts';

/** Default number of hosts worked on in parallel. Ansible's default is 5 because each
 * host costs a forked Python process; a tsplay host costs one ssh2 connection and a few
 * promises, so we default to 50 (still bounded, so 1000-host inventories do not open
 * 1000 connections at once). */
export const DEFAULT_FORKS = 50;

/** Options shared by the playbook and the ad-hoc command. */
export interface CommonOptions {
  inventory: string[];
  /** --limit values in order (each may be `@file`, or a pattern list with `:`/`,`). */
  limit: string[];
  extraVars: Record<string, unknown>;
  forks: number;
  user?: string;
  connection?: string;
  become: boolean;
  becomeUser?: string;
  becomeMethod?: 'sudo' | 'su';
  askBecomePass: boolean;
  becomePasswordFile?: string;
  askPass: boolean;
  connectionPasswordFile?: string;
  privateKey?: string;
  /** -T seconds (connection timeout). */
  timeout?: number;
  verbosity: number;
  check: boolean;
  diff: boolean;
  listHosts: boolean;
  json: boolean;
  vaultPasswordFiles: string[];
  askVaultPass: boolean;
  vaultIds: string[];
  modulePath: string[];
  /** `--ssh-common-args` etc: accepted for compatibility, unused by ssh2. */
  sshArgs: string[];
  help: boolean;
  version: boolean;
}

/** `tsplay PLAYBOOK...` options (ansible-playbook's). */
export interface PlaybookOptions extends CommonOptions {
  playbooks: string[];
  tags: string[];
  skipTags: string[];
  listTasks: boolean;
  listTags: boolean;
  syntaxCheck: boolean;
  startAtTask?: string;
  step: boolean;
  forceHandlers: boolean;
  flushCache: boolean;
  rolesPath: string[];
  /** --retry-file [PATH]: write failed+unreachable hosts at the end of a failed run. '' = default path. */
  retryFile?: string;
}

/** `tsplay run PATTERN` options (ansible's). */
export interface AdhocOptions extends CommonOptions {
  pattern: string;
  module: string;
  args: string;
  oneLine: boolean;
  /** -B / -P are not supported (async); accepted only to give a clear error. */
}

type Kind = 'bool' | 'value' | 'count' | 'optvalue';
interface Spec {
  names: string[];
  key: string;
  kind: Kind;
  repeat?: boolean;
  help: string;
  meta?: string;
}

const COMMON: Spec[] = [
  { names: ['-i', '--inventory', '--inventory-file'], key: 'inventory', kind: 'value', repeat: true, meta: 'INVENTORY', help: 'inventory file, directory or comma separated host list (repeatable)' },
  { names: ['-l', '--limit'], key: 'limit', kind: 'value', repeat: true, meta: 'SUBSET', help: 'further limit selected hosts to a pattern (@file reads one pattern per line)' },
  { names: ['-e', '--extra-vars'], key: 'extraVars', kind: 'value', repeat: true, meta: 'EXTRA_VARS', help: 'set variables as key=value, YAML/JSON, or @file (repeatable; highest precedence)' },
  { names: ['-f', '--forks'], key: 'forks', kind: 'value', meta: 'FORKS', help: `number of hosts worked on in parallel (default=${DEFAULT_FORKS})` },
  { names: ['-u', '--user'], key: 'user', kind: 'value', meta: 'REMOTE_USER', help: 'connect as this user' },
  { names: ['-c', '--connection'], key: 'connection', kind: 'value', meta: 'CONNECTION', help: 'connection type: ssh (default) or local' },
  { names: ['-b', '--become'], key: 'become', kind: 'bool', help: 'run operations with become (does not imply password prompting)' },
  { names: ['--become-user'], key: 'becomeUser', kind: 'value', meta: 'BECOME_USER', help: 'run operations as this user (default=root)' },
  { names: ['--become-method'], key: 'becomeMethod', kind: 'value', meta: 'BECOME_METHOD', help: 'privilege escalation method: sudo (default) or su' },
  { names: ['-K', '--ask-become-pass'], key: 'askBecomePass', kind: 'bool', help: 'ask for the privilege escalation password' },
  { names: ['--become-password-file', '--become-pass-file'], key: 'becomePasswordFile', kind: 'value', meta: 'FILE', help: 'read the become password from this file' },
  { names: ['-k', '--ask-pass'], key: 'askPass', kind: 'bool', help: 'ask for the connection (SSH) password' },
  { names: ['--connection-password-file', '--conn-pass-file'], key: 'connectionPasswordFile', kind: 'value', meta: 'FILE', help: 'read the connection password from this file' },
  { names: ['--private-key', '--key-file'], key: 'privateKey', kind: 'value', meta: 'PRIVATE_KEY_FILE', help: 'use this file to authenticate the connection' },
  { names: ['-T', '--timeout'], key: 'timeout', kind: 'value', meta: 'TIMEOUT', help: 'connection timeout in seconds' },
  { names: ['-v', '--verbose'], key: 'verbosity', kind: 'count', help: 'more output: -v results, -vvv commands sent, -vvvv connection debugging' },
  { names: ['-C', '--check'], key: 'check', kind: 'bool', help: "don't make any changes; predict what would change" },
  { names: ['-D', '--diff'], key: 'diff', kind: 'bool', help: 'show the differences in changed files and templates' },
  { names: ['--list-hosts'], key: 'listHosts', kind: 'bool', help: 'list the matching hosts; does not run anything' },
  { names: ['--json'], key: 'json', kind: 'bool', help: "print one JSON document (Ansible's json callback shape) instead of text" },
  { names: ['--vault-password-file', '--vault-pass-file'], key: 'vaultPasswordFiles', kind: 'value', repeat: true, meta: 'FILE', help: 'vault password file' },
  { names: ['-J', '--ask-vault-pass', '--ask-vault-password'], key: 'askVaultPass', kind: 'bool', help: 'ask for the vault password' },
  { names: ['--vault-id'], key: 'vaultIds', kind: 'value', repeat: true, meta: 'VAULT_ID', help: 'the vault identity to use' },
  { names: ['-M', '--module-path'], key: 'modulePath', kind: 'value', repeat: true, meta: 'PATH', help: 'prepend colon-separated path(s) to the module library' },
  { names: ['--ssh-common-args', '--sftp-extra-args', '--scp-extra-args', '--ssh-extra-args'], key: 'sshArgs', kind: 'value', repeat: true, meta: 'ARGS', help: 'accepted for compatibility (ssh2 is used, not the ssh binary)' },
  { names: ['-h', '--help'], key: 'help', kind: 'bool', help: "show this help message and exit" },
  { names: ['--version'], key: 'version', kind: 'bool', help: "show the program's version number and exit" },
];

const PLAYBOOK: Spec[] = [
  ...COMMON,
  { names: ['-t', '--tags'], key: 'tags', kind: 'value', repeat: true, meta: 'TAGS', help: 'only run plays and tasks tagged with these values' },
  { names: ['--skip-tags'], key: 'skipTags', kind: 'value', repeat: true, meta: 'SKIP_TAGS', help: 'only run plays and tasks whose tags do not match these values' },
  { names: ['--list-tasks'], key: 'listTasks', kind: 'bool', help: 'list all tasks that would be executed' },
  { names: ['--list-tags'], key: 'listTags', kind: 'bool', help: 'list all available tags' },
  { names: ['--syntax-check'], key: 'syntaxCheck', kind: 'bool', help: 'perform a syntax check on the playbook, but do not execute it' },
  { names: ['--start-at-task'], key: 'startAtTask', kind: 'value', meta: 'START_AT_TASK', help: 'start the playbook at the task matching this name' },
  { names: ['--step'], key: 'step', kind: 'bool', help: 'one-step-at-a-time: confirm each task before running' },
  { names: ['--force-handlers'], key: 'forceHandlers', kind: 'bool', help: 'run handlers even if a task fails' },
  { names: ['--flush-cache'], key: 'flushCache', kind: 'bool', help: 'clear the fact cache (and pending handler journal) for every host in inventory' },
  { names: ['--roles-path'], key: 'rolesPath', kind: 'value', repeat: true, meta: 'PATH', help: 'colon-separated extra role search path(s)' },
  { names: ['--retry-file'], key: 'retryFile', kind: 'optvalue', meta: 'PATH', help: 'write failed/unreachable hosts to PATH (default PLAYBOOK.retry) for --limit @PATH' },
];

const ADHOC: Spec[] = [
  ...COMMON,
  { names: ['-m', '--module-name'], key: 'module', kind: 'value', meta: 'MODULE_NAME', help: 'module to execute (default=command)' },
  { names: ['-a', '--args'], key: 'args', kind: 'value', meta: 'MODULE_ARGS', help: 'module arguments: k=v pairs, or free form for command/shell/raw' },
  { names: ['-o', '--one-line'], key: 'oneLine', kind: 'bool', help: 'condense output' },
];

function baseCommon(): CommonOptions {
  return {
    inventory: [], limit: [], extraVars: {}, forks: DEFAULT_FORKS, become: false, askBecomePass: false,
    askPass: false, verbosity: 0, check: false, diff: false, listHosts: false, json: false,
    vaultPasswordFiles: [], askVaultPass: false, vaultIds: [], modulePath: [], sshArgs: [], help: false, version: false,
  };
}

/** Parse argv against a spec table. Returns raw values keyed by spec key, plus positionals. */
function parseRaw(argv: string[], specs: Spec[]): { raw: Record<string, unknown>; positional: string[] } {
  const byName = new Map<string, Spec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const raw: Record<string, unknown> = {};
  const positional: string[] = [];
  const put = (s: Spec, v: unknown): void => {
    if (s.kind === 'count') raw[s.key] = ((raw[s.key] as number) ?? 0) + (v as number);
    else if (s.repeat) ((raw[s.key] ??= []) as unknown[]).push(v);
    else raw[s.key] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      const s = byName.get(name) ?? uniquePrefix(name, specs);
      if (!s) throw new OptionsError(`unrecognized option: ${name}`);
      if (s.kind === 'bool' || s.kind === 'count') {
        if (eq >= 0) throw new OptionsError(`option ${name} takes no value`);
        put(s, s.kind === 'count' ? 1 : true);
      } else if (eq >= 0) put(s, a.slice(eq + 1));
      else if (s.kind === 'optvalue') {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-') && !/\.ya?ml$/i.test(next)) { put(s, next); i++; } else put(s, '');
      } else {
        if (i + 1 >= argv.length) throw new OptionsError(`option ${name}: expected one argument`);
        put(s, argv[++i]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // grouped short flags: -bK, -vvv, -f10, -ihosts
      for (let j = 1; j < a.length; j++) {
        const name = '-' + a[j];
        const s = byName.get(name);
        if (!s) throw new OptionsError(`unrecognized option: ${name}${a.length > 2 ? ` (in ${a})` : ''}`);
        if (s.kind === 'bool') put(s, true);
        else if (s.kind === 'count') put(s, 1);
        else {
          const rest = a.slice(j + 1);
          if (rest !== '') put(s, rest);
          else {
            if (i + 1 >= argv.length) throw new OptionsError(`option ${name}: expected one argument`);
            put(s, argv[++i]);
          }
          break;
        }
      }
      continue;
    }
    positional.push(a);
  }
  return { raw, positional };
}

/** argparse accepts unambiguous long-option prefixes (`--check` as `--che`). */
function uniquePrefix(name: string, specs: Spec[]): Spec | undefined {
  if (name.length < 4) return undefined;
  const hits = new Set<Spec>();
  for (const s of specs) for (const n of s.names) if (n.startsWith('--') && n.startsWith(name)) hits.add(s);
  if (hits.size > 1) throw new OptionsError(`ambiguous option: ${name} could match ${[...hits].map((s) => s.names.find((n) => n.startsWith(name))).join(', ')}`);
  return [...hits][0];
}

function toInt(name: string, v: unknown, min: number): number {
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < min) throw new OptionsError(`option ${name}: invalid value '${s}' (expected an integer >= ${min})`);
  return Number(s);
}

function fillCommon(o: CommonOptions, raw: Record<string, unknown>, cwd: string): void {
  const list = (k: string): string[] => (raw[k] as string[] | undefined) ?? [];
  o.inventory = list('inventory');
  o.limit = list('limit');
  o.extraVars = mergeExtraVars(list('extraVars'), cwd);
  if (raw.forks !== undefined) o.forks = toInt('-f/--forks', raw.forks, 1);
  if (raw.timeout !== undefined) o.timeout = toInt('-T/--timeout', raw.timeout, 1);
  o.user = raw.user as string | undefined;
  o.connection = raw.connection as string | undefined;
  if (o.connection !== undefined && !['ssh', 'local', 'paramiko', 'smart'].includes(o.connection)) {
    throw new OptionsError(`option -c/--connection: unsupported connection '${o.connection}' (ssh or local)`);
  }
  o.become = raw.become === true;
  o.becomeUser = raw.becomeUser as string | undefined;
  if (raw.becomeMethod !== undefined) {
    if (raw.becomeMethod !== 'sudo' && raw.becomeMethod !== 'su') throw new OptionsError(`option --become-method: unsupported method '${raw.becomeMethod}' (sudo or su)`);
    o.becomeMethod = raw.becomeMethod;
  }
  o.askBecomePass = raw.askBecomePass === true;
  o.becomePasswordFile = raw.becomePasswordFile as string | undefined;
  o.askPass = raw.askPass === true;
  o.connectionPasswordFile = raw.connectionPasswordFile as string | undefined;
  if (o.askBecomePass && o.becomePasswordFile) throw new OptionsError('options -K and --become-password-file are mutually exclusive');
  if (o.askPass && o.connectionPasswordFile) throw new OptionsError('options -k and --connection-password-file are mutually exclusive');
  o.privateKey = raw.privateKey as string | undefined;
  o.verbosity = (raw.verbosity as number | undefined) ?? 0;
  o.check = raw.check === true;
  o.diff = raw.diff === true;
  o.listHosts = raw.listHosts === true;
  o.json = raw.json === true;
  o.vaultPasswordFiles = list('vaultPasswordFiles');
  o.askVaultPass = raw.askVaultPass === true;
  if (o.askVaultPass && o.vaultPasswordFiles.length) throw new OptionsError('options --ask-vault-pass and --vault-password-file are mutually exclusive');
  o.vaultIds = list('vaultIds');
  o.modulePath = list('modulePath').flatMap((p) => p.split(':')).filter(Boolean);
  o.sshArgs = list('sshArgs');
  o.help = raw.help === true;
  o.version = raw.version === true;
}

/** Parse `tsplay PLAYBOOK... [options]`. Throws OptionsError (exit 5) on bad input. */
export function parsePlaybookArgs(argv: string[], cwd = process.cwd()): PlaybookOptions {
  const { raw, positional } = parseRaw(argv, PLAYBOOK);
  const o = { ...baseCommon(), playbooks: positional, tags: [], skipTags: [], listTasks: false, listTags: false, syntaxCheck: false, step: false, forceHandlers: false, flushCache: false, rolesPath: [] } as PlaybookOptions;
  if (raw.help === true || raw.version === true) { o.help = raw.help === true; o.version = raw.version === true; return o; }
  fillCommon(o, raw, cwd);
  const splitList = (k: string): string[] => ((raw[k] as string[] | undefined) ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  o.tags = splitList('tags');
  o.skipTags = splitList('skipTags');
  o.listTasks = raw.listTasks === true;
  o.listTags = raw.listTags === true;
  o.syntaxCheck = raw.syntaxCheck === true;
  o.startAtTask = raw.startAtTask as string | undefined;
  o.step = raw.step === true;
  o.forceHandlers = raw.forceHandlers === true;
  o.flushCache = raw.flushCache === true;
  o.rolesPath = ((raw.rolesPath as string[] | undefined) ?? []).flatMap((p) => p.split(':')).filter(Boolean).map((p) => resolve(cwd, p));
  if (raw.retryFile !== undefined) o.retryFile = raw.retryFile as string;
  if (o.playbooks.length === 0) throw new OptionsError('the following arguments are required: playbook');
  return o;
}

/** Parse `tsplay run PATTERN [options]`. Throws OptionsError (exit 5) on bad input. */
export function parseAdhocArgs(argv: string[], cwd = process.cwd()): AdhocOptions {
  const { raw, positional } = parseRaw(argv, ADHOC);
  const o = { ...baseCommon(), pattern: '', module: 'command', args: '', oneLine: false } as AdhocOptions;
  if (raw.help === true || raw.version === true) { o.help = raw.help === true; o.version = raw.version === true; return o; }
  fillCommon(o, raw, cwd);
  if (positional.length === 0) throw new OptionsError('the following arguments are required: pattern');
  if (positional.length > 1) throw new OptionsError(`unexpected argument: ${positional[1]} (one host pattern expected; quote module args with -a)`);
  o.pattern = positional[0];
  if (raw.module !== undefined) o.module = String(raw.module).replace(/^ansible\.(builtin|legacy)\./, '');
  o.args = (raw.args as string | undefined) ?? '';
  o.oneLine = raw.oneLine === true;
  return o;
}

/**
 * Merge the `-e` values in order (later wins, top-level keys replaced as Ansible does):
 * `@file` loads a YAML/JSON file, text starting with `{` or `[` is YAML/JSON, anything
 * else is `k=v k2="v 2"` pairs whose values stay strings.
 */
export function mergeExtraVars(values: string[], cwd = process.cwd()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) Object.assign(out, parseExtraVars(v, cwd));
  return out;
}

/** Parse one `-e` value (see mergeExtraVars). */
export function parseExtraVars(value: string, cwd = process.cwd()): Record<string, unknown> {
  const text = value.trim();
  if (text === '') return {};
  let data: unknown;
  let where = `-e '${value}'`;
  if (text.startsWith('@')) {
    const file = resolve(cwd, text.slice(1));
    where = `-e @${text.slice(1)}`;
    let body: string;
    try {
      body = readFileSync(file, 'utf8');
    } catch (e) {
      // exit 1 like ansible-core ("Could not find or access '...' on the Ansible Controller")
      throw new TsplayError(`${where}: could not find or access ${file} on the controller (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    data = loadYamlish(body, where, file);
  } else if (text.startsWith('{') || text.startsWith('[')) {
    data = loadYamlish(text, where);
  } else {
    return parseKv(text, where);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new OptionsError(`${where}: extra vars must be a mapping`);
  return data as Record<string, unknown>;
}

function loadYamlish(text: string, where: string, file?: string): unknown {
  try {
    return yaml.load(text);
  } catch (e) {
    // an @file error names file:line:col, as every error read from a file does
    const mark = (e as { mark?: { line?: number; column?: number } }).mark;
    if (file && mark?.line !== undefined) {
      const reason = ((e as { reason?: string }).reason ?? (e as Error).message.split('\n')[0]).trim();
      throw new OptionsError(`${file}:${mark.line + 1}:${(mark.column ?? 0) + 1}: ${where}: invalid YAML/JSON: ${reason}`);
    }
    throw new OptionsError(`${where}: invalid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Split `k=v k2="a b" k3='c'` the way Ansible's parse_kv does (shell-like quoting).
 * Values stay strings. `where` names the source in errors.
 */
export function parseKv(text: string, where = 'arguments', allowFree = false): Record<string, string> {
  const out: Record<string, string> = {};
  const free: string[] = [];
  for (const tok of shellSplit(text, where)) {
    const m = /^([A-Za-z_][\w.-]*)=([\s\S]*)$/.exec(tok.raw);
    if (m) out[m[1]] = unquote(m[2]);
    else if (allowFree) free.push(tok.raw);
    else throw new OptionsError(`${where}: expected key=value, got '${tok.raw}'`);
  }
  if (free.length) out._raw_params = free.join(' ');
  return out;
}

/** Tokenize on unquoted whitespace, keeping quotes in `raw` (unquote() strips them). */
export function shellSplit(text: string, where = 'arguments'): { raw: string }[] {
  const toks: { raw: string }[] = [];
  let cur = '';
  let q: string | null = null;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '\\' && q === '"' && i + 1 < text.length) { cur += c + text[++i]; continue; }
      if (c === q) q = null;
      cur += c;
    } else if (c === '"' || c === "'") { q = c; cur += c; has = true; }
    else if (/\s/.test(c)) { if (has) toks.push({ raw: cur }); cur = ''; has = false; }
    else { cur += c; has = true; }
  }
  if (q) throw new OptionsError(`${where}: unterminated ${q === '"' ? 'double' : 'single'} quote`);
  if (has) toks.push({ raw: cur });
  return toks;
}

/** Remove shell-style quotes from a token (`"a b"c` -> `a bc`). */
export function unquote(s: string): string {
  let out = '';
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < s.length && /["\\$`]/.test(s[i + 1])) out += s[++i];
      else out += c;
    } else if (c === '"' || c === "'") q = c;
    else out += c;
  }
  return out;
}

function helpText(usage: string, specs: Spec[]): string {
  const lines = [usage, '', 'options:'];
  for (const s of specs) {
    const flag = s.names.join(', ') + (s.kind === 'value' ? ` ${s.meta ?? 'VALUE'}` : s.kind === 'optvalue' ? ` [${s.meta ?? 'VALUE'}]` : '');
    lines.push(`  ${flag.padEnd(44)} ${s.help}`);
  }
  return lines.join('\n') + '\n';
}

/** `tsplay --help` text. */
export const PLAYBOOK_HELP = helpText('usage: tsplay PLAYBOOK [PLAYBOOK ...] -i INVENTORY [options]\n\nRuns Ansible playbooks over one SSH connection per host.', PLAYBOOK);
/** `tsplay run --help` text. */
export const ADHOC_HELP = helpText('usage: tsplay run PATTERN -i INVENTORY [-m MODULE] [-a ARGS] [options]\n\nRuns one module on the hosts matching PATTERN (like `ansible`).', ADHOC);
