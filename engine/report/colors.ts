/**
 * Ansible's output colours (ansible-core config COLOR_*), through chalk — the only place in
 * tsplay that uses chalk. With colours off every function returns its text unchanged.
 */
import { Chalk } from 'chalk';

/** Colour roles used by the default callback. */
export type ColorRole =
  | 'ok'
  | 'changed'
  | 'error'
  | 'skip'
  | 'unreachable'
  | 'warn'
  | 'deprecate'
  | 'debug'
  | 'verbose'
  | 'diffAdd'
  | 'diffRemove'
  | 'diffLines'
  | 'highlight';

export type Palette = Record<ColorRole, (text: string) => string>;

/**
 * Build the palette. Like Ansible's stringc, a multi-line text is coloured line by line so
 * every line starts and ends its own escape sequence.
 */
export function palette(enabled: boolean): Palette {
  const c = new Chalk({ level: enabled ? 1 : 0 });
  const per = (f: (s: string) => string) => (text: string) =>
    enabled ? text.split('\n').map((l) => (l === '' ? l : f(l))).join('\n') : text;
  return {
    ok: per(c.green),
    changed: per(c.yellow),
    error: per(c.red),
    skip: per(c.cyan),
    unreachable: per(c.redBright),
    warn: per(c.magentaBright),
    deprecate: per(c.magenta),
    debug: per(c.gray),
    verbose: per(c.blue),
    diffAdd: per(c.green),
    diffRemove: per(c.red),
    diffLines: per(c.cyan),
    highlight: per(c.white),
  };
}

/**
 * Colours on by default only for a TTY without NO_COLOR (any value, per no-color.org);
 * FORCE_COLOR / ANSIBLE_FORCE_COLOR force them on.
 */
export function defaultColor(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.ANSIBLE_FORCE_COLOR ?? env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force.toLowerCase() !== 'false') return true;
  return isTTY;
}
