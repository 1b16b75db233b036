import { expect } from 'chai';
import fc from 'fast-check';
import { parseKnownHosts, checkHostKey } from '../../../engine/connection/knownhosts.ts';
import { parseSshConfig, resolveSshConfig } from '../../../engine/connection/sshconfig.ts';
import { parseSshArgs, shellSplit } from '../../../engine/connection/sshargs.ts';
import { connParamsFor } from '../../../engine/connection/params.ts';
import { TsplayError } from '../../../engine/types.ts';
import { parseFacts } from '../../../engine/facts/parse.ts';
import { SECTION_MARK } from '../../../engine/facts/script.ts';

const text = fc.string({ unit: 'binary', maxLength: 400 });
const lineish = fc.array(fc.oneof(fc.constantFrom('Host ', 'HostName', ' ', '=', '"', '*', '!', ',', '|1|', '@revoked', '\n', '#', 'ssh-ed25519 ', 'AAAA', '[h]:22', '-o', "'"), fc.string({ maxLength: 8 })), { maxLength: 60 }).map((a) => a.join(''));

describe('connection + facts parsers: any input gives a value, never an exception', () => {
  it('parseKnownHosts / checkHostKey', () => {
    fc.assert(fc.property(fc.oneof(text, lineish), (t) => {
      const es = parseKnownHosts(t);
      expect(['match', 'unknown', 'changed', 'revoked']).to.include(checkHostKey(es, ['h'], Buffer.from('x')).status);
    }), { numRuns: 300 });
  });

  it('parseSshConfig / resolveSshConfig', () => {
    fc.assert(fc.property(fc.oneof(text, lineish), fc.string({ maxLength: 10 }), (t, h) => {
      const c = resolveSshConfig(parseSshConfig(t), h);
      expect(c.identityfile).to.be.an('array');
    }), { numRuns: 300 });
  });

  it('shellSplit / parseSshArgs', () => {
    fc.assert(fc.property(fc.oneof(text, lineish), (t) => {
      expect(shellSplit(t)).to.be.an('array');
      expect(parseSshArgs(t).options).to.be.instanceOf(Map);
    }), { numRuns: 300 });
  });

  it('connParamsFor: a value or a TsplayError, for arbitrary var values', () => {
    const val = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), lineish);
    fc.assert(fc.property(fc.record({ ansible_host: val, ansible_port: val, ansible_user: val, ansible_connection: val, ansible_ssh_common_args: val, host_key_checking: val, ansible_become: val, ansible_become_method: val }, { requiredKeys: [] }), (vars) => {
      try {
        const p = connParamsFor('h', vars, {}, { sshConfig: [], env: {}, home: '/home/x', fileExists: () => false, localUser: 'x' });
        expect(p.port).to.be.within(1, 65535);
      } catch (e) {
        expect(e).to.be.instanceOf(TsplayError);
      }
    }), { numRuns: 300 });
  });

  it('parseFacts on arbitrary sections', () => {
    const names = fc.constantFrom('os_release', 'uname', 'meminfo', 'cpuinfo', 'ip_addr', 'route4', 'route6', 'sysnet', 'env', 'user', 'date', 'mounts', 'dmi', 'python', 'dns', 'loadavg', 'uptime', 'pkg_mgrs', 'init_comm');
    fc.assert(fc.property(fc.array(fc.tuple(names, fc.oneof(text, lineish)), { maxLength: 12 }), (secs) => {
      const out = secs.map(([n, v]) => `\n${SECTION_MARK}${n}@@\n${v}`).join('') + `\n${SECTION_MARK}end@@\n`;
      const f = parseFacts(out);
      expect(f).to.have.property('os_family');
      expect(JSON.parse(JSON.stringify(f))).to.be.an('object');
    }), { numRuns: 300 });
  });
});
