/** debug (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'debug',
  {
    short: 'Print statements during execution',
    description: 'Prints a message or a variable (with var). Runs on the controller; never changes anything. verbosity hides it below that -v level.',
    returns: { msg: 'The message printed.' },
    examples: `- debug:
    msg: "System {{ inventory_hostname }} has uuid {{ ansible_product_uuid }}"

- debug:
    var: result
    verbosity: 2`,
  },
  {
    msg: { type: 'str', default: 'Hello world!', description: 'The customized message that is printed.' },
    var: { type: 'str', description: 'A variable name (or expression) to print.' },
    verbosity: { type: 'int', default: 0, description: 'A number that controls when the debug is run (-v count).' },
  },
);
