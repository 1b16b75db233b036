/**
 * Lab networking: one bridge per lab (machine side, address .1 of the lab's /24) and, per host,
 * a network namespace whose eth0 is one end of a veth pair enslaved to the bridge. No default
 * route in the hosts and the machine's ip_forward is never touched: hosts reach only each other
 * and the bridge address.
 */
import { existsSync } from 'node:fs';
import { must, run, ipQuiet } from './sh.ts';

/** Create the lab bridge with `addr/24` unless it exists. */
export async function ensureBridge(bridge: string, addr: string): Promise<void> {
  if (!existsSync(`/sys/class/net/${bridge}`)) {
    await must('ip', ['link', 'add', bridge, 'type', 'bridge'], `creating bridge ${bridge}`);
  }
  const have = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge]);
  if (!have.stdout.includes(` ${addr}/`)) await must('ip', ['addr', 'add', `${addr}/24`, 'dev', bridge], `addressing bridge ${bridge}`);
  await must('ip', ['link', 'set', bridge, 'up'], `bringing up bridge ${bridge}`);
}

/** Create host netns `ns` with eth0 = `addr/24`, linked through veth `veth` to `bridge`. */
export async function createHostNet(ns: string, veth: string, bridge: string, addr: string): Promise<void> {
  await deleteHostNet(ns, veth);
  await must('ip', ['netns', 'add', ns], `creating netns ${ns}`);
  await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `creating veth ${veth}`);
  await must('ip', ['link', 'set', veth, 'master', bridge, 'up'], `attaching ${veth} to ${bridge}`);
  await must('ip', ['-n', ns, '-batch', '-'], `configuring netns ${ns}`, {
    input: `link set lo up\naddr add ${addr}/24 dev eth0\nlink set eth0 up\n`,
  });
}

/** Remove a host's netns and veth (each only if present). */
export async function deleteHostNet(ns: string, veth: string): Promise<void> {
  if (existsSync(`/run/netns/${ns}`)) await ipQuiet('netns', 'del', ns);
  if (existsSync(`/sys/class/net/${veth}`)) await ipQuiet('link', 'del', veth);
}

/** Remove a bridge if present. */
export async function deleteBridge(bridge: string): Promise<void> {
  if (existsSync(`/sys/class/net/${bridge}`)) await ipQuiet('link', 'del', bridge);
}

/** Names of network namespaces starting with `prefix`. */
export async function netnsWithPrefix(prefix: string): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n && n.startsWith(prefix));
}

/** Names of network interfaces (machine side) starting with `prefix`. */
export async function linksWithPrefix(prefix: string): Promise<string[]> {
  const { readdirSync } = await import('node:fs');
  return readdirSync('/sys/class/net').filter((n) => n.startsWith(prefix));
}

/** "A.B.C" prefixes of every IPv4 /24 on the machine inside 198.18.0.0/15. */
export async function prefixesInUse(): Promise<Set<string>> {
  const r = await run('ip', ['-4', '-o', 'addr', 'show']);
  const out = new Set<string>();
  for (const m of r.stdout.matchAll(/inet (198\.1[89]\.\d+)\.\d+\//g)) out.add(m[1]);
  return out;
}
