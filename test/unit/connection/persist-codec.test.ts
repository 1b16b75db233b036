/** The connection keeper's wire format: frames (JSON header + raw payloads) and the error codec. */
import { expect } from 'chai';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, writeFrame } from '../../../engine/connection/persist/frame.ts';
import { decodeError, encodeError } from '../../../engine/connection/persist/errcodec.ts';
import { persistSeconds } from '../../../engine/connection/persist/paths.ts';
import { connectionId } from '../../../engine/connection/persist/keeper.ts';
import { defaultPersistSeconds } from '../../../engine/connection/pool.ts';
import { OptionsError, ParseError, TsplayError, UnreachableError } from '../../../engine/types.ts';
import { BecomeError, CommandTimeoutError, RemoteFileError } from '../../../engine/connection/errors.ts';
import { execFileSync } from 'node:child_process';

describe('connection keeper: frames', () => {
  it('round-trips a header and binary payloads byte-exactly (invalid UTF-8 included)', () => {
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a]);
    const [f] = new FrameDecoder().push(encodeFrame({ op: 'ok', id: 7, rc: 3 }, [bin, Buffer.alloc(0), Buffer.from('é')]));
    expect(f.header).to.deep.equal({ op: 'ok', id: 7, rc: 3 });
    expect(f.bufs.map((b) => b.toString('hex'))).to.deep.equal([bin.toString('hex'), '', Buffer.from('é').toString('hex')]);
  });

  it('reassembles frames split at any byte and several frames in one chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 })), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(200), { maxLength: 6 }), (msgs, cuts) => {
        const wire = Buffer.concat(msgs.map(([s, bs], i) => encodeFrame({ id: i, s }, bs.map((b) => Buffer.from(b)))));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const dec = new FrameDecoder();
        const got = [];
        let at = 0;
        for (const p of [...points, wire.length]) {
          got.push(...dec.push(wire.subarray(at, p)));
          at = p;
        }
        expect(got.map((f) => f.header)).to.deep.equal(msgs.map(([s], i) => ({ id: i, s })));
        expect(got.map((f) => f.bufs.map((b) => b.toString('hex')))).to.deep.equal(msgs.map(([, bs]) => bs.map((b) => Buffer.from(b).toString('hex'))));
      }),
    );
  });

  it('writeFrame sends a big payload without joining it, and it decodes byte-exactly', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i += 4099) big[i] = i % 251;
    const parts: Buffer[] = [];
    writeFrame({ write: (b: Buffer) => parts.push(b) }, { op: 'put', id: 9 }, [big, Buffer.from('tail')]);
    expect(parts.length).to.be.greaterThan(1);
    expect(parts.some((p) => p === big)).to.equal(true); // not copied
    const dec = new FrameDecoder();
    const got = [];
    const wire = Buffer.concat(parts);
    for (let at = 0; at < wire.length; at += 65536) got.push(...dec.push(wire.subarray(at, at + 65536)));
    expect(got).to.have.length(1);
    expect(got[0].header).to.deep.equal({ op: 'put', id: 9 });
    expect(got[0].bufs[0].equals(big)).to.equal(true);
    expect(got[0].bufs[1].toString()).to.equal('tail');
  });

  it('rejects a corrupt stream instead of reading garbage', () => {
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(2, 0);
    expect(() => new FrameDecoder().push(bad)).to.throw(/bad frame length/);
    const f = encodeFrame({ id: 1 }, [Buffer.from('abc')]);
    f.writeUInt32BE(f.readUInt32BE(0) + 1, 0); // claims one byte more than the header lists
    expect(() => new FrameDecoder().push(Buffer.concat([f, Buffer.from('x')]))).to.throw(/payload lengths/);
  });
});

describe('connection keeper: errors cross the socket as the same classes', () => {
  const cases: [string, Error, Function][] = [
    ['UnreachableError', new UnreachableError('ssh to h1 (root@198.18.0.1:22): connection refused', 'h1'), UnreachableError],
    ['BecomeError', new BecomeError('Incorrect sudo password', 'h2'), BecomeError],
    ['CommandTimeoutError', new CommandTimeoutError(1500, 'h3'), CommandTimeoutError],
    ['RemoteFileError', new RemoteFileError('could not read /x on h1: No such file or directory', 'h1'), RemoteFileError],
    ['ParseError', new ParseError('bad', { file: 'a.yml', line: 3, col: 4 }), ParseError],
    ['OptionsError', new OptionsError('bad option'), OptionsError],
    ['TsplayError', new TsplayError('command for h1 is too long'), TsplayError],
  ];
  for (const [name, e, cls] of cases) {
    it(name, () => {
      const back = decodeError(JSON.parse(JSON.stringify(encodeError(e))));
      expect(back).to.be.instanceOf(cls);
      expect(back.name).to.equal(e.name);
      expect(back.message).to.equal(e.message);
      expect((back as { host?: string }).host).to.equal((e as { host?: string }).host);
      if (e instanceof TsplayError) {
        expect((back as TsplayError).exitCode).to.equal(e.exitCode);
        expect((back as TsplayError).oneLine()).to.equal(e.oneLine());
      }
      if (e instanceof CommandTimeoutError) expect((back as CommandTimeoutError).timeoutMs).to.equal(1500);
    });
  }
  it('a plain Error stays a plain Error (no exit code invented)', () => {
    const back = decodeError(encodeError(new RangeError('boom')));
    expect(back).to.not.be.instanceOf(TsplayError);
    expect(back.message).to.equal('boom');
  });
});

describe('connection keeper: settings, identities', () => {
  it('TSPLAY_SSH_PERSIST: seconds, units, 0/no disables, garbage means the default', () => {
    expect(persistSeconds({})).to.equal(60);
    expect(persistSeconds({ TSPLAY_SSH_PERSIST: '5' })).to.equal(5);
    expect(persistSeconds({ TSPLAY_SSH_PERSIST: '2m' })).to.equal(120);
    expect(persistSeconds({ TSPLAY_SSH_PERSIST: '0' })).to.equal(0);
    expect(persistSeconds({ TSPLAY_SSH_PERSIST: 'no' })).to.equal(0);
    expect(persistSeconds({ TSPLAY_SSH_PERSIST: 'soon' })).to.equal(60);
  });

  it('library use (not the tsplay CLI) connects directly by default', () => {
    expect(defaultPersistSeconds()).to.equal(0);
  });

  it('a kept connection is shared only by identical connection parameters (user, key, password...)', () => {
    const base = { host: 'h1', connection: 'ssh', address: '198.18.0.1', port: 22, user: 'root', identityFiles: ['/k'], identitiesOnly: false, knownHostsFiles: [], strictHostKeyChecking: 'yes', proxyJump: [], connectTimeoutMs: 1, keepaliveIntervalMs: 1, keepaliveCountMax: 1, warnings: [] } as const;
    const id = connectionId({ ...base, identityFiles: ['/k'], knownHostsFiles: [], proxyJump: [], warnings: [] });
    expect(connectionId({ ...base, identityFiles: ['/k'], knownHostsFiles: [], proxyJump: [], warnings: ['x'], become: { method: 'sudo', user: 'root' } })).to.equal(id);
    expect(connectionId({ ...base, identityFiles: ['/k'], knownHostsFiles: [], proxyJump: [], warnings: [], user: 'bob' })).to.not.equal(id);
    expect(connectionId({ ...base, identityFiles: ['/k'], knownHostsFiles: [], proxyJump: [], warnings: [], password: 'pw' })).to.not.equal(id);
  });
});
