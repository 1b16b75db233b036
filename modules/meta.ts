/** meta (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'meta',
  {
    short: 'Execute Ansible "actions"',
    description: 'Executor directives: flush_handlers, end_play, end_host, refresh_inventory, clear_facts, clear_host_errors, noop, reset_connection, end_batch.',
    examples: `- meta: flush_handlers

- meta: end_host
  when: skip_this_host | default(false)`,
  },
  {
    free_form: {
      type: 'str',
      choices: ['clear_facts', 'clear_host_errors', 'end_host', 'end_play', 'flush_handlers', 'noop', 'refresh_inventory', 'reset_connection', 'end_batch'],
      description: 'The meta action to run (given free form: `meta: flush_handlers`).',
    },
  },
  true,
);
