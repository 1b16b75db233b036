/**
 * Programmatic API of `tsplay lab` (used by tests, the benchmark and the CLI):
 *   labUp({name, hosts, onProgress})  boot / grow / repair a lab, returns LabInfo
 *   labDown(name)                     remove every trace of it
 *   labInfo(name) / labStatus(name)   addresses, paths, PIDs / state and memory
 *   labExec(name, host, cmd)          run a shell command inside a host via nsenter (no ssh)
 */
export { labUp, labDown, labInfo, labStatus, labExec, labNamesOnMachine, leftovers, pssOf } from './lab.ts';
export type { LabInfo, LabHost, LabHostStatus, LabUpOptions } from './lab.ts';
export { labNames, hostNames, STATE_ROOT, CACHE_ROOT } from './naming.ts';
export { cachePaths, cacheReady, ensureCache } from './cache.ts';
