import dns from 'node:dns';
import ipaddr from 'ipaddr.js';
import { WebhookError } from '../errors.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

/** Why an address is refused; undefined when it is public. */
export type BlockReason = string;

/** One refused range: its CIDR, the words an admin reads, and how to find an IPv4 it carries. */
interface SpecialRange {
  readonly cidr: Cidr;
  readonly reason: string;
  /** The IPv4 address this IPv6 range embeds, named in the reason when that IPv4 is itself refused. */
  readonly wraps?: (parts: readonly number[]) => ipaddr.IPv4;
}

const range = (cidr: string, reason: string, wraps?: SpecialRange['wraps']): SpecialRange => ({ cidr: ipaddr.parseCIDR(cidr), reason, wraps });
const v4From = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
const last32 = (p: readonly number[]) => v4From(p[6]!, p[7]!);

/**
 * Every range of IANA's IPv4 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv4-special-registry/), plus multicast (RFC 5771).
 * All are refused, including the few the registry marks globally reachable (AS112, AMT,
 * anycast relays): none is a place a webhook receiver lives. First match names the reason,
 * so narrower ranges come before the ranges that contain them.
 */
const IPV4_SPECIAL: readonly SpecialRange[] = [
  range('0.0.0.0/8', 'an unspecified address (0.0.0.0/8, "this network")'),
  range('10.0.0.0/8', 'a private address'),
  range('100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (169.254.0.0/16, cloud metadata)'),
  range('172.16.0.0/12', 'a private address'),
  range('192.0.0.0/24', 'a reserved address (IETF protocol assignments, 192.0.0.0/24)'),
  range('192.0.2.0/24', 'a documentation address (192.0.2.0/24)'),
  range('192.31.196.0/24', 'a reserved address (AS112)'),
  range('192.52.193.0/24', 'a reserved address (AMT)'),
  range('192.88.99.0/24', 'a reserved address (6to4 relay anycast, 192.88.99.0/24)'),
  range('192.168.0.0/16', 'a private address'),
  range('192.175.48.0/24', 'a reserved address (AS112)'),
  range('198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'),
  range('198.51.100.0/24', 'a documentation address (198.51.100.0/24)'),
  range('203.0.113.0/24', 'a documentation address (203.0.113.0/24)'),
  range('224.0.0.0/4', 'a multicast address'),
  range('255.255.255.255/32', 'the broadcast address'),
  range('240.0.0.0/4', 'a reserved address (240.0.0.0/4)'),
];

/**
 * Every range of IANA's IPv6 Special-Purpose Address Registry
 * (https://www.iana.org/assignments/iana-ipv6-special-registry/), plus the IPv4-translated
 * (RFC 2765), IPv4-compatible (RFC 4291 §2.5.5.1), site-local (RFC 3879) and multicast
 * ranges. Ranges that carry an IPv4 address are refused whole — a receiver has a real IPv4
 * or IPv6 address to use instead — and name the IPv4 they carry when that one is refused too.
 * Anything outside the global unicast space 2000::/3 is refused after this list.
 */
const IPV6_SPECIAL: readonly SpecialRange[] = [
  range('::/128', 'the unspecified IPv6 address (::)'),
  range('::1/128', 'the IPv6 loopback address (::1)'),
  range('::/96', 'a deprecated IPv4-compatible IPv6 address (::/96)', last32),
  range('::ffff:0:0/96', 'an IPv4-mapped IPv6 address (::ffff:0:0/96)', last32),
  range('::ffff:0:0:0/96', 'an IPv4-translated IPv6 address (::ffff:0:0:0/96)', last32),
  range('64:ff9b::/96', 'a NAT64 address (64:ff9b::/96)', last32),
  range('64:ff9b:1::/48', 'a local-use NAT64 address (64:ff9b:1::/48)', last32),
  range('100::/64', 'a discard-only IPv6 address (100::/64)'),
  range('100:0:0:1::/64', 'a dummy IPv6 address (100:0:0:1::/64)'),
  // Teredo: the server's IPv4 is bits 32–63 (the client's, obfuscated, is the last 32).
  range('2001::/32', 'a Teredo tunnel address (2001::/32)', (p) => v4From(p[2]!, p[3]!)),
  range('2001:2::/48', 'a benchmarking IPv6 address (2001:2::/48)'),
  range('2001:3::/32', 'a reserved IPv6 address (AMT)'),
  range('2001:4:112::/48', 'a reserved IPv6 address (AS112)'),
  range('2001:10::/28', 'a reserved IPv6 address (ORCHID)'),
  range('2001:20::/28', 'a reserved IPv6 address (ORCHIDv2)'),
  range('2001:30::/28', 'a reserved IPv6 address (drone remote ID)'),
  range('2001::/23', 'a reserved IPv6 address (IETF protocol assignments, 2001::/23)'),
  range('2001:db8::/32', 'a documentation IPv6 address (2001:db8::/32)'),
  range('2002::/16', 'a 6to4 address (2002::/16)', (p) => v4From(p[1]!, p[2]!)),
  range('2620:4f:8000::/48', 'a reserved IPv6 address (AS112)'),
  range('3fff::/20', 'a documentation IPv6 address (3fff::/20)'),
  range('5f00::/16', 'a segment-routing IPv6 address (5f00::/16)'),
  range('fc00::/7', 'a unique-local IPv6 address (fc00::/7)'),
  range('fe80::/10', 'a link-local IPv6 address (fe80::/10)'),
  range('fec0::/10', 'a deprecated site-local IPv6 address (fec0::/10)'),
  range('ff00::/8', 'a multicast IPv6 address'),
];

const GLOBAL_UNICAST_V6: Cidr = ipaddr.parseCIDR('2000::/3');
const MAPPED_V6: Cidr = ipaddr.parseCIDR('::ffff:0:0/96');
/** Longest text that can be an address: a full IPv6 with a dotted tail and a zone id. */
const MAX_ADDRESS_LENGTH = 100;

/** Parses "127.0.0.0/8,::1/128" (commas or spaces). Throws with the bad entry named. */
export function parseAllowList(text: string | undefined | null): Cidr[] {
  if (!text) return [];
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      try {
        return entry.includes('/') ? ipaddr.parseCIDR(entry) : ((p) => [p, p.kind() === 'ipv4' ? 32 : 128] as Cidr)(ipaddr.parse(entry));
      } catch {
        throw new TypeError(`"${entry}" is not an IP address or CIDR range (e.g. 127.0.0.0/8 or ::1/128).`);
      }
    });
}

function inCidr(addr: Addr, [net, bits]: Cidr): boolean {
  return net.kind() === addr.kind() && addr.match(net, bits);
}

/**
 * An IPv4 address and its IPv4-mapped form (::ffff:a.b.c.d) are one destination — the socket
 * connects to the IPv4 either way — so an allowlist entry in either notation admits both. No
 * other embedding is the same host (NAT64, 6to4 and Teredo reach it through a relay), so those
 * are admitted only by an entry that covers the IPv6 address itself.
 */
function inAllowList(addr: Addr, allow: readonly Cidr[]): boolean {
  const same: Addr[] = [addr];
  if (addr.kind() === 'ipv4') same.push((addr as ipaddr.IPv4).toIPv4MappedAddress());
  else if (inCidr(addr, MAPPED_V6)) same.push(last32((addr as ipaddr.IPv6).parts));
  return allow.some((cidr) => Array.isArray(cidr) && same.some((a) => inCidr(a, cidr)));
}

function v4Reason(addr: ipaddr.IPv4): string | undefined {
  return IPV4_SPECIAL.find((r) => inCidr(addr, r.cidr))?.reason;
}

function v6Reason(addr: ipaddr.IPv6): string | undefined {
  const special = IPV6_SPECIAL.find((r) => inCidr(addr, r.cidr));
  if (special) {
    const inner = special.wraps?.(addr.parts);
    const innerReason = inner && v4Reason(inner);
    return innerReason ? `${innerReason} wrapped in IPv6 (${inner} in ${special.reason})` : special.reason;
  }
  if (!inCidr(addr, GLOBAL_UNICAST_V6)) return 'an IPv6 address outside the global unicast space (2000::/3)';
  return undefined;
}

/**
 * IPv6 text ending in a dotted quad (::ffff:1.2.3.4), rewritten to hex groups as inet_pton
 * reads it: four decimal octets, no leading zeros. ipaddr.js reads "::1.2.3.4" as IPv4-mapped
 * and "::ffff:010.0.0.1" as 10.0.0.1; the resolver reads the first as ::102:304 and refuses the
 * second, so the guard must judge what the socket would connect to. Undefined when malformed.
 */
function canonicalDottedTail(text: string): string | undefined {
  const m = /^(.*:)([^:%]*\.[^:%]*)(%.*)?$/.exec(text);
  if (!m) return text;
  const octets = m[2]!.split('.');
  if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) return undefined;
  const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}${m[3] ?? ''}`;
}

/**
 * The SSRF decision for one IP address, total: it returns a verdict for every input and never
 * throws. Undefined means the address may be connected to; a string says why it is refused.
 * Only global unicast addresses outside every IANA special-purpose range pass (see
 * IPV4_SPECIAL and IPV6_SPECIAL), unless an allowlist entry covers the address. Accepts every
 * notation the C resolver does for IPv4 (dotted, decimal, octal, hex, short forms like
 * 127.1), IPv6 compressed or expanded, with an embedded dotted quad, in brackets, or with a
 * zone id (%eth0). Text that is not an IP address is refused, with that as the reason.
 */
export function blockReason(ip: string, allow: readonly Cidr[] = []): BlockReason | undefined {
  try {
    const text = typeof ip === 'string' && ip.length <= MAX_ADDRESS_LENGTH ? canonicalDottedTail(ip.replace(/^\[(.*)\]$/, '$1')) : undefined;
    if (!text || !ipaddr.isValid(text)) return `"${String(ip).slice(0, MAX_ADDRESS_LENGTH)}" is not a valid IP address`;
    const addr = ipaddr.parse(text);
    if (inAllowList(addr, Array.isArray(allow) ? allow : [])) return undefined;
    return addr.kind() === 'ipv4' ? v4Reason(addr as ipaddr.IPv4) : v6Reason(addr as ipaddr.IPv6);
  } catch (error) {
    // Unreachable by design; if a library change ever makes it reachable, refuse rather than throw.
    return `an address that could not be checked (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Raised when a destination resolves to (or is) an address the guard refuses. */
export class BlockedAddressError extends WebhookError {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super('EBLOCKED', `Blocked: ${host}${host === address ? '' : ` resolves to ${address}, which`} is ${reason}. Add it to the allowlist (WEBHOOKS_ALLOW_NETWORKS) to permit it.`);
    this.name = 'BlockedAddressError';
  }
}

export type LookupFn = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/** The operating system's resolver (getaddrinfo through dns.lookup): what deliveries use unless a lookup is injected. */
export const systemLookup: LookupFn = (hostname, options, callback) => dns.lookup(hostname, options, callback);
