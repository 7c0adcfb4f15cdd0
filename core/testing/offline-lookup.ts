import type dns from 'node:dns';
import net from 'node:net';

/** The callback shape of `dns.lookup(hostname, { all: true }, cb)`: what deliveries inject. */
export type OfflineLookupFn = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A DNS lookup for test hosts that never asks a real resolver (tests reach only 127.0.0.0/8
 * and ::1): `localhost` and `*.localhost` (RFC 6761) answer 127.0.0.1 (::1 when family 6 is
 * asked for), an IP literal answers itself, and every other name fails like an unreachable
 * resolver (`EAI_AGAIN`, "temporary failure") — so a delivery to it fails with error class
 * `dns`, and the save-time destination check stays silent. A test that needs a name to
 * resolve injects its own lookup (`plugins.webhooks.deps.lookup`).
 */
export const offlineLookup: OfflineLookupFn = (hostname, options, callback) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const literal = net.isIP(name);
  if (literal) return queueMicrotask(() => callback(null, [{ address: name, family: literal }]));
  if (name === 'localhost' || name.endsWith('.localhost')) {
    const address = options.family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 };
    return queueMicrotask(() => callback(null, [address]));
  }
  const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname} (test hosts resolve only localhost; inject a lookup for other names)`), {
    code: 'EAI_AGAIN',
    hostname,
  });
  queueMicrotask(() => callback(error, []));
};

/**
 * The webhooks plugin's settings with `deps.lookup` defaulting to offlineLookup (a lookup the
 * test gave is kept). Other settings and plugins are returned unchanged.
 */
export function withOfflineDns(plugins: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  const webhooks = plugins.webhooks ?? {};
  const deps = webhooks.deps;
  if (deps !== undefined && deps !== null && typeof deps !== 'object') return plugins; // readDeps reports it
  const given: Record<string, unknown> = { ...deps };
  return { ...plugins, webhooks: { ...webhooks, deps: { ...given, lookup: given.lookup ?? offlineLookup } } };
}
