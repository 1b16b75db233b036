/**
 * The local RPM repository: tiny noarch test packages built with rpmbuild, indexed with
 * createrepo_c, so `dnf install/remove` inside a lab host exercises the dnf/yum code paths.
 */
import { mkdirSync, writeFileSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RPM_PACKAGES } from './recipe.ts';
import { must } from './sh.ts';

function spec(p: (typeof RPM_PACKAGES)[number]): string {
  const short = p.name.replace(/^tsplay-/, '');
  return [
    `Name: ${p.name}`,
    `Version: ${p.version}`,
    'Release: 1',
    `Summary: ${p.summary}`,
    'License: MIT',
    'BuildArch: noarch',
    'AutoReqProv: no',
    ...(p.requires ?? []).map((r) => `Requires: ${r}`),
    '',
    '%description',
    `${p.summary}. Installs /usr/share/${p.name}/${short}.txt and /usr/bin/${p.name}.`,
    '',
    '%install',
    `mkdir -p %{buildroot}/usr/share/${p.name} %{buildroot}/usr/bin`,
    `echo '${short} ${p.version}' > %{buildroot}/usr/share/${p.name}/${short}.txt`,
    `printf '#!/bin/sh\\necho ${short} ${p.version}\\n' > %{buildroot}/usr/bin/${p.name}`,
    `chmod 755 %{buildroot}/usr/bin/${p.name}`,
    '',
    '%files',
    `/usr/share/${p.name}`,
    `/usr/bin/${p.name}`,
    '',
  ].join('\n');
}

/** Build every test RPM into `repoDir` and index it with createrepo_c. */
export async function buildRpmRepo(repoDir: string, tmp: string): Promise<void> {
  mkdirSync(repoDir, { recursive: true });
  const top = join(tmp, 'rpmbuild');
  for (const p of RPM_PACKAGES) {
    for (const d of ['SPECS', 'RPMS', 'BUILD', 'BUILDROOT', 'SOURCES', 'SRPMS']) mkdirSync(join(top, d), { recursive: true });
    const sp = join(top, 'SPECS', `${p.name}-${p.version}.spec`);
    writeFileSync(sp, spec(p));
    await must('rpmbuild', ['-bb', '--nodeps', '--quiet', '--define', `_topdir ${top}`, '--define', '_build_id_links none', sp], `rpmbuild ${p.name}`);
  }
  const out = join(top, 'RPMS', 'noarch');
  for (const f of readdirSync(out)) if (f.endsWith('.rpm')) copyFileSync(join(out, f), join(repoDir, f));
  rmSync(top, { recursive: true, force: true });
  await must('createrepo_c', ['--quiet', repoDir], 'createrepo_c');
}
