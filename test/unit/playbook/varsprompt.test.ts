/**
 * vars_prompt: loading, and asking through the REAL terminal code path (terminalPromptIO ->
 * engine/prompt.ts) with an injected stream posing as a TTY, or as a pipe (not interactive).
 * Expected values and question texts are what ansible-playbook 2.14 gave for the same plays
 * (on a pty through script(1), and with stdin from /dev/null).
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../../../engine/playbook/index.ts';
import { resolveVarsPrompt, terminalPromptIO, encryptAnswer } from '../../../engine/playbook/varsprompt.ts';
import type { VarsPromptSpec } from '../../../engine/playbook/model.ts';
import { setPromptIO, type PromptInput } from '../../../engine/prompt.ts';
import { templateValue } from '../../../engine/expr/index.ts';
import { UnsafeText } from '../../../engine/yaml.ts';
import { testOptions } from './helpers.ts';
import { localPlay } from '../executor/localplay.ts';

/** Load the vars_prompt specs of a one-play playbook text. */
function specsOf(yaml: string): VarsPromptSpec[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsp-vp-'));
  writeFileSync(join(dir, 'p.yml'), yaml);
  return loadPlaybook(join(dir, 'p.yml'), testOptions()).plays[0].varsPrompt ?? [];
}

/** A fake terminal: answers are fed line by line whenever a question was written. */
function fakeTerminal(tty: boolean, answers: string[]) {
  const input = new PassThrough() as PassThrough & PromptInput;
  const raw: boolean[] = [];
  if (tty) {
    input.isTTY = true;
    input.isRaw = false;
    input.setRawMode = (m: boolean) => {
      raw.push(m);
      input.isRaw = m;
      return input;
    };
  }
  let out = '';
  setPromptIO({
    input,
    output: {
      write: (s: string) => {
        out += s;
        // answer each question (not the newline after a hidden answer, not notes)
        if (/: $/.test(s)) setImmediate(() => input.write((answers.shift() ?? '') + (input.isRaw ? '\r' : '\n')));
        return true;
      },
    },
  });
  return { out: () => out, raw };
}

const VARS = { base: 'B' };
const ctx = (extraVars: Record<string, unknown> = {}, warnings: string[] = []) => ({
  extraVars,
  template: (v: unknown) => templateValue(v, { ...VARS, ...extraVars }),
  warn: (m: string) => warnings.push(m),
});

const PLAY = `- hosts: all
  gather_facts: false
  vars_prompt:
    - name: user
      prompt: Your name
      private: false
      default: bob
    - name: pw
      prompt: Password
      confirm: true
    - name: empty
      prompt: "Empty takes default {{ base }}"
      default: "d-{{ base }}"
  tasks: []
`;

describe('vars_prompt', () => {
  afterEach(() => setPromptIO(undefined));

  it('loads entries (list or a single mapping) with their positions', () => {
    const s = specsOf(PLAY);
    expect(s.map((x) => x.name)).to.deep.equal(['user', 'pw', 'empty']);
    expect(s[0]).to.include({ prompt: 'Your name', default: 'bob', private: false });
    expect(s[1].pos.line).to.equal(8);
    expect(specsOf('- hosts: all\n  vars_prompt: {name: one}\n  tasks: []\n').map((x) => x.name)).to.deep.equal(['one']);
  });

  it('on a terminal: Ansible\'s questions, visible/hidden input, confirm until both match, empty answer = default', async () => {
    const t = fakeTerminal(true, ['alice', 'one', 'two', 'sec', 'sec', '']);
    const v = await resolveVarsPrompt(specsOf(PLAY), terminalPromptIO, ctx());
    expect(v).to.deep.equal({ user: 'alice', pw: 'sec', empty: 'd-B' });
    expect(t.out()).to.equal(
      'Your name [bob]: ' +
        'Password: \nconfirm Password: \n***** VALUES ENTERED DO NOT MATCH ****\n' +
        'Password: \nconfirm Password: \n' +
        'Empty takes default B [d-B]: \n',
    );
    // hidden (private) answers are read in raw mode: the terminal never echoes them
    expect(t.out()).to.not.match(/one|two|sec/);
    expect(t.raw.filter((m) => m).length).to.equal(5);
  });

  it('a variable given with -e is not asked (and keeps its -e value)', async () => {
    const t = fakeTerminal(true, ['x']);
    const v = await resolveVarsPrompt(specsOf(PLAY), terminalPromptIO, ctx({ user: 'cli', pw: 'p', empty: 'e' }));
    expect(v).to.deep.equal({});
    expect(t.out()).to.equal('');
  });

  it('without a terminal: nothing read, one warning, defaults as strings, None without a default', async () => {
    const t = fakeTerminal(false, []);
    const warnings: string[] = [];
    const specs = specsOf('- hosts: all\n  vars_prompt:\n    - name: nodef\n    - name: num\n      default: 5\n    - name: d\n      default: "d-{{ base }}"\n  tasks: []\n');
    const v = await resolveVarsPrompt(specs, terminalPromptIO, ctx({}, warnings));
    expect(v).to.deep.equal({ nodef: 'None', num: '5', d: 'd-B' });
    expect(warnings).to.deep.equal(['Not prompting as we are not in interactive mode']);
    expect(t.out()).to.equal('');
  });

  it('encrypt: crypt(3) sha512/sha256/md5 with a given salt (same hash as Ansible), random salts otherwise; bad salts refused', async () => {
    fakeTerminal(false, []);
    const specs = specsOf('- hosts: all\n  vars_prompt:\n    - name: enc\n      default: secret\n      encrypt: sha512_crypt\n      salt: abcdefgh\n    - name: rnd\n      default: secret\n      encrypt: md5_crypt\n  tasks: []\n');
    const v = await resolveVarsPrompt(specs, terminalPromptIO, ctx());
    expect(v.enc).to.equal('$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG.');
    expect(v.rnd).to.match(/^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/);
    expect(() => encryptAnswer('x', 'sha256_crypt', 'bad salt!', undefined, { file: 'p.yml', line: 3 })).to.throw(/p\.yml:3.*invalid characters in salt|invalid characters in salt/);
    expect(() => encryptAnswer('x', 'md5_crypt', 'abcdefghi', undefined, { file: 'p.yml' })).to.throw(/invalid salt size/);
    expect(() => encryptAnswer('x', 'bcrypt', undefined, undefined, { file: 'p.yml' })).to.throw(/'bcrypt' is not supported/);
  });

  it('unsafe: true keeps {{ }} in the answer from being templated', async () => {
    fakeTerminal(true, ['{{ base }}', '{{ base }}']);
    const v = await resolveVarsPrompt(specsOf('- hosts: all\n  vars_prompt:\n    - name: u\n      unsafe: true\n    - name: s\n  tasks: []\n'), terminalPromptIO, ctx());
    expect(v.u).to.be.instanceOf(UnsafeText);
    expect(v.s).to.equal('{{ base }}');
  });

  it('in a run: answers are play variables (level 13), asked play by play; templated unless unsafe; -e wins', async () => {
    const asked: string[] = [];
    const answers = ['first', '{{ base }}', '{{ base }}'];
    const io = { interactive: () => true, ask: async (q: string) => (asked.push(q), answers.shift() ?? ''), note: () => undefined };
    const r = await localPlay(`- hosts: w1
  gather_facts: false
  vars: { base: B }
  vars_prompt:
    - name: a
    - name: safe
    - name: raw
      unsafe: true
    - name: given
  tasks:
    - debug: msg="{{ a }} {{ safe }} {{ raw }} {{ given }}"
- hosts: w1
  gather_facts: false
  vars_prompt:
    - name: second
      default: two
  tasks:
    - debug: msg="{{ second }}"
`, { extraVars: { given: 'cli' }, cfg: { varsPromptIO: io } });
    expect(r.code, JSON.stringify(r.failures)).to.equal(0);
    expect(asked).to.deep.equal(['a: ', 'safe: ', 'raw: ', 'second [two]: ']);
    expect(r.msgs.w1).to.deep.equal(['first B {{ base }} cli', 'two']);
  });

  it('in a run without a terminal: the warning event once, defaults used', async () => {
    const r = await localPlay('- hosts: w1\n  gather_facts: false\n  vars_prompt:\n    - {name: a, default: x}\n    - {name: b, default: y}\n  tasks:\n    - debug: msg="{{ a }}{{ b }}"\n');
    expect(r.msgs.w1).to.deep.equal(['xy']);
    expect(r.events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.msg : ''))).to.deep.equal(['Not prompting as we are not in interactive mode']);
  });
});
