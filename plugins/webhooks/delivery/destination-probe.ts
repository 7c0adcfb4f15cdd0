import net from 'node:net';
import type { LookupFn } from './ssrf-guard.js';
import { BlockedAddressError } from './ssrf-guard.js';
import { safeLookup, type DestinationPolicy } from './transport.js';

/** How long a save waits for DNS before giving up silently (milliseconds). */
export const SAVE_PROBE_TIMEOUT_MS = 2_000;

/**
 * A save-time warning about a webhook's URL, for the admin notice and the REST `warnings`
 * field. `code` is stable for programs; `message` is for people.
 * - `destination_blocked`: the host (a name, or an IP literal over REST) is, or resolves to,
 *   an address the SSRF guard refuses — deliveries fail while it does.
 * - `destination_not_found`: DNS says the name does not exist (NXDOMAIN / no address).
 */
export interface DestinationWarning {
  code: 'destination_blocked' | 'destination_not_found';
  message: string;
  host: string;
  /** The refused address (destination_blocked only). */
  address?: string;
  /** The guard's reason, e.g. "a private address" (destination_blocked only). */
  reason?: string;
}

/** DNS error codes that mean "this name has no address", not "DNS did not answer". */
const NO_SUCH_HOST = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Asks the connect-time SSRF guard about `url` now, as a delivery would: the same policy, the
 * same (injectable) DNS lookup through `safeLookup`, bounded by `timeoutMs`. The guard at
 * connect time stays the authority — what a name resolves to can change after saving — so
 * this only ever warns. Returns no warning for a malformed URL, an exempt URL (this host's
 * inspector), an admitted address, a lookup that fails for another reason than "no such
 * host" (EAI_AGAIN, SERVFAIL, a fault of the resolver) or that does not answer in time: an
 * admin is not nagged for a passing DNS hiccup. Never throws; never connects.
 */
export async function probeDestination(
  url: string,
  o: { policy: DestinationPolicy; lookup: LookupFn; timeoutMs?: number },
): Promise<DestinationWarning | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (safely(() => o.policy.exempt(parsed)) !== false) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!host) return undefined;
  if (net.isIP(host)) {
    const reason = safely(() => o.policy.blockReason(host));
    return reason ? blocked(host, host, reason) : undefined;
  }
  const error = await resolveWithin(host, o.policy, o.lookup, o.timeoutMs ?? SAVE_PROBE_TIMEOUT_MS);
  if (error instanceof BlockedAddressError) return blocked(host, error.address, error.reason);
  if (error && NO_SUCH_HOST.has(String(error.code))) {
    return {
      code: 'destination_not_found',
      host,
      message: `The webhook was saved, but ${host} could not be found (DNS has no address for it): deliveries will fail until it resolves. Check the URL for a typo.`,
    };
  }
  return undefined;
}

function blocked(host: string, address: string, reason: string): DestinationWarning {
  const named = host === address ? `${host} is` : `${host} resolves to ${address}, which is`;
  return {
    code: 'destination_blocked',
    host,
    address,
    reason,
    message:
      `The webhook was saved, but ${named} ${reason}: deliveries to it are refused while it does. ` +
      `If the receiver really is on that network, ask the host’s operator to allow it (WEBHOOKS_ALLOW_NETWORKS, or the network option webhooks_allow_networks).`,
  };
}

/** The verdict of a policy call; a throwing policy counts as "no opinion" (undefined). */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Resolves `host` through the guard: null when every address passes, the error otherwise, undefined on timeout. */
function resolveWithin(host: string, policy: DestinationPolicy, lookup: LookupFn, timeoutMs: number): Promise<NodeJS.ErrnoException | null | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref?.();
    // A resolver that throws is a fault of ours, not "no such host": give it a code the probe ignores.
    const careful: LookupFn = (hostname, options, callback) => {
      try {
        lookup(hostname, options, callback);
      } catch (error) {
        callback(Object.assign(new Error(`Resolving ${hostname} failed: ${(error as Error)?.message ?? String(error)}`), { code: 'EAI_FAIL' }), []);
      }
    };
    safeLookup(policy, careful)(host, { all: true }, (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}
