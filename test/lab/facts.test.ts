/**
 * Fact gathering over REAL SSH on lab hosts, compared with `ansible -m setup` (Debian's
 * ansible-core) on the same hosts at the same time: the core facts must be identical.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { bootLab, teardownLab, labExec, type LabInfo } from '../support/lab.ts';
import { connParamsFor } from '../../engine/connection/params.ts';
import { SshConnection } from '../../engine/connection/ssh.ts';
import { gatherFacts, factsAsVars, type Facts } from '../../engine/facts/index.ts';
import type { Connection, ExecOptions } from '../../engine/types.ts';

const LAB = 'tsp-facts';

/** Facts of every host from `ansible all -m setup` (default callback), without the ansible_ prefix. */
function ansibleSetup(inventory: string): Record<string, Facts> {
  const r = spawnSync('ansible', ['all', '-i', inventory, '-m', 'setup'], {
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`ansible -m setup failed (${r.status}): ${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  const out: Record<string, Facts> = {};
  // "h1 | SUCCESS => {...json...}" blocks, one per host
  const parts = r.stdout.split(/^(\S+) \| SUCCESS => /m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const res = JSON.parse(parts[i + 1]) as { ansible_facts: Record<string, unknown> };
    out[parts[i]] = Object.fromEntries(Object.entries(res.ansible_facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
  }
  return out;
}

/** JSON with object keys sorted (key order is not part of a fact's value). */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v)) ?? 'undefined';
}

/** Count the commands a connection runs. */
function counting(c: Connection): { conn: Connection; count: () => number } {
  let n = 0;
  const conn: Connection = {
    host: c.host,
    exec: (cmd: string, o?: ExecOptions) => {
      n++;
      return c.exec(cmd, o);
    },
    putFile: (...a) => c.putFile(...a),
    getFile: (...a) => c.getFile(...a),
    close: () => c.close(),
  };
  return { conn, count: () => n };
}

describe('lab: fact gathering vs ansible -m setup', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  const conns: SshConnection[] = [];
  const ours: Record<string, Facts> = {};
  let theirs: Record<string, Facts>;
  let gatherMs = 0;
  const gw = () => lab.subnet.replace(/\.0\/24$/, '.254');
  const params = (h: { name: string; ip: string }, user = 'root') =>
    connParamsFor(h.name, {
      ansible_host: h.ip,
      ansible_user: user,
      ansible_ssh_private_key_file: lab.keyPath,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
    }, {}, { sshConfig: [], env: {} });

  before(async function () {
    this.timeout(600_000);
    lab = await bootLab(LAB, 3);
    // h3 gets a default route (to an unused lab address: nothing leaves the lab) so
    // default_ipv4 is compared on a real value, not just {}.
    const r = await labExec(LAB, 'h3', `ip route replace default via ${gw()} dev eth0`);
    if (r.rc !== 0) throw new Error(`cannot add a default route on h3: ${r.stderr}`);
    const t0 = Date.now();
    await Promise.all(
      lab.hosts.map(async (h) => {
        const c = await SshConnection.open(params(h));
        conns.push(c);
        ours[h.name] = await gatherFacts(c);
      }),
    );
    gatherMs = Date.now() - t0;
    theirs = ansibleSetup(lab.inventoryPath);
  });

  after(async function () {
    this.timeout(120_000);
    await Promise.allSettled(conns.map((c) => c.close()));
    await teardownLab(LAB);
  });

  const CORE = [
    'os_family', 'distribution', 'distribution_version', 'distribution_major_version', 'distribution_release', 'distribution_file_variety',
    'hostname', 'nodename', 'fqdn', 'domain', 'default_ipv4', 'all_ipv4_addresses', 'all_ipv6_addresses', 'eth0', 'lo',
    'memtotal_mb', 'swaptotal_mb', 'processor', 'processor_vcpus', 'processor_count', 'processor_cores', 'processor_threads_per_core', 'processor_nproc',
    'architecture', 'machine', 'system', 'kernel', 'kernel_version', 'machine_id',
    'service_mgr', 'pkg_mgr', 'virtualization_type', 'virtualization_role',
    'user_id', 'user_uid', 'user_gid', 'user_dir', 'user_shell', 'user_gecos', 'effective_user_id', 'real_user_id',
    'selinux', 'apparmor', 'python_version', 'lsb', 'dns',
  ];

  for (const host of ['h1', 'h2', 'h3']) {
    it(`${host}: core facts identical to ansible -m setup`, () => {
      const a = theirs[host];
      const o = ours[host];
      expect(a, `ansible returned no facts for ${host}`).to.be.an('object');
      const diffs = CORE.filter((k) => canonical(o[k]) !== canonical(a[k])).map((k) => `${k}: ours=${canonical(o[k])} ansible=${canonical(a[k])}`);
      expect(diffs).to.deep.equal([]);
      expect([...(o.interfaces as string[])].sort()).to.deep.equal([...(a.interfaces as string[])].sort());
      expect((o.virtualization_tech_guest as string[]).slice().sort()).to.deep.equal((a.virtualization_tech_guest as string[]).slice().sort());
      expect(Object.keys(o.date_time as object).sort()).to.deep.equal(Object.keys(a.date_time as object).sort());
      expect(Object.keys(o.memory_mb as object).sort()).to.deep.equal(Object.keys(a.memory_mb as object).sort());
      for (const k of ['HOME', 'USER', 'PATH', 'SHELL']) expect((o.env as Record<string, string>)[k], k).to.equal((a.env as Record<string, string>)[k]);
    });
  }

  it('h3 default_ipv4 is the real default route', () => {
    const d = ours.h3.default_ipv4 as Record<string, unknown>;
    expect(d).to.include({ address: lab.hosts[2].ip, interface: 'eth0', gateway: gw(), prefix: '24', netmask: '255.255.255.0' });
    expect(ours.h1.default_ipv4).to.deep.equal({});
  });

  it('one command per host, all hosts in parallel in well under 3 s', async () => {
    expect(gatherMs).to.be.lessThan(3000);
    const { conn, count } = counting(conns[0]);
    const f = await gatherFacts(conn);
    expect(count()).to.equal(1);
    expect(f.hostname).to.equal(conns[0].host);
  });

  it('works as a non-root user, and factsAsVars gives both views', async () => {
    const r = await labExec(LAB, 'h1', "id tspf >/dev/null 2>&1 || useradd -m -s /bin/sh tspf; mkdir -p ~tspf/.ssh && cp /root/.ssh/authorized_keys ~tspf/.ssh/ && chown -R tspf: ~tspf/.ssh");
    expect(r.rc, r.stderr).to.equal(0);
    const c = await SshConnection.open(params(lab.hosts[0], 'tspf'));
    conns.push(c);
    const f = await gatherFacts(c);
    expect(f).to.include({ user_id: 'tspf', user_shell: '/bin/sh', distribution: 'Debian', service_mgr: 'systemd', pkg_mgr: 'apt' });
    const v = factsAsVars(f);
    expect(v.ansible_user_id).to.equal('tspf');
    expect((v.ansible_facts as Facts).user_id).to.equal('tspf');
  });
});
