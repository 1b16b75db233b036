/**
 * The machine-wide lab cache under /var/cache/tsplay/lab-VERSION/: the Debian rootfs (tree +
 * tar), the offline apt repository and the local RPM repository. Built once (under a lock, so
 * concurrent `up`s never both build it), rebuilt when the recipe's version stamp changes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, rmSync, copyFileSync, chmodSync, symlinkSync, unlinkSync, lstatSync, renameSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawn } from 'node:child_process';
import { TsplayError } from '../types.ts';
import { CACHE_ROOT } from './naming.ts';
import { debianMirror, debianSuite, checkMirror } from './preflight.ts';
import { APT_REPO_PACKAGES, ENABLE_UNITS, HOST_APT_REPO, HOST_RPM_REPO, MASK_UNITS, ROOTFS_FILES, ROOTFS_PACKAGES, recipeVersion } from './recipe.ts';
import { buildRpmRepo } from './rpmrepo.ts';
import { mountsUnder, unmountUnder } from './mounts.ts';
import { must } from './sh.ts';
import { withLock } from './lock.ts';

/** A complete cache: where its parts are. */
export interface LabCache {
  version: string;
  dir: string;
  rootfs: string;
  tar: string;
  aptRepo: string;
  rpmRepo: string;
}

/** Progress callback (one short line per call). */
export type Progress = (msg: string) => void;

/** Paths of the cache for the current recipe (it may not exist yet). */
export function cachePaths(): LabCache {
  const version = recipeVersion(debianSuite());
  const dir = join(CACHE_ROOT, `lab-${version}`);
  return { version, dir, rootfs: join(dir, 'rootfs'), tar: join(dir, 'rootfs.tar'), aptRepo: join(dir, 'apt'), rpmRepo: join(dir, 'rpm') };
}

const stampOk = (c: LabCache) => {
  try { return readFileSync(join(c.dir, 'STAMP'), 'utf8').trim() === c.version; } catch { return false; }
};

/** True when the cache for the current recipe is complete (no build needed). */
export function cacheReady(): boolean {
  const c = cachePaths();
  return stampOk(c) && (existsSync(join(c.rootfs, 'usr/bin/systemctl')) || existsSync(c.tar));
}

/** Make sure the cache exists; build it (about a minute) when missing or outdated. */
export async function ensureCache(progress: Progress = () => undefined): Promise<LabCache> {
  const c = cachePaths();
  if (stampOk(c) && existsSync(join(c.rootfs, 'usr/bin/systemctl'))) return c;
  return withLock(join(CACHE_ROOT, 'lab-cache.lock'), async () => {
    if (stampOk(c) && existsSync(join(c.rootfs, 'usr/bin/systemctl'))) return c;
    if (stampOk(c) && existsSync(c.tar)) {
      progress(`unpacking cached rootfs ${c.tar}`);
      await clearDir(c.rootfs);
      mkdirSync(c.rootfs, { recursive: true });
      await must('tar', ['-C', c.rootfs, '--numeric-owner', '-xpf', c.tar], 'unpacking the rootfs tar');
      return c;
    }
    await build(c, progress);
    return c;
  }, (pid) => progress(`waiting for process ${pid}, which is building the lab cache`));
}

/** Unmount anything below `dir`, then delete it (never crossing into another filesystem). */
async function clearDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const left = await unmountUnder(dir);
  if (left.length) throw new TsplayError(`lab: cannot clear ${dir}: still mounted: ${left.join(', ')}`);
  await must('rm', ['-rf', '--one-file-system', dir], `removing ${dir}`);
}

/** Throttle debootstrap's one-line-per-package output to a progress line every few seconds. */
function throttled(progress: Progress, prefix: string, everyMs = 4000): (line: string) => void {
  let last = 0;
  return (line) => {
    const l = line.replace(/^I: /, '').trim();
    if (!l || Date.now() - last < everyMs) return;
    last = Date.now();
    progress(`${prefix}: ${l}`);
  };
}

async function chroot(root: string, cmd: string, what: string, progress?: Progress): Promise<string> {
  return must('chroot', [root, '/bin/sh', '-c', cmd], what, {
    env: { DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    onLine: progress ? throttled(progress, what) : undefined,
  });
}

async function build(c: LabCache, progress: Progress): Promise<void> {
  const t0 = Date.now();
  const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;
  const mirror = debianMirror();
  const suite = debianSuite();
  await checkMirror(mirror, suite);
  await clearDir(c.dir);
  mkdirSync(c.dir, { recursive: true });
  progress(`building the lab rootfs with debootstrap from ${mirror} (about a minute, once per machine)`);
  // two stages, so that dpkg in the second one runs with force-unsafe-io (no fsync per file:
  // that alone took most of a minute on a virtual disk)
  // downloaded .debs are kept machine-wide, so a rebuild after a recipe change downloads only what changed
  const debCache = join(CACHE_ROOT, 'debs');
  mkdirSync(debCache, { recursive: true });
  await must('debootstrap', ['--foreign', `--cache-dir=${debCache}`, '--variant=minbase', `--include=${ROOTFS_PACKAGES.join(',')}`, suite, c.rootfs, mirror],
    'debootstrap', { onLine: throttled(progress, 'debootstrap') });
  const unsafeIo = join(c.rootfs, 'etc/dpkg/dpkg.cfg.d/tsplay-unsafe-io');
  mkdirSync(dirname(unsafeIo), { recursive: true });
  writeFileSync(unsafeIo, 'force-unsafe-io\n');
  progress(`packages downloaded (${secs()}); installing them`);
  await must('chroot', [c.rootfs, '/debootstrap/debootstrap', '--second-stage'], 'debootstrap --second-stage',
    { onLine: throttled(progress, 'debootstrap'), env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
  progress(`rootfs installed (${secs()}); configuring`);
  configureRootfs(c.rootfs);

  const proc = join(c.rootfs, 'proc');
  try {
    await must('mount', ['-t', 'proc', 'proc', proc], 'mounting /proc for the rootfs build');
    copyFileSync('/etc/resolv.conf', join(c.rootfs, 'etc/resolv.conf'));
    writeFileSync(join(c.rootfs, 'etc/apt/sources.list.d/tsplay-build.list'), `deb ${mirror} ${suite} main\n`);
    rmSync(join(c.rootfs, 'etc/apt/sources.list.d/tsplay-lab.list'));
    progress(`downloading the offline apt repository (${APT_REPO_PACKAGES.join(' ')})`);
    await chroot(c.rootfs, 'apt-get clean && apt-get update -qq', 'apt-get update');
    await chroot(c.rootfs, `apt-get install -y -qq --download-only ${APT_REPO_PACKAGES.join(' ')}`, 'apt download', progress);
    mkdirSync(c.aptRepo, { recursive: true });
    const arch = join(c.rootfs, 'var/cache/apt/archives');
    const debs = readdirSync(arch).filter((f) => f.endsWith('.deb'));
    for (const f of debs) copyFileSync(join(arch, f), join(c.aptRepo, f));
    writeFileSync(join(c.aptRepo, 'Packages'), await must('apt-ftparchive', ['packages', '.'], 'apt-ftparchive', { cwd: c.aptRepo }));
    writeFileSync(join(c.aptRepo, 'Release'), await must('apt-ftparchive', ['release', '.'], 'apt-ftparchive', { cwd: c.aptRepo }));
    progress(`offline apt repository: ${debs.length} packages (${secs()}); building the RPM repository`);
    await buildRpmRepo(c.rpmRepo, c.dir);

    // point the rootfs at the local repositories and pre-load their indexes
    rmSync(join(c.rootfs, 'etc/apt/sources.list.d/tsplay-build.list'));
    writeFileSync(join(c.rootfs, 'etc/apt/sources.list.d/tsplay-lab.list'), ROOTFS_FILES['/etc/apt/sources.list.d/tsplay-lab.list'][1]);
    await chroot(c.rootfs, 'apt-get clean && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/apt/lists/partial', 'apt cleanup');
    for (const [src, dst] of [[c.aptRepo, HOST_APT_REPO], [c.rpmRepo, HOST_RPM_REPO]]) {
      mkdirSync(join(c.rootfs, dst), { recursive: true });
      await must('mount', ['--bind', '-o', 'ro', src, join(c.rootfs, dst)], `bind-mounting ${src}`);
    }
    await chroot(c.rootfs, 'apt-get update -qq', 'apt-get update (offline repository)');
    await chroot(c.rootfs, 'dnf -q makecache >/dev/null 2>&1 || true', 'dnf makecache');
  } finally {
    await unmountUnder(join(c.rootfs, 'srv'));
    await unmountUnder(proc);
  }
  if (mountsUnder(c.dir).length) throw new TsplayError(`lab: could not unmount ${mountsUnder(c.dir).join(', ')}`);
  writeFileSync(join(c.rootfs, 'etc/resolv.conf'), '');
  rmSync(unsafeIo, { force: true });
  for (const p of ['var/cache/apt/pkgcache.bin', 'var/cache/apt/srcpkgcache.bin']) rmSync(join(c.rootfs, p), { force: true });

  writeFileSync(join(c.dir, 'STAMP'), `${c.version}\n`);
  progress(`lab cache ready in ${secs()}: ${c.dir}`);
  // the tar (the tree's spare copy) is packed in the background, off the critical path;
  // it only counts once renamed into place
  spawn('/bin/sh', ['-c', 'tar -C "$1" --numeric-owner -cpf "$2.tmp" . && mv "$2.tmp" "$2"', 'pack', c.rootfs, c.tar],
    { detached: true, stdio: 'ignore' }).unref();
  await pruneOldCaches(c);
}

/** Write the recipe's files, enable/mask units, drop build-time host keys and machine ids. */
function configureRootfs(root: string): void {
  for (const [path, [mode, content]] of Object.entries(ROOTFS_FILES)) {
    const p = join(root, path);
    mkdirSync(dirname(p), { recursive: true });
    try { unlinkSync(p); } catch { /* new */ }
    writeFileSync(p, content);
    chmodSync(p, mode);
  }
  for (const [unit, target] of Object.entries(ENABLE_UNITS)) {
    const d = join(root, 'etc/systemd/system', `${target}.wants`);
    mkdirSync(d, { recursive: true });
    try { symlinkSync(`/etc/systemd/system/${unit}`, join(d, unit)); } catch { /* exists */ }
  }
  for (const unit of MASK_UNITS) {
    const p = join(root, 'etc/systemd/system', unit);
    try { lstatSync(p); } catch { symlinkSync('/dev/null', p); }
  }
  const sshDir = join(root, 'etc/ssh');
  for (const f of readdirSync(sshDir)) if (f.startsWith('ssh_host_')) rmSync(join(sshDir, f));
  rmSync(join(root, 'var/lib/dbus/machine-id'), { force: true });
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
}

/** Remove caches of older recipe versions that no lab's state still refers to. */
async function pruneOldCaches(current: LabCache): Promise<void> {
  const { STATE_ROOT } = await import('./naming.ts');
  const used = new Set<string>([current.dir]);
  try {
    for (const n of readdirSync(STATE_ROOT)) {
      try { used.add(JSON.parse(readFileSync(join(STATE_ROOT, n, 'lab.json'), 'utf8')).cacheDir); } catch { /* not a lab */ }
    }
  } catch { /* no labs */ }
  for (const d of readdirSync(CACHE_ROOT)) {
    const p = join(CACHE_ROOT, d);
    if (d.startsWith('lab-') && d !== 'lab-cache.lock' && !used.has(p) && !mountsUnder(p).length) {
      // rename first (instant, so no later build sees a half-deleted cache), delete in the background
      const trash = join(CACHE_ROOT, `.trash-${d}-${process.pid}`);
      try { renameSync(p, trash); } catch { continue; }
      spawn('rm', ['-rf', '--one-file-system', trash], { detached: true, stdio: 'ignore' }).unref();
    }
  }
}
