/** setup (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'setup',
  {
    short: 'Gathers facts about remote hosts',
    description: 'Gathers facts (os_family, distribution, default_ipv4, memtotal_mb, service_mgr, pkg_mgr, ...) in ONE round trip; run automatically by gather_facts.',
    returns: { ansible_facts: 'The gathered facts.' },
    examples: `- setup:

- setup:
    filter: ansible_default_ipv4`,
  },
  {
    filter: { type: 'list', elements: 'str', default: [], description: 'Only return facts matching these shell-style patterns.' },
    gather_subset: { type: 'list', elements: 'str', default: ['all'], description: 'Subsets to gather (accepted for compatibility).' },
    gather_timeout: { type: 'int', default: 10, description: 'Timeout in seconds for fact gathering.' },
  },
);
