/**
 * Map Ansible connection variables (and CLI flags, ~/.ssh/config, ssh `-o` args) to typed
 * connection parameters. Precedence, as Ansible + OpenSSH: host vars (ansible_user, ...)
 * > command-line flags (-u, --private-key, -k) > `-o` options in ansible_ssh_common_args /
 * ansible_ssh_extra_args > ~/.ssh/config (first match wins) > defaults.
 * Pure apart from reading ~/.ssh/config and the environment when they are not given.
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { OptionsError, type BecomeSpec } from '../types.ts';
import { registerSecret } from '../secrets.ts';
import { parseSshArgs, firstOpt, shellSplit } from './sshargs.ts';
import { loadSshConfig, resolveSshConfig, expandSshPath, splitWords, type SshConfigBlock } from './sshconfig.ts';

/** How unknown / changed host keys are handled (OpenSSH's StrictHostKeyChecking). */
export type HostKeyPolicy = 'yes' | 'no' | 'accept-new';

/** One hop of a ProxyJump chain, resolved through ssh config. */
export interface JumpHost {
  /** The name as written in ProxyJump (for messages). */
  name: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
}

/** Everything needed to open a connection to one host. */
export interface ConnParams {
  /** inventory_hostname */
  host: string;
  connection: 'ssh' | 'local';
  /** Address to connect to (ansible_host / HostName / the name itself). */
  address: string;
  port: number;
  user: string;
  password?: string;
  /** Private key files to try, in order (vars/CLI, -o/-i args, ssh config; else the ~/.ssh defaults that exist). */
  identityFiles: string[];
  /** Only the listed identity files (no agent keys): ssh's IdentitiesOnly. */
  identitiesOnly: boolean;
  /** ssh-agent socket (SSH_AUTH_SOCK), if any. */
  agentSocket?: string;
  /** known_hosts files; the first one receives accept-new keys. */
  knownHostsFiles: string[];
  strictHostKeyChecking: HostKeyPolicy;
  /** ProxyJump chain, outermost first. */
  proxyJump: JumpHost[];
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** become from ansible_become* vars / -b flags (undefined when become is off). */
  become?: BecomeSpec;
  /** Options that were given but are not supported (the caller may warn). */
  warnings: string[];
}

/** Command-line flags that affect connections (ansible-playbook's names). */
export interface ConnCliOptions {
  /** -u */
  user?: string;
  /** --private-key */
  privateKey?: string;
  /** -k (already prompted) */
  password?: string;
  /** -T / --timeout, seconds */
  timeout?: number;
  /** -b */
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  /** -K (already prompted) */
  becomePassword?: string;
  /** --ssh-common-args / --ssh-extra-args */
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  /** false = host key checking off (ANSIBLE_HOST_KEY_CHECKING=False or config). */
  hostKeyChecking?: boolean;
}

/** Inputs that are normally read from the machine; tests pass them explicitly. */
export interface ConnEnvironment {
  home?: string;
  env?: Record<string, string | undefined>;
  /** Parsed ~/.ssh/config (default: loaded from home). */
  sshConfig?: SshConfigBlock[];
  /** Check for default identity files (default: fs.existsSync). */
  fileExists?: (p: string) => boolean;
  localUser?: string;
}

const str = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? v : String(v);

/** Ansible's boolean conversion (yes/no/true/false/on/off/1/0). Undefined for anything else. */
export function ansibleBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (['yes', 'y', 'true', 't', 'on', '1'].includes(s)) return true;
  if (['no', 'n', 'false', 'f', 'off', '0', ''].includes(s)) return false;
  return undefined;
}

function portOf(v: unknown, what: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw new OptionsError(`invalid ${what} '${s}': expected a port number 1-65535`);
  return Number(s);
}

function policyOf(v: string | undefined): HostKeyPolicy | undefined {
  if (v === undefined) return undefined;
  const s = v.toLowerCase();
  if (s === 'no' || s === 'off' || s === 'false') return 'no';
  if (s === 'accept-new') return 'accept-new';
  return 'yes'; // yes, ask (no prompts here), anything else: strict
}

/** Parse `[user@]host[:port]` (and `ssh://[user@]host[:port]`) ProxyJump hops. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number }[] {
  if (!spec || spec.toLowerCase() === 'none') return [];
  return spec.split(',').map((hop) => {
    let h = hop.trim().replace(/^ssh:\/\//, '');
    let user: string | undefined;
    const at = h.lastIndexOf('@');
    if (at >= 0) {
      user = h.slice(0, at);
      h = h.slice(at + 1);
    }
    let port: number | undefined;
    const m = /^\[(.+)\]:(\d+)$/.exec(h) ?? /^([^:]+):(\d+)$/.exec(h);
    if (m) {
      h = m[1];
      port = Number(m[2]);
    }
    return { user, host: h, port };
  });
}

/**
 * The jump host of a `ProxyCommand ssh [-p P] [-l U] -W %h:%p [user@]host` (as a ProxyJump
 * spec), or undefined for any other proxy command.
 */
export function jumpFromProxyCommand(cmd: string): string | undefined {
  const argv = shellSplit(cmd);
  if (!argv.length || !/(^|\/)ssh$/.test(argv[0])) return undefined;
  let host: string | undefined;
  let port: string | undefined;
  let user: string | undefined;
  let forwards = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-W') forwards = argv[++i] === '%h:%p';
    else if (a === '-p') port = argv[++i];
    else if (a === '-l') user = argv[++i];
    else if (/^-[oiFJ]$/.test(a)) i++;
    else if (a.startsWith('-')) continue;
    else if (!host) host = a;
    else return undefined; // a remote command: not a plain forward
  }
  if (!forwards || !host) return undefined;
  const withUser = user && !host.includes('@') ? `${user}@${host}` : host;
  return port ? `${withUser}:${port}` : withUser;
}

/** Become settings from ansible_become* vars over CLI flags (undefined when become is off). */
export function becomeFor(vars: Record<string, unknown>, cli: ConnCliOptions = {}): BecomeSpec | undefined {
  const enabled = ansibleBool(vars.ansible_become) ?? cli.become ?? false;
  if (!enabled) return undefined;
  const method = (str(vars.ansible_become_method) ?? cli.becomeMethod ?? 'sudo').toLowerCase();
  if (method !== 'sudo' && method !== 'su') throw new OptionsError(`unsupported become method '${method}' (supported: sudo, su)`);
  const password = str(vars.ansible_become_password) ?? str(vars.ansible_become_pass) ?? str(vars.ansible_sudo_pass) ?? str(vars.ansible_su_pass) ?? cli.becomePassword;
  if (password) registerSecret(password);
  return {
    method,
    user: str(vars.ansible_become_user) ?? cli.becomeUser ?? 'root',
    ...(password ? { password } : {}),
    ...(str(vars.ansible_become_flags) ? { flags: str(vars.ansible_become_flags) } : {}),
  };
}

/**
 * Typed connection parameters for one host from its variables and the command line.
 * Throws OptionsError for an unsupported ansible_connection or a bad port.
 */
export function connParamsFor(host: string, vars: Record<string, unknown>, cli: ConnCliOptions = {}, envIn: ConnEnvironment = {}): ConnParams {
  const env = envIn.env ?? process.env;
  const home = envIn.home ?? homedir();
  const exists = envIn.fileExists ?? existsSync;
  let localUser = envIn.localUser;
  if (localUser === undefined) {
    try { localUser = userInfo().username; } catch { localUser = env.USER ?? 'root'; }
  }
  const warnings: string[] = [];

  const connVar = (str(vars.ansible_connection) ?? '').toLowerCase();
  let connection: 'ssh' | 'local';
  if (connVar === 'local') connection = 'local';
  else if (connVar === '' ) connection = (host === 'localhost' || host === '127.0.0.1') && vars.ansible_host === undefined ? 'local' : 'ssh';
  else if (['ssh', 'smart', 'paramiko', 'paramiko_ssh'].includes(connVar)) connection = 'ssh';
  else throw new OptionsError(`unsupported ansible_connection '${connVar}' for host ${host} (supported: ssh, local)`);

  const sshArgs = parseSshArgs(str(vars.ansible_ssh_common_args) ?? cli.sshCommonArgs, str(vars.ansible_ssh_extra_args) ?? cli.sshExtraArgs);
  for (const w of sshArgs.ignored) if (!/^-[46ACNqTtvxXYy]+$/.test(w)) warnings.push(`ssh argument '${w}' is not supported and was ignored`);

  const address = str(vars.ansible_host) ?? str(vars.ansible_ssh_host) ?? host;
  const configFile = firstOpt(sshArgs, 'configfile');
  const blocks = envIn.sshConfig ?? loadSshConfig(configFile ? expandSshPath(configFile, { home }) : join(home, '.ssh', 'config'));
  const cfg = resolveSshConfig(blocks, address);

  const port = portOf(vars.ansible_port ?? vars.ansible_ssh_port, 'ansible_port') ?? portOf(firstOpt(sshArgs, 'port'), 'Port') ?? cfg.port ?? 22;
  const user = str(vars.ansible_user) ?? str(vars.ansible_ssh_user) ?? cli.user ?? firstOpt(sshArgs, 'user') ?? cfg.user ?? localUser;
  const realAddress = cfg.hostname ?? address;
  const password = str(vars.ansible_password) ?? str(vars.ansible_ssh_pass) ?? str(vars.ansible_ssh_password) ?? cli.password;
  if (password) registerSecret(password);

  const pctx = { home, localUser, host: realAddress, user, port };
  const explicitKeys = [str(vars.ansible_ssh_private_key_file) ?? str(vars.ansible_private_key_file) ?? cli.privateKey, ...(sshArgs.options.get('identityfile') ?? []), ...cfg.identityfile]
    .filter((k): k is string => !!k)
    .map((k) => expandSshPath(k, pctx));
  const identitiesOnly = ansibleBool(firstOpt(sshArgs, 'identitiesonly')) ?? cfg.identitiesonly ?? false;
  const defaults = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f)).filter((f) => exists(f));
  // as OpenSSH: the default identities are used only when none is specified
  const identityFiles = [...new Set(explicitKeys.length ? explicitKeys : defaults)];

  const khArg = firstOpt(sshArgs, 'userknownhostsfile');
  const knownHostsFiles = (khArg !== undefined ? splitWords(khArg) : cfg.userknownhostsfile ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) => expandSshPath(f, pctx));

  const hkcVar = ansibleBool(vars.host_key_checking ?? vars.ansible_host_key_checking ?? vars.ansible_ssh_host_key_checking);
  const hkcEnv = ansibleBool(env.ANSIBLE_HOST_KEY_CHECKING);
  const hostKeyChecking = hkcVar ?? cli.hostKeyChecking ?? hkcEnv ?? true;
  const strictHostKeyChecking: HostKeyPolicy = !hostKeyChecking
    ? 'no'
    : policyOf(firstOpt(sshArgs, 'stricthostkeychecking')) ?? policyOf(cfg.stricthostkeychecking) ?? 'yes';

  const timeoutS = Number(str(vars.ansible_ssh_timeout) ?? str(vars.ansible_timeout) ?? cli.timeout ?? firstOpt(sshArgs, 'connecttimeout') ?? cfg.connecttimeout ?? 10);
  const aliveS = Number(firstOpt(sshArgs, 'serveraliveinterval') ?? cfg.serveraliveinterval ?? 15);
  const aliveMax = Number(firstOpt(sshArgs, 'serveralivecountmax') ?? cfg.serveralivecountmax ?? 3);

  // ProxyCommand 'ssh -W %h:%p [user@]bastion' (the pre-ProxyJump idiom) is a jump host too.
  const proxyCommand = firstOpt(sshArgs, 'proxycommand') ?? cfg.other.proxycommand;
  let jumpSpec = firstOpt(sshArgs, 'proxyjump') ?? cfg.proxyjump;
  if (!jumpSpec && proxyCommand && proxyCommand.toLowerCase() !== 'none') {
    const j = jumpFromProxyCommand(proxyCommand);
    if (j) jumpSpec = j;
    else warnings.push(`ProxyCommand '${proxyCommand}' is not supported (only 'ssh -W %h:%p host'); use ProxyJump`);
  }
  const proxyJump: JumpHost[] = jumpSpec
    ? parseJumpSpec(jumpSpec).map((hop) => {
        const jc = resolveSshConfig(blocks, hop.host);
        const jaddr = jc.hostname ?? hop.host;
        const juser = hop.user ?? jc.user ?? localUser!;
        const jport = hop.port ?? jc.port ?? 22;
        const jctx = { home, localUser, host: jaddr, user: juser, port: jport };
        const jkeys = jc.identityfile.map((k) => expandSshPath(k, jctx));
        return { name: hop.host, address: jaddr, port: jport, user: juser, identityFiles: [...new Set([...jkeys, ...identityFiles])] };
      })
    : [];

  return {
    host,
    connection,
    address: realAddress,
    port,
    user,
    ...(password ? { password } : {}),
    identityFiles,
    identitiesOnly,
    ...(env.SSH_AUTH_SOCK ? { agentSocket: env.SSH_AUTH_SOCK } : {}),
    knownHostsFiles,
    strictHostKeyChecking,
    proxyJump,
    connectTimeoutMs: Math.max(1, Number.isFinite(timeoutS) ? timeoutS : 10) * 1000,
    keepaliveIntervalMs: Math.max(0, Number.isFinite(aliveS) ? aliveS : 15) * 1000,
    keepaliveCountMax: Number.isFinite(aliveMax) ? aliveMax : 3,
    become: becomeFor(vars, cli),
    warnings,
  };
}
