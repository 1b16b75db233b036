/** include_vars (executor action, documented here). */
import { executorAction } from '../engine/modules/docstub.ts';

export default executorAction(
  'include_vars',
  {
    short: 'Load variables from files, dynamically within a task',
    description: 'Loads YAML/JSON variables from a file (searched in vars/) or a directory during the play.',
    returns: { ansible_facts: 'The variables loaded.', ansible_included_var_files: 'Files loaded.' },
    examples: `- include_vars: myvars.yml

- include_vars:
    file: "{{ ansible_os_family }}.yml"
    name: os_vars`,
  },
  {
    file: { type: 'path', description: 'The file name from which variables should be loaded.' },
    dir: { type: 'path', description: 'The directory name from which variables should be loaded.' },
    name: { type: 'str', description: 'Assign the loaded variables to this variable.' },
    depth: { type: 'int', default: 0, description: 'With dir, how deep to descend (0: unlimited).' },
    files_matching: { type: 'str', description: 'With dir, only files matching this regex.' },
    ignore_files: { type: 'list', elements: 'str', description: 'With dir, files to ignore.' },
    extensions: { type: 'list', elements: 'str', default: ['json', 'yaml', 'yml'], description: 'File extensions to load with dir.' },
  },
  true,
);
