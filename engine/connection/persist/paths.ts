/**
 * Where the connection keeper lives: a 0700 directory `$TSPLAY_HOME/cp` (default ~/.tsplay/cp)
 * holding `<id>.sock` (0600), `<id>.pid` and `<id>.log`. The id hashes the uid, the tsplay install
 * root and the build identity (dist manifest, or the sources' sizes and mtimes when running them
 * through tsx), so another checkout or build never talks to an old keeper.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The default ControlPersist: seconds an unused connection is kept (Ansible's ssh_args: 60s). */
export const DEFAULT_PERSIST_SECONDS = 60;

/** Longest unix socket path Linux accepts (sun_path is 108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;

/** Files of one keeper. */
export interface KeeperPaths {
  dir: string;
  socket: string;
  pidFile: string;
  logFile: string;
  /** install root (holds bin/tsplay.js) */
  root: string;
  /** true when this process runs the compiled dist/ */
  fromDist: boolean;
}

/**
 * Seconds an unused connection is kept, from TSPLAY_SSH_PERSIST (default 60; 0 = persistence off).
 * Accepts `N`, `Ns`, `Nm`, `Nh`. A malformed value means the default.
 */
export function persistSeconds(env: Record<string, string | undefined> = process.env): number {
  const v = env.TSPLAY_SSH_PERSIST?.trim().toLowerCase();
  if (v === undefined || v === '') return DEFAULT_PERSIST_SECONDS;
  if (v === 'no' || v === 'false' || v === 'off') return 0;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(v);
  if (!m) return DEFAULT_PERSIST_SECONDS;
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

let rootCache: { root: string; fromDist: boolean } | undefined;

/** The install root (the directory with bin/tsplay.js) and whether this code runs from dist/. */
export function installRoot(): { root: string; fromDist: boolean } {
  if (rootCache) return rootCache;
  const self = fileURLToPath(import.meta.url);
  let d = dirname(self);
  for (let i = 0; i < 8 && !existsSync(join(d, 'bin', 'tsplay.js')); i++) d = dirname(d);
  // dist/ is a bundle (dist/tsplay.js + chunks): this code runs from dist when its file is under it
  const fromDist = self.startsWith(join(d, 'dist') + sep);
  return (rootCache = { root: d, fromDist });
}

/** The build identity: the dist manifest's text, or the sources' sizes and mtimes. */
function buildIdentity(root: string, fromDist: boolean): string {
  if (fromDist) {
    try {
      return 'dist:' + readFileSync(join(root, 'dist', 'manifest.json'), 'utf8');
    } catch { /* fall through to the sources */ }
  }
  const parts: string[] = [];
  const walk = (rel: string): void => {
    let ents;
    try {
      ents = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const r = join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.ts')) {
        const s = statSync(join(root, r));
        parts.push(`${r}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk('engine');
  walk('modules');
  return 'src:' + parts.sort().join('\n');
}

/** The tsplay home directory ($TSPLAY_HOME or ~/.tsplay). */
export function tsplayHome(env: Record<string, string | undefined> = process.env): string {
  return env.TSPLAY_HOME || join(homedir(), '.tsplay');
}

let pathsCache: KeeperPaths | undefined;

/** The keeper's files for this user, install and build (computed once per process). */
export function keeperPaths(env: Record<string, string | undefined> = process.env): KeeperPaths {
  if (pathsCache && env === process.env) return pathsCache;
  const { root, fromDist } = installRoot();
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const id = createHash('sha256').update(`${uid}\0${root}\0${buildIdentity(root, fromDist)}`).digest('hex').slice(0, 16);
  const dir = join(tsplayHome(env), 'cp');
  const p: KeeperPaths = { dir, socket: join(dir, `${id}.sock`), pidFile: join(dir, `${id}.pid`), logFile: join(dir, `${id}.log`), root, fromDist };
  if (env === process.env) pathsCache = p;
  return p;
}

/**
 * Create (0700) or check the keeper directory: a real directory owned by this user that
 * nobody else can enter. Returns an error message when it is not safe to use.
 */
export function secureDir(dir: string, socketPath?: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not ${uid}`;
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    if (socketPath && Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) return `socket path ${socketPath} is too long for a unix socket`;
    return undefined;
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
}
