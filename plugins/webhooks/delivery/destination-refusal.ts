import net from 'node:net';
import type { DestinationPolicy } from './transport.js';
import { hostText } from './ssrf-guard.js';

/**
 * The host as the user typed it in `url` (brackets kept for IPv6, e.g. `[::ffff:10.0.0.1]`),
 * for messages: WHATWG URL parsing normalises literals (`::ffff:a00:1`), which the user never
 * wrote. Falls back to `fallback` when the URL has no recognisable authority.
 */
export function typedHost(url: string, fallback: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url.trim());
  return m?.[1] ? m[1] : fallback;
}

/**
 * The save-time refusal shared by every entry point (admin form, REST, CLI): a URL whose host
 * is an IP literal the SSRF guard would refuse (policy.blockReason, which honours
 * WEBHOOKS_ALLOW_NETWORKS) is refused at save with the guard's reason. Host names are not
 * resolved here — the connect-time guard stays the authority for them (see probeDestination
 * for the save-time warning). Returns the message for the URL field, or undefined when the URL
 * is malformed (the validator reports that), not an IP literal, exempt (this host's inspector
 * inbox) or admitted. Never throws.
 */
export function literalDestinationRefusal(url: string, policy: DestinationPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!net.isIP(host)) return undefined;
  let reason: string | undefined;
  try {
    if (policy.exempt(parsed)) return undefined;
    reason = policy.blockReason(host);
  } catch {
    return undefined;
  }
  if (!reason) return undefined;
  const shown = hostText(typedHost(url, host));
  return `Webhooks cannot be sent to ${shown}: it is ${reason.replace(/[.\s]+$/, '')}. Use the receiver’s public address, or ask the host’s operator to allow this network (WEBHOOKS_ALLOW_NETWORKS).`;
}
