/**
 * tsplay's inventory layer (Ansible-compatible): load INI/YAML/host-list/directory sources,
 * select hosts with Ansible host patterns and --limit, and produce the inventory part of a
 * host's variables (inventory vars, group_vars/, host_vars/) in Ansible's precedence order.
 */
export type { InvHost, InvGroup, Inventory, VarLayer } from './types.ts';
export { LOCALHOST_NAMES } from './types.ts';
export { loadInventory, isHostList } from './load.ts';
export { selectHosts, selectHostsDetailed, splitHostPattern, isImplicitLocalhost, type Selection } from './patterns.ts';
export { groupNames, groupsVar, groupHosts, hostGroups } from './groups.ts';
export { hostVarLayers, mergeLayers, inventoryBaseDirs, clearVarsCache } from './hostvars.ts';
export { loadVarsPath, loadVarsFile, findVarsFiles } from './varsfiles.ts';
export { parseIniInventory } from './ini.ts';
export { parseYamlInventory } from './yaml-inventory.ts';
export { InventoryBuilder } from './builder.ts';
export { parseIniValue } from './pyliteral.ts';
export { expandHostRange, expandHostPattern, parseAddress, isIpAddress, inventoryHostnameShort } from './address.ts';
export { addDynamicHost, addDynamicGroup } from './dynamic.ts';
