/**
 * The connection layer's public API (see each file for details):
 * - `connParamsFor(host, vars, cli)` -> ConnParams (Ansible connection vars, ssh_config, -o args)
 * - `ConnectionPool` (`get(host, params)`, `closeAll()`): one persistent connection per host;
 *   in the CLI, ssh connections live in the connection keeper between runs (persist/)
 * - `SshConnection` / `LocalConnection`: the `Connection` implementations
 * - errors besides UnreachableError: BecomeError, CommandTimeoutError, RemoteFileError
 */
export { connParamsFor, becomeFor, ansibleBool, parseJumpSpec, type ConnParams, type ConnCliOptions, type ConnEnvironment, type HostKeyPolicy, type JumpHost } from './params.ts';
export { ConnectionPool, defaultPersistSeconds, type PoolHooks, type PoolOptions } from './pool.ts';
export { MuxClient, MuxConnection } from './persist/client.ts';
export { keeperPaths, persistSeconds, DEFAULT_PERSIST_SECONDS, type KeeperPaths } from './persist/paths.ts';
export { SshConnection, MAX_CHANNELS, type SshHooks } from './ssh.ts';
export { LocalConnection } from './local.ts';
export { BecomeError, CommandAbortedError, CommandTimeoutError, RemoteFileError } from './errors.ts';
export { shQuote, buildCommandLine } from './shell.ts';
