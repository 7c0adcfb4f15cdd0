import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, request } from 'undici';
import { BlockedAddressError, hostText, systemLookup, type LookupFn } from './ssrf-guard.js';
import { parseRetryAfter } from './retry-policy.js';

/** Why an attempt failed; 'internal' is a fault of ours (a stage threw), retried like the rest. */
export type ErrorClass = 'dns' | 'refused' | 'timeout' | 'tls' | 'blocked' | 'http' | 'network' | 'internal';

export interface SendResult {
  ok: boolean;
  status: number | null;
  headers: Record<string, string> | null;
  /** Response body, truncated to the limit. */
  body: string | null;
  durationMs: number;
  errorClass: ErrorClass | null;
  /** Plain words for an admin: "Connection refused by …", "HTTP 500 Internal Server Error". */
  errorMessage: string | null;
  retryAfterMs?: number;
}

/**
 * The SSRF policy the transport enforces — one object, decided outside the transport
 * (`load()` builds it from the guard, the allowlist and the inspector's exception).
 */
export interface DestinationPolicy {
  /** True when this URL skips the address check: the host's own inspector inbox, nothing else. */
  exempt(url: URL): boolean;
  /** The verdict for one address the socket would connect to: undefined = allowed, else why not. */
  blockReason(address: string): string | undefined;
}

export interface TransportOptions {
  connectTimeoutMs: number;
  /** Until the response's status and headers arrive (connect included). */
  totalTimeoutMs: number;
  /** Reading the response body, once the status is known: a trickling body never turns a 2xx into a failure. */
  bodyTimeoutMs: number;
  /** Response bytes kept (the rest is discarded unread). */
  maxResponseBytes: number;
  /** The SSRF decision, asked at every connection (settings can change). */
  isAllowed: DestinationPolicy;
  /** DNS resolution, injectable so tests can make a name resolve to any address. */
  lookup?: LookupFn;
  /** Keep-alive connections per receiving origin. */
  connectionsPerOrigin: number;
  clock: () => number;
}

/** Which pool a request uses: test sends never queue behind deliveries on a busy origin. */
export type Lane = 'delivery' | 'test';

/** A DNS answer we could not use: the resolver threw or answered nonsense. Never escapes as an exception. */
class LookupFault extends Error {
  readonly code = 'ENOTFOUND';
}

/**
 * Wraps a lookup so that nothing thrown anywhere in it — the resolver, its callback, the SSRF
 * decision — escapes into the socket (where it would be uncaught and stop the process): every
 * fault becomes an error passed to the socket's callback, exactly once.
 */
export function safeLookup(policy: DestinationPolicy, resolve: LookupFn) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ): void => {
    let called = false;
    const once: typeof callback = (err, address, family) => {
      if (called) return;
      called = true;
      callback(err, address, family);
    };
    const answer = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]): void => {
      try {
        if (err) return once(err, '', 0);
        if (!Array.isArray(addresses) || addresses.length === 0) return once(new LookupFault(`No usable address for ${hostname}.`), '', 0);
        for (const a of addresses) {
          if (!a || typeof a.address !== 'string' || (a.family !== 4 && a.family !== 6)) {
            return once(new LookupFault(`The DNS answer for ${hostname} is not an address list.`), '', 0);
          }
          let reason: string | undefined;
          try {
            reason = policy.blockReason(a.address);
          } catch (error) {
            reason = `an address that could not be checked (${(error as Error)?.message ?? String(error)})`;
          }
          if (reason) return once(new BlockedAddressError(hostname, a.address, reason), '', 0);
        }
        if (options.all) once(null, addresses);
        else once(null, addresses[0]!.address, addresses[0]!.family);
      } catch (error) {
        once(new LookupFault(`Resolving ${hostname} failed: ${(error as Error)?.message ?? String(error)}`), '', 0);
      }
    };
    try {
      resolve(hostname, { ...options, all: true }, answer);
    } catch (error) {
      once(new LookupFault(`Resolving ${hostname} failed: ${(error as Error)?.message ?? String(error)}`), '', 0);
    }
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/**
 * Outbound HTTP for deliveries: undici with a keep-alive pool per origin, the SSRF policy in
 * the socket's own DNS lookup (and for IP-literal hosts, at connect time too), connect and
 * header timeouts, a separately bounded body read, no redirects. Never throws: every failure
 * is a SendResult with an error class.
 */
export class Transport {
  private readonly agents: Record<Lane, { guarded: Agent; open: Agent }>;

  constructor(private readonly o: TransportOptions) {
    const policy = o.isAllowed;
    const base = buildConnector({ timeout: o.connectTimeoutMs, lookup: safeLookup(policy, o.lookup ?? systemLookup) as never });
    const guarded: buildConnector.connector = (opts, cb) => {
      const bare = String(opts.hostname).replace(/^\[|\]$/g, '');
      if (net.isIP(bare)) {
        // Sockets skip the lookup for IP literals: judge the literal here.
        let reason: string | undefined;
        try {
          reason = policy.blockReason(bare);
        } catch (error) {
          reason = `an address that could not be checked (${(error as Error)?.message ?? String(error)})`;
        }
        if (reason) return cb(new BlockedAddressError(bare, bare, reason), null);
      }
      return base(opts, cb);
    };
    const lane = (connections: number) => ({
      guarded: new Agent({ keepAliveTimeout: 4_000, connections, connect: guarded }),
      // Only for URLs the policy exempts (the host's own inspector): no address check.
      open: new Agent({ keepAliveTimeout: 4_000, connections, connect: { timeout: o.connectTimeoutMs } }),
    });
    this.agents = { delivery: lane(o.connectionsPerOrigin), test: lane(2) };
  }

  /**
   * POSTs `body` to `url`. `signal` aborts it (shutdown). Success is decided by the status
   * alone (2xx); the body is then read for at most `bodyTimeoutMs` and `maxResponseBytes`.
   */
  async send(url: string, headers: Record<string, string>, body: string, opts: { lane?: Lane; signal?: AbortSignal } = {}): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return failure('network', `“${url}” is not a valid URL.`, 0);
    }
    const pool = this.agents[opts.lane ?? 'delivery'];
    let exempt = false;
    try {
      exempt = this.o.isAllowed.exempt(parsed);
    } catch {
      exempt = false;
    }
    // The total bound as a plain timer (AbortSignal.timeout and its listener cost a few % of a
    // delivery's CPU); it aborts with a TimeoutError, as AbortSignal.timeout would.
    const headerPhase = new AbortController();
    const timer = setTimeout(() => headerPhase.abort(new DOMException('The operation timed out.', 'TimeoutError')), this.o.totalTimeoutMs);
    const onAbort = () => headerPhase.abort(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    try {
      const res = await request(parsed, {
        method: 'POST',
        headers,
        body,
        dispatcher: exempt ? pool.open : pool.guarded,
        headersTimeout: this.o.totalTimeoutMs,
        bodyTimeout: this.o.bodyTimeoutMs,
        signal: headerPhase.signal,
      });
      // The status has arrived: from here the total timeout no longer applies; the body has its own bound.
      clearTimeout(timer);
      const text = await readLimited(res.body, this.o.maxResponseBytes, this.o.bodyTimeoutMs);
      opts.signal?.removeEventListener('abort', onAbort);
      const responseHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      const status = res.statusCode;
      const ok = status >= 200 && status < 300;
      let message: string | null = null;
      if (!ok) {
        message = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
        if (status >= 300 && status < 400) {
          message += `: redirects are not followed${responseHeaders.location ? ` (Location: ${responseHeaders.location.slice(0, 200)})` : ''}`;
        }
      }
      return {
        ok,
        status,
        headers: responseHeaders,
        body: text,
        durationMs: elapsed(),
        errorClass: ok ? null : 'http',
        errorMessage: message,
        retryAfterMs: parseRetryAfter(responseHeaders['retry-after'], this.o.clock()),
      };
    } catch (error) {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return failure('network', 'Aborted: the host shut down before the receiver answered; it will be retried.', elapsed());
      const [cls, message] = classify(error, parsed, this.o.totalTimeoutMs, this.o.connectTimeoutMs);
      return failure(cls, message, elapsed());
    }
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.agents).flatMap((l) => [l.guarded.close(), l.open.close()]));
  }
}

function failure(errorClass: ErrorClass, errorMessage: string, durationMs: number): SendResult {
  return { ok: false, status: null, headers: null, body: null, durationMs, errorClass, errorMessage };
}

/** Reads at most `limit` bytes within `timeoutMs`; whatever arrived by then is the excerpt. Never throws. */
async function readLimited(stream: AsyncIterable<Buffer> & { destroy(): void }, limit: number, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => stream.destroy(), timeoutMs);
  try {
    for await (const chunk of stream) {
      const room = limit - size;
      if (room <= 0) break;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= limit) break;
    }
  } catch {
    // A body cut short (our bound, or the receiver) keeps what arrived: the status decided already.
  } finally {
    clearTimeout(timer);
    // Do not read (or wait for) the rest of a large body.
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

function causes(error: unknown): Array<Error & { code?: string; name?: string }> {
  const out: Array<Error & { code?: string }> = [];
  let e = error as (Error & { code?: string; cause?: unknown }) | undefined;
  for (let i = 0; e && i < 6; i++) {
    out.push(e);
    e = e.cause as typeof e;
  }
  return out;
}

/** Maps a request error to its class and an explanation in plain words. */
export function classify(error: unknown, url: URL, totalMs: number, connectMs: number): [ErrorClass, string] {
  const chain = causes(error);
  const target = `${hostText(url.hostname)}${url.port ? `:${url.port}` : ''}`;
  const blocked = chain.find((e) => e instanceof BlockedAddressError) as BlockedAddressError | undefined;
  if (blocked) return ['blocked', blocked.message];
  const code = chain.map((e) => e.code).find((c) => c) ?? '';
  const name = chain.map((e) => e.name).join(' ');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return ['dns', `Could not resolve host ${hostText(url.hostname)}.`];
  if (code === 'ECONNREFUSED') return ['refused', `Connection refused by ${target}.`];
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return ['timeout', `Could not connect to ${target} within ${connectMs / 1000} s.`];
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || /TimeoutError|AbortError/.test(name)) {
    return ['timeout', `Timed out after ${totalMs / 1000} s waiting for ${target}.`];
  }
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /certificate|SSL|TLS/i.test(chain.map((e) => e.message).join(' '))) {
    return ['tls', `TLS error talking to ${target}: ${(chain[chain.length - 1]?.message ?? code).replace(/\.+$/, '')}.`];
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return ['network', `The connection to ${target} was closed unexpectedly.`];
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return ['network', `${target} is unreachable from this server.`];
  const last = chain[chain.length - 1];
  return ['network', `Request to ${target} failed: ${last?.message ?? String(error)}`];
}
