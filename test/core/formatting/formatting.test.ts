import { expect } from 'chai';
import { esc_url, is_email, sanitize_email, sanitize_key, sanitize_text_field, sanitize_textarea_field, sanitize_url, WP_ALLOWED_PROTOCOLS } from '../../../core/formatting/formatting.js';

// Cases from WordPress's own phpunit tests (tests/phpunit/tests/formatting/*.php).
describe('core/formatting: WordPress’s sanitizers', () => {
  it('sanitize_text_field / sanitize_textarea_field (sanitizeTextField.php)', () => {
    const cases: Array<[unknown, string | { oneline: string; multiline: string }]> = [
      ['оРангутанг', 'оРангутанг'],
      ['САПР', 'САПР'],
      ['one is < two', 'one is &lt; two'],
      ['one is <\n two', { oneline: 'one is &lt; two', multiline: 'one is &lt;\n two' }],
      ['foo <div\n> bar', { oneline: 'foo bar', multiline: 'foo  bar' }],
      ['foo <\ndiv\n> bar', { oneline: 'foo &lt; div > bar', multiline: 'foo &lt;\ndiv\n> bar' }],
      ['tags <span>are</span> <em>not allowed</em> here', 'tags are not allowed here'],
      [' we should trim leading and trailing whitespace ', 'we should trim leading and trailing whitespace'],
      ['we  trim  extra  internal  whitespace  only  in  single  line  texts', { oneline: 'we trim extra internal whitespace only in single line texts', multiline: 'we  trim  extra  internal  whitespace  only  in  single  line  texts' }],
      ['tabs \tget removed in single line texts', { oneline: 'tabs get removed in single line texts', multiline: 'tabs \tget removed in single line texts' }],
      ['newlines are allowed only\n in multiline texts', { oneline: 'newlines are allowed only in multiline texts', multiline: 'newlines are allowed only\n in multiline texts' }],
      ['We also %AB remove %ab octets', 'We also remove octets'],
      ['%AB%BC%DE', ''],
      ['Invalid octects remain %II', 'Invalid octects remain %II'],
      ['Nested octects %%%ABABAB %A%A%ABBB', 'Nested octects'],
      [[], ''],
      [[1, 2, 'foo'], ''],
      [{}, ''],
      [2, '2'],
      [false, ''],
      [true, '1'],
      [10.1, '10.1'],
    ];
    for (const [input, expected] of cases) {
      const one = typeof expected === 'string' ? expected : expected.oneline;
      const multi = typeof expected === 'string' ? expected : expected.multiline;
      expect(sanitize_text_field(input), JSON.stringify(input)).to.equal(one);
      expect(sanitize_textarea_field(input), JSON.stringify(input)).to.equal(multi);
    }
    expect(sanitize_text_field('a<script>alert(1)</script>b'), 'script content goes too').to.equal('ab');
    expect(sanitize_text_field('bad \uD800 surrogate'), 'invalid UTF-16').to.equal('');
  });

  it('is_email (isEmail.php)', () => {
    for (const ok of ['bob@example.com', 'phil@example.info', 'phil@TLA.example', 'ace@204.32.222.14', 'kevin@many.subdomains.make.a.happy.man.edu', 'a@b.co', 'bill+ted@example.com', '..@example.com']) {
      expect(is_email(ok), ok).to.equal(ok);
    }
    for (const bad of ['khaaaaaaaaaaaaaaan!', 'http://bob.example.com/', "sif i'd give u it, spamer!1", 'com.exampleNOSPAMbob', 'bob@your mom', '" "@b.c', 'h(aj@couc.ou', 'hi@', 'hi@hi@couc.ou', '(ab)cd@couc.ou', 'toto@to', 'to@[2001:db8::1]', 'to@[IPv6:2001:db8::1]', 'to@[192.168.1.1]']) {
      expect(is_email(bad), bad).to.equal(false);
    }
  });

  it('sanitize_email keeps what is_email accepts and strips the rest', () => {
    expect(sanitize_email('bob@example.com')).to.equal('bob@example.com');
    expect(sanitize_email('b(o)b@exa mple.com.')).to.equal('bob@example.com');
    expect(sanitize_email('bob@example..com'), 'a period sequence is removed').to.equal('');
    expect(sanitize_email('hi@-sub-.example.com')).to.equal('hi@sub.example.com');
    expect(sanitize_email('toto@to')).to.equal('');
    expect(sanitize_email('nope')).to.equal('');
    expect(sanitize_email('()@example.com')).to.equal('');
  });

  it('sanitize_key', () => {
    expect(sanitize_key('My Key-1_x!')).to.equal('mykey-1_x');
  });

  describe('esc_url (escUrl.php)', () => {
    it('spaces, bad characters, relative and bare URLs', () => {
      expect(esc_url('http://example.com/Mr WordPress')).to.equal('http://example.com/Mr%20WordPress');
      expect(esc_url('http://example.com/Mr%20%20WordPress')).to.equal('http://example.com/Mr%20%20WordPress');
      expect(esc_url(' http://example.com/Mr+WordPress')).to.equal('http://example.com/Mr+WordPress');
      expect(esc_url('http://example.com/?foo=one two three&bar=four')).to.equal('http://example.com/?foo=one%20two%20three&#038;bar=four');
      expect(esc_url('http://example.com/watchthelinefeed%0Ago')).to.equal('http://example.com/watchthelinefeedgo');
      expect(esc_url('http://example.com/watchthecarriagereturn%0%0ddgo')).to.equal('http://example.com/watchthecarriagereturngo');
      expect(esc_url('http://example.com/%0%0%0DAD')).to.equal('http://example.com/');
      expect(esc_url('http://example.com/%0%0%0ADa')).to.equal('http://example.com/');
      expect(esc_url('/example.php')).to.equal('/example.php');
      expect(esc_url('example.php')).to.equal('example.php');
      expect(esc_url('#fragment')).to.equal('#fragment');
      expect(esc_url('?foo=bar')).to.equal('?foo=bar');
      expect(esc_url('example.com?foo')).to.equal('http://example.com?foo');
      expect(esc_url('localhost')).to.equal('http://localhost');
      expect(esc_url('баба.org/баба')).to.equal('http://баба.org/баба');
    });

    it('all URL parts, encoding and display extras', () => {
      const url = 'https://user:pass@host.example.com:1234/path;p=1?query=2&r[]=3#fragment';
      expect(sanitize_url(url)).to.equal('https://user:pass@host.example.com:1234/path;p=1?query=2&r%5B%5D=3#fragment');
      expect(esc_url(url)).to.equal('https://user:pass@host.example.com:1234/path;p=1?query=2&#038;r%5B%5D=3#fragment');
      expect(sanitize_url('http://example.com?foo=1&bar=2')).to.equal('http://example.com?foo=1&bar=2');
      expect(sanitize_url('http://example.com?foo=1&amp;bar=2')).to.equal('http://example.com?foo=1&amp;bar=2');
      expect(esc_url('http://example.com?foo=1&bar=2')).to.equal('http://example.com?foo=1&#038;bar=2');
      expect(esc_url('http://example.com?foo=1&amp;bar=2')).to.equal('http://example.com?foo=1&#038;bar=2');
      expect(esc_url('http://example.com?foo=1&#038;bar=2')).to.equal('http://example.com?foo=1&#038;bar=2');
      const param = encodeURIComponent('http://example.com/?one=1&two=2');
      expect(esc_url(`http://example.com?url=${param}`)).to.equal(`http://example.com?url=${param}`);
      expect(esc_url("http://example.com/'quoted'")).to.equal('http://example.com/&#039;quoted&#039;');
      expect(esc_url("http://example.com/'quoted'", null, 'notdisplay')).to.equal("http://example.com/'quoted'");
    });

    it('protocols, including feed: nesting', () => {
      expect(esc_url('nasty://example.com/')).to.equal('');
      expect(esc_url('example.com', ['https'])).to.equal('');
      expect(esc_url('http://example.com', ['https'])).to.equal('');
      expect(esc_url('https://example.com', ['http', 'https'])).to.equal('https://example.com');
      for (const scheme of WP_ALLOWED_PROTOCOLS) expect(esc_url(`${scheme}://example.com`), scheme).to.equal(`${scheme}://example.com`);
      expect(esc_url('data:text/plain;base64,SGVsbG8sIFdvcmxkIQ%3D%3D')).to.equal('');
      expect(esc_url('javascript:alert(1)')).to.equal('');
      expect(esc_url('foo://example.com', ['foo'])).to.equal('foo://example.com');
      expect(esc_url('HTTP://example.com')).to.equal('http://example.com');
      expect(esc_url('feed:javascript:alert(1)')).to.equal('');
      expect(esc_url('feed:javascript:feed:alert(1)')).to.equal('');
      expect(esc_url('feed:feed:javascript:alert(1)')).to.equal('');
      expect(esc_url('feed:feed:alert(1)')).to.equal('feed:feed:alert(1)');
      expect(esc_url('feed:http://wordpress.org/feed/')).to.equal('feed:http://wordpress.org/feed/');
      expect(esc_url('http://müller.com/')).to.equal('http://müller.com/');
    });

    it('square brackets, IPv6 hosts, mailto', () => {
      expect(esc_url('/example.php?one[]=two')).to.equal('/example.php?one%5B%5D=two');
      expect(esc_url('?foo[bar]=baz')).to.equal('?foo%5Bbar%5D=baz');
      expect(esc_url('//example.com/?foo[bar]=baz')).to.equal('//example.com/?foo%5Bbar%5D=baz');
      expect(esc_url('example.com/?foo[bar]=baz')).to.equal('http://example.com/?foo%5Bbar%5D=baz');
      expect(esc_url('localhost?foo[bar]=baz')).to.equal('http://localhost?foo%5Bbar%5D=baz');
      expect(esc_url('http://example.com/?baz=bar&foo[bar]=baz')).to.equal('http://example.com/?baz=bar&#038;foo%5Bbar%5D=baz');
      expect(esc_url('//example.com/foo?foo=abc:def')).to.equal('//example.com/foo?foo=abc:def');
      expect(esc_url('//[::127.0.0.1]')).to.equal('//[::127.0.0.1]');
      expect(esc_url('http://[::FFFF::127.0.0.1]')).to.equal('http://[::FFFF::127.0.0.1]');
      expect(esc_url('http://[::FFFF::127.0.0.1]/?foo[bar]=baz')).to.equal('http://[::FFFF::127.0.0.1]/?foo%5Bbar%5D=baz');
      const body = encodeURIComponent('Hi there,\n\nI thought you might want to sign up for this newsletter');
      expect(esc_url(`mailto:?body=${body}`)).to.equal('mailto:?body=Hi%20there%2C%0A%0AI%20thought%20you%20might%20want%20to%20sign%20up%20for%20this%20newsletter');
      expect(esc_url(`http://example.com/mailto:?body=${body}`)).to.equal('http://example.com/mailto:?body=Hi%20there%2CI%20thought%20you%20might%20want%20to%20sign%20up%20for%20this%20newsletter');
      expect(esc_url('mailto:?body=Hi there, I thought')).to.equal('mailto:?body=Hi%20there,%20I%20thought');
      expect(sanitize_url('"^<>{}`')).to.equal('');
    });
  });
});
