/**
 * Lab hosts for tests (real systemd + sshd hosts in their own netns; see docs/lab.md).
 *
 *   import { bootLab, teardownLab, sshRun } from '../support/lab.ts';
 *   let lab: LabInfo;
 *   before(async function () { this.timeout(300_000); lab = await bootLab('tsp-conn', 2); });
 *   after(async function () { this.timeout(60_000); await teardownLab('tsp-conn'); });
 *
 * - Each test FILE uses its own lab name (short, e.g. 'tsp-conn'), so files never share hosts.
 * - bootLab is idempotent: it boots missing hosts, keeps running ones, clears stale leftovers.
 *   The first call on a machine builds the cache (~80 s, under a machine-wide lock, so test
 *   files run one after another or side by side are both safe); later calls take ~2-3 s.
 * - LabInfo has: subnet, vip, inventoryPath (INI, group `lab`, host-key checking on),
 *   knownHostsPath, sshConfigPath, keyPath, and hosts[] = {name, ip, netns, leaderPid}.
 * - labExec(name, host, cmd) runs a command inside a host without ssh (nsenter), for
 *   injecting faults (stop sshd, take eth0 down) while a connection is open.
 * - Needs root and the Debian packages installed by .ci/run (systemd-container, debootstrap...).
 */
import { spawn } from 'node:child_process';
import { labDown, labExec, labUp, type LabInfo } from '../../engine/lab/index.ts';

export type { LabInfo };
export { labExec };

/** Boot (or reuse) lab `name` with at least `hosts` hosts; progress lines go to stderr. */
export async function bootLab(name: string, hosts: number): Promise<LabInfo> {
  return labUp({ name, hosts, onProgress: (m) => process.stderr.write(`      [lab ${name}] ${m}\n`) });
}

/** Take lab `name` down (no-op when it is not up). */
export async function teardownLab(name: string): Promise<void> {
  await labDown(name);
}

/** Result of {@link sshRun}. */
export interface SshOutput {
  rc: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `command` on a lab host with the system ssh client (lab key, the lab's known_hosts,
 * StrictHostKeyChecking=yes). Never rejects for a non-zero exit.
 */
export function sshRun(lab: LabInfo, host: string, command: string, input?: string): Promise<SshOutput> {
  return new Promise((resolve) => {
    const c = spawn('ssh', ['-F', lab.sshConfigPath, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', host, command]);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ rc: code ?? 255, stdout, stderr }));
    c.stdin.end(input ?? '');
  });
}
