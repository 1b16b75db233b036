/** openssl_privatekey: an RSA or ECDSA private key generated in-process (no openssl binary). */
import type { ModuleDef, ModuleResult, Plan } from '../engine/types.ts';
import { FILE_ATTR_ARGS } from '../engine/modules/attrs.ts';
import { applyWrite, type WriteState } from '../engine/modules/filewrite.ts';
import { mustSh } from '../engine/modules/remote.ts';
import { quote } from '../engine/modules/quote.ts';
import { readPems, planPemWrite } from '../engine/modules/pkifiles.ts';
import { generatePrivateKey, keyMatches, type KeySpec } from '../engine/pki/keys.ts';
import { registerSecret } from '../engine/secrets.ts';

type State = { kind: 'write'; w: WriteState; generate: boolean; spec: KeySpec } | { kind: 'absent'; path: string };

const describe = (s: KeySpec) => (s.type === 'RSA' ? `RSA ${s.size} bits` : `ECC ${s.curve}`);

const mod: ModuleDef<Record<string, any>, State> = {
  name: 'openssl_privatekey',
  aliases: ['community.crypto.openssl_privatekey'],
  doc: {
    short: 'Generate a private key (RSA or ECDSA) on the target',
    description:
      'Generates the key on the controller with Node crypto and writes it atomically with mode 0600 (default). An existing key of the requested type and size is kept (idempotent); force regenerates it. Key material never appears in output or diffs. Use delegate_to: localhost to keep keys on the controller.',
    check: 'full',
    diff: true,
    returns: { filename: 'path of the key', type: 'RSA or ECC', size: 'RSA bits', curve: 'ECC curve' },
    examples: `- openssl_privatekey:
    path: /etc/kubernetes/pki/ca-key.pem
    type: RSA
    size: 2048`,
  },
  args: {
    path: { type: 'path', required: true, description: 'Where the key is written (PEM: PKCS#1 for RSA, SEC1 for ECC).' },
    type: { type: 'str', default: 'RSA', choices: ['RSA', 'ECC'], description: 'Key algorithm.' },
    size: { type: 'int', default: 2048, description: 'RSA modulus size in bits.' },
    curve: { type: 'str', default: 'secp256r1', choices: ['secp256r1', 'secp384r1'], description: 'Curve for ECC keys.' },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'], description: 'absent removes the key.' },
    force: { type: 'bool', default: false, description: 'Regenerate even when a matching key exists.' },
    ...FILE_ATTR_ARGS,
    mode: { ...FILE_ATTR_ARGS.mode, default: '0600' },
  },
  async plan(args, ctx): Promise<Plan<State>> {
    const { key } = await readPems(ctx, { key: args.path }, ['key']);
    if (args.state === 'absent') {
      return { changed: key.exists, steps: key.exists ? [`remove ${args.path}`] : [], state: { kind: 'absent', path: args.path }, diff: ctx.diff && key.exists ? [{ before: 'state: present\n', after: 'state: absent\n', beforeHeader: args.path, afterHeader: args.path }] : [] };
    }
    const spec: KeySpec = { type: args.type, size: args.size, curve: args.curve };
    const generate = args.force || !key.text || !keyMatches(key.text, spec);
    const p = planPemWrite(ctx, key, Buffer.from('(generated at apply)'), args, generate, {
      before: key.exists ? `key: ${key.text && !generate ? describe(spec) : 'another key'}\n` : '',
      after: `key: ${describe(spec)}${generate ? ' (new)' : ''}\n`,
    });
    const steps = generate ? [`generate ${describe(spec)} key ${args.path}`, ...p.steps.filter((s) => !/content|create/.test(s))] : p.steps;
    return { changed: generate || p.changed, steps, diff: p.diff, state: { kind: 'write', w: p.state, generate, spec }, result: { filename: args.path, type: spec.type, size: spec.size, curve: spec.curve } };
  },
  async apply(args, plan, ctx): Promise<ModuleResult> {
    const st = plan.state!;
    if (st.kind === 'absent') {
      await mustSh(ctx, `rm -f -- ${quote(st.path)}`, `cannot remove ${st.path}`);
      return { changed: true, filename: st.path, state: 'absent' };
    }
    let w = st.w;
    if (st.generate) {
      const pem = generatePrivateKey(st.spec);
      registerSecret(pem.trim());
      w = { ...w, contentChanged: true, want: { ...w.want, content: Buffer.from(pem) } };
    }
    const r = await applyWrite(ctx, w);
    return { ...r, filename: args.path, type: st.spec.type, size: st.spec.size, curve: st.spec.curve, checksum: undefined };
  },
};

export default mod;
