/**
 * WordPress's input sanitizers and URL escaping (wp-includes/formatting.php and kses.php),
 * ported function for function so values behave as a WordPress plugin author expects.
 * Deviations (README, "Deviations from WordPress"): these are pure functions — the filters
 * WordPress applies at their end (`sanitize_text_field`, `is_email`, `sanitize_email`,
 * `clean_url`) are not applied; strings are JavaScript strings (UTF-16), so "invalid UTF-8"
 * means a lone surrogate; named entities are kept when they look like one (WordPress keeps
 * only its allowlist).
 */

/** WordPress's wp_allowed_protocols() default list. */
export const WP_ALLOWED_PROTOCOLS: readonly string[] = Object.freeze([
  'http', 'https', 'ftp', 'ftps', 'mailto', 'news', 'irc', 'irc6', 'ircs', 'gopher', 'nntp', 'feed',
  'telnet', 'mms', 'rtsp', 'sms', 'svn', 'tel', 'fax', 'xmpp', 'webcal', 'urn',
]);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escHtmlLite(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
}

/** PHP's strip_tags, as far as sanitizing text needs: a "<" followed by whitespace is not a tag. */
function stripTags(s: string): string {
  return s.replace(/<!--[\s\S]*?-->/g, '').replace(/<(?![\s<])(?:"[^"]*"|'[^']*'|[^'">])*(?:>|$)/g, '');
}

function sanitizeTextFields(value: unknown, keepNewlines: boolean): string {
  if (value === null || value === undefined || value === false || typeof value === 'object' || typeof value === 'function') return '';
  let filtered = value === true ? '1' : String(value);
  if (LONE_SURROGATE.test(filtered)) return '';
  if (filtered.includes('<')) {
    // wp_pre_kses_less_than: a "<" that does not start a complete tag becomes &lt;.
    filtered = filtered.replace(/<[^>]*?((?=<)|>|$)/g, (m) => (m.includes('>') ? m : escHtmlLite(m)));
    // wp_strip_all_tags(…, false)
    filtered = stripTags(filtered.replace(/<(script|style)[^>]*?>[\s\S]*?<\/\1>/gi, '')).trim();
    filtered = filtered.split('<\n').join('&lt;\n');
  }
  if (!keepNewlines) filtered = filtered.replace(/[\r\n\t ]+/g, ' ');
  filtered = filtered.trim();
  let found = false;
  for (let m = /%[a-f0-9]{2}/i.exec(filtered); m; m = /%[a-f0-9]{2}/i.exec(filtered)) {
    filtered = filtered.split(m[0]).join('');
    found = true;
  }
  if (found) filtered = filtered.replace(/ +/g, ' ').trim();
  return filtered;
}

/**
 * sanitize_text_field(): checks for invalid UTF-8, turns a lone "<" into &lt;, strips tags,
 * collapses line breaks, tabs and extra whitespace, strips percent-encoded octets.
 * Arrays and objects give ''; true gives '1'. Source: wp-includes/formatting.php.
 */
export function sanitize_text_field(value: unknown): string {
  return sanitizeTextFields(value, false);
}

/** sanitize_textarea_field(): as sanitize_text_field but keeps newlines and other whitespace. */
export function sanitize_textarea_field(value: unknown): string {
  return sanitizeTextFields(value, true);
}

/** sanitize_key(): lowercase; only a-z, 0-9, "_" and "-" stay. */
export function sanitize_key(key: unknown): string {
  if (typeof key !== 'string' && typeof key !== 'number') return '';
  return String(key).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function phpTrim(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a]!)) a++;
  while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
const WS = ' \t\n\r\0\x0B';

/**
 * is_email(): the address when WordPress accepts it, else false. Not RFC 5322: WordPress's
 * own rules (length ≥ 6, one "@" after the first character, a restricted local part, a
 * domain of at least two dot-separated labels of letters, digits and hyphens).
 */
export function is_email(email: unknown): string | false {
  if (typeof email !== 'string') return false;
  if (Buffer.byteLength(email) < 6) return false;
  if (email.indexOf('@', 1) === -1) return false;
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!/^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) return false;
  if (/\.{2,}/.test(domain)) return false;
  if (phpTrim(domain, WS + '.') !== domain) return false;
  const subs = domain.split('.');
  if (subs.length < 2) return false;
  for (const sub of subs) {
    if (phpTrim(sub, WS + '-') !== sub) return false;
    if (!/^[a-z0-9-]+$/i.test(sub)) return false;
  }
  return email;
}

/** sanitize_email(): strips what is_email() would reject; '' when nothing valid remains. */
export function sanitize_email(email: unknown): string {
  if (typeof email !== 'string') return '';
  if (Buffer.byteLength(email) < 6) return '';
  if (email.indexOf('@', 1) === -1) return '';
  const at = email.indexOf('@');
  const local = email.slice(0, at).replace(/[^a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]/g, '');
  if (local === '') return '';
  let domain = email.slice(at + 1).replace(/\.{2,}/g, '');
  if (domain === '') return '';
  domain = phpTrim(domain, WS + '.');
  if (domain === '') return '';
  const subs = domain.split('.');
  if (subs.length < 2) return '';
  const valid = subs.map((s) => phpTrim(s, WS + '-').replace(/[^a-z0-9-]+/gi, '')).filter((s) => s !== '');
  if (valid.length < 2) return '';
  return `${local}@${valid.join('.')}`;
}

function deepReplace(search: string[], subject: string): string {
  let prev: string;
  do {
    prev = subject;
    for (const s of search) subject = subject.split(s).join('');
  } while (prev !== subject);
  return subject;
}

function decodeNumericEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Math.min(Number.parseInt(h, 16), 0x10ffff)));
}

function badProtocolOnce(s: string, allowed: readonly string[], count = 1): string {
  s = s.replace(/(&#0*58(?![;0-9])|&#x0*3a(?![;a-f0-9]))/gi, '$1;');
  const m = /:|&#0*58;|&#x0*3a;|&colon;/i.exec(s);
  if (m && !/\/\?/.test(s.slice(0, m.index))) {
    const head = s.slice(0, m.index);
    let rest = s.slice(m.index + m[0].length).trim();
    const candidate = decodeNumericEntities(head).replace(/\s/g, '').replace(/\0/g, '').toLowerCase();
    const protocol = allowed.some((p) => p.toLowerCase() === candidate) ? `${candidate}:` : '';
    if (protocol === 'feed:') {
      if (count > 2) return '';
      rest = badProtocolOnce(rest, allowed, count + 1);
      if (rest === '') return rest;
    }
    s = protocol + rest;
  }
  return s;
}

/** wp_kses_bad_protocol(): '' when a disallowed protocol survives 6 strip passes. */
function badProtocol(s: string, allowed: readonly string[]): string {
  s = s.replace(/\0/g, '');
  let original: string;
  let i = 0;
  do {
    original = s;
    s = badProtocolOnce(s, allowed);
  } while (original !== s && ++i < 6);
  return original !== s ? '' : s;
}

function normalizeEntities(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/&amp;([A-Za-z]{2,8}[0-9]{0,2});/g, '&$1;')
    .replace(/&amp;#(0*[0-9]{1,7});/g, (m, d: string) => (Number(d) <= 0x10ffff ? `&#${d.replace(/^0+/, '').padStart(3, '0')};` : m))
    .replace(/&amp;#[Xx](0*[0-9A-Fa-f]{1,6});/g, (m, h: string) => (Number.parseInt(h, 16) <= 0x10ffff ? `&#x${h.replace(/^0+/, '')};` : m));
}

/**
 * esc_url(): cleans a URL for output — strips characters URLs cannot hold, removes encoded
 * CR/LF (except in mailto:), adds http:// to a bare host, refuses (answers '') a protocol not
 * in `protocols` (default WordPress's list), and in the 'display' context encodes & and '
 * as &#038; and &#039;. Square brackets after the host become %5B / %5D.
 */
export function esc_url(url: string, protocols: readonly string[] | null = null, context: 'display' | string = 'display'): string {
  if (url === '') return url;
  url = url.replace(/^[ \t\n\r\0\x0B]+/, '').replace(/ /g, '%20');
  url = url.replace(/[^a-z0-9\-~+_.?#=!&;,/:%@$|*'()[\]\u0080-\uFFFF]/gi, '');
  if (url === '') return url;
  if (!/^mailto:/i.test(url)) url = deepReplace(['%0d', '%0a', '%0D', '%0A'], url);
  url = url.split(';//').join('://');
  if (!url.includes(':') && !['/', '#', '?'].includes(url[0]!) && !/^[a-z0-9-]+?\.php/i.test(url)) url = `http://${url}`;
  if (context === 'display') {
    url = normalizeEntities(url).split('&amp;').join('&#038;').split("'").join('&#039;');
  }
  if (url.includes('[') || url.includes(']')) {
    const front = /^(?:[a-z][a-z0-9+.-]*:)?\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:[\]]*)(?::\d+)?/i.exec(url)?.[0] ?? '';
    url = front + url.slice(front.length).replace(/\[/g, '%5B').replace(/\]/g, '%5D');
  }
  if (url[0] === '/') return url;
  const good = badProtocol(url, protocols ?? WP_ALLOWED_PROTOCOLS);
  return good.toLowerCase() !== url.toLowerCase() ? '' : good;
}

/** sanitize_url() / esc_url_raw(): esc_url without the display encoding, for storing or redirecting. */
export function sanitize_url(url: string, protocols: readonly string[] | null = null): string {
  return esc_url(url, protocols, 'db');
}
export const esc_url_raw = sanitize_url;
