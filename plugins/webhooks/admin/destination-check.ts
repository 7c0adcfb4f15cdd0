import net from 'node:net';
import { blockReason } from '../delivery/ssrf-guard.js';
import { probeDestination, type DestinationWarning } from '../delivery/destination-probe.js';
import type { WebhooksAdminApi } from './admin-api.js';

/**
 * The save-time half of the SSRF guard, for the admin form: a URL whose host is an IP literal
 * the guard would refuse is refused at save, with the guard's own reason, next to the URL
 * field. Host names are not resolved here (see savedDestinationWarning for those): the
 * connect-time guard (safeLookup in the transport) stays the authority for them, since what a
 * name resolves to can change after saving.
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

/**
 * The save-time warning for a webhook just saved: its host name resolves (through the lookup
 * deliveries use, within 2 s) to an address the SSRF guard refuses, or does not exist. The
 * webhook stays saved; the admin sees a WordPress warning notice. Undefined when there is
 * nothing to say (or DNS did not answer in time). Never throws.
 */
export function savedDestinationWarning(service: Pick<WebhooksAdminApi, 'destinations'>, url: string): Promise<DestinationWarning | undefined> {
  return probeDestination(url, service.destinations);
}
