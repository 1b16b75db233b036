/**
 * Host identifiers in inventories: `host:port`, `[ipv6]:port`, and host ranges
 * (`web[01:20]`, `db-[a:f]`, `node[1:10:2]`). A port of Ansible's parse_address and
 * expand_hostname_range.
 */
import { TsplayError } from '../types.ts';

/** Most hosts one range expression may expand to (a guard against `h[0:999999999]`). */
export const MAX_RANGE_HOSTS = 100_000;

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const i6 = String.raw`(?:[0-9a-f]{1,4}|${hexRange})`;
const i4 = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const W = String.raw`[\p{L}\p{N}_]`;
const label = String.raw`(?:${W}|${alnumRange})(?:[\p{L}\p{N}_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/s;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/s;
const IPV4 = new RegExp(String.raw`^(?:${i4}\.){3}${i4}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${i6}:){7}${i6}`,
      `(?:${i6}:){1,6}:`,
      `(?:${i6}:)(?::${i6}){1,6}`,
      `(?:${i6}:){2}(?::${i6}){1,5}`,
      `(?:${i6}:){3}(?::${i6}){1,4}`,
      `(?:${i6}:){4}(?::${i6}){1,3}`,
      `(?:${i6}:){5}(?::${i6}){1,2}`,
      `(?:${i6}:){6}(?::${i6})`,
      `:(?::${i6}){1,6}`,
      `${i6}?::`,
      String.raw`(?:0:){6}(?:${i6}\.){3}${i6}`,
      String.raw`::(?:ffff:)?(?:${i6}\.){3}${i6}`,
      String.raw`(?:0:){5}ffff:(?:${i6}\.){3}${i6}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(String.raw`^${label}(?:\.${label})*$`, 'iu');
/**
 * The common case of HOSTNAME (a subset of it): ASCII labels without ranges. Tested first so the
 * big Unicode/IPv6 expressions above are compiled (milliseconds each, at start-up) only for
 * the rare names this does not accept.
 */
const ASCII_HOSTNAME = /^(?:[a-z0-9]|[a-z0-9_][a-z0-9_-]*[a-z0-9])(?:\.(?:[a-z0-9]|[a-z0-9_][a-z0-9_-]*[a-z0-9]))*$/i;

/** IPv4 needs three dots and IPv6 colons (every alternative has one): cheap pre-checks. */
const maybeIpv4 = (s: string): boolean => s.includes('.') && IPV4.test(s);
const maybeIpv6 = (s: string): boolean => s.includes(':') && IPV6.test(s);

/** True for a bare IPv4 or IPv6 address (Ansible keeps these whole for inventory_hostname_short). */
export function isIpAddress(name: string): boolean {
  return maybeIpv4(name) || maybeIpv6(name);
}

/**
 * Ansible's parse_address: split `host:port` / `[host]:port` and check the host is an IPv4/IPv6
 * address or a host name (ranges allowed). Returns undefined when it is none of those.
 */
export function parseAddress(address: string, allowRanges: boolean): { host: string; port?: number } | undefined {
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(address);
    if (m) {
      address = m[1];
      port = parseInt(m[2], 10);
    }
  }
  if (!(ASCII_HOSTNAME.test(address) || maybeIpv4(address) || maybeIpv6(address) || HOSTNAME.test(address))) return undefined;
  if (!allowRanges && address.includes('[')) return undefined;
  return { host: address, port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Expand host ranges: `web[01:03]` -> web01 web02 web03, `db-[a:c]` -> db-a db-b db-c,
 * `n[1:9:4]` -> n1 n5 n9; several ranges in one name multiply. Zero-padded begin and end must
 * have equal length. Throws TsplayError on a malformed range.
 */
export function expandHostRange(pattern: string): string[] {
  const out: string[] = [];
  expandInto(pattern, out);
  return out;
}

function expandInto(line: string, out: string[]): void {
  if (!line.includes('[')) {
    out.push(line);
    return;
  }
  const open = line.indexOf('[');
  const close = line.indexOf(']');
  if (close < open || line.includes('|')) throw new TsplayError(`invalid host range in '${line}'`);
  const head = line.slice(0, open);
  const nrange = line.slice(open + 1, close);
  const tail = line.slice(close + 1);
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new TsplayError(`host range must be begin:end or begin:end:step in '${line}'`);
  let [beg, end] = bounds;
  const stepText = bounds.length === 3 ? bounds[2] : '1';
  if (!beg) beg = '0';
  if (!end) throw new TsplayError(`host range must specify end value in '${line}'`);
  if (!/^\s*[+-]?\d+\s*$/.test(stepText)) throw new TsplayError(`host range step must be a number in '${line}'`);
  const step = parseInt(stepText, 10);
  if (step <= 0) throw new TsplayError(`host range step must be positive in '${line}'`);
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const rlen = beg.length;
    if (rlen !== end.length) throw new TsplayError(`host range must specify equal-length begin and end formats in '${line}'`);
    fill = (x) => String(x).padStart(rlen, '0');
  }
  let seq: (string | number)[];
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new TsplayError(`host range must have begin <= end in '${line}'`);
    seq = [];
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]);
  } else {
    if (!/^\s*[+-]?\d+\s*$/.test(beg) || !/^\s*[+-]?\d+\s*$/.test(end)) throw new TsplayError(`invalid host range '[${nrange}]' in '${line}'`);
    const b = parseInt(beg, 10);
    const e = parseInt(end, 10);
    if (e >= b && (e - b) / step + 1 > MAX_RANGE_HOSTS) {
      throw new TsplayError(`host range '[${nrange}]' expands to more than ${MAX_RANGE_HOSTS} hosts`);
    }
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  for (const x of seq) {
    expandInto(head + fill(x) + tail, out);
    if (out.length > MAX_RANGE_HOSTS) throw new TsplayError(`host range in '${line}' expands to more than ${MAX_RANGE_HOSTS} hosts`);
  }
}

/**
 * Ansible's BaseInventoryPlugin._expand_hostpattern: separate an optional port, then expand
 * ranges. A pattern that is not a valid address is kept whole (and gets no port).
 */
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  const a = parseAddress(pattern, true);
  const base = a ? a.host : pattern;
  const port = a?.port;
  return { hosts: base.includes('[') ? expandHostRange(base) : [base], port };
}

/** Ansible's `inventory_hostname_short`: an IP address stays whole, a name is cut at the first dot. */
export function inventoryHostnameShort(name: string): string {
  return isIpAddress(name) ? name : name.split('.')[0];
}
