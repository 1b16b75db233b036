/**
 * The Kubernetes playbooks and roles (playbooks/, roles/, inventory/) load, list and render:
 * - every playbook passes tsplay's loader (`--syntax-check`), and `--list-tasks` shows the
 *   role-tagged plays of site.yml in the guides' order;
 * - every playbook passes `ansible-playbook --syntax-check` (Debian's ansible-core). ansible-core
 *   has no community.crypto / ansible.posix / community.general collections and no `kubeconfig`
 *   (a tsplay module), so those module NAMES are resolved through empty stub files in a temp
 *   ANSIBLE_LIBRARY: this checks Ansible's parsing of every play, role and task, not the modules;
 * - the unit templates render (tsplay, local connection) for an old and a current Kubernetes
 *   version: flags a version removed are not emitted, their replacements are.
 * No lab hosts: fast, but kept with the other roles tests (test/lab/roles-*.test.ts).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const PLAYBOOKS = ['site.yml', 'renew-certs.yml', 'add-node.yml', 'verify.yml'];
/** Module names ansible-core 2.14 alone cannot resolve (collections, or tsplay-only). */
const STUB_MODULES = ['selinux', 'sysctl', 'modprobe', 'openssl_privatekey', 'x509_certificate', 'kubeconfig'];

function tsplay(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/tsplay.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

function hasAnsible(): boolean {
  return spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).status === 0;
}

describe('roles: playbooks load and templates render', function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tsp-roles-syntax-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const pb of PLAYBOOKS) {
    it(`tsplay --syntax-check playbooks/${pb}`, () => {
      const r = tsplay([`playbooks/${pb}`, '-i', 'inventory/hosts.ini', '--syntax-check']);
      expect(r.stderr + r.stdout, `exit ${r.status}`).to.not.match(/ERROR/);
      expect(r.status).to.equal(0);
    });
  }

  it('site.yml: one play per chapter, in order, each tagged with its role', () => {
    const r = tsplay(['playbooks/site.yml', '-i', 'inventory/hosts.ini', '--list-tags']);
    expect(r.status, r.stderr).to.equal(0);
    const plays = [...r.stdout.matchAll(/play #\d+ \(([^)]*)\): (.*?)\tTAGS: \[([^\]]*)\]/g)].map((m) => m[3]);
    expect(plays.slice(0, 9)).to.deep.equal(['preflight', 'base', 'ha', 'certs', 'etcd', 'masters', 'nodes', 'addons', 'volume']);
    const tasks = tsplay(['playbooks/site.yml', '-i', 'inventory/hosts.ini', '--list-tasks', '--tags', 'etcd']);
    expect(tasks.status, tasks.stderr).to.equal(0);
    const names = [...tasks.stdout.matchAll(/^ {6}(\S.*?)\tTAGS/gm)].map((m) => m[1]);
    expect(names.length).to.be.greaterThan(5);
    for (const n of names) expect(n).to.match(/^(etcd|binaries) : /);
  });

  for (const pb of PLAYBOOKS) {
    it(`ansible-playbook --syntax-check playbooks/${pb} (collection modules stubbed)`, function () {
      if (!hasAnsible()) throw new Error('ansible-playbook is not installed (Debian: apt-get install ansible-core)');
      const lib = join(tmp, 'stubs');
      mkdirSync(lib, { recursive: true });
      for (const m of STUB_MODULES) writeFileSync(join(lib, `${m}.py`), '#!/usr/bin/python\n# name stub for --syntax-check only\n');
      const r = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'inventory/hosts.ini', `playbooks/${pb}`], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_LIBRARY: lib, ANSIBLE_NOCOLOR: '1' },
        timeout: 120_000,
      });
      expect(r.stderr, r.stdout).to.not.match(/ERROR!/);
      expect(r.status).to.equal(0);
    });
  }

  describe('unit files for a configurable Kubernetes version', () => {
    const UNITS = [
      ['masters', 'kube-apiserver'],
      ['masters', 'kube-controller-manager'],
      ['masters', 'kube-scheduler'],
      ['nodes', 'kubelet'],
      ['nodes', 'kube-proxy'],
    ];
    const rendered: Record<string, Record<string, string>> = {};

    before(function () {
      this.timeout(120_000);
      for (const version of ['1.16.2', '1.28.15']) {
        const out = join(tmp, version);
        mkdirSync(out, { recursive: true });
        const tasks = UNITS.map(([role, unit]) => ({
          name: unit,
          template: { src: join(ROOT, 'roles', role, 'templates', `${unit}.service.hbs`), dest: join(out, `${unit}.service`) },
        }));
        // every host local (ansible_connection=local): rendering must never reach for an address
        const inv = join(tmp, 'render.ini');
        writeFileSync(inv, [
          '[k8s-master]', ...[1, 2, 3].map((i) => `m${i} ansible_host=192.0.2.${i} ansible_connection=local`),
          '[etcd:children]', 'k8s-master',
          '[k8s-worker]', 'w1 ansible_host=192.0.2.11 ansible_connection=local',
          '[k8s:children]', 'k8s-master', 'k8s-worker', '',
        ].join('\n'));
        const play = [{
          hosts: 'm1',
          connection: 'local',
          gather_facts: false,
          vars_files: [join(ROOT, 'inventory/group_vars/all.yml'), join(ROOT, 'roles/masters/defaults/main.yml'), join(ROOT, 'roles/nodes/defaults/main.yml')],
          tasks,
        }];
        const pb = join(tmp, `render-${version}.yml`);
        writeFileSync(pb, JSON.stringify(play));
        const r = tsplay([pb, '-i', inv, '-e', `k8s_version=${version}`]);
        if (r.status !== 0) throw new Error(`render failed (${r.status}): ${r.stdout.slice(-3000)}${r.stderr}`);
        rendered[version] = Object.fromEntries(UNITS.map(([, unit]) => [unit, readFileSync(join(out, `${unit}.service`), 'utf8')]));
      }
    });

    it('1.16 keeps the flags of guide 002; 1.28 drops the removed ones', () => {
      const old = rendered['1.16.2'];
      const cur = rendered['1.28.15'];
      expect(old['kube-apiserver']).to.include('--insecure-port=0').and.include('--logtostderr=false').and.not.include('--service-account-issuer');
      expect(cur['kube-apiserver']).to.not.match(/--insecure-port|--logtostderr|--alsologtostderr|--log-dir|--enable-swagger-ui/);
      expect(cur['kube-apiserver']).to.include('--service-account-issuer=https://kubernetes.default.svc.cluster.local');
      expect(old['kube-controller-manager']).to.include('--experimental-cluster-signing-duration=8760h').and.include('--port=0');
      expect(cur['kube-controller-manager']).to.include('--cluster-signing-duration=8760h').and.not.match(/--experimental-|--port=0|--horizontal-pod-autoscaler-use-rest-clients|RotateKubeletServerCertificate/);
      expect(old['kube-scheduler']).to.include('--address=127.0.0.1');
      expect(cur['kube-scheduler']).to.include('--bind-address=127.0.0.1');
      expect(cur['kube-scheduler']).to.not.match(/--address=/);
      expect(old.kubelet).to.include('--network-plugin=cni').and.include('--pod-infra-container-image=');
      expect(cur.kubelet).to.include('--container-runtime-endpoint=unix:///run/containerd/containerd.sock');
      expect(cur.kubelet).to.not.match(/--network-plugin|--pod-infra-container-image|--logtostderr/);
    });

    it('the guides\' settings reach the units (CIDRs, admission plugins, etcd servers over TLS)', () => {
      const api = rendered['1.28.15']['kube-apiserver'];
      expect(api).to.include('--service-cluster-ip-range=10.96.0.0/12');
      expect(api).to.include('--enable-admission-plugins=NamespaceLifecycle,NodeRestriction,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota');
      expect(api).to.include('--etcd-servers=https://192.0.2.1:2379,https://192.0.2.2:2379,https://192.0.2.3:2379');
      expect(api).to.include('--advertise-address=192.0.2.1');
      expect(rendered['1.28.15']['kube-controller-manager']).to.include('--cluster-cidr=10.244.0.0/16');
      // every continuation line ends with a backslash, the last flag does not
      for (const [unit, text] of Object.entries(rendered['1.28.15'])) {
        const exec = text.slice(text.indexOf('ExecStart='), text.indexOf('\nRestart='));
        const lines = exec.split('\n');
        lines.slice(0, -1).forEach((l) => expect(l, `${unit}: ${l}`).to.match(/ \\$/));
        expect(lines[lines.length - 1], unit).to.match(/^ {2}--v=2$/);
      }
    });
  });
});
