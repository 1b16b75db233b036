/**
 * IPv4 basics of Ansible's ipaddr family (ansible.utils / ansible.netcommon): validation,
 * queries ('address', 'network', 'netmask', 'prefix', 'broadcast', 'net', 'host', 'size',
 * 'first_usable', 'last_usable', 'subnet', 'private', 'public', an index, a CIDR to test
 * membership), ipv4, nthhost, ipmath, network_in_network, network_in_usable, and the tests
 * in_network / in_any_network / ip / ipv4. IPv6 values are validated but not queried.
 */
import { isIPv6 } from 'node:net';
import { ExprError } from '../errors.ts';
import { defineFilters, defineTests } from '../registry.ts';
import { asStr, pyStr, toInt } from '../values.ts';

/** An IPv4 interface: address + prefix length. */
export interface Net4 {
  ip: number;
  prefix: number;
}

function ipFromStr(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Dotted-quad text of a 32-bit address. */
export function ipToStr(n: number): string {
  n = n >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d`, `a.b.c.d/nn` or `a.b.c.d/255.255.255.0`; undefined when not IPv4. */
export function parseNet4(v: unknown): Net4 | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return { ip: v, prefix: 32 };
  const s = asStr(v)?.trim();
  if (!s) return undefined;
  const [a, p, extra] = s.split('/');
  if (extra !== undefined) return undefined;
  const ip = ipFromStr(a);
  if (ip === undefined) return undefined;
  if (p === undefined) return { ip, prefix: 32 };
  if (/^\d{1,2}$/.test(p)) {
    const n = parseInt(p, 10);
    return n <= 32 ? { ip, prefix: n } : undefined;
  }
  const mask = ipFromStr(p);
  if (mask === undefined) return undefined;
  const bits = mask.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) return undefined;
  return { ip, prefix: bits.indexOf('0') < 0 ? 32 : bits.indexOf('0') };
}

function network(n: Net4): number {
  return (n.ip & maskOf(n.prefix)) >>> 0;
}
function size(n: Net4): number {
  return Math.pow(2, 32 - n.prefix);
}
function broadcast(n: Net4): number {
  return (network(n) + size(n) - 1) >>> 0;
}
function contains(outer: Net4, inner: Net4): boolean {
  return inner.prefix >= outer.prefix && network({ ip: inner.ip, prefix: outer.prefix }) === network(outer);
}
function isPrivate(n: Net4): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '198.18.0.0/15'].some((c) => contains(parseNet4(c)!, n));
}

function query(value: unknown, n: Net4, q: unknown): unknown {
  const orig = pyStr(value);
  if (typeof q === 'number' || (typeof q === 'string' && /^-?\d+$/.test(q))) {
    const i = toInt(q, 'ipaddr index');
    const sz = size(n);
    const j = i < 0 ? sz + i : i;
    if (j < 0 || j >= sz) return false;
    return `${ipToStr(network(n) + j)}/${n.prefix}`;
  }
  const qs = pyStr(q);
  const cidr = parseNet4(qs);
  if (cidr && qs.includes('.')) return contains(cidr, n) ? value : false;
  const sz = size(n);
  const net = network(n);
  switch (qs) {
    case '': return value;
    case 'address': return sz > 1 && n.ip === net ? false : ipToStr(n.ip);
    case 'network': return ipToStr(net);
    case 'netmask': return ipToStr(maskOf(n.prefix));
    case 'hostmask': return ipToStr(~maskOf(n.prefix) >>> 0);
    case 'prefix': return n.prefix;
    case 'broadcast': return sz > 2 ? ipToStr(broadcast(n)) : false;
    case 'size': return sz;
    case 'net': return sz > 1 && n.ip === net ? `${ipToStr(net)}/${n.prefix}` : false;
    case 'subnet': case 'cidr': return `${ipToStr(net)}/${n.prefix}`;
    case 'host': return sz === 1 ? `${ipToStr(n.ip)}/32` : n.ip !== net ? `${ipToStr(n.ip)}/${n.prefix}` : false;
    case 'host/prefix': case 'address/prefix': return sz > 1 && n.ip !== net ? `${ipToStr(n.ip)}/${n.prefix}` : false;
    case 'first_usable': return sz > 2 ? ipToStr(net + 1) : sz === 2 ? ipToStr(net) : false;
    case 'last_usable': return sz > 2 ? ipToStr(broadcast(n) - 1) : sz === 2 ? ipToStr(broadcast(n)) : false;
    case 'range_usable': return sz > 2 ? `${ipToStr(net + 1)}-${ipToStr(broadcast(n) - 1)}` : false;
    case 'usable': return sz > 2 ? sz - 2 : sz;
    case 'int': return n.ip;
    case 'private': return isPrivate(n) ? value : false;
    case 'public': return isPrivate(n) ? false : value;
    case 'ipv4': case 'v4': case '4': return value;
    case 'ipv6': case 'v6': case '6': return false;
    case 'version': return 4;
    case 'bool': return true;
    case 'revdns': return ipToStr(n.ip).split('.').reverse().join('.') + '.in-addr.arpa.';
    case 'wrap': case 'ipwrap': return orig;
  }
  throw new ExprError(`ipaddr: unknown query '${qs}'`);
}

function ipaddr(value: unknown, q: unknown, v4only: boolean): unknown {
  if (Array.isArray(value)) return value.map((x) => ipaddr(x, q, v4only)).filter((x) => x !== false);
  const n = parseNet4(value);
  if (!n) {
    const s = asStr(value);
    if (!v4only && s && isIPv6(s.split('/')[0])) {
      if (q === undefined || q === '' || q === 'ipv6' || q === 'v6') return value;
      throw new ExprError(`ipaddr: query '${pyStr(q)}' on IPv6 values is not supported by tsplay`);
    }
    return false;
  }
  return query(value, n, q ?? '');
}

function need4(v: unknown, what: string): Net4 {
  const n = parseNet4(v);
  if (!n) throw new ExprError(`${what}: '${pyStr(v)}' is not an IPv4 address or network`);
  return n;
}

defineFilters({
  ipaddr: (v, a) => ipaddr(v, a[0], false),
  ipv4: (v, a) => ipaddr(v, a[0], true),
  ipv6: (v, a) => {
    if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' && isIPv6(x.split('/')[0]));
    const s = asStr(v);
    return s && isIPv6(s.split('/')[0]) && (a[0] === undefined || a[0] === '') ? v : false;
  },
  ipwrap: (v) => v,
  nthhost: (v, a) => {
    const n = need4(v, 'nthhost');
    const i = toInt(a[0], 'nthhost index');
    const sz = size(n);
    const j = i < 0 ? sz + i : i;
    return j < 0 || j >= sz ? false : ipToStr(network(n) + j);
  },
  ipmath: (v, a) => {
    const n = need4(v, 'ipmath');
    const r = n.ip + toInt(a[0], 'ipmath amount');
    if (r < 0 || r > 0xffffffff) throw new ExprError('ipmath: result out of the IPv4 range');
    return ipToStr(r);
  },
  next_nth_usable: (v, a) => {
    const n = need4(v, 'next_nth_usable');
    const r = n.ip + toInt(a[0], 'offset');
    return r > network(n) && r < broadcast(n) ? ipToStr(r) : false;
  },
  previous_nth_usable: (v, a) => {
    const n = need4(v, 'previous_nth_usable');
    const r = n.ip - toInt(a[0], 'offset');
    return r > network(n) && r < broadcast(n) ? ipToStr(r) : false;
  },
  network_in_network: (v, a) => contains(need4(v, 'network_in_network'), need4(a[0], 'network_in_network')),
  network_in_usable: (v, a) => {
    const outer = need4(v, 'network_in_usable');
    const inner = need4(a[0], 'network_in_usable');
    if (!contains(outer, inner)) return false;
    if (size(outer) <= 2) return true;
    return network(inner) !== network(outer) && broadcast(inner) !== broadcast(outer);
  },
  reduce_on_network: (v, a) => {
    const net = need4(a[0], 'reduce_on_network');
    return (Array.isArray(v) ? v : [v]).filter((x) => {
      const n = parseNet4(x);
      return n && contains(net, n);
    });
  },
});

defineTests({
  in_network: (v, a) => {
    const n = parseNet4(v);
    const net = parseNet4(a[0]);
    return !!(n && net && contains(net, n));
  },
  in_any_network: (v, a) => {
    const n = parseNet4(v);
    const nets = Array.isArray(a[0]) ? a[0] : [a[0]];
    return !!n && nets.some((x) => {
      const net = parseNet4(x);
      return !!net && contains(net, n);
    });
  },
  ip: (v) => !!parseNet4(v) || (typeof v === 'string' && isIPv6(v.split('/')[0])),
  ipv4: (v) => !!parseNet4(v),
  ipv6: (v) => typeof v === 'string' && isIPv6(v.split('/')[0]),
  ip_address: (v) => typeof v === 'string' && (!!ipFromStr(v) || ipFromStr(v) === 0 || isIPv6(v)),
  ipv4_address: (v) => typeof v === 'string' && ipFromStr(v) !== undefined,
  private: (v) => {
    const n = parseNet4(v);
    return !!n && isPrivate(n);
  },
});
