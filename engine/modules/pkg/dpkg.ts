/**
 * Debian package state, parsed from ONE read command: dpkg-query for what is installed,
 * apt-cache policy for candidates and the version table, the apt cache age, and the
 * control fields of local .deb files. Parsers are pure (unit tested).
 */
import { quote } from '../quote.ts';

/** An installed (or half-installed) package as dpkg reports it. */
export interface DpkgPkg {
  name: string;
  /** dpkg's abbreviated status, e.g. 'ii' installed, 'rc' removed with config files. */
  status: string;
  version: string;
  arch: string;
}

/** apt-cache policy of one package. */
export interface AptPolicy {
  installed?: string;
  candidate?: string;
  /** Every version in the version table. */
  versions: string[];
}

/** A requested apt package: `name`, `name=version` (version may end in `*`), `name:arch`. */
export interface AptSpec {
  spec: string;
  name: string;
  version?: string;
}

const MARK = '==TSPLAY-APT==';

/** Parse an apt name spec (`nginx`, `nginx=1.18*`, `libc6:amd64`). */
export function parseAptSpec(spec: string): AptSpec {
  const eq = spec.indexOf('=');
  if (eq > 0) return { spec, name: spec.slice(0, eq), version: spec.slice(eq + 1) };
  return { spec, name: spec };
}

/** True when `installed` satisfies a requested version (exact, or prefix before a trailing `*`). */
export function versionMatches(want: string | undefined, installed: string | undefined): boolean {
  if (installed === undefined) return false;
  if (want === undefined) return true;
  return want.endsWith('*') ? installed.startsWith(want.slice(0, -1)) : installed === want;
}

/** The shell script reading installed state, policies, cache age and .deb control fields. */
export function aptReadScript(names: string[], debs: string[]): string {
  const n = names.map(quote).join(' ');
  const parts = [
    `echo '${MARK}'`,
    names.length ? `dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\t\${Architecture}\\n' ${n} 2>/dev/null` : ':',
    `echo '${MARK}'`,
    names.length ? `LC_ALL=C apt-cache policy ${n} 2>/dev/null` : ':',
    `echo '${MARK}'`,
    `stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || stat -c %Y /var/lib/apt/lists 2>/dev/null || echo 0`,
    `date +%s`,
    `echo '${MARK}'`,
    ...debs.map(
      (d) =>
        `if [ -f ${quote(d)} ] && dpkg-deb -W --showformat='\${Package}\\t\${Version}\\t\${Architecture}\\t' ${quote(d)}; then ` +
        `dpkg-query -W -f='\${db:Status-Abbrev}|\${Version}' "$(dpkg-deb -f ${quote(d)} Package)" 2>/dev/null; echo; else echo '-'; fi`,
    ),
    `echo '${MARK}'`,
    'command -v apt-get >/dev/null 2>&1 && echo apt-get || echo none',
  ];
  return parts.join('\n');
}

/** Parse dpkg-query -W output (`name\tstatus\tversion\tarch` lines); names lose any `:arch`. */
export function parseDpkgQuery(out: string): Map<string, DpkgPkg> {
  const m = new Map<string, DpkgPkg>();
  for (const line of out.split('\n')) {
    const [name, status, version, arch] = line.split('\t');
    if (!name || status === undefined) continue;
    m.set(name, { name, status: status.trim(), version: version ?? '', arch: arch ?? '' });
  }
  return m;
}

/** True when dpkg says the package is fully installed. */
export function isInstalled(p: DpkgPkg | undefined): boolean {
  return p !== undefined && /^[ih]i/.test(p.status);
}

/** Parse `LC_ALL=C apt-cache policy NAMES` output into one entry per package. */
export function parseAptPolicy(out: string): Map<string, AptPolicy> {
  const m = new Map<string, AptPolicy>();
  let cur: AptPolicy | undefined;
  let inTable = false;
  for (const line of out.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { versions: [] };
      m.set(head[1], cur);
      inTable = false;
      continue;
    }
    if (!cur) continue;
    const f = /^\s+(Installed|Candidate):\s*(\S+)/.exec(line);
    if (f) {
      const v = f[2] === '(none)' ? undefined : f[2];
      if (f[1] === 'Installed') cur.installed = v;
      else cur.candidate = v;
      continue;
    }
    if (/^\s+Version table:/.test(line)) {
      inTable = true;
      continue;
    }
    const row = /^\s+(?:\*\*\*\s+)?(\S+)\s+-?\d+\s*$/.exec(line);
    if (inTable && row) cur.versions.push(row[1]);
  }
  return m;
}

/** A local .deb file's control fields and the installed state of its package. */
export interface DebFile {
  name: string;
  version: string;
  arch: string;
  /** Installed version of that package, when dpkg says it is installed. */
  installed?: string;
}

/** Everything one apt read returns. */
export interface AptRead {
  installed: Map<string, DpkgPkg>;
  policy: Map<string, AptPolicy>;
  /** Seconds since the last successful `apt-get update`. */
  cacheAge: number;
  cacheTime: number;
  /** Per local .deb: its control fields, or undefined when the file is missing. */
  debs: (DebFile | undefined)[];
  hasApt: boolean;
}

/** Parse the output of aptReadScript. */
export function parseAptRead(out: string): AptRead {
  const [, q = '', pol = '', age = '', debs = '', tool = ''] = out.split(MARK + '\n');
  const [stamp, now] = age.trim().split('\n').map(Number);
  return {
    installed: parseDpkgQuery(q),
    policy: parseAptPolicy(pol),
    cacheTime: stamp || 0,
    cacheAge: (now || 0) - (stamp || 0),
    debs: debs
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        if (l === '-') return undefined;
        const [name, version, arch, st = ''] = l.split('\t');
        const [status, iv] = st.split('|');
        return { name, version, arch, ...(iv !== undefined && /^[ih]i/.test(status) ? { installed: iv } : {}) };
      }),
    hasApt: tool.trim() === 'apt-get',
  };
}

/** What `apt-get -s` (simulate) would do: packages installed/upgraded (old version if any) and removed. */
export interface AptSimulation {
  inst: { name: string; from?: string; to: string }[];
  remv: { name: string; from?: string }[];
}

/** Parse `apt-get -s ...` output (`Inst NAME [OLD] (NEW ...)`, `Remv NAME [OLD]`). */
export function parseAptSimulation(out: string): AptSimulation {
  const sim: AptSimulation = { inst: [], remv: [] };
  for (const line of out.split('\n')) {
    const i = /^Inst (\S+) (?:\[(\S+)\] )?\((\S+)/.exec(line);
    if (i) sim.inst.push({ name: i[1], ...(i[2] ? { from: i[2] } : {}), to: i[3] });
    const r = /^(?:Remv|Purg) (\S+)(?: \[(\S+)\])?/.exec(line);
    if (r) sim.remv.push({ name: r[1], ...(r[2] ? { from: r[2] } : {}) });
  }
  return sim;
}

/** apt-get subcommand for Ansible's `upgrade` values (yes/safe: upgrade --with-new-pkgs; full/dist: dist-upgrade). */
export function upgradeCommand(upgrade: string): string | undefined {
  if (upgrade === 'yes' || upgrade === 'safe') return 'upgrade --with-new-pkgs';
  if (upgrade === 'full' || upgrade === 'dist') return 'dist-upgrade';
  return undefined;
}
