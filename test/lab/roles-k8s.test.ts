/**
 * The Kubernetes roles on 5 real lab hosts (lab 'tsp-k8s': h1-h3 masters running etcd, h4 worker,
 * h5 NFS volume host) with inventory/lab.ini, run through `node bin/tsplay.js` as a subprocess.
 *
 * Exercised for real: preflight; base preparation; certificates (CA and every certificate made on
 * the controller, `openssl verify` against the CA, the SANs the inventory implies, identical copies
 * on the hosts, keys 0600); every kubeconfig through `kubectl config view` (kubectl exists on the
 * controller only); a 3-member etcd cluster over TLS with those certificates (`etcdctl endpoint
 * health --cacert/--cert/--key` on every member); keepalived holding the VIP on the first master
 * and moving it when that master's keepalived stops; haproxy's config passing `haproxy -c` and
 * haproxy listening on the VIP port (a TCP connect to VIP:port from the worker); `--check` on fresh
 * hosts changing nothing; a second full run reporting changed=0; `--tags etcd` running only etcd's
 * tasks; verify.yml; add-node.yml adding a 4th etcd member (member add, cert reissued with its SAN,
 * the other members not restarted, the other certificates untouched); renew-certs.yml reissuing
 * the leaf certificates and restarting etcd one member at a time.
 *
 * Binaries from URLs with sha256 (k8s_binary_urls): the cluster's etcd is installed from URLs, for
 * real, without faking a binary: the test serves the CONTROLLER's real etcd and etcdctl (Debian's
 * etcd-server / etcd-client packages) over HTTP on the lab's bridge address (PREFIX.1, the only
 * address bound): etcd inside a release-style tarball (etcd-vX-linux-amd64/etcd, the archive path:
 * get_url of the tarball + unarchive + copy), etcdctl as a single file (the per-binary path), each
 * with its real sha256. That etcd runs as the 3 (then 4) members above; the second run shows nothing
 * downloaded again; a wrong sha256 fails the task with a clear message and leaves no file at dest (nor
 * a temp file); preflight stops a run with an entry without a URL, one without a sha256 and binaries
 * missing from the artifacts directory, all in ONE message, before any host is changed. For the kube-* binaries everything up to
 * the line: preflight passing with k8s_binaries: url, and get_url PLANNING (--check) of every
 * kube-* download on the masters (the masters role) and the worker (the binaries role) with their
 * URLs and checksums. NOT exercised: downloading a Kubernetes server binary (none exists on this
 * machine, and the test does not make one up), so the kube-* entries point at URLs that are never
 * fetched.
 *
 * NOT exercised here, and why: kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
 * kube-proxy and a container runtime never run. No Kubernetes server binaries can be had on this
 * machine (no network; we never fake a binary) and lab hosts are systemd-nspawn containers with
 * read-only cgroups, so `k8s_binaries: none` (inventory/group_vars/lab.yml) lays down their
 * certificates, kubeconfigs, configs and unit files and skips installing binaries, starting those
 * services, kubectl apply of RBAC/addons, CSR approval and verify.yml's cluster tests. The NFS
 * server is installed and configured but not started (no nfsd in a container); kernel modules and
 * kernel-wide sysctls (vm.*, fs.*) belong to the machine and are reported as skipped.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync, copyFileSync, statSync, createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { runTsplay, type CliRun } from '../support/cli.ts';
import { bootLab, teardownLab, sshRun, type LabInfo } from '../support/lab.ts';

const LAB = 'tsp-k8s';
const ROOT = resolve(import.meta.dirname, '../..');
const PKI = '/etc/kubernetes/pki';
const ETCDCTL = `etcdctl --cacert=${PKI}/ca.pem --cert=${PKI}/etcd.pem --key=${PKI}/etcd-key.pem`;
/** the controller's real etcd binaries (Debian etcd-server / etcd-client), served to the lab */
const CONTROLLER_ETCD = '/usr/bin/etcd';
const CONTROLLER_ETCDCTL = '/usr/bin/etcdctl';
const KUBE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubelet', 'kube-proxy'];

type Run = CliRun;

const tsplay = runTsplay;

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function openssl(args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input });
  return { status: r.status ?? 255, out: `${r.stdout}${r.stderr}` };
}

function sans(certPath: string): string {
  return openssl(['x509', '-noout', '-ext', 'subjectAltName', '-in', certPath]).out;
}

function serial(certPath: string): string {
  return openssl(['x509', '-noout', '-serial', '-in', certPath]).out.trim();
}

async function sh(lab: LabInfo, host: string, cmd: string): Promise<string> {
  const r = await sshRun(lab, host, cmd);
  if (r.rc !== 0) throw new Error(`${host}: '${cmd}' exited ${r.rc}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Hosts holding the VIP right now. */
async function vipHolders(lab: LabInfo): Promise<string[]> {
  const out: string[] = [];
  for (const h of ['h1', 'h2', 'h3']) {
    const r = await sshRun(lab, h, 'ip -4 -o addr show');
    if (r.stdout.includes(` ${lab.vip}/`)) out.push(h);
  }
  return out;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, seconds = 20): Promise<T> {
  let last: T = await fn();
  for (let i = 0; i < seconds * 2 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 500));
    last = await fn();
  }
  if (!ok(last)) throw new Error(`timed out waiting for ${what}: last value ${JSON.stringify(last)}`);
  return last;
}

/** A static file server on the lab's bridge address only (the lab hosts reach it, nothing else). */
function serveDir(dir: string, host: string): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '').replace(/\.\.+/g, ''));
    let size = -1;
    try {
      size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      /* 404 below */
    }
    if (size < 0) {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-length': size });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, bad) => {
    server.once('error', bad);
    server.listen(0, host, () => ok({ server, base: `http://${host}:${(server.address() as AddressInfo).port}`, requests }));
  });
}

/** Names of the tasks of a --json run that reported changed, as 'host: play / task (item)'. */
function changedTasks(r: Run): string[] {
  const out: string[] = [];
  for (const p of r.json.plays) {
    for (const t of p.tasks) {
      for (const [h, res] of Object.entries<any>(t.hosts)) {
        if (!res.changed) continue;
        const items = Array.isArray(res.results) ? res.results.filter((i: any) => i.changed).map((i: any) => i.item) : [];
        out.push(`${h}: ${p.play.name} / ${t.task.name}${items.length ? ` (${items.join(',')})` : ''}`);
      }
    }
  }
  return out;
}

function failMsg(r: Run): string {
  return `exit ${r.status}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`;
}

/** Exit 0 AND no host failed or unreachable in the recap (text) or stats (--json). */
function expectClean(r: Run): void {
  expect(r.status, failMsg(r)).to.equal(0);
  if (r.json) {
    for (const [h, s] of Object.entries<any>(r.json.stats)) expect(s.failures + s.unreachable, `${h}\n${failMsg(r)}`).to.equal(0);
  } else {
    const recap = r.stdout.slice(r.stdout.lastIndexOf('PLAY RECAP'));
    expect(recap, failMsg(r)).to.match(/failed=0/);
    expect(recap, failMsg(r)).to.not.match(/failed=[1-9]|unreachable=[1-9]/);
  }
}

describe('lab: Kubernetes roles on 5 hosts (inventory/lab.ini, k8s_binaries: none)', function () {
  this.timeout(600_000);
  let lab: LabInfo;
  let tmp: string;
  let pki: string;
  let inv: string[];
  let invAdd: string[];
  const ips: Record<string, string> = {};
  let web: Awaited<ReturnType<typeof serveDir>> | undefined;
  /** extra vars: etcd (etcd_install: binary) from URLs with sha256 (k8s_binary_urls) */
  let urlVars: Record<string, any>;
  const sums: Record<string, string> = {};

  before(async function () {
    this.timeout(300_000);
    if (!existsSync(CONTROLLER_ETCD) || !existsSync(CONTROLLER_ETCDCTL)) {
      throw new Error(`the controller has no ${CONTROLLER_ETCD} / ${CONTROLLER_ETCDCTL}: apt-get install etcd-server etcd-client (the test serves these real binaries to the lab hosts)`);
    }
    await teardownLab(LAB); // fresh hosts: --check must meet an untouched machine
    lab = await bootLab(LAB, 5);
    for (const h of lab.hosts) ips[h.name] = h.ip;
    tmp = mkdtempSync(join(tmpdir(), 'tsp-k8s-'));
    pki = join(tmp, 'pki');
    // the controller's real etcd, laid out as the etcd release tarball (etcd-vX-linux-amd64/etcd),
    // and its real etcdctl as a single file; served on the lab's bridge address only
    const version = /Version:\s*(\S+)/.exec(spawnSync(CONTROLLER_ETCD, ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown';
    const top = `etcd-v${version}-linux-amd64`;
    const serve = join(tmp, 'serve');
    mkdirSync(join(tmp, 'stage', top), { recursive: true });
    mkdirSync(serve);
    copyFileSync(CONTROLLER_ETCD, join(tmp, 'stage', top, 'etcd'));
    copyFileSync(CONTROLLER_ETCDCTL, join(tmp, 'stage', top, 'etcdctl'));
    const tar = spawnSync('tar', ['-czf', join(serve, `${top}.tar.gz`), '-C', join(tmp, 'stage'), top], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    copyFileSync(CONTROLLER_ETCDCTL, join(serve, 'etcdctl'));
    for (const f of [`${top}.tar.gz`, 'etcdctl']) sums[f] = sha(readFileSync(join(serve, f)));
    sums.etcd = sha(readFileSync(CONTROLLER_ETCD));
    web = await serveDir(serve, lab.subnet.replace(/\.\d+\/\d+$/, '.1'));
    urlVars = {
      etcd_install: 'binary',
      etcd_binaries: 'url',
      etcd_version: version,
      k8s_binary_urls: {
        etcd: { url: `${web.base}/${top}.tar.gz`, sha256: sums[`${top}.tar.gz`], member: `${top}/etcd` },
        etcdctl: { url: `${web.base}/etcdctl`, sha256: sums.etcdctl },
      },
    };
    writeFileSync(join(tmp, 'urls.json'), JSON.stringify(urlVars));
    inv = ['-i', lab.inventoryPath, '-i', 'inventory/lab.ini', '-e', `tsplay_pki_dir=${pki}`, '-e', `@${join(tmp, 'urls.json')}`];
    // add-node: h4 becomes the 4th etcd member (groups merge across inventory sources)
    writeFileSync(join(tmp, 'add-etcd.ini'), '[etcd]\nh4\n');
    invAdd = [...inv, '-i', join(tmp, 'add-etcd.ini')];
  });

  after(async function () {
    this.timeout(120_000);
    web?.server.close();
    await teardownLab(LAB);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('preflight: an entry without a URL, a URL without a sha256 and missing binaries stop the run before any host is changed, in ONE message', async () => {
    const empty = join(tmp, 'artifacts-empty');
    mkdirSync(empty);
    // three kinds of missing at once: kube-* not in the artifacts directory, etcd without an
    // http(s)/ftp URL, etcdctl without a sha256
    const bad = {
      ...urlVars,
      k8s_binaries: empty,
      k8s_binary_urls: { etcd: { ...urlVars.k8s_binary_urls.etcd, url: '' }, etcdctl: { url: urlVars.k8s_binary_urls.etcdctl.url, sha256: '' } },
    };
    writeFileSync(join(tmp, 'bad-urls.json'), JSON.stringify(bad));
    const r = await tsplay(['playbooks/site.yml', ...inv, '-e', `@${join(tmp, 'bad-urls.json')}`]);
    expect(r.status, failMsg(r)).to.not.equal(0);
    const fatal = r.stdout.split('\n').filter((l) => /fatal:|failed:/.test(l));
    expect(fatal, failMsg(r)).to.have.length(1);
    expect(fatal[0]).to.include('Kubernetes binaries missing: ');
    for (const n of KUBE) expect(fatal[0]).to.include(`${n} (not in ${empty} on the controller)`);
    expect(fatal[0]).to.include(`etcdctl (${urlVars.k8s_binary_urls.etcdctl.url} has no sha256 in k8s_binary_urls)`);
    expect(fatal[0]).to.include('etcd (no http/https/ftp URL in k8s_binary_urls)');
    expect(fatal[0]).to.include('https://dl.k8s.io/v1.28.15/bin/linux/amd64/NAME').and.include('https://github.com/etcd-io/etcd/releases');
    expect(r.stdout, 'no play after preflight').to.not.include('PLAY [base');
    expect(web!.requests, 'nothing downloaded').to.deep.equal([]);
    // untouched hosts: the --check test below checks them in detail
    expect((await sshRun(lab, 'h1', 'grep -c "tsplay kubernetes" /etc/hosts')).stdout.trim()).to.equal('0');
  });

  it('--check on fresh hosts succeeds and changes nothing (hosts and controller)', async () => {
    const r = await tsplay(['playbooks/site.yml', ...inv, '--check'], true);
    expectClean(r);
    // etcdctl's download (sha256) is planned on every etcd member, and nothing is fetched
    const planned = changedTasks(r);
    for (const h of ['h1', 'h2', 'h3']) expect(planned, planned.join('\n')).to.include(`${h}: etcd cluster over TLS / binaries : binaries downloaded (sha256 checked, temp file + rename) (etcdctl)`);
    expect(web!.requests, 'check mode downloads nothing').to.deep.equal([]);
    expect(r.json, r.stdout.slice(0, 2000)).to.be.an('object');
    for (const h of ['h1', 'h2', 'h3', 'h4', 'h5']) expect(r.json.stats[h].failures, h).to.equal(0);
    expect(existsSync(pki), 'controller PKI dir').to.equal(false);
    for (const h of ['h1', 'h4', 'h5']) {
      const s = await sshRun(lab, h, 'test -e /etc/kubernetes || test -e /etc/sysctl.d/kubernetes.conf || grep -q "tsplay kubernetes" /etc/hosts || dpkg -s chrony >/dev/null 2>&1; echo $?');
      expect(s.stdout.trim(), `${h} was changed by --check`).to.equal('1');
    }
    expect((await sshRun(lab, 'h1', 'dpkg -s haproxy >/dev/null 2>&1 || dpkg -s etcd-server >/dev/null 2>&1; echo $?')).stdout.trim()).to.equal('1');
  });

  it('site.yml deploys; k8s_binaries: none is said for every Kubernetes host', async () => {
    const r = await tsplay(['playbooks/site.yml', ...inv]);
    expectClean(r);
    expect(r.stdout).to.match(/h5\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    for (const h of ['h1', 'h2', 'h3', 'h4']) {
      const said = r.stdout.split('\n').filter((l) => l.includes(`${h}: k8s_binaries is none`));
      expect(said.length, `${h} told about k8s_binaries none`).to.be.greaterThan(0);
    }
    // the summary play right above the recap names every master and worker
    const recapAt = r.stdout.lastIndexOf('PLAY RECAP');
    const summary = r.stdout.slice(r.stdout.lastIndexOf('PLAY [summary'), recapAt);
    for (const h of ['h1', 'h2', 'h3', 'h4']) expect(summary).to.include(`${h}: k8s_binaries is none`);
  });

  it('base: /etc/hosts, sysctl file (net.* only on a container), modules-load, limits, packages', async () => {
    const hosts = await sh(lab, 'h4', 'cat /etc/hosts');
    expect(hosts).to.include(`${ips.h1} h1`).and.include(`${lab.vip} k8s-vip`);
    const sysctl = await sh(lab, 'h4', 'cat /etc/sysctl.d/kubernetes.conf; sysctl -n net.ipv4.ip_forward');
    expect(sysctl).to.include('net.ipv4.ip_forward').and.not.include('vm.swappiness');
    expect(sysctl.trim().split('\n').pop()).to.equal('1');
    expect(await sh(lab, 'h5', 'cat /etc/modules-load.d/kubernetes.conf')).to.include('ip_vs_rr').and.include('br_netfilter');
    expect(await sh(lab, 'h5', 'cat /etc/security/limits.d/kubernetes.conf')).to.include('* hard nofile 65536');
    await sh(lab, 'h5', 'dpkg -s conntrack ipvsadm ipset socat chrony >/dev/null');
  });

  it('certs: every certificate verifies against the CA with the SANs the inventory implies', () => {
    for (const c of ['etcd', 'kubernetes', 'proxy-client', 'admin', 'controller-manager', 'kube-scheduler', 'kube-proxy']) {
      const v = openssl(['verify', '-CAfile', join(pki, 'ca.pem'), join(pki, `${c}.pem`)]);
      expect(v.status, v.out).to.equal(0);
    }
    const etcd = sans(join(pki, 'etcd.pem'));
    for (const h of ['h1', 'h2', 'h3']) expect(etcd).to.include(`IP Address:${ips[h]}`);
    expect(etcd).to.include('IP Address:127.0.0.1').and.not.include(`IP Address:${ips.h4}`);
    const api = sans(join(pki, 'kubernetes.pem'));
    for (const want of [`IP Address:${ips.h1}`, `IP Address:${ips.h2}`, `IP Address:${ips.h3}`, `IP Address:${lab.vip}`, 'IP Address:10.96.0.1', 'IP Address:127.0.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']) {
      expect(api).to.include(want);
    }
    const subj = (c: string) => openssl(['x509', '-noout', '-subject', '-in', join(pki, `${c}.pem`)]).out;
    expect(subj('admin')).to.match(/O = system:masters/).and.match(/CN = admin/);
    expect(subj('controller-manager')).to.match(/O = system:kube-controller-manager.*CN = system:kube-controller-manager/);
    expect(subj('kube-scheduler')).to.match(/CN = system:kube-scheduler/);
    expect(subj('proxy-client')).to.match(/CN = aggregator/);
    expect(readFileSync(join(pki, 'bootstrap-token'), 'utf8').trim()).to.match(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });

  it('certs: the hosts hold exactly the controller\'s files, keys 0600, each only where needed', async () => {
    const master = await sh(lab, 'h2', `cd ${PKI} && sha256sum *.pem sa.key sa.pub && stat -c '%a %n' *-key.pem sa.key`);
    for (const f of ['ca.pem', 'etcd.pem', 'kubernetes.pem', 'admin.pem', 'sa.key']) {
      expect(master).to.include(`${sha(readFileSync(join(pki, f)))}  ${f}`);
    }
    for (const line of master.split('\n').filter((l) => /^\d{3} /.test(l))) expect(line).to.match(/^600 /);
    const worker = await sh(lab, 'h4', `ls ${PKI}; ls /etc/kubernetes`);
    expect(worker).to.include('ca.pem').and.include('kubelet-bootstrap.kubeconfig').and.include('kube-proxy.kubeconfig');
    expect(worker).to.not.include('ca-key.pem').and.not.include('etcd-key.pem').and.not.include('admin.kubeconfig');
    expect((await sshRun(lab, 'h5', `test -e ${PKI}; echo $?`)).stdout.trim(), 'volume host gets no certs').to.equal('1');
  });

  it('every kubeconfig passes kubectl config view; the hosts hold byte-identical copies', async () => {
    const kc = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kc.status !== 0) throw new Error('kubectl is not installed on the controller');
    const check = (path: string, user: string) => {
      // `config view` never needs the server, but a kubectl dispatcher (Google Cloud SDK's, this
      // machine's kubectl) probes its version first; the lab's VIP answers with haproxy and no
      // apiserver, so each call waited 5 s. A proxy on a closed local port fails that probe at once.
      const r = spawnSync('kubectl', ['config', 'view', '--kubeconfig', path, '-o', 'jsonpath={.clusters[0].cluster.server} {.users[0].name} {.current-context}'], { encoding: 'utf8', env: { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' } });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(`https://${lab.vip}:16443 ${user} ${user}@kubernetes`);
    };
    const users: Record<string, string> = { admin: 'admin', 'controller-manager': 'system:kube-controller-manager', 'kube-scheduler': 'system:kube-scheduler', 'kube-proxy': 'kube-proxy', 'kubelet-bootstrap': 'kubelet-bootstrap' };
    for (const [name, user] of Object.entries(users)) check(join(pki, `${name}.kubeconfig`), user);
    // the hosts' copies are byte-identical to the controller's (so they view the same)
    for (const [host, name] of [['h1', 'admin'], ['h1', 'controller-manager'], ['h3', 'kube-scheduler'], ['h4', 'kube-proxy'], ['h4', 'kubelet-bootstrap']]) {
      const text = await sh(lab, host, `cat /etc/kubernetes/${name}.kubeconfig`);
      expect(sha(text), `${host}:/etc/kubernetes/${name}.kubeconfig`).to.equal(sha(readFileSync(join(pki, `${name}.kubeconfig`))));
    }
    const boot = yaml.load(readFileSync(join(pki, 'kubelet-bootstrap.kubeconfig'), 'utf8')) as any;
    expect(boot.users[0].user.token).to.equal(readFileSync(join(pki, 'bootstrap-token'), 'utf8').trim());
  });

  it('etcd: 3 members healthy over TLS with the certs role\'s certificates', async () => {
    for (const h of ['h1', 'h2', 'h3']) {
      const out = await sh(lab, h, `${ETCDCTL} --endpoints=https://${ips[h]}:2379 endpoint health 2>&1`);
      expect(out).to.include(`https://${ips[h]}:2379 is healthy`);
    }
    const members = await sh(lab, 'h2', `${ETCDCTL} --endpoints=https://${ips.h2}:2379 member list`);
    expect(members.trim().split('\n')).to.have.length(3);
    expect(members).to.not.include('unstarted');
    // that etcd came from the URLs: the controller's binaries, byte for byte, not the package
    for (const h of ['h1', 'h2', 'h3']) {
      const bins = await sh(lab, h, 'sha256sum /usr/local/bin/etcd /usr/local/bin/etcdctl; systemctl show etcd -p ExecStart');
      expect(bins).to.include(`${sums.etcd}  /usr/local/bin/etcd`).and.include(`${sums.etcdctl}  /usr/local/bin/etcdctl`);
      expect(bins).to.include('path=/usr/local/bin/etcd ');
      expect((await sshRun(lab, h, 'dpkg -s etcd-server >/dev/null 2>&1; echo $?')).stdout.trim(), `${h}: no etcd package`).to.equal('1');
    }
    // no certificate, no access: client-cert-auth is on
    expect((await sshRun(lab, 'h1', `etcdctl --cacert=${PKI}/ca.pem --endpoints=https://${ips.h1}:2379 --command-timeout=3s endpoint health 2>&1`)).rc).to.not.equal(0);
  });

  it('haproxy: config passes haproxy -c, listens on the VIP port, reachable through the VIP', async () => {
    for (const h of ['h1', 'h2', 'h3']) {
      expect(await sh(lab, h, 'haproxy -c -f /etc/haproxy/haproxy.cfg')).to.match(/valid/i);
      expect(await sh(lab, h, "ss -Hlnt 'sport = :16443'")).to.include('LISTEN');
    }
    const cfg = await sh(lab, 'h1', 'cat /etc/haproxy/haproxy.cfg');
    for (const h of ['h1', 'h2', 'h3']) expect(cfg).to.include(`${ips[h]}:6443 check`);
    await sh(lab, 'h4', `timeout 5 bash -c 'exec 3<>/dev/tcp/${lab.vip}/16443'`);
  });

  it('keepalived: the VIP is on the first master and moves when its keepalived stops', async () => {
    expect(await waitFor('VIP on h1', () => vipHolders(lab), (v) => v.join() === 'h1')).to.deep.equal(['h1']);
    await sh(lab, 'h1', 'systemctl stop keepalived');
    try {
      expect(await waitFor('VIP on h2', () => vipHolders(lab), (v) => v.join() === 'h2')).to.deep.equal(['h2']);
    } finally {
      await sh(lab, 'h1', 'systemctl start keepalived');
    }
    expect(await waitFor('VIP back on h1', () => vipHolders(lab), (v) => v.join() === 'h1')).to.deep.equal(['h1']);
  });

  it('masters and nodes: configs and unit files are in place, no Kubernetes service started', async () => {
    const m = await sh(lab, 'h1', 'ls /etc/systemd/system /etc/kubernetes /etc/kubernetes/addons; stat -c %a /etc/kubernetes/encryption-config.yaml; cat /etc/systemd/system/kube-apiserver.service');
    for (const f of ['kube-apiserver.service', 'kube-controller-manager.service', 'kube-scheduler.service', 'encryption-config.yaml', 'audit-policy.yaml', 'admin.kubeconfig', '10-flannel.yaml', '20-coredns.yaml', '90-nginx-ds.yaml', '50-nfs-storageclass.yaml']) expect(m).to.include(f);
    expect(m).to.include('600').and.include(`--etcd-servers=https://${ips.h1}:2379,https://${ips.h2}:2379,https://${ips.h3}:2379`);
    const n = await sh(lab, 'h4', 'ls /etc/systemd/system; cat /etc/kubernetes/kube-proxy.config.yaml');
    expect(n).to.include('kubelet.service').and.include('kube-proxy.service').and.include('mode: ipvs').and.include('clusterCIDR: 10.244.0.0/16');
    expect((await sshRun(lab, 'h1', 'test -e /usr/local/bin/kube-apiserver; echo $?')).stdout.trim()).to.equal('1');
    expect((await sshRun(lab, 'h4', 'systemctl is-active kubelet')).stdout.trim()).to.not.equal('active');
    expect(await sh(lab, 'h1', 'cat /etc/kubernetes/addons/10-flannel.yaml')).to.include('"Network": "10.244.0.0/16"');
  });

  it('a second full run reports changed=0 on every host (and downloads nothing)', async () => {
    const fetched = web!.requests.length;
    expect(fetched, 'the first run downloaded etcd and etcdctl on each member').to.equal(6);
    const r = await tsplay(['playbooks/site.yml', ...inv], true);
    expectClean(r);
    expect(web!.requests.length, 'files in place with their sha256 are not downloaded again').to.equal(fetched);
    const changed: string[] = [];
    for (const p of r.json.plays) for (const t of p.tasks) for (const [h, res] of Object.entries<any>(t.hosts)) if (res.changed) changed.push(`${h}: ${p.play.name} / ${t.task.name}`);
    expect(changed, changed.join('\n')).to.deep.equal([]);
    for (const [h, s] of Object.entries<any>(r.json.stats)) expect(s.changed, h).to.equal(0);
  });

  it('binaries from URLs: a wrong sha256 fails the task with a clear message and leaves no file at dest', async () => {
    const fixture = 'test/lab/fixtures/roles-k8s/binaries.yml';
    const env = { ANSIBLE_ROLES_PATH: join(ROOT, 'roles') };
    const zero = '0'.repeat(64);
    const one = '1'.repeat(64);
    const bad = (names: string[]) => ({ ...urlVars, binaries_names: names, k8s_binary_urls: { etcd: { ...urlVars.k8s_binary_urls.etcd, sha256: zero }, etcdctl: { ...urlVars.k8s_binary_urls.etcdctl, sha256: one } } });
    // a single file (etcdctl) and a release archive (etcd's tarball), each with a wrong sha256, on h5
    for (const [names, shown, dest] of [[['etcdctl'], one, '/usr/local/bin/etcdctl'], [['etcd'], zero, `/var/cache/tsplay-k8s/${urlVars.k8s_binary_urls.etcd.url.split('/').pop()}`]] as const) {
      const vars = join(tmp, `bad-${names[0]}.json`);
      writeFileSync(vars, JSON.stringify(bad([...names])));
      const r = await tsplay([fixture, ...inv, '-e', `@${vars}`, '--limit', 'h5'], false, env);
      expect(r.status, failMsg(r)).to.not.equal(0);
      expect(r.stdout).to.match(new RegExp(`The checksum for ${dest.replace(/\./g, '\\.')} did not match ${shown}; it was [0-9a-f]{64}`));
      const left = await sh(lab, 'h5', `ls -A ${dest.replace(/\/[^/]*$/, '')} 2>/dev/null; echo end`);
      expect(left, `${dest} and no temp file`).to.not.include(dest.split('/').pop()!).and.not.include('tsplay-');
    }
    expect((await sshRun(lab, 'h5', 'ls /usr/local/bin/etcd; echo $?')).stdout.trim().split('\n').pop()).to.not.equal('0');
  });

  it('k8s_binaries: url for the kube-* binaries: preflight passes and --check plans every download (never fetched here)', async () => {
    const before = web!.requests.length;
    // URLs that no file answers and checksums of no binary: this machine has no Kubernetes server binaries
    const kube = Object.fromEntries(KUBE.map((n) => [n, { url: `${web!.base}/v1.28.15/${n}`, sha256: sha(`not a binary: ${n}`) }]));
    const vars = join(tmp, 'kube-urls.json');
    writeFileSync(vars, JSON.stringify({ ...urlVars, k8s_binaries: 'url', k8s_binary_urls: { ...urlVars.k8s_binary_urls, ...kube } }));
    const r = await tsplay(['playbooks/site.yml', ...inv, '-e', `@${vars}`, '--check', '--tags', 'preflight,masters'], true);
    expectClean(r);
    const planned = changedTasks(r);
    for (const h of ['h1', 'h2', 'h3']) {
      expect(planned, planned.join('\n')).to.include(`${h}: control plane (kube-apiserver, kube-controller-manager, kube-scheduler) / binaries : binaries downloaded (sha256 checked, temp file + rename) (kube-apiserver,kube-controller-manager,kube-scheduler,kubectl)`);
      expect(planned).to.include(`${h}: control plane (kube-apiserver, kube-controller-manager, kube-scheduler) / masters : restart kube-apiserver`);
    }
    // the worker's binaries (nodes role: kubelet, kube-proxy) through the same binaries role
    const w = await tsplay(['test/lab/fixtures/roles-k8s/binaries.yml', ...inv, '-e', `@${vars}`, '-e', '{"binaries_names": ["kubelet", "kube-proxy"]}', '--limit', 'h4', '--check'], true, { ANSIBLE_ROLES_PATH: join(ROOT, 'roles') });
    expectClean(w);
    expect(changedTasks(w)).to.include('h4: binaries role alone / binaries : binaries downloaded (sha256 checked, temp file + rename) (kubelet,kube-proxy)');
    expect(web!.requests.length, 'check mode fetched nothing').to.equal(before);
    expect((await sshRun(lab, 'h1', 'ls /usr/local/bin')).stdout).to.not.include('kube');
  });

  it('--tags etcd runs only etcd\'s tasks', async () => {
    const r = await tsplay(['playbooks/site.yml', ...inv, '--tags', 'etcd'], true);
    expectClean(r);
    // the etcd role's tasks, and those of the binaries role it imports (etcd, etcdctl from URLs)
    const etcdTasks = new Set((yaml.load(readFileSync(join(ROOT, 'roles/etcd/tasks/main.yml'), 'utf8')) as any[]).map((t) => `etcd : ${t.name}`));
    for (const t of yaml.load(readFileSync(join(ROOT, 'roles/binaries/tasks/main.yml'), 'utf8')) as any[]) etcdTasks.add(`binaries : ${t.name}`);
    const ran: string[] = [];
    for (const p of r.json.plays) {
      for (const t of p.tasks) {
        if (/^Gathering Facts$/.test(t.task.name)) continue;
        ran.push(t.task.name);
        expect(p.play.name, t.task.name).to.equal('etcd cluster over TLS');
        expect(etcdTasks.has(t.task.name), t.task.name).to.equal(true);
      }
    }
    expect(ran.length).to.be.greaterThan(5);
  });

  it('verify.yml passes', async () => {
    const r = await tsplay(['playbooks/verify.yml', ...inv]);
    expectClean(r);
    expect(r.stdout).to.include('k8s_binaries is none: no apiserver');
  });

  it('add-node.yml adds a 4th etcd member; only the etcd certificate is reissued; members keep running', async () => {
    const before = {
      etcd: serial(join(pki, 'etcd.pem')),
      api: serial(join(pki, 'kubernetes.pem')),
      ca: serial(join(pki, 'ca.pem')),
      started: await sh(lab, 'h1', 'systemctl show etcd -p ExecMainStartTimestampMonotonic'),
    };
    const r = await tsplay(['playbooks/add-node.yml', ...invAdd, '-e', 'add_nodes=h4']);
    expectClean(r);
    expect(r.stdout).to.include('etcd will have 4 members');
    expect(serial(join(pki, 'etcd.pem'))).to.not.equal(before.etcd);
    expect(sans(join(pki, 'etcd.pem'))).to.include(`IP Address:${ips.h4}`);
    expect(serial(join(pki, 'kubernetes.pem'))).to.equal(before.api);
    expect(serial(join(pki, 'ca.pem'))).to.equal(before.ca);
    expect(await sh(lab, 'h1', `sha256sum ${PKI}/etcd.pem`)).to.include(sha(readFileSync(join(pki, 'etcd.pem'))));
    expect(await sh(lab, 'h1', 'systemctl show etcd -p ExecMainStartTimestampMonotonic'), 'h1 etcd not restarted').to.equal(before.started);
    const members = await sh(lab, 'h1', `${ETCDCTL} --endpoints=https://${ips.h1}:2379 member list`);
    expect(members.trim().split('\n')).to.have.length(4);
    expect(members).to.include(`https://${ips.h4}:2380`).and.not.include('unstarted');
    for (const h of ['h1', 'h4']) expect(await sh(lab, h, `${ETCDCTL} --endpoints=https://${ips[h]}:2379 endpoint health 2>&1`)).to.include('is healthy');
    // and again: nothing left to do
    const again = await tsplay(['playbooks/add-node.yml', ...invAdd, '-e', 'add_nodes=h4'], true);
    expectClean(again);
    for (const [h, s] of Object.entries<any>(again.json.stats)) expect(s.changed, h).to.equal(0);
  });

  it('renew-certs.yml reissues certificates within the threshold and restarts etcd member by member', async () => {
    const before = { etcd: serial(join(pki, 'etcd.pem')), ca: serial(join(pki, 'ca.pem')), admin: serial(join(pki, 'admin.pem')) };
    const r = await tsplay(['playbooks/renew-certs.yml', ...invAdd, '-e', 'cert_renew_before_days=4000']);
    expectClean(r);
    expect(serial(join(pki, 'etcd.pem'))).to.not.equal(before.etcd);
    expect(serial(join(pki, 'admin.pem'))).to.not.equal(before.admin);
    expect(serial(join(pki, 'ca.pem')), 'CA kept (ca_renew_before_days)').to.equal(before.ca);
    for (const h of ['h1', 'h2', 'h3', 'h4']) {
      expect(await sh(lab, h, `sha256sum ${PKI}/etcd.pem`)).to.include(sha(readFileSync(join(pki, 'etcd.pem'))));
      expect(await sh(lab, h, `${ETCDCTL} --endpoints=https://${ips[h]}:2379 endpoint health 2>&1`)).to.include('is healthy');
    }
    // serial 1: the restarts are one play batch per member
    expect(r.stdout.match(/TASK \[restart etcd\]/g)?.length).to.equal(4);
  });
});
