/** Host-key verification for one ssh hop: known_hosts lookup, accept-new, clear messages. */
import type { ConnParams } from './params.ts';
import { algorithmsForKeyType, appendKnownHost, checkHostKey, entryMatches, knownHostName, loadKnownHosts } from './knownhosts.ts';

/** Host-key algorithms ssh2 offers by default (ed25519 first, as OpenSSH). */
const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** What is being verified: a name for messages, the address and port connected to. */
export interface HostKeyTarget {
  name: string;
  address: string;
  port: number;
}

/**
 * A verifier for ssh2's `hostVerifier` and the host-key algorithm order to offer (types
 * already in known_hosts first, so a host with several keys is checked against a known one).
 * `error()` tells why a key was refused.
 */
export function hostKeyVerifier(
  p: Pick<ConnParams, 'strictHostKeyChecking' | 'knownHostsFiles'>,
  hop: HostKeyTarget,
  log?: (msg: string) => void,
): { verify: (key: Buffer) => boolean; algorithms: string[]; error: () => string | undefined } {
  const names = [knownHostName(hop.address, hop.port)];
  if (hop.name !== hop.address) names.push(knownHostName(hop.name, hop.port));
  const entries = p.strictHostKeyChecking === 'no' ? [] : loadKnownHosts(p.knownHostsFiles);
  const knownTypes = new Set(entries.filter((e) => !e.marker && entryMatches(e, names)).map((e) => e.keyType));
  const preferred = [...knownTypes].flatMap(algorithmsForKeyType).filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a));
  const algorithms = [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGOS])];
  const who = hop.name === hop.address ? hop.address : `${hop.name} (${hop.address})`;
  let hostKeyError: string | undefined;

  const verify = (key: Buffer): boolean => {
    if (p.strictHostKeyChecking === 'no') return true;
    const v = checkHostKey(entries, names, key);
    switch (v.status) {
      case 'match':
        return true;
      case 'revoked':
        hostKeyError = `host key for ${who} is REVOKED in known_hosts (${v.fingerprint})`;
        return false;
      case 'changed': {
        const k = v.known[0];
        hostKeyError =
          `host key for ${who} has CHANGED: known_hosts has ${k.fingerprint} (${k.keyType}${k.file ? `, ${k.file}:${k.line}` : ''}), ` +
          `the host presented ${v.presented}; possible man-in-the-middle attack. If the change is expected, remove the old key: ssh-keygen -R ${names[0]}` +
          (p.knownHostsFiles[0] ? ` -f ${p.knownHostsFiles[0]}` : '');
        return false;
      }
      case 'unknown': {
        if (p.strictHostKeyChecking !== 'accept-new') {
          hostKeyError = `host key for ${who} is not known; add it to known_hosts or use accept-new`;
          return false;
        }
        const file = p.knownHostsFiles[0];
        if (!file || file === '/dev/null') return true;
        try {
          appendKnownHost(file, names[0], key);
          log?.(`added host key for ${who} to ${file}`);
        } catch (e) {
          hostKeyError = `host key for ${who} could not be recorded in ${file}: ${(e as Error).message}`;
          return false;
        }
        return true;
      }
    }
  };
  return { verify, algorithms, error: () => hostKeyError };
}
