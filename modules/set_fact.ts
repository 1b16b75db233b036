/** set_fact (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'set_fact',
  {
    short: 'Set host variable(s) and fact(s)',
    description: 'Every key=value becomes a host variable for the rest of the play (cacheable: also a fact). Runs on the controller.',
    returns: { ansible_facts: 'The variables set.' },
    examples: `- set_fact:
    one_fact: something
    other_fact: "{{ local_var * 2 }}"`,
  },
  {
    cacheable: { type: 'bool', default: false, description: 'Also store the variables as facts.' },
  },
  true,
);
