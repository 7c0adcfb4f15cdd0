import { expect } from 'chai';
import fc from 'fast-check';
import type dns from 'node:dns';
import { blockReason, BlockedAddressError, parseAllowList, type LookupFn } from '../../../plugins/webhooks/delivery/ssrf-guard.js';
import { safeLookup } from '../../../plugins/webhooks/delivery/transport.js';

/**
 * Property tests of the SSRF decision. The ranges below are copied from IANA's registries
 * (not from the guard) and membership is computed here with plain integers, so the guard's
 * table and its IP library are checked against an independent reading. Pure: nothing connects.
 *
 * https://www.iana.org/assignments/iana-ipv4-special-registry/ (plus multicast, RFC 5771)
 * https://www.iana.org/assignments/iana-ipv6-special-registry/ (plus the ranges named below)
 */
const IANA_V4 = [
  '0.0.0.0/8', '0.0.0.0/32', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.0.0/29', '192.0.0.8/32', '192.0.0.9/32', '192.0.0.10/32', '192.0.0.170/32', '192.0.0.171/32',
  '192.0.2.0/24', '192.31.196.0/24', '192.52.193.0/24', '192.88.99.0/24', '192.88.99.2/32', '192.168.0.0/16',
  '192.175.48.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '255.255.255.255/32',
  '224.0.0.0/4', // multicast
];
const IANA_V6 = [
  '::1/128', '::/128', '::ffff:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '100:0:0:1::/64', '2001::/23',
  '2001::/32', '2001:1::1/128', '2001:1::2/128', '2001:1::3/128', '2001:2::/48', '2001:3::/32', '2001:4:112::/48',
  '2001:10::/28', '2001:20::/28', '2001:30::/28', '2001:db8::/32', '2002::/16', '2620:4f:8000::/48', '3fff::/20',
  '5f00::/16', 'fc00::/7', 'fe80::/10',
  '::ffff:0:0:0/96', // IPv4-translated (RFC 2765), the answer that used to crash the host
  '::/96', // IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)
  'fec0::/10', // site-local, deprecated (RFC 3879)
  'ff00::/8', // multicast
];

// ---------------------------------------------------------------- integers and ranges

interface V4Range { net: number; bits: number }
interface V6Range { net: bigint; bits: number }

const v4ToInt = (dotted: string) => dotted.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const v4Octets = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const v4Dotted = (n: number) => v4Octets(n).join('.');
const v4Mask = (bits: number) => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
const inV4 = (n: number, r: V4Range) => ((n & v4Mask(r.bits)) >>> 0) === r.net;

/** Expands an IPv6 text (with "::" and an optional dotted tail) to a 128-bit integer. */
function v6ToInt(text: string): bigint {
  let groups: string[];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  if (text.includes('::')) {
    const [head, tail] = text.split('::') as [string, string];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  } else groups = text.split(':');
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}
const V6_ALL = (1n << 128n) - 1n;
const v6Mask = (bits: number) => (V6_ALL << BigInt(128 - bits)) & V6_ALL;
const inV6 = (n: bigint, r: V6Range) => (n & v6Mask(r.bits)) === r.net;
const v6Groups = (n: bigint) => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));

const V4_RANGES: V4Range[] = IANA_V4.map((c) => ({ net: v4ToInt(c.split('/')[0]!), bits: Number(c.split('/')[1]) }));
const V6_RANGES: V6Range[] = IANA_V6.map((c) => ({ net: v6ToInt(c.split('/')[0]!), bits: Number(c.split('/')[1]) }));
const isSpecialV4 = (n: number) => V4_RANGES.some((r) => inV4(n, r));
const GLOBAL_UNICAST: V6Range = { net: v6ToInt('2000::'), bits: 3 };

// ---------------------------------------------------------------- arbitraries: addresses

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const v4In = (r: V4Range) => uint32.map((rand) => (r.net | (rand & ~v4Mask(r.bits))) >>> 0);
const v6In = (r: V6Range) => fc.bigInt({ min: 0n, max: V6_ALL }).map((rand) => r.net | (rand & ~v6Mask(r.bits) & V6_ALL));

const specialV4 = fc.constantFrom(...V4_RANGES).chain(v4In);
const specialV6 = fc.constantFrom(...V6_RANGES).chain(v6In);
const publicV4 = uint32.filter((n) => !isSpecialV4(n));
const publicV6 = v6In(GLOBAL_UNICAST).filter((n) => !V6_RANGES.some((r) => inV6(n, r)));

// ---------------------------------------------------------------- arbitraries: notations

/** One IPv4 part in decimal, octal (leading 0) or hex (0x, either case, padded or not). */
const v4Part = (value: number) =>
  fc.oneof(
    fc.constant(String(value)),
    fc.nat({ max: 3 }).map((pad) => '0'.repeat(pad + 1) + value.toString(8)),
    fc.tuple(fc.boolean(), fc.boolean(), fc.nat({ max: 3 })).map(([upperX, upperDigits, pad]) => {
      const digits = '0'.repeat(pad) + value.toString(16);
      return (upperX ? '0X' : '0x') + (upperDigits ? digits.toUpperCase() : digits);
    }),
  );

/**
 * Every notation inet_aton (and the WHATWG URL parser) reads as IPv4: a.b.c.d, a.b.c (c is 16
 * bits), a.b (b is 24 bits) and a (32 bits), each part decimal, octal or hex.
 */
const v4Notation = (n: number): fc.Arbitrary<string> => {
  const [a, b, c, d] = v4Octets(n) as [number, number, number, number];
  const shapes = [[a, b, c, d], [a, b, (c << 8) | d], [a, (b << 16) | (c << 8) | d], [n]];
  return fc.constantFrom(...shapes).chain((parts) => fc.tuple(...parts.map(v4Part)).map((ps) => ps.join('.')));
};

/** IPv6 text for a 128-bit integer, in one of the spellings RFC 4291 §2.2 and RFC 5952 allow. */
const v6Notation = (n: bigint, { zone = true } = {}): fc.Arbitrary<string> => {
  const groups = v6Groups(n);
  const hex = (g: number, pad: boolean, upper: boolean) => {
    const s = pad ? g.toString(16).padStart(4, '0') : g.toString(16);
    return upper ? s.toUpperCase() : s;
  };
  return fc
    .record({
      pad: fc.boolean(),
      upper: fc.boolean(),
      compress: fc.nat({ max: 8 }), // which run of zero groups becomes "::" (if any)
      dottedTail: fc.boolean(),
      zoneId: zone ? fc.option(fc.constantFrom('eth0', '1', 'en0'), { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ pad, upper, compress, dottedTail, zoneId }) => {
      let parts = groups.map((g) => hex(g, pad, upper));
      if (dottedTail) parts = [...parts.slice(0, 6), `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`];
      const zeroRuns: [number, number][] = [];
      for (let i = 0; i < 6 + (dottedTail ? 0 : 2); i++) {
        if (groups[i] !== 0) continue;
        let j = i;
        while (j < (dottedTail ? 6 : 8) && groups[j] === 0) j++;
        zeroRuns.push([i, j]);
        i = j;
      }
      let text = parts.join(':');
      if (zeroRuns.length && compress < 8) {
        const [from, to] = zeroRuns[compress % zeroRuns.length]!;
        text = `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`;
      }
      return zoneId ? `${text}%${zoneId}` : text;
    });
};

/** IPv6 spellings that carry an IPv4 address: mapped, translated, compatible, NAT64, 6to4, Teredo. */
const wrappers = (n: number) => {
  const hi = (n >>> 16).toString(16);
  const lo = (n & 0xffff).toString(16);
  const dotted = v4Dotted(n);
  const x16 = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
  return fc.oneof(
    fc.constantFrom(`::ffff:${dotted}`, `::ffff:${hi}:${lo}`, `0:0:0:0:0:ffff:${dotted}`, `0000:0000:0000:0000:0000:FFFF:${hi}:${lo}`),
    fc.constantFrom(`::ffff:0:${dotted}`, `::ffff:0:${hi}:${lo}`, `0:0:0:0:ffff:0:${hi}:${lo}`),
    fc.constantFrom(`64:ff9b::${dotted}`, `64:ff9b::${hi}:${lo}`, `64:ff9b:0:0:0:0:${hi}:${lo}`),
    fc.tuple(x16, x16).map(([a, b]) => `64:ff9b:1:${a}:${b}::${dotted}`),
    fc.tuple(x16, x16).map(([subnet, iface]) => `2002:${hi}:${lo}:${subnet}::${iface}`),
    fc.tuple(x16, x16).map(([flags, port]) => `2001:0:${hi}:${lo}:${flags}:${port}:${(~n >>> 16 & 0xffff).toString(16)}:${(~n & 0xffff).toString(16)}`),
  );
};
/** The host the WHATWG URL parser (and so undici) makes of a literal, or undefined if it refuses it. */
function urlHost(literal: string): string | undefined {
  try {
    return new URL(`http://${literal.includes(':') ? `[${literal}]` : literal}/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

const RUNS = { numRuns: 500 };

describe('plugins/webhooks SSRF guard: properties', () => {
  it('blocks every address of every IANA special-purpose IPv4 range, in every IPv4 notation', () => {
    fc.assert(
      fc.property(specialV4.chain((n) => fc.tuple(fc.constant(n), v4Notation(n))), ([n, text]) => {
        expect(blockReason(text), `${text} (${v4Dotted(n)})`).to.be.a('string').and.not.match(/not a valid IP/);
        expect(urlHost(text), text).to.equal(v4Dotted(n));
        expect(blockReason(urlHost(text)!), v4Dotted(n)).to.be.a('string');
      }),
      RUNS,
    );
  });

  it('blocks every address of every IANA special-purpose IPv6 range, in every IPv6 notation', () => {
    fc.assert(
      fc.property(specialV6.chain((n) => v6Notation(n)), (text) => {
        expect(blockReason(text), text).to.be.a('string').and.not.match(/not a valid IP/);
        expect(blockReason(`[${text}]`), `[${text}]`).to.be.a('string').and.not.match(/not a valid IP/);
        const host = urlHost(text.replace(/%.*$/, ''));
        expect(host, text).to.be.a('string');
        expect(blockReason(host!), host).to.be.a('string');
      }),
      RUNS,
    );
  });

  it('blocks a blocked IPv4 wrapped in IPv6 (mapped, translated, compatible, NAT64, 6to4, Teredo), naming it', () => {
    fc.assert(
      fc.property(specialV4.chain((n) => fc.tuple(fc.constant(n), wrappers(n))), ([n, text]) => {
        const reason = blockReason(text);
        expect(reason, text).to.be.a('string').and.not.match(/not a valid IP/);
        if (!/^2001:0:|^64:ff9b:1:/.test(text)) expect(reason, text).to.include('wrapped in IPv6').and.include(v4Dotted(n));
        expect(blockReason(urlHost(text)!), text).to.equal(reason);
      }),
      RUNS,
    );
  });

  it('blocks a public IPv4 wrapped in IPv6 too: those ranges are refused whole', () => {
    fc.assert(
      fc.property(publicV4.chain(wrappers), (text) => {
        expect(blockReason(text), text).to.be.a('string').and.not.match(/not a valid IP|wrapped/);
      }),
      RUNS,
    );
  });

  it('lets ordinary public IPv4 addresses through, in every notation', () => {
    fc.assert(
      fc.property(publicV4.chain((n) => fc.tuple(fc.constant(n), v4Notation(n))), ([n, text]) => {
        expect(blockReason(text), `${text} (${v4Dotted(n)})`).to.equal(undefined);
        expect(blockReason(urlHost(text)!), v4Dotted(n)).to.equal(undefined);
      }),
      RUNS,
    );
  });

  it('lets ordinary public IPv6 addresses through, in every notation', () => {
    fc.assert(
      fc.property(publicV6.chain((n) => v6Notation(n)), (text) => {
        expect(blockReason(text), text).to.equal(undefined);
        expect(blockReason(urlHost(text.replace(/%.*$/, ''))!), text).to.equal(undefined);
      }),
      RUNS,
    );
  });

  it('blocks IPv6 outside the global unicast space 2000::/3', () => {
    const outside = fc.bigInt({ min: 0n, max: V6_ALL }).filter((n) => !inV6(n, GLOBAL_UNICAST));
    fc.assert(fc.property(outside.chain((n) => v6Notation(n)), (text) => {
      expect(blockReason(text), text).to.be.a('string');
    }), RUNS);
  });

  it('is total: any text gets a verdict, never an exception, and non-addresses are refused', () => {
    const ipish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefxX.:%[]ffff'.split('')), maxLength: 48 });
    const anything = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), ipish, fc.ipV4(), fc.ipV4Extended(), fc.ipV6());
    fc.assert(
      fc.property(anything, (text) => {
        let reason: string | undefined;
        expect(() => (reason = blockReason(text))).not.to.throw();
        if (reason === undefined) expect(urlHost(text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')), `${text} passed but is no URL host`).to.be.a('string');
      }),
      { numRuns: 2000 },
    );
    for (const odd of [undefined, null, 42, {}, [], '', ' ', '[]', 'x'.repeat(10_000), '::ffff:010.0.0.1', '::1%']) {
      expect(blockReason(odd as never), String(odd)).to.be.a('string');
    }
  });

  it('judges a literal as the URL parser (and so the socket) reads it', () => {
    // fast-check's own generators of extended IPv4 and IPv6 (with dotted tails), not ours.
    fc.assert(
      fc.property(fc.oneof(fc.ipV4Extended(), fc.ipV6()), (text) => {
        const host = urlHost(text);
        if (host !== undefined) expect(blockReason(text), `${text} → ${host}`).to.equal(blockReason(host));
      }),
      { numRuns: 2000 },
    );
  });

  it('an allowlist admits exactly its ranges', () => {
    const v4Entry = fc.tuple(specialV4, fc.integer({ min: 8, max: 32 })).map(([n, bits]) => ({ kind: 4 as const, net: (n & v4Mask(bits)) >>> 0, bits }));
    const v6Entry = fc.tuple(specialV6, fc.integer({ min: 16, max: 128 })).map(([n, bits]) => ({ kind: 6 as const, net: n & v6Mask(bits), bits }));
    fc.assert(
      fc.property(fc.oneof(v4Entry, v6Entry), specialV4, specialV6, fc.nat(), (entry, other4, other6, seed) => {
        const text = entry.kind === 4 ? `${v4Dotted(entry.net)}/${entry.bits}` : `${v6Groups(entry.net).map((g) => g.toString(16)).join(':')}/${entry.bits}`;
        const allow = parseAllowList(text);
        if (entry.kind === 4) {
          const inside = (entry.net | (seed & ~v4Mask(entry.bits))) >>> 0;
          expect(blockReason(v4Dotted(inside), allow), `${v4Dotted(inside)} in ${text}`).to.equal(undefined);
          expect(blockReason(`::ffff:${v4Dotted(inside)}`, allow), 'its IPv4-mapped form is the same address').to.equal(undefined);
          expect(blockReason(`64:ff9b::${v4Dotted(inside)}`, allow), 'NAT64 reaches it through a relay: not the same').to.be.a('string');
          if (!inV4(other4, entry)) expect(blockReason(v4Dotted(other4), allow), `${v4Dotted(other4)} outside ${text}`).to.be.a('string');
        } else {
          const inside = entry.net | (BigInt(seed) * 0x9e3779b97f4a7c15n & ~v6Mask(entry.bits) & V6_ALL);
          const insideText = v6Groups(inside).map((g) => g.toString(16)).join(':');
          expect(blockReason(insideText, allow), `${insideText} in ${text}`).to.equal(undefined);
          if (!inV6(other6, entry)) {
            const otherText = v6Groups(other6).map((g) => g.toString(16)).join(':');
            expect(blockReason(otherText, allow), `${otherText} outside ${text}`).to.be.a('string');
          }
        }
      }),
      RUNS,
    );
  });

  it('refuses, through the callback, a DNS answer in any special range — the lookup never throws', async () => {
    const answers = fc.oneof(specialV4.map(v4Dotted), specialV6.map((n) => v6Groups(n).map((g) => g.toString(16)).join(':')));
    await fc.assert(
      fc.asyncProperty(answers, async (address) => {
        const fakeDns: LookupFn = (_h, _o, cb) => cb(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
        const lookup = safeLookup({ exempt: () => false, blockReason: (a) => blockReason(a, []) }, fakeDns);
        const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
          lookup('answer.test', {}, (e: NodeJS.ErrnoException | null, _a: string | dns.LookupAddress[]) => resolve(e)),
        );
        expect(err, address).to.be.instanceOf(BlockedAddressError);
      }),
      { numRuns: 200 },
    );
  });
});
