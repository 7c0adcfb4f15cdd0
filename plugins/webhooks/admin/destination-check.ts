import net from 'node:net';
import { blockReason } from '../delivery/ssrf-guard.js';
import type { WebhooksAdminApi } from './admin-api.js';

/**
 * The save-time half of the SSRF guard, for the admin form: a URL whose host is an IP literal
 * the guard would refuse is refused at save, with the guard's own reason, next to the URL
 * field. Host names are not resolved here: the connect-time guard (guardedLookup) stays the
 * authority for them, since what a name resolves to can change after saving.
 * Returns undefined when the URL is not an IP literal, is admitted (allowlist), or is this
 * host's own inspector inbox.
 */
export function literalDestinationProblem(service: Pick<WebhooksAdminApi, 'inspector' | 'allowList'>, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the validator reports malformed URLs
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!net.isIP(host) || service.inspector.admits(parsed)) return undefined;
  const reason = blockReason(host, service.allowList());
  return reason
    ? `Webhooks cannot be sent to ${host}: it is ${reason}. Use the receiver’s public address, or ask the host’s operator to allow this network (WEBHOOKS_ALLOW_NETWORKS).`
    : undefined;
}
