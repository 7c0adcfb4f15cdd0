import { expect } from 'chai';
import { literalDestinationRefusal, typedHost } from '../../../plugins/webhooks/delivery/destination-refusal.js';
import { BlockedAddressError, blockReason, hostText } from '../../../plugins/webhooks/delivery/ssrf-guard.js';
import { classify } from '../../../plugins/webhooks/delivery/transport.js';
import type { DestinationPolicy } from '../../../plugins/webhooks/delivery/transport.js';

const policy: DestinationPolicy = { exempt: () => false, blockReason: (a) => blockReason(a) };
/** No message has a run of punctuation a host ran into: "::: ", ":::", "..". */
const noRunTogether = (text: string) => expect(text, text).to.not.match(/:::|\.\.|[^\]\w]: it is/);

describe('webhooks: destination messages show the host as typed, IPv6 in brackets, no doubled punctuation', () => {
  it('hostText brackets IPv6, drops a name’s root dot, leaves the rest', () => {
    expect(hostText('::')).to.equal('[::]');
    expect(hostText('[::1]')).to.equal('[::1]');
    expect(hostText('2002:7f00:1::')).to.equal('[2002:7f00:1::]');
    expect(hostText('localhost.')).to.equal('localhost');
    expect(hostText('10.0.0.1')).to.equal('10.0.0.1');
    expect(hostText('example.com')).to.equal('example.com');
  });

  it('the save-time refusal names the host as typed, not as the URL parser normalised it', () => {
    expect(typedHost('http://user@[::ffff:10.0.0.1]:8080/x', '?')).to.equal('[::ffff:10.0.0.1]');
    const mapped = literalDestinationRefusal('http://[::ffff:127.0.0.1]/', policy)!;
    expect(mapped).to.match(/^Webhooks cannot be sent to \[::ffff:127\.0\.0\.1\]: it is /).and.not.include('7f00');
    for (const url of ['http://[::]/', 'http://[2002:7f00:1::]/', 'http://0x7f.1/', 'http://[fd00::1]:81/']) noRunTogether(literalDestinationRefusal(url, policy)!);
    expect(literalDestinationRefusal('http://0x7f.1/', policy)).to.include('sent to 0x7f.1:');
    expect(literalDestinationRefusal('https://example.com/', policy)).to.equal(undefined);
  });

  it('delivery errors bracket IPv6 and do not end in ".."', () => {
    noRunTogether(new BlockedAddressError('::', '::', 'an unspecified address').message);
    expect(new BlockedAddressError('v6.test', 'fd00::1', 'a private address').message).to.include('v6.test resolves to [fd00::1], which');
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND localhost.'), { code: 'ENOTFOUND' });
    expect(classify(dns, new URL('http://localhost./x'), 1000, 1000)).to.deep.equal(['dns', 'Could not resolve host localhost.']);
    const tls = Object.assign(new Error('certificate has expired.'), { code: 'CERT_HAS_EXPIRED' });
    noRunTogether(classify(tls, new URL('https://[2002:7f00:1::]/'), 1000, 1000)[1]);
  });
});
