/**
 * File modes as Ansible accepts them: octal strings ('0644', '644', '1777'), YAML ints, and
 * chmod-style symbolic modes ('u+x', 'u=rw,g=r,o=', 'a-w', 'g+X'). Pure functions.
 */

/** Format a numeric mode as Ansible reports it: '0644', '1777'. */
export function formatMode(n: number): string {
  return n.toString(8).padStart(4, '0');
}

/** True when the mode string is symbolic (contains a letter operator clause). */
export function isSymbolic(mode: string): boolean {
  return /[ugoa+=-]/.test(mode) && !/^[0-7]+$/.test(mode);
}

/**
 * Normalise a user-given mode. Octal strings and ints become numbers; symbolic strings stay
 * strings. An int is used as the mode value itself, as Ansible does: YAML 1.1 (engine/yaml.ts)
 * reads `mode: 0644` as 420 == 0o644, while an unquoted `mode: 644` is 644 == 0o1204 (Ansible
 * documents this pitfall: quote modes). Throws a message string for invalid modes.
 */
export function parseModeArg(mode: unknown): number | string {
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw `mode must be in octal or symbolic form: ${mode}`;
    return mode;
  }
  const s = String(mode).trim();
  if (/^0?o?[0-7]{1,4}$/.test(s)) return parseInt(s.replace(/^0?o/, ''), 8);
  if (/^(?:[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)(?:,[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)*$/.test(s)) return s;
  throw `mode must be in octal or symbolic form: '${s}' (for example '0644' or 'u=rw,g=r,o=r')`;
}

const WHO_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };

function permBits(perms: string, who: string, current: number, isDir: boolean): number {
  let bits = 0;
  for (const p of perms) {
    for (const w of who) {
      if (p === 'r') bits |= { u: 0o400, g: 0o040, o: 0o004 }[w]!;
      else if (p === 'w') bits |= { u: 0o200, g: 0o020, o: 0o002 }[w]!;
      else if (p === 'x') bits |= { u: 0o100, g: 0o010, o: 0o001 }[w]!;
      else if (p === 'X') {
        if (isDir || (current & 0o111) !== 0) bits |= { u: 0o100, g: 0o010, o: 0o001 }[w]!;
      } else if (p === 's') bits |= { u: 0o4000, g: 0o2000, o: 0 }[w]!;
      else if (p === 't') bits |= w === 'o' ? 0o1000 : 0;
    }
  }
  return bits;
}

/** Apply a symbolic mode (chmod semantics, no umask like Ansible) to the current mode. */
export function applySymbolic(sym: string, current: number, isDir: boolean): number {
  let mode = current & 0o7777;
  for (const clause of sym.split(',')) {
    const m = /^([ugoa]*)(.*)$/.exec(clause)!;
    let who = m[1].replace(/a/g, 'ugo') || 'ugo';
    who = [...new Set(who)].join('');
    const ops = m[2].match(/[-+=][^-+=]*/g) ?? [];
    for (const op of ops) {
      const kind = op[0];
      const rest = op.slice(1);
      let bits: number;
      if (/^[ugo]$/.test(rest)) {
        const src = rest;
        const shift = { u: 6, g: 3, o: 0 }[src]!;
        const val = (mode >> shift) & 7;
        bits = 0;
        for (const w of who) bits |= val << { u: 6, g: 3, o: 0 }[w]!;
      } else bits = permBits(rest, who, mode, isDir);
      if (kind === '+') mode |= bits;
      else if (kind === '-') mode &= ~bits;
      else {
        let mask = 0;
        for (const w of who) mask |= WHO_BITS[w] & (w === 'o' ? 0o0007 : w === 'u' ? 0o4700 : 0o2070);
        if (isDir) mask &= ~0o6000; // like chmod, '=' keeps setuid/setgid on directories
        mode = (mode & ~mask) | bits;
      }
    }
  }
  return mode;
}

/** The mode a path should have: `mode` (parsed) applied to the current mode. */
export function desiredMode(mode: number | string, current: number, isDir: boolean): number {
  return typeof mode === 'number' ? mode : applySymbolic(mode, current, isDir);
}
