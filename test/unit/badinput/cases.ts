/**
 * The CLI bad-input corpus beyond the loader's playbook fixtures: inventories (INI and YAML),
 * vars files, templates, -e values, host patterns, options, includes, binary junk and 50 MB
 * files. Each case names the files it needs (written into a temp dir) and the argv after
 * `tsplay`; `{inv}` is replaced by the good inventory, `{dir}` by the temp dir.
 */

/** One bad input run through the CLI. */
export interface BadCase {
  name: string;
  /** files to write (relative to the temp dir): text, or a Buffer for binary junk */
  files: Record<string, string | Buffer>;
  argv: string[];
  /** exit code as documented in docs/cli.md */
  rc: 1 | 2 | 4 | 5;
  /** the error line must match this */
  expect: RegExp;
  /** true when the error must carry file:line (everything read from a file) */
  fileLine: boolean;
}

const PLAY = (tasks: string, extra = '') => `- hosts: all\n  gather_facts: false\n${extra}  tasks:\n${tasks}`;
const OKPLAY = PLAY('    - debug: msg=hi\n');
const JUNK = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
const BIG = 50 * 1024 * 1024;

/** Build the cases (the 50 MB ones are generated lazily here, once). */
export function badCases(): BadCase[] {
  const big = (head: string) => head + 'x'.repeat(BIG - head.length - 2) + '"\n';
  const c: BadCase[] = [];
  const add = (x: BadCase) => c.push(x);
  const pb = (name: string, files: Record<string, string | Buffer>, expect: RegExp, rc: 1 | 2 | 4 | 5 = 4, extraArgs: string[] = []) =>
    add({ name, files: { 'p.yml': OKPLAY, ...files }, argv: ['{dir}/p.yml', '-i', '{inv}', ...extraArgs], rc, expect, fileLine: true });

  // ---- INI inventories
  const ini = (name: string, text: string | Buffer, expect: RegExp) =>
    add({ name: `inventory INI: ${name}`, files: { 'p.yml': OKPLAY, 'bad.ini': text }, argv: ['{dir}/p.yml', '-i', '{dir}/bad.ini'], rc: 4, expect, fileLine: true });
  ini('unclosed section header', '[web\nt1\n', /bad\.ini:1/);
  ini('bad host range', '[web]\nweb[01:x].example\n', /bad\.ini:2/);
  ini('range with a step of zero', '[web]\nweb[1:9:0]\n', /bad\.ini:2/);
  ini('vars line without =', '[web]\nt1\n[web:vars]\nnovalue\n', /bad\.ini:4/);
  ini('host var without =', '[web]\nt1 ansible_port\n', /bad\.ini:2/);
  ini('children of a group that is a host', '[web:children]\n[[broken]]\n', /bad\.ini:2/);
  ini('unknown section suffix', '[web:kids]\nt1\n', /bad\.ini:1/);
  ini('group child of itself', '[web:children]\nweb\n', /bad\.ini:2.*itself/);
  ini('circular group children', '[a:children]\nb\n[b:children]\na\n', /bad\.ini:4.*recursive/);
  ini('binary junk', Buffer.concat([Buffer.from('[web]\n'), JUNK]), /bad\.ini:\d+/);
  ini('unbalanced quotes in a var', '[web]\nt1 x="abc\n', /bad\.ini:2/);

  // ---- YAML inventories
  const yinv = (name: string, text: string | Buffer, expect: RegExp) =>
    add({ name: `inventory YAML: ${name}`, files: { 'p.yml': OKPLAY, 'bad.yml': text }, argv: ['{dir}/p.yml', '-i', '{dir}/bad.yml'], rc: 4, expect, fileLine: true });
  yinv('syntax error', 'all:\n  hosts: [a, b\n', /bad\.yml:\d+/);
  yinv('children is a number', 'all:\n  children: 5\n', /bad\.yml:2/);
  yinv('hosts is a list', 'all:\n  hosts:\n    - a\n    - b\n', /bad\.yml:\d+/);
  yinv('vars is a list', 'all:\n  vars:\n    - a\n', /bad\.yml:\d+/);
  yinv('duplicate keys', 'all:\n  hosts:\n    a:\n    a:\n', /bad\.yml:4/);
  yinv('circular group children', 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a: {}\n', /bad\.yml:\d+.*recursive/);
  yinv('vars is a number', 'all:\n  vars: 5\n', /bad\.yml:2/);
  yinv('binary junk', Buffer.concat([Buffer.from('all:\n'), JUNK]), /bad\.yml:\d+/);
  yinv('tab indentation', 'all:\n\thosts:\n', /bad\.yml:2/);

  // ---- vars files
  const vf = (name: string, text: string | Buffer, expect: RegExp) => pb(`vars file: ${name}`, { 'p.yml': PLAY('    - debug: msg=hi\n', '  vars_files: [v.yml]\n'), 'v.yml': text }, expect);
  vf('syntax error', 'a: [1, 2\n', /v\.yml:\d+/);
  vf('a list, not a mapping', '- a\n- b\n', /v\.yml:1/);
  vf('duplicate key', 'a: 1\nb: 2\na: 3\n', /v\.yml:3/);
  vf('binary junk', JUNK, /v\.yml:\d+/);
  vf('a plain string', 'just a string\n', /v\.yml:1.*mapping/);
  vf('vaulted, no password given', '$ANSIBLE_VAULT;1.1;AES256\n6162636465\n', /v\.yml:1/);
  add({ name: 'vars file: missing', files: { 'p.yml': PLAY('    - debug: msg=hi\n', '  vars_files: [nope.yml]\n') }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 1, expect: /p\.yml:\d+/, fileLine: true });

  // ---- group_vars / host_vars beside the inventory
  add({ name: 'group_vars file with a syntax error', files: { 'p.yml': OKPLAY, 'inv/hosts.ini': '[web]\nt1 ansible_host=127.0.0.1\n', 'inv/group_vars/web.yml': 'a: {b: 1\n' }, argv: ['{dir}/p.yml', '-i', '{dir}/inv/hosts.ini'], rc: 4, expect: /web\.yml:\d+/, fileLine: true });
  add({ name: 'host_vars file that is a list', files: { 'p.yml': OKPLAY, 'inv/hosts.ini': '[web]\nt1 ansible_host=127.0.0.1\n', 'inv/host_vars/t1.yml': '- 1\n' }, argv: ['{dir}/p.yml', '-i', '{dir}/inv/hosts.ini'], rc: 4, expect: /t1\.yml:1/, fileLine: true });

  // ---- templates (rendered on the controller; runtime errors, exit 2 as Ansible)
  const tpl = (name: string, src: string, text: string, expect: RegExp) =>
    add({ name: `template: ${name}`, files: { 'p.yml': PLAY(`    - template: { src: ${src}, dest: /tmp/tsplay-badinput }\n`), [src]: text }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 2, expect, fileLine: true });
  tpl('handlebars syntax error', 't.hbs', 'a\n{{#if x}}\nhello {{y}\n', /t\.hbs:\d+/);
  tpl('handlebars unclosed block', 't2.hbs', 'a\n{{#each xs}}\n{{this}}\n', /t2\.hbs:\d+/);
  tpl('unknown helper', 'h.hbs', 'a\n{{frobnicate x}}\n', /h\.hbs:2.*frobnicate/);
  tpl('undefined variable', 'u.j2', 'line one\nhello {{ nosuchvar }}\n', /u\.j2:\d+.*nosuchvar/);
  tpl('unknown filter', 'f.j2', 'x {{ "a" | nosuchfilter }}\n', /f\.j2:\d+.*nosuchfilter/);
  add({ name: 'template: missing template file', files: { 'p.yml': PLAY('    - template: { src: missing.j2, dest: /tmp/tsplay-badinput }\n') }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 2, expect: /Could not find or access 'missing\.j2'/, fileLine: false });

  // ---- expressions in playbooks (runtime, exit 2)
  const task = (name: string, t: string, expect: RegExp, rc: 2 | 4 = 2) => pb(`task: ${name}`, { 'p.yml': PLAY(t) }, expect, rc);
  task('undefined variable', '    - debug: msg="{{ nosuch }}"\n', /nosuch.*p\.yml:4/);
  task('expression syntax error', '    - debug: msg="{{ 1 + }}"\n', /p\.yml:4/);
  task('unknown filter', '    - debug: msg="{{ 1 | nosuchfilter }}"\n', /nosuchfilter.*p\.yml:4/);
  task('bad when', '    - debug: msg=hi\n      when: "1 +"\n', /p\.yml:4/);
  task('loop over a number', '    - debug: msg="{{ item }}"\n      loop: 5\n', /p\.yml:5/, 4);
  task('include_tasks missing file', '    - include_tasks: nope.yml\n', /p\.yml:4.*nope\.yml/);
  pb('include_role circular (dynamic)', { 'p.yml': PLAY('    - include_role: { name: ra }\n'), 'roles/ra/tasks/main.yml': '- include_role: name=rb\n', 'roles/rb/tasks/main.yml': '- include_role: name=ra\n' }, /\.yml:\d+.*include_role nested more than 100 levels deep/i, 2);
  pb('include_tasks circular (dynamic)', { 'p.yml': PLAY('    - include_tasks: a.yml\n'), 'a.yml': '- include_tasks: b.yml\n', 'b.yml': '- include_tasks: a.yml\n' }, /\.yml:\d+.*(circular|recursion|depth)/i, 2);

  // ---- -e values
  const ev = (name: string, e: string, expect: RegExp, files: Record<string, string | Buffer> = {}, fileLine = false, rc: 1 | 5 = 5) =>
    add({ name: `-e: ${name}`, files: { 'p.yml': OKPLAY, ...files }, argv: ['{dir}/p.yml', '-i', '{inv}', '-e', e], rc, expect, fileLine });
  ev('unterminated JSON', '{"a": ', /-e/);
  ev('missing @file (exit 1, as ansible-core)', '@{dir}/nope.yml', /nope\.yml/, {}, false, 1);
  ev('@file with a syntax error', '@{dir}/e.yml', /e\.yml:\d+/, { 'e.yml': 'a: [1\n' }, true);
  ev('@file that is a list', '@{dir}/e2.yml', /e2\.yml/, { 'e2.yml': '- 1\n' });
  ev('@file of binary junk', '@{dir}/e3.yml', /e3\.yml/, { 'e3.yml': JUNK });
  ev('a JSON list', '[1, 2]', /-e/);

  // ---- host patterns and options
  const opt = (name: string, args: string[], rc: 1 | 4 | 5, expect: RegExp) =>
    add({ name: `option: ${name}`, files: { 'p.yml': OKPLAY }, argv: ['{dir}/p.yml', '-i', '{inv}', ...args], rc, expect, fileLine: false });
  opt('--limit matching nothing', ['-l', 'nosuch'], 1, /no hosts/);
  opt('--limit with a dangling &', ['-l', 'all:&'], 1, /pattern/);
  opt('-e key without =', ['-e', 'a=1 b'], 5, /expected key=value/);
  opt('-e unterminated quote', ['-e', "a='x"], 5, /unterminated/);
  opt('--tags without a value', ['--tags'], 5, /--tags/);
  opt('--limit @missing file', ['-l', '@{dir}/nope.retry'], 1, /Unable to find limit file .*nope\.retry/);
  opt('unknown option', ['--bogus'], 5, /--bogus/);
  opt('--forks not a number', ['-f', 'abc'], 5, /forks/);
  opt('--timeout not a number', ['-T', 'x'], 5, /timeout/);
  opt('-i without a value', ['-i'], 5, /-i/);
  opt('--become-method unknown', ['--become-method', 'runas', '-b'], 5, /runas/);
  add({ name: 'option: missing inventory file', files: { 'p.yml': OKPLAY }, argv: ['{dir}/p.yml', '-i', '{dir}/nope.ini'], rc: 4, expect: /nope\.ini: inventory source not found/, fileLine: false });
  add({ name: 'option: missing playbook', files: {}, argv: ['{dir}/nope.yml', '-i', '{inv}'], rc: 1, expect: /the playbook: .*nope\.yml could not be found/, fileLine: false });
  add({ name: 'play hosts: bad pattern', files: { 'p.yml': '- hosts: "all:&"\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n' }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 1, expect: /pattern/, fileLine: false });

  // ---- 50 MB files
  add({ name: '50 MB playbook', files: { 'p.yml': big('- hosts: all\n  vars:\n    junk: "') }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 4, expect: /p\.yml:1: file is 50\.0 MB/, fileLine: true });
  add({ name: '50 MB INI inventory', files: { 'p.yml': OKPLAY, 'big.ini': big('[web]\nt1 junk="') }, argv: ['{dir}/p.yml', '-i', '{dir}/big.ini'], rc: 4, expect: /big\.ini:1:.*MB/, fileLine: true });
  add({ name: '50 MB vars file', files: { 'p.yml': PLAY('    - debug: msg=hi\n', '  vars_files: [v.yml]\n'), 'v.yml': big('junk: "') }, argv: ['{dir}/p.yml', '-i', '{inv}'], rc: 4, expect: /v\.yml:1:.*MB/, fileLine: true });
  return c;
}
