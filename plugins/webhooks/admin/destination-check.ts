import { literalDestinationRefusal } from '../delivery/destination-refusal.js';
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
export function literalDestinationProblem(service: Pick<WebhooksAdminApi, 'destinations'>, url: string): string | undefined {
  return literalDestinationRefusal(url, service.destinations.policy);
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
