/** assert (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'assert',
  {
    short: 'Asserts given expressions are true',
    description: 'Evaluates each expression in `that` (Ansible expression syntax, no {{ }}); fails with fail_msg when one is false.',
    returns: { msg: 'success_msg or fail_msg.', assertion: 'The first false expression.', evaluated_to: 'Its value.' },
    examples: `- assert:
    that:
      - ansible_memtotal_mb >= 1700
      - "'k8s' in group_names"
    fail_msg: "not enough memory"
    success_msg: "ok"`,
  },
  {
    that: { type: 'list', elements: 'str', required: true, description: 'A list of expressions; all must be true.' },
    fail_msg: { type: 'str', aliases: ['msg'], description: 'Message on failure.' },
    success_msg: { type: 'str', description: 'Message on success.' },
    quiet: { type: 'bool', default: false, description: 'Less verbose output.' },
  },
);
