/**
 * The Kubernetes roles' non-default branches on 2 real lab hosts (lab 'tsp-k8sv': h1 master + etcd,
 * h2 worker), run through `node bin/tsplay.js` with the repository's inventory/group_vars (copied
 * next to a 2-host inventory of the guides' groups) and `k8s_binaries: none` as on every lab.
 *
 * docker as the container runtime (`container_runtime: docker`, guides 002/003), nodes role on h2:
 * - exercised for real: `--check` on a fresh host changes nothing; the real run lays down
 *   /etc/docker/daemon.json with the guide's registry mirror, the systemd cgroup driver (the same as
 *   the KubeletConfiguration's) and bounded logs; for Kubernetes >= 1.24 the cri-dockerd units and
 *   the kubelet's --container-runtime-endpoint=unix:///run/cri-dockerd.sock (the dockershim is gone),
 *   kubelet.service After=/Requires= docker and cri-docker; the output names docker and cri-dockerd
 *   as NOT installed; a second run changes nothing;
 * - package selection per OS family, through the real package task in check mode with binaries
 *   (k8s_binaries: url): apt is asked for docker.io (Debian), dnf for docker-ce after the docker-ce
 *   repository (RedHat). Both runs FAIL on purpose, and the test asserts that failure: the lab's
 *   offline repositories have neither package;
 * - NOT exercised: installing docker/containerd/cri-dockerd and starting them (the lab's offline
 *   repositories have no runtime packages, no cri-dockerd binary exists on this machine, and lab
 *   hosts are systemd-nspawn containers with read-only cgroups, so no container runtime can run).
 *
 * etcd_install: package (inventory/group_vars/lab.yml, the README's main job): certs + etcd on h1,
 * the offline repository's etcd-server healthy over TLS (roles-k8s.test.ts installs etcd from URLs).
 *
 * RedHat family (the guides' CentOS). The lab hosts are Debian with dnf, rpm and an offline rpm
 * repository (docs/lab.md). The test-only variable `tsplay_test_os_family: RedHat` (group_vars/all.yml:
 * k8s_os_family; package tasks then use dnf) runs the RedHat branches on them:
 * - exercised for real: preflight accepts the family; the base role's package task installs through
 *   dnf from the lab's rpm repository (with base_packages.RedHat set to the repository's
 *   tsplay-hello and tsplay-world); SELinux: a real /etc/selinux/config as CentOS ships it
 *   (SELINUX=enforcing) becomes permissive through the selinux module, a second run changes
 *   nothing, and a config saying SELINUX=disabled is left alone; firewalld absent is reported and
 *   skipped; the nodes role writes the docker-ce yum repository file; the real RedHat package list
 *   (conntrack-tools, ipvsadm, ...) reaches dnf, which (check mode) reports the names it cannot find;
 * - what this does NOT prove: that those RedHat package names exist in CentOS/RHEL repositories
 *   (no such repository here), setenforce on a kernel running SELinux, stopping a real firewalld,
 *   chronyd (the RedHat chrony service name; base_chrony_service.RedHat is pointed at Debian's
 *   'chrony' unit for the run, installed by a Debian run of the base role first), and anything
 *   os-release or /etc/redhat-release based (the hosts stay Debian; facts say Debian).
 */
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTsplay, type CliRun } from '../support/cli.ts';
import { bootLab, teardownLab, sshRun, type LabInfo } from '../support/lab.ts';

const LAB = 'tsp-k8sv';
const ROOT = resolve(import.meta.dirname, '../..');
/** CentOS 7's /etc/selinux/config as shipped (comments shortened) */
const SELINUX_CONFIG = '# This file controls the state of SELinux on the system.\nSELINUX=enforcing\n# SELINUXTYPE= can take one of three values: targeted, minimum, mls\nSELINUXTYPE=targeted\n';

type Run = CliRun;

const tsplay = runTsplay;

function failMsg(r: Run): string {
  return `exit ${r.status}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`;
}

function expectClean(r: Run): void {
  expect(r.status, failMsg(r)).to.equal(0);
  const recap = r.json ? '' : r.stdout.slice(r.stdout.lastIndexOf('PLAY RECAP'));
  if (r.json) for (const [h, s] of Object.entries<any>(r.json.stats)) expect(s.failures + s.unreachable, `${h}\n${failMsg(r)}`).to.equal(0);
  else expect(recap, failMsg(r)).to.not.match(/failed=[1-9]|unreachable=[1-9]/);
}

function changedCount(r: Run): Record<string, number> {
  return Object.fromEntries(Object.entries<any>(r.json.stats).map(([h, s]) => [h, s.changed]));
}

async function sh(lab: LabInfo, host: string, cmd: string): Promise<string> {
  const r = await sshRun(lab, host, cmd);
  if (r.rc !== 0) throw new Error(`${host}: '${cmd}' exited ${r.rc}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe('lab: Kubernetes roles, docker runtime and RedHat-family branches (2 hosts)', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let tmp: string;
  let inv: string[];

  before(async function () {
    this.timeout(300_000);
    await teardownLab(LAB); // fresh hosts: --check must meet an untouched machine
    lab = await bootLab(LAB, 2);
    tmp = mkdtempSync(join(tmpdir(), 'tsp-k8sv-'));
    // the guides' groups over 2 hosts, with the repository's group_vars beside them
    mkdirSync(join(tmp, 'inv', 'group_vars'), { recursive: true });
    for (const f of ['all.yml', 'lab.yml']) copyFileSync(join(ROOT, 'inventory/group_vars', f), join(tmp, 'inv', 'group_vars', f));
    writeFileSync(join(tmp, 'inv', 'hosts.ini'), '[k8s-master]\nh1\n[etcd]\nh1\n[k8s-worker]\nh2\n[volume]\n[k8s:children]\nk8s-master\nk8s-worker\n');
    inv = ['-i', lab.inventoryPath, '-i', join(tmp, 'inv', 'hosts.ini'), '-e', `tsplay_pki_dir=${join(tmp, 'pki')}`];
  });

  after(async function () {
    this.timeout(120_000);
    await teardownLab(LAB);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('container_runtime: docker (nodes role on h2)', () => {
    const docker = ['-e', 'container_runtime=docker', '-e', '{"docker_registry_mirrors": ["https://hdi5v8p1.mirror.aliyuncs.com"]}'];

    it('--check on a fresh worker succeeds and changes nothing', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, ...docker, '--tags', 'nodes', '--limit', 'h2', '--check'], true);
      expectClean(r);
      expect(changedCount(r).h2, 'something would change').to.be.greaterThan(0);
      expect((await sshRun(lab, 'h2', 'test -e /etc/docker || test -e /etc/kubernetes || test -e /etc/systemd/system/kubelet.service; echo $?')).stdout.trim()).to.equal('1');
    });

    it('the real run renders daemon.json, cri-dockerd units and the kubelet\'s CRI endpoint; says what is not installed', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, ...docker, '--tags', 'nodes', '--limit', 'h2']);
      expectClean(r);
      expect(r.stdout).to.include('h2: k8s_binaries is none: docker, kubelet, kube-proxy, cri-dockerd NOT installed');
      const daemon = JSON.parse(await sh(lab, 'h2', 'cat /etc/docker/daemon.json'));
      expect(daemon['exec-opts']).to.deep.equal(['native.cgroupdriver=systemd']);
      expect(daemon['registry-mirrors']).to.deep.equal(['https://hdi5v8p1.mirror.aliyuncs.com']);
      expect(daemon['log-driver']).to.equal('json-file');
      expect(daemon['storage-driver']).to.equal('overlay2');
      const kubeletCfg = JSON.parse(await sh(lab, 'h2', 'cat /etc/kubernetes/kubelet.config.json'));
      expect(kubeletCfg.cgroupDriver, 'kubelet and docker share the cgroup driver').to.equal('systemd');
      const unit = await sh(lab, 'h2', 'cat /etc/systemd/system/kubelet.service');
      expect(unit).to.include('--container-runtime-endpoint=unix:///run/cri-dockerd.sock');
      expect(unit).to.include('After=docker.service cri-docker.service').and.include('Requires=docker.service cri-docker.service');
      expect(unit).to.not.match(/--network-plugin|--container-runtime=/);
      const cri = await sh(lab, 'h2', 'cat /etc/systemd/system/cri-docker.service /etc/systemd/system/cri-docker.socket');
      expect(cri).to.include('ExecStart=/usr/local/bin/cri-dockerd').and.include('--container-runtime-endpoint fd://');
      expect(cri).to.include('--pod-infra-container-image=registry.k8s.io/pause:3.9').and.include('ListenStream=%t/cri-dockerd.sock');
      // systemd itself reads the units (the binary is absent: nothing runs)
      expect(await sh(lab, 'h2', 'systemctl daemon-reload && systemctl show cri-docker.socket -p Listen --value')).to.include('/run/cri-dockerd.sock');
      expect((await sshRun(lab, 'h2', 'systemctl is-active docker cri-docker kubelet')).stdout).to.not.match(/^active$/m);
    });

    it('a second run changes nothing', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, ...docker, '--tags', 'nodes', '--limit', 'h2'], true);
      expectClean(r);
      expect(changedCount(r)).to.deep.equal({ h2: 0 });
    });

    it('Kubernetes 1.23 with docker: the built-in dockershim (no CRI endpoint flag)', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, ...docker, '-e', 'k8s_version=1.23.17', '--tags', 'nodes', '--limit', 'h2', '--check', '--diff']);
      expectClean(r);
      expect(r.stdout).to.include('-  --container-runtime-endpoint=unix:///run/cri-dockerd.sock').and.include('+  --network-plugin=cni');
      expect(r.stdout).to.include('+After=docker.service\n');
    });

    it('package per OS family: apt is asked for docker.io, dnf for docker-ce (neither is in the lab\'s repositories)', async () => {
      const withBins = ['-e', 'k8s_binaries=url', '-e', '{"k8s_binary_urls": {}}'];
      const deb = await tsplay(['playbooks/site.yml', ...inv, ...docker, ...withBins, '--tags', 'nodes', '--limit', 'h2', '--check']);
      expect(deb.status, failMsg(deb)).to.not.equal(0);
      const debFail = deb.stdout.split('\n').filter((l) => /fatal:|failed:/.test(l));
      expect(debFail, failMsg(deb)).to.have.length(1);
      expect(debFail[0]).to.include("No package matching 'docker.io'");
      const rh = await tsplay(['playbooks/site.yml', ...inv, ...docker, ...withBins, '-e', 'tsplay_test_os_family=RedHat', '--tags', 'nodes', '--limit', 'h2', '--check']);
      expect(rh.status, failMsg(rh)).to.not.equal(0);
      expect(rh.stdout).to.match(/TASK \[nodes : docker-ce repository[^\n]*\n(changed|ok): \[h2\]/);
      const rhFail = rh.stdout.split('\n').filter((l) => /fatal:|failed:/.test(l));
      expect(rhFail, failMsg(rh)).to.have.length(1);
      expect(rhFail[0]).to.include('docker-ce').and.not.include('docker.io');
    });
  });

  it('etcd_install: package (the lab default, the README\'s main job): the offline repository\'s etcd healthy over TLS', async () => {
    // roles-k8s.test.ts installs etcd from URLs; this keeps the package path exercised
    const r = await tsplay(['playbooks/site.yml', ...inv, '--tags', 'certs,etcd', '--limit', 'h1']);
    expectClean(r);
    const ip = lab.hosts.find((h) => h.name === 'h1')!.ip;
    const out = await sh(lab, 'h1', `dpkg -s etcd-server >/dev/null && systemctl show etcd -p ExecStart --value | grep -o 'path=[^ ]*'; etcdctl --cacert=/etc/kubernetes/pki/ca.pem --cert=/etc/kubernetes/pki/etcd.pem --key=/etc/kubernetes/pki/etcd-key.pem --endpoints=https://${ip}:2379 endpoint health 2>&1`);
    expect(out).to.include('path=/usr/bin/etcd').and.include(`https://${ip}:2379 is healthy`);
  });

  describe('RedHat family (tsplay_test_os_family: RedHat on a Debian host with dnf + rpm)', () => {
    const redhat = ['-e', 'tsplay_test_os_family=RedHat', '-e', '{"base_packages": {"RedHat": ["tsplay-hello", "tsplay-world"]}, "base_chrony_service": {"RedHat": "chrony"}}'];

    before(async function () {
      this.timeout(300_000);
      // chrony's unit for the RedHat run (see the file comment): a Debian run of the base role first
      const r = await tsplay(['playbooks/site.yml', ...inv, '--tags', 'base', '--limit', 'h1']);
      expectClean(r);
      await sh(lab, 'h1', `mkdir -p /etc/selinux && printf '%s' '${SELINUX_CONFIG}' > /etc/selinux/config`);
    });

    it('the real RedHat package list reaches dnf (check mode lists the names this repository lacks)', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, '-e', 'tsplay_test_os_family=RedHat', '--tags', 'base', '--limit', 'h1', '--check']);
      expect(r.status, failMsg(r)).to.not.equal(0);
      const fail = r.stdout.split('\n').filter((l) => /fatal:|failed:/.test(l));
      expect(fail, failMsg(r)).to.have.length(1);
      for (const p of ['conntrack-tools', 'ipvsadm', 'libseccomp']) expect(fail[0]).to.include(p);
    });

    it('preflight accepts it; packages through dnf; SELinux enforcing -> permissive; firewalld absent is reported', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, ...redhat, '--tags', 'preflight,base', '--limit', 'h1']);
      expectClean(r);
      expect(r.stdout).to.include('preflight passed');
      expect(r.stdout).to.include('h1: firewalld is not installed: nothing to stop');
      expect(await sh(lab, 'h1', 'rpm -q tsplay-hello tsplay-world')).to.match(/^tsplay-hello-1\.1.*\ntsplay-world-1\.0/);
      const cfg = await sh(lab, 'h1', 'cat /etc/selinux/config');
      expect(cfg).to.equal(SELINUX_CONFIG.replace('SELINUX=enforcing', 'SELINUX=permissive'));
      expect(r.stdout).to.match(/TASK \[base : SELinux permissive[^\n]*\nchanged: \[h1\]/);
    });

    it('a second RedHat run changes nothing; SELINUX=disabled is left alone', async () => {
      const again = await tsplay(['playbooks/site.yml', ...inv, ...redhat, '--tags', 'base', '--limit', 'h1'], true);
      expectClean(again);
      expect(changedCount(again)).to.deep.equal({ h1: 0 });
      await sh(lab, 'h1', "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config");
      const off = await tsplay(['playbooks/site.yml', ...inv, ...redhat, '--tags', 'base', '--limit', 'h1'], true);
      expectClean(off);
      expect(changedCount(off)).to.deep.equal({ h1: 0 });
      expect(await sh(lab, 'h1', 'grep ^SELINUX= /etc/selinux/config')).to.equal('SELINUX=disabled\n');
    });

    it('nodes: the docker-ce yum repository file (RedHat), parsed by dnf', async () => {
      const r = await tsplay(['playbooks/site.yml', ...inv, '-e', 'tsplay_test_os_family=RedHat', '-e', 'container_runtime=docker', '--tags', 'nodes', '--limit', 'h2']);
      expectClean(r);
      const repo = await sh(lab, 'h2', 'cat /etc/yum.repos.d/docker-ce-stable.repo');
      expect(repo).to.include('[docker-ce-stable]').and.include('baseurl = https://mirrors.aliyun.com/docker-ce/linux/centos/$releasever/$basearch/stable');
      expect(repo).to.include('gpgcheck = 1').and.include('gpgkey = https://mirrors.aliyun.com/docker-ce/linux/centos/gpg');
      expect(await sh(lab, 'h2', 'dnf -q repolist --all 2>&1')).to.include('docker-ce-stable');
    });
  });
});
