/**
 * kubeconfig: the file `kubectl config set-cluster/set-credentials/set-context/use-context
 * --embed-certs=true` produces, written in one idempotent step (content compare).
 */
import type { ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { applyWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { fail } from '../engine/modules/failure.ts';
import { needPem, planPemWrite, readPems } from '../engine/modules/pkifiles.ts';
import { isBootstrapToken, renderKubeconfig } from '../engine/pki/kubeconfig.ts';
import { registerSecret } from '../engine/secrets.ts';

const mod: ModuleDef<Record<string, any>, { w: WriteState }> = {
  name: 'kubeconfig',
  doc: {
    short: 'Write a kubeconfig with embedded CA and client credentials',
    description:
      'Cluster (server + CA embedded), user (client certificate/key embedded, or a token), context and current-context, as kubectl writes them. The CA/cert/key paths are read on the same host as path (use delegate_to: localhost for controller-side files). Idempotent on content; the diff never shows key or token material.',
    check: 'full',
    diff: true,
    returns: { filename: 'path written' },
    examples: `- kubeconfig:
    path: /etc/kubernetes/admin.kubeconfig
    server: "https://{{ k8s_vip }}:8443"
    ca_path: /etc/kubernetes/pki/ca.pem
    user: admin
    client_cert_path: /etc/kubernetes/pki/admin.pem
    client_key_path: /etc/kubernetes/pki/admin-key.pem`,
  },
  args: {
    path: { type: 'path', required: true, description: 'Where the kubeconfig is written.' },
    cluster: { type: 'str', default: 'kubernetes', description: 'Cluster name.' },
    server: { type: 'str', required: true, description: 'API server URL.' },
    ca_path: { type: 'path', required: true, description: 'CA certificate to embed.' },
    user: { type: 'str', required: true, description: 'User (credentials) name.' },
    client_cert_path: { type: 'path', description: 'Client certificate to embed.' },
    client_key_path: { type: 'path', description: 'Client key to embed.' },
    token: { type: 'str', no_log: true, description: 'Bearer token (e.g. a bootstrap token id.secret).' },
    context: { type: 'str', description: 'Context name (default: the cluster name).' },
    namespace: { type: 'str', description: 'Default namespace of the context.' },
    ...FILE_ATTR_ARGS,
    mode: { ...FILE_ATTR_ARGS.mode, default: '0600' },
  },
  validate(a) {
    if (!a.token && !(a.client_cert_path && a.client_key_path)) return 'give token, or client_cert_path and client_key_path';
    return undefined;
  },
  async plan(args, ctx): Promise<Plan<{ w: WriteState }>> {
    const f = await readPems(ctx, { cur: args.path, ca: args.ca_path, cert: args.client_cert_path, key: args.client_key_path }, ['key', 'cur']);
    if (args.token) {
      registerSecret(args.token);
      if (/bootstrap/.test(args.user) && !isBootstrapToken(args.token)) fail('token: a bootstrap token must match [a-z0-9]{6}.[a-z0-9]{16}');
    }
    const keyPem = args.client_key_path ? needPem(f.key, 'client_key_path', 'client key') : undefined;
    if (keyPem) registerSecret(Buffer.from(keyPem).toString('base64'));
    const text = renderKubeconfig({
      cluster: args.cluster, server: args.server, caPem: needPem(f.ca, 'ca_path', 'CA certificate'), user: args.user,
      clientCertPem: args.client_cert_path ? needPem(f.cert, 'client_cert_path', 'client certificate') : undefined,
      clientKeyPem: keyPem, token: args.token, context: args.context ?? args.cluster, namespace: args.namespace,
    });
    const changedContent = f.cur.text !== text;
    const desc = (t: string | undefined) => (t === undefined ? '' : `server: ${/server: (.*)/.exec(t)?.[1] ?? '?'}\nuser: ${/- name: (.*)\n {2}user:/.exec(t)?.[1] ?? '?'}\ncontent sha1 differs\n`);
    const p = planPemWrite(ctx, f.cur, Buffer.from(text), args, changedContent, { before: desc(f.cur.text), after: `server: ${args.server}\nuser: ${args.user}\n` });
    return { changed: p.changed, steps: p.steps, diff: p.diff, state: { w: p.state }, result: { filename: args.path } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    return { ...(await applyWrite(ctx, plan.state!.w)), filename: args.path };
  },
};

export default mod;
