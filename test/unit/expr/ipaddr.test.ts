import { expect } from 'chai';
import { TsplayError } from '../../../engine/types.ts';
import { evaluate } from '../../../engine/expr/index.ts';

const ev = (x: string) => evaluate(x, { nets: ['198.18.0.5', 'bogus', '198.19.1.1/24', 'fe80::1'] });

/** Values follow the ansible.utils ipaddr documentation (netaddr semantics). */
const cases: [string, unknown][] = [
  ["'192.168.0.1' | ipaddr", '192.168.0.1'], ["'192.168.32.0/24' | ipaddr", '192.168.32.0/24'], ["'localhost' | ipaddr", false],
  ["'' | ipaddr", false], ["'fe80::100/10' | ipaddr", 'fe80::100/10'], ["'fe80::100/10' | ipv4", false], ["'300.1.1.1' | ipaddr", false],
  ["'192.168.0.1/24' | ipaddr('address')", '192.168.0.1'], ["'192.168.0.0/24' | ipaddr('address')", false],
  ["'192.168.0.1/24' | ipaddr('network')", '192.168.0.0'], ["'192.168.0.1/24' | ipaddr('netmask')", '255.255.255.0'],
  ["'192.168.0.1/24' | ipaddr('prefix')", 24], ["'192.168.0.1/24' | ipaddr('broadcast')", '192.168.0.255'],
  ["'192.168.0.0/24' | ipaddr('net')", '192.168.0.0/24'], ["'192.168.0.1/24' | ipaddr('net')", false],
  ["'192.168.0.1/24' | ipaddr('host')", '192.168.0.1/24'], ["'192.168.0.1' | ipaddr('host')", '192.168.0.1/32'],
  ["'192.168.0.1/24' | ipaddr('subnet')", '192.168.0.0/24'], ["'192.168.0.0/24' | ipaddr('size')", 256],
  ["'192.168.0.0/24' | ipaddr('first_usable')", '192.168.0.1'], ["'192.168.0.0/24' | ipaddr('last_usable')", '192.168.0.254'],
  ["'192.168.0.0/24' | ipaddr(5)", '192.168.0.5/24'], ["'192.168.0.0/24' | ipaddr('-1')", '192.168.0.255/24'],
  ["'192.168.0.1/255.255.255.0' | ipaddr('prefix')", 24], ["'10.1.2.3' | ipaddr('private')", '10.1.2.3'], ["'8.8.8.8' | ipaddr('private')", false],
  ["'8.8.8.8' | ipaddr('public')", '8.8.8.8'], ["'198.18.0.7' | ipaddr('198.18.0.0/15')", '198.18.0.7'], ["'10.0.0.5' | ipaddr('198.18.0.0/15')", false],
  ["'10.0.0.5' | ansible.utils.ipaddr('10.0.0.0/8')", '10.0.0.5'], ["'10.0.0.5' | ansible.netcommon.ipv4('address')", '10.0.0.5'],
  ['nets | ipaddr', ['198.18.0.5', '198.19.1.1/24', 'fe80::1']], ['nets | ipv4', ['198.18.0.5', '198.19.1.1/24']], ["nets | ipv4('address')", ['198.18.0.5', '198.19.1.1']],
  ["'10.0.0.0/8' | nthhost(305)", '10.0.1.49'], ["'198.18.0.0/24' | ansible.utils.nthhost(10)", '198.18.0.10'], ["'198.18.0.0/24' | nthhost(-2)", '198.18.0.254'],
  ["'198.18.0.0/24' | nthhost(300)", false], ["'198.18.0.10' | ipmath(5)", '198.18.0.15'], ["'198.18.0.10' | ipmath(-11)", '198.17.255.255'],
  ["'192.168.0.0/16' | network_in_network('192.168.1.0/24')", true], ["'192.168.0.0/16' | network_in_network('192.168.1.1')", true],
  ["'192.168.1.0/24' | network_in_network('192.168.0.0/16')", false], ["'192.168.0.0/24' | network_in_usable('192.168.0.1')", true],
  ["'192.168.0.0/24' | network_in_usable('192.168.0.255')", false], ["'192.168.0.0/24' | network_in_usable('192.168.0.0')", false],
  ["'192.168.0.0/24' | next_nth_usable(5)", '192.168.0.5'], ["'192.168.0.0/24' | ipaddr('range_usable')", '192.168.0.1-192.168.0.254'],
  ["['10.0.0.1', '198.18.0.2'] | reduce_on_network('198.18.0.0/15')", ['198.18.0.2']], ["'198.18.0.9' | ipaddr('revdns')", '9.0.18.198.in-addr.arpa.'],
];

describe('expr: ipaddr filters', () => {
  for (const [x, want] of cases) it(`${x}`, () => expect(ev(x)).to.deep.equal(want));
  it('bad arguments are errors', () => {
    expect(() => ev("'x' | nthhost(1)")).to.throw(TsplayError, "nthhost: 'x' is not an IPv4 address");
    expect(() => ev("'1.2.3.4' | ipaddr('nonsense')")).to.throw(TsplayError, "unknown query 'nonsense'");
    expect(() => ev("'fe80::1' | ipaddr('network')")).to.throw(TsplayError, /IPv6/);
  });
});
