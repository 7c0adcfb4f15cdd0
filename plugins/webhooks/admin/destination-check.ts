import { probeDestination, type DestinationWarning } from '../delivery/destination-probe.js';
import type { WebhooksAdminApi } from './admin-api.js';

/**
 * The save-time warning for a webhook just saved: its host name resolves (through the lookup
 * deliveries use, within 2 s) to an address the SSRF guard refuses, or does not exist. The
 * webhook stays saved; the admin sees a WordPress warning notice. Undefined when there is
 * nothing to say (or DNS did not answer in time). Never throws.
 */
export function savedDestinationWarning(service: Pick<WebhooksAdminApi, 'destinations'>, url: string): Promise<DestinationWarning | undefined> {
  return probeDestination(url, service.destinations);
}
