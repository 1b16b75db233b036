/**
 * kubeconfig files exactly as `kubectl config set-cluster/set-credentials/set-context/
 * use-context --embed-certs=true` writes them (guide 002's recipe), as YAML text.
 */
import { dumpYaml } from '../yaml.ts';

export interface KubeconfigSpec {
  cluster: string;
  server: string;
  caPem: string;
  user: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  context: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Render the kubeconfig YAML (keys in kubectl's order, certificates embedded). */
export function renderKubeconfig(k: KubeconfigSpec): string {
  const user: Record<string, string> = {};
  if (k.clientCertPem) user['client-certificate-data'] = b64(k.clientCertPem);
  if (k.clientKeyPem) user['client-key-data'] = b64(k.clientKeyPem);
  if (k.token) user.token = k.token;
  const context: Record<string, string> = { cluster: k.cluster };
  if (k.namespace) context.namespace = k.namespace;
  context.user = k.user;
  const doc = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(k.caPem), server: k.server }, name: k.cluster }],
    contexts: [{ context, name: k.context }],
    'current-context': k.context,
    kind: 'Config',
    preferences: {},
    users: [{ name: k.user, user }],
  };
  return dumpYaml(doc);
}

/** A bootstrap token id.secret in the format [a-z0-9]{6}.[a-z0-9]{16}. */
export function isBootstrapToken(t: string): boolean {
  return /^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(t);
}
