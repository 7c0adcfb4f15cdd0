import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, request } from 'undici';
import { BlockedAddressError, checkLiteralHost, guardedLookup, type LookupFn, parseAllowList } from './ssrf-guard.js';
import { parseRetryAfter } from './retry-schedule.js';

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

export interface TransportOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** Response bytes kept (the rest is discarded unread). */
  maxResponseBytes: number;
  /** CIDRs the SSRF guard lets through, read at every connection (settings can change). */
  allowNetworks: () => ReturnType<typeof parseAllowList>;
  /** Decides an exception for one URL (the host's own inspector path), checked per request. */
  allowUrl?: (url: URL) => boolean;
  /** DNS resolution, injectable so tests can make a name resolve to a private address. */
  lookup?: LookupFn;
  connectionsPerOrigin?: number;
  clock: () => number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/**
 * Outbound HTTP for deliveries: undici with a keep-alive pool per origin, the SSRF guard in
 * the socket's own DNS lookup (and for IP-literal hosts, at connect time too), connect and
 * total timeouts, no redirects, and a bounded read of the response.
 */
export class Transport {
  private readonly guardedAgent: Agent;
  private readonly openAgent: Agent;

  constructor(private readonly o: TransportOptions) {
    const allow = () => o.allowNetworks();
    const base = buildConnector({ timeout: o.connectTimeoutMs, lookup: guardedLookup(allow, o.lookup) as never });
    const guarded: buildConnector.connector = (opts, cb) => {
      try {
        checkLiteralHost(opts.hostname, allow());
      } catch (error) {
        return cb(error as Error, null);
      }
      return base(opts, cb);
    };
    const dispatcherOptions = { keepAliveTimeout: 4_000, connections: o.connectionsPerOrigin ?? 32 };
    this.guardedAgent = new Agent({ ...dispatcherOptions, connect: guarded });
    // Only for URLs allowUrl admits explicitly (the host's own inspector): no address guard.
    this.openAgent = new Agent({ ...dispatcherOptions, connect: { timeout: o.connectTimeoutMs } });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return failure('network', `“${url}” is not a valid URL.`, 0);
    }
    const dispatcher = this.o.allowUrl?.(parsed) ? this.openAgent : this.guardedAgent;
    try {
      const res = await request(parsed, {
        method: 'POST',
        headers,
        body,
        dispatcher,
        headersTimeout: this.o.totalTimeoutMs,
        bodyTimeout: this.o.totalTimeoutMs,
        signal: AbortSignal.timeout(this.o.totalTimeoutMs),
      });
      const text = await readLimited(res.body, this.o.maxResponseBytes);
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
      const [cls, message] = classify(error, parsed, this.o.totalTimeoutMs, this.o.connectTimeoutMs);
      return failure(cls, message, elapsed());
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.guardedAgent.close(), this.openAgent.close()]);
  }
}

function failure(errorClass: ErrorClass, errorMessage: string, durationMs: number): SendResult {
  return { ok: false, status: null, headers: null, body: null, durationMs, errorClass, errorMessage };
}

async function readLimited(stream: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const room = limit - size;
    if (room <= 0) break;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= limit) break;
  }
  // Do not read (or wait for) the rest of a large body.
  stream.destroy();
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
  const target = `${url.hostname}${url.port ? `:${url.port}` : ''}`;
  const blocked = chain.find((e) => e instanceof BlockedAddressError) as BlockedAddressError | undefined;
  if (blocked) return ['blocked', blocked.message];
  const code = chain.map((e) => e.code).find((c) => c) ?? '';
  const name = chain.map((e) => e.name).join(' ');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return ['dns', `Could not resolve host ${url.hostname}.`];
  if (code === 'ECONNREFUSED') return ['refused', `Connection refused by ${target}.`];
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return ['timeout', `Could not connect to ${target} within ${connectMs / 1000} s.`];
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || /TimeoutError|AbortError/.test(name)) {
    return ['timeout', `Timed out after ${totalMs / 1000} s waiting for ${target}.`];
  }
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /certificate|SSL|TLS/i.test(chain.map((e) => e.message).join(' '))) {
    return ['tls', `TLS error talking to ${target}: ${chain[chain.length - 1]?.message ?? code}.`];
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return ['network', `The connection to ${target} was closed unexpectedly.`];
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return ['network', `${target} is unreachable from this server.`];
  const last = chain[chain.length - 1];
  return ['network', `Request to ${target} failed: ${last?.message ?? String(error)}`];
}
