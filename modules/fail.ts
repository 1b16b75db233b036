/** fail (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'fail',
  {
    short: 'Fail with custom message',
    description: 'Fails the task (usually with when) with msg.',
    returns: { msg: 'The message.' },
    examples: `- fail:
    msg: "The system may not be provisioned according to the CMDB status."
  when: cmdb_status != "to-be-staged"`,
  },
  { msg: { type: 'str', default: 'Failed as requested from task', description: 'The customized message used for failing execution.' } },
);
