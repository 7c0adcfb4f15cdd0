import { expect } from 'chai';
import type dns from 'node:dns';
import { blockReason, parseAllowList, BlockedAddressError, type LookupFn } from '../../../plugins/webhooks/delivery/ssrf-guard.js';
import { safeLookup, type DestinationPolicy } from '../../../plugins/webhooks/delivery/transport.js';

/** The engine's policy without exemptions: the guard's verdict with an empty allowlist. */
const GUARD: DestinationPolicy = { exempt: () => false, blockReason: (address) => blockReason(address, []) };
import { Receiver } from '../../helpers/receiver.js';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';

/**
 * Hostile destinations. No test ever connects to these: the guard's decision is tested as a
 * pure function, and the socket path through an injected DNS answer that is refused before
 * any connection. Connection-level tests use loopback names only.
 */
const HOSTILE_URLS = [
  'http://127.0.0.1/',
  'http://127.1/',
  'http://2130706433/', // decimal 127.0.0.1
  'http://0x7f000001/', // hex
  'http://0177.0.0.1/', // octal
  'http://0x7f.0.0.1/',
  'http://localhost./', // resolves through DNS → tested via lookup below
  'http://0.0.0.0/',
  'http://0/',
  'http://10.0.0.1/',
  'http://10.255.255.255/',
  'http://172.16.0.1/',
  'http://172.31.255.254/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.0.1/',
  'http://100.64.0.1/',
  'http://100.127.255.254/',
  'http://224.0.0.1/',
  'http://239.255.255.250/',
  'http://255.255.255.255/',
  'http://240.0.0.1/',
  'http://198.18.0.1/',
  'http://192.0.0.1/',
  'http://[::1]/',
  'http://[::]/',
  'http://[fe80::1]/',
  'http://[fc00::1]/',
  'http://[fd12:3456:789a::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::a00:1]/', // NAT64 of 10.0.0.1
  'http://[64:ff9b::7f00:1]/', // NAT64 of 127.0.0.1
  'http://[2002:a00:1::]/', // 6to4 of 10.0.0.1
  'http://[2002:c0a8:101::1]/', // 6to4 of 192.168.1.1
  'http://[ff02::1]/',
  'http://[::127.0.0.1]/', // IPv4-compatible
];

describe('plugins/webhooks SSRF guard', () => {
  describe('blockReason (pure decision)', () => {
    for (const url of HOSTILE_URLS.filter((u) => !u.includes('localhost'))) {
      it(`refuses ${url}`, () => {
        const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
        const reason = blockReason(host);
        expect(reason, `${url} → ${host}`).to.be.a('string');
      });
    }

    it('lets public unicast addresses through', () => {
      for (const ip of ['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e']) {
        expect(blockReason(ip), ip).to.equal(undefined);
      }
    });

    it('refuses IPv4-in-IPv6 ranges whole, even around a public IPv4', () => {
      expect(blockReason('::ffff:8.8.8.8')).to.equal('an IPv4-mapped IPv6 address (::ffff:0:0/96)');
      expect(blockReason('64:ff9b::808:808')).to.equal('a NAT64 address (64:ff9b::/96)');
      expect(blockReason('2002:808:808::1')).to.equal('a 6to4 address (2002::/16)');
    });

    it('gives a verdict, never an exception, for an IPv4-translated address (::ffff:0:0:0/96)', () => {
      // ipaddr.js's toIPv4Address() throws for this range: the exception used to escape the
      // socket's lookup callback and stop the host.
      expect(blockReason('::ffff:0:7f00:1')).to.equal('a loopback address wrapped in IPv6 (127.0.0.1 in an IPv4-translated IPv6 address (::ffff:0:0:0/96))');
      expect(blockReason('::ffff:0:808:808')).to.equal('an IPv4-translated IPv6 address (::ffff:0:0:0/96)');
      expect(blockReason('[::ffff:0:a00:1]')).to.match(/a private address wrapped in IPv6/);
    });

    it('says why, in words', () => {
      expect(blockReason('169.254.169.254')).to.include('link-local').and.include('metadata');
      expect(blockReason('10.1.2.3')).to.equal('a private address');
      expect(blockReason('::ffff:10.1.2.3')).to.include('a private address wrapped in IPv6');
    });

    it('an explicit allowlist admits exactly its ranges', () => {
      const allow = parseAllowList('127.0.0.0/8, ::1/128');
      expect(blockReason('127.0.0.1', allow)).to.equal(undefined);
      expect(blockReason('::1', allow)).to.equal(undefined);
      expect(blockReason('::ffff:127.0.0.1', allow)).to.equal(undefined);
      expect(blockReason('10.0.0.1', allow)).to.be.a('string');
      expect(blockReason('169.254.169.254', allow)).to.be.a('string');
    });

    it('rejects a malformed allowlist entry, naming it', () => {
      expect(() => parseAllowList('127.0.0.0/8,not-a-cidr')).to.throw(/"not-a-cidr" is not an IP address or CIDR range/);
    });

    it('judges bracketed IPv6 literals as URLs carry them, and refuses a name (it is not an address)', () => {
      expect(blockReason('[::ffff:a00:1]')).to.include('a private address');
      expect(blockReason('example.com')).to.equal('"example.com" is not a valid IP address');
    });
  });

  describe('safeLookup (what the socket resolves)', () => {
    const fakeDns = (answers: Record<string, string[]>): LookupFn => (hostname, _opts, cb) => {
      const list = answers[hostname];
      if (!list) return cb(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
      cb(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    };
    const lookup = safeLookup(GUARD, fakeDns({
      'internal.example': ['10.0.0.5'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '192.168.0.10'],
      'public.example': ['93.184.216.34'],
      'localhost.': ['127.0.0.1'],
      'v6.example': ['fd00::1'],
    }));
    const resolve = (host: string, all = false) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | dns.LookupAddress[] }>((r) =>
        lookup(host, { all }, (err, address) => r({ err, address })),
      );

    for (const host of ['internal.example', 'metadata.example', 'mixed.example', 'localhost.', 'v6.example']) {
      it(`refuses ${host}, which resolves to a non-public address`, async () => {
        const { err } = await resolve(host);
        expect(err).to.be.instanceOf(BlockedAddressError);
        expect(err!.message).to.match(/^Blocked: .* resolves to /);
      });
    }

    it('answers public names in both callback shapes', async () => {
      expect((await resolve('public.example')).address).to.equal('93.184.216.34');
      expect((await resolve('public.example', true)).address).to.deep.equal([{ address: '93.184.216.34', family: 4 }]);
    });
  });

  describe('through the transport', () => {
    let w: WebhooksApp;
    let receiver: Receiver;
    beforeEach(async () => {
      receiver = new Receiver();
      await receiver.start();
    });
    afterEach(async () => {
      await w.hp.close();
      await receiver.close();
    });

    it('refuses loopback when it is not allowlisted, and the receiver sees nothing', async () => {
      w = await makeWebhooksApp({ allowNetworks: '' });
      const result = await w.service.send_test_event({ url: `${receiver.url}/hook`, event: 'payment_received' });
      expect(result).to.include({ ok: false, errorClass: 'blocked' });
      expect(result.errorMessage).to.include('a loopback address');
      expect(receiver.requests).to.have.length(0);
    });

    it('refuses a name that resolves to a private address, at connect time', async () => {
      // The injected resolver answers 10.0.0.7 for this name: the guard refuses it in the
      // socket's own lookup, so no packet is ever sent.
      const lookup: LookupFn = (_h, _o, cb) => cb(null, [{ address: '10.0.0.7', family: 4 }]);
      w = await makeWebhooksApp({ allowNetworks: '127.0.0.0/8', lookup });
      const result = await w.service.send_test_event({ url: 'http://rebinding.test/hook', event: 'payment_received' });
      expect(result).to.include({ ok: false, errorClass: 'blocked' });
      expect(result.errorMessage).to.equal('Blocked: rebinding.test resolves to 10.0.0.7, which is a private address. Add it to the allowlist (WEBHOOKS_ALLOW_NETWORKS) to permit it.');
    });

    it('reports an IPv4-translated literal as blocked, not as a network error', async () => {
      w = await makeWebhooksApp({ allowNetworks: '' });
      const result = await w.service.send_test_event({ url: 'http://[::ffff:0:7f00:1]/hook', event: 'payment_received' });
      expect(result).to.include({ ok: false, errorClass: 'blocked' });
      expect(result.errorMessage).to.include('a loopback address wrapped in IPv6');
    });

    it('refuses a DNS answer in the IPv4-translated range without throwing from the lookup', async () => {
      const lookup: LookupFn = (_h, _o, cb) => cb(null, [{ address: '::ffff:0:a00:7', family: 6 }]);
      w = await makeWebhooksApp({ allowNetworks: '', lookup });
      const result = await w.service.send_test_event({ url: 'http://translated.test/hook', event: 'payment_received' });
      expect(result).to.include({ ok: false, errorClass: 'blocked' });
      expect(result.errorMessage).to.include('translated.test resolves to ::ffff:0:a00:7, which is a private address wrapped in IPv6');
    });

    it('does not follow a redirect to a private address', async () => {
      w = await makeWebhooksApp();
      receiver.reply = () => ({ status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
      const result = await w.service.send_test_event({ url: `${receiver.url}/hook`, event: 'payment_received' });
      expect(result).to.include({ ok: false, status: 307, errorClass: 'http' });
      expect(result.errorMessage).to.include('redirects are not followed');
      expect(receiver.requests).to.have.length(1);
    });

    it('admits loopback through the network option allowlist too', async () => {
      w = await makeWebhooksApp({ allowNetworks: '' });
      w.hp.host.options.update_site_option('webhooks_allow_networks', '127.0.0.1/32');
      const result = await w.service.send_test_event({ url: `${receiver.url}/hook`, event: 'payment_received' });
      expect(result.ok).to.equal(true);
    });
  });
});
