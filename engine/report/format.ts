/**
 * Pure text helpers of the reporter, mirroring Ansible's default callback: banners, result
 * dumps (Python json.dumps style, sorted keys), result cleaning, no_log censoring, host labels
 * and recap lines. No colours and no I/O here.
 */
import type { ModuleResult, HostStats, TaskInfo } from '../types.ts';
import { redact } from '../secrets.ts';

/** Ansible's text for a no_log result. */
export const CENSORED_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** Keys kept from a no_log result (Ansible's task_result._PRESERVE). */
const PRESERVE = ['attempts', 'changed', 'retries'] as const;

/** Actions whose result is always shown, only its `msg` (Ansible's _ACTION_DEBUG). */
const DEBUG_ACTIONS = new Set(['debug', 'ansible.builtin.debug', 'ansible.legacy.debug']);

/** True for the debug module (results always printed, indented). */
export const isDebugAction = (action: string): boolean => DEBUG_ACTIONS.has(action);

/**
 * A `TASK [..] ****` style banner: message, a space, then stars so the line is `columns + 1`
 * wide (Ansible: columns = max(79, tty width - 1); at least 3 stars).
 */
export function banner(msg: string, columns: number): string {
  const text = msg.trim();
  const stars = Math.max(3, columns - text.length);
  return `${text} ${'*'.repeat(stars)}`;
}

/** Banner text for a task: `TASK [role : name]` or `RUNNING HANDLER [name]`. */
export function taskTitle(task: TaskInfo): string {
  let name = (task.name ?? '').trim() || task.action;
  if (task.role && !name.startsWith(`${task.role} : `)) name = `${task.role} : ${name}`;
  return `${task.isHandler ? 'RUNNING HANDLER' : 'TASK'} [${name}]`;
}

/** `h1` or `h1 -> h2` when delegated to another host. */
export function hostLabel(host: string, delegatedTo?: string): string {
  return delegatedTo && delegatedTo !== host ? `${host} -> ${delegatedTo}` : host;
}

/** Ansible's censored form of a no_log result (keeps attempts/changed/retries). */
export function censor(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { censored: CENSORED_MSG };
  for (const k of PRESERVE) if (k in result) out[k] = result[k];
  return out;
}

/**
 * Deep copy of a JSON-like value with every string (keys included) passed through redact(),
 * so a secret is removed before JSON escaping could disguise it.
 */
export function redactDeep(value: unknown, ancestors = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  // only a value that contains itself is circular; one shared by two keys is printed twice
  if (ancestors.has(value)) return '[Circular]';
  if (Buffer.isBuffer(value)) return redact(value.toString('utf8'));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return redact(value.message);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactDeep(v, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v, ancestors);
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Serialize like Python's json.dumps(sort_keys=True, ensure_ascii=False): `{"a": 1, "b": [1, 2]}`
 * on one line, or with `indent` spaces per level. Undefined values are dropped.
 */
export function pyJson(value: unknown, indent?: number, level = 0): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const pad = indent === undefined ? '' : '\n' + ' '.repeat(indent * (level + 1));
  const end = indent === undefined ? '' : '\n' + ' '.repeat(indent * level);
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => pad + pyJson(v, indent, level + 1)).join(sep)}${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pyJson(v, indent, level + 1)}`).join(sep)}${end}}`;
}

/**
 * The result as the default callback shows it: status keys (failed, skipped), internal
 * `_ansible_*` keys and `exception` removed; `invocation` and `diff` removed below -vvv;
 * for debug only `msg` (or the shown variable) is kept. Returns a copy.
 */
export function cleanResult(result: Record<string, unknown>, action: string, verbosity: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    if (v === undefined || k === 'failed' || k === 'skipped' || k === 'exception') continue;
    if (k.startsWith('_ansible_') || k === 'warnings' || k === 'deprecations') continue;
    if (verbosity < 3 && (k === 'invocation' || k === 'diff')) continue;
    out[k] = v;
  }
  if (isDebugAction(action)) {
    if ('msg' in out) {
      for (const k of Object.keys(out)) if (k !== 'msg') delete out[k];
    } else {
      for (const k of ['changed', 'invocation', 'skip_reason']) delete out[k];
    }
  }
  return out;
}

/** The label of a loop item as shown in `(item=...)`: strings bare, other values as JSON. */
export function itemLabel(item: unknown): string {
  if (item === null || item === undefined) return 'None';
  if (typeof item === 'string') return item;
  if (typeof item === 'boolean') return item ? 'True' : 'False';
  if (typeof item === 'number') return String(item);
  // Python prints dicts/lists with repr; JSON with sorted keys is close and unambiguous.
  // Redact before serializing: JSON escaping could otherwise disguise a secret.
  return pyJson(redactDeep(item));
}

/** Zero stats for a host. */
export const emptyStats = (): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 });

/** The recap counters in Ansible's order with their display names. */
export const RECAP_FIELDS: readonly [label: string, key: keyof HostStats][] = [
  ['ok', 'ok'],
  ['changed', 'changed'],
  ['unreachable', 'unreachable'],
  ['failed', 'failures'],
  ['skipped', 'skipped'],
  ['rescued', 'rescued'],
  ['ignored', 'ignored'],
];

/** `ok=3   ` : label=value padded to 4 (Python's `%s=%-4s`). */
export const recapField = (label: string, n: number): string => `${label}=${String(n).padEnd(4)}`;

/** Format a duration in ms as seconds with 2 decimals (`1.23s`). */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;

/**
 * One line of the slowest-tasks list, profile_tasks style:
 * `name ------------------------------ 1.23s` exactly `columns` wide (longer if the name is).
 */
export function timingLine(name: string, ms: number, columns: number): string {
  const right = ` ${seconds(ms)}`.padStart(9, '-');
  return `${name} `.padEnd(Math.max(columns - 9, name.length + 1), '-') + right;
}

/** Collect a result's warnings (strings) for display; tolerant of odd shapes. */
export function resultWarnings(result: ModuleResult | Record<string, unknown>): string[] {
  const w = (result as Record<string, unknown>).warnings;
  return Array.isArray(w) ? w.map((x) => String(x)) : [];
}
