import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

/** Why an address is refused; undefined when it is public. */
export type BlockReason = string;

const V4_REASONS: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (169.254.0.0/16, cloud metadata)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address (198.18.0.0/15)',
  amt: 'a reserved address (AMT)',
  as112: 'a reserved address (AS112)',
};
const V6_REASONS: Record<string, string> = {
  unspecified: 'the unspecified IPv6 address (::)',
  linkLocal: 'a link-local IPv6 address (fe80::/10)',
  multicast: 'a multicast IPv6 address',
  loopback: 'the IPv6 loopback address (::1)',
  uniqueLocal: 'a unique-local IPv6 address (fc00::/7)',
  reserved: 'a reserved IPv6 address',
  benchmarking: 'a benchmarking IPv6 address',
  discard: 'a discard-only IPv6 address',
  orchid2: 'a reserved IPv6 address (ORCHIDv2)',
  deprecated: 'a deprecated IPv6 address',
  teredo: 'a Teredo tunnel address',
  droneRemoteIdProtocolEntityTags: 'a reserved IPv6 address',
  as112v6: 'a reserved IPv6 address (AS112)',
  amt: 'a reserved IPv6 address (AMT)',
};

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

function inAllowList(addr: Addr, allow: readonly Cidr[]): boolean {
  return allow.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits));
}

/**
 * The SSRF decision for one IP address: undefined when it may be connected to, else the
 * reason it is refused. Only globally routable unicast addresses pass, unless the address
 * is in the allowlist. IPv4 wrapped in IPv6 (mapped, NAT64, 6to4) is judged as the IPv4.
 */
export function blockReason(ip: string, allow: readonly Cidr[] = []): BlockReason | undefined {
  let addr: Addr;
  try {
    addr = ipaddr.parse(ip);
  } catch {
    return `"${ip}" is not a valid IP address`;
  }
  if (inAllowList(addr, allow)) return undefined;
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const embedded = embeddedIPv4(v6);
    if (embedded) {
      if (inAllowList(embedded, allow)) return undefined;
      const inner = v4Reason(embedded);
      return inner ? `${inner} wrapped in IPv6 (${v6.range()})` : undefined;
    }
    const range = v6.range();
    if (range === 'unicast') return undefined;
    return V6_REASONS[range] ?? `a non-public IPv6 address (${range})`;
  }
  return v4Reason(addr as ipaddr.IPv4);
}

function v4Reason(addr: ipaddr.IPv4): string | undefined {
  const range = addr.range();
  if (range === 'unicast') return undefined;
  return V4_REASONS[range] ?? `a non-public address (${range})`;
}

/** IPv4 carried inside an IPv6 address: ::ffff:a.b.c.d, ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = v6.range();
  const p = v6.parts;
  if (range === 'ipv4Mapped' || range === 'rfc6145') return v6.toIPv4Address();
  if (range === 'rfc6052' || (p[0] === 0x64 && p[1] === 0xff9b)) {
    return ipaddr.IPv4.parse(`${p[6]! >> 8}.${p[6]! & 0xff}.${p[7]! >> 8}.${p[7]! & 0xff}`);
  }
  if (range === '6to4') return ipaddr.IPv4.parse(`${p[1]! >> 8}.${p[1]! & 0xff}.${p[2]! >> 8}.${p[2]! & 0xff}`);
  // IPv4-compatible (deprecated) ::a.b.c.d, except :: and ::1 themselves.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7]! > 1)) {
    return ipaddr.IPv4.parse(`${p[6]! >> 8}.${p[6]! & 0xff}.${p[7]! >> 8}.${p[7]! & 0xff}`);
  }
  return undefined;
}

/** Raised when a destination resolves to (or is) an address the guard refuses. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`Blocked: ${host}${host === address ? '' : ` resolves to ${address}, which`} is ${reason}. Add it to the allowlist (WEBHOOKS_ALLOW_NETWORKS) to permit it.`);
    this.name = 'BlockedAddressError';
  }
}

export type LookupFn = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const defaultLookup: LookupFn = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * A `lookup` for net.connect that refuses hostnames resolving to any non-public address.
 * The check happens on the addresses the socket will really use, so DNS rebinding (a public
 * answer at validation time, a private one at connect time) cannot get through.
 */
export function guardedLookup(allow: () => readonly Cidr[], resolve: LookupFn = defaultLookup) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (!addresses.length) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      for (const a of addresses) {
        const reason = blockReason(a.address, allow());
        if (reason) return callback(new BlockedAddressError(hostname, a.address, reason), '', 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The check for a URL whose host is an IP literal (sockets skip lookup for those). */
export function checkLiteralHost(hostname: string, allow: readonly Cidr[]): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(bare)) {
    const reason = blockReason(bare, allow);
    if (reason) throw new BlockedAddressError(bare, bare, reason);
  }
}
