/** Network facts: interfaces, ansible_<iface> dicts, all_ipv4_addresses, default_ipv4/ipv6. */
import { lines, type Facts } from './sections.ts';

function ipv4Info(cidr: string, brd: string) {
  const [address, plen = '32'] = cidr.split('/');
  const n = Number(plen);
  const a = address.split('.').map(Number);
  const ai = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  const toIp = (x: number) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
  return { address, broadcast: brd, netmask: toIp(mask), network: toIp((ai & mask) >>> 0), prefix: String(n) };
}

const IFTYPE: Record<string, string> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };

/** The fact key of an interface (`eth0`, `br_int` for `br-int`). */
export function ifaceKey(name: string): string {
  return name.replace(/[-:.]/g, '_');
}

/** interfaces, ansible_<iface> dicts, all_ipv4/ipv6_addresses, default_ipv4/ipv6 (from the routing table). */
export function networkFacts(sec: Map<string, string>): Facts {
  const ifaces: Record<string, Record<string, unknown>> = {};
  const order: string[] = [];
  for (const l of lines(sec.get('sysnet'))) {
    const [name, type, mac, mtu, oper, flags, speed, kind] = l.split('|');
    if (!name) continue;
    const d: Record<string, unknown> = { device: name };
    if (mac && mac !== '00:00:00:00:00:00') d.macaddress = mac;
    if (/^\d+$/.test(mtu ?? '')) d.mtu = Number(mtu);
    d.active = oper !== 'down';
    d.type = kind === 'bridge' ? 'bridge' : kind === 'bonding' ? 'bonding' : IFTYPE[type ?? ''] ?? 'unknown';
    if (/^\d+$/.test(speed ?? '')) d.speed = Number(speed);
    if (/^0x[0-9a-f]+$/i.test(flags ?? '')) d.promisc = (parseInt(flags, 16) & 0x100) > 0;
    ifaces[name] = d;
    order.push(name);
  }
  const all4: string[] = [];
  const all6: string[] = [];
  for (const l of lines(sec.get('ip_addr'))) {
    const w = l.replace(/\\.*$/, '').trim().split(/\s+/);
    // "2: eth0    inet 198.18.0.11/24 brd 198.18.0.255 scope global eth0"
    if (w.length < 4) continue;
    const dev = w[1].replace(/:$/, '').replace(/@.*$/, '');
    const fam = w[2];
    const d = (ifaces[dev] ??= { device: dev, active: true, type: 'unknown' });
    if (!order.includes(dev)) order.push(dev);
    if (fam === 'inet') {
      const brdI = w.indexOf('brd');
      const info = ipv4Info(w[3], brdI > 0 ? w[brdI + 1] : '');
      const secondary = w.includes('secondary');
      if (!secondary && !d.ipv4) d.ipv4 = info;
      else ((d.ipv4_secondaries as unknown[]) ??= []).push(info);
      if (!info.address.startsWith('127.')) all4.push(info.address);
    } else if (fam === 'inet6') {
      const [address, prefix] = w[3].split('/');
      const si = w.indexOf('scope');
      ((d.ipv6 as unknown[]) ??= []).push({ address, prefix: prefix ?? '128', scope: si > 0 ? w[si + 1] : 'global' });
      if (address !== '::1') all6.push(address);
    }
  }
  const f: Facts = { interfaces: order, all_ipv4_addresses: all4, all_ipv6_addresses: all6 };
  for (const name of order) f[ifaceKey(name)] = ifaces[name];

  const defaultOf = (text: string | undefined, v6: boolean): Record<string, unknown> => {
    const l = lines(text).find((x) => x.startsWith('default'));
    if (!l) return {};
    const w = l.split(/\s+/);
    const at = (k: string) => (w.indexOf(k) > 0 ? w[w.indexOf(k) + 1] : undefined);
    const dev = at('dev');
    const d: Record<string, unknown> = {};
    if (at('via')) d.gateway = at('via');
    if (dev) d.interface = dev;
    const iface = dev ? ifaces[dev] : undefined;
    let address = at('src');
    if (!v6) {
      const ip4 = iface?.ipv4 as ReturnType<typeof ipv4Info> | undefined;
      address ??= ip4?.address;
      const info = address === ip4?.address ? ip4 : (iface?.ipv4_secondaries as ReturnType<typeof ipv4Info>[] | undefined)?.find((x) => x.address === address);
      if (address) d.address = address;
      if (info) Object.assign(d, { broadcast: info.broadcast, netmask: info.netmask, network: info.network, prefix: info.prefix, alias: dev });
    } else {
      const v6s = (iface?.ipv6 as { address: string; prefix: string; scope: string }[] | undefined) ?? [];
      const g = v6s.find((x) => x.address === address) ?? v6s.find((x) => x.scope === 'global');
      if (g) Object.assign(d, { address: g.address, prefix: g.prefix, scope: g.scope });
    }
    if (iface) {
      if (iface.macaddress) d.macaddress = iface.macaddress;
      if (iface.mtu !== undefined) d.mtu = iface.mtu;
      d.type = iface.type ?? 'unknown';
    }
    return d;
  };
  f.default_ipv4 = defaultOf(sec.get('route4'), false);
  f.default_ipv6 = defaultOf(sec.get('route6'), true);
  return f;
}

