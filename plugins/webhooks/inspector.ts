import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { PluginApi } from '../../core/plugin-sdk.js';
import type { DeliveriesStore, Delivery } from './data/deliveries-store.js';
import type { InspectorStore, Inbox, InspectedRequest } from './data/inspector-store.js';
import type { WebhooksStore } from './data/webhooks-store.js';
import type { Webhook } from './model/webhook.js';
import { liveSecrets, sign } from './delivery/signing.js';

export const INSPECTOR_PATH = '/webhook-inspector/';

export interface InspectorSettings {
  ttlMs: number;
  maxRequests: number;
  maxBodyBytes: number;
  /** Requests accepted per inbox per minute. */
  ratePerMinute: number;
}

export type SignatureCheck =
  | { status: 'valid'; message: string }
  /** Signed correctly, but its webhook-timestamp is outside the replay window of when it arrived. */
  | { status: 'stale'; message: string }
  | { status: 'invalid'; message: string }
  | { status: 'unknown'; message: string }
  | { status: 'unsigned'; message: string };

/**
 * How far (seconds) a webhook-timestamp may be from the moment the request arrived before a
 * receiver refuses it as a possible replay: the Standard Webhooks reference libraries' tolerance
 * (5 minutes, `WEBHOOK_TOLERANCE_IN_SECONDS`).
 */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

/** What an inbox received: its body as the bytes that arrived (never decoded). */
export interface ReceivedRequest {
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
}

/** The host's database-backed rate limits (core/auth/shared-limits.ts), shared by every host process. */
export const RATE_LIMITS_SERVICE = 'hookpress:rate-limits';
interface SharedRateLimits {
  hit(name: string, key: string, windowMs: number): Promise<{ totalHits: number; resetTime: Date }>;
}

/**
 * The built-in request inspector: unguessable inbox URLs served by the host itself, that
 * store what they receive and check Standard Webhooks signatures with the secret of the
 * webhook whose delivery carried that webhook-id.
 */
export class Inspector {
  private readonly limits: SharedRateLimits;

  constructor(
    private readonly api: PluginApi,
    /** The inboxes and their requests (the service builds it on api.db). */
    readonly store: InspectorStore,
    /** SQLite: the synchronous log the signature check reads. Undefined on PostgreSQL: `log` is read instead. */
    private readonly deliveries: DeliveriesStore | undefined,
    private readonly webhooks: WebhooksStore,
    readonly settings: InspectorSettings,
    /** The delivery log on the query layer (PostgreSQL's signature check). */
    private readonly log?: { byMsgId(msgId: string): Promise<Delivery | undefined> },
  ) {
    const limits = api.services.get<SharedRateLimits>(RATE_LIMITS_SERVICE);
    if (!limits) throw new Error(`The request inspector needs the host's "${RATE_LIMITS_SERVICE}" service.`);
    this.limits = limits;
  }

  /** SQLite: whether the synchronous store is there. PostgreSQL: the …Async methods only. */
  private get sync(): boolean {
    return this.deliveries !== undefined;
  }

  /**
   * PostgreSQL: the live inboxes this process knows (token → expiry, ms), for the synchronous
   * SSRF exception (admits): those it created or found, and what refreshInboxes last read.
   */
  private readonly known = new Map<string, number>();

  createInbox(userId: number | null): Inbox & { url: string } {
    const inbox = this.newInbox(userId);
    this.store.createInbox(inbox);
    return { ...inbox, url: this.urlOf(inbox.token) };
  }

  /** createInbox on either backend. */
  async createInboxAsync(userId: number | null): Promise<Inbox & { url: string }> {
    if (this.sync) return this.createInbox(userId);
    const inbox = this.newInbox(userId);
    await this.store.createInboxAsync(inbox);
    this.known.set(inbox.token, inbox.expires_at);
    return { ...inbox, url: this.urlOf(inbox.token) };
  }

  private newInbox(userId: number | null): Inbox {
    const now = this.api.clock();
    return { token: randomBytes(24).toString('base64url'), created_by: userId, created_at: now, expires_at: now + this.settings.ttlMs };
  }

  /** PostgreSQL: reads the live inboxes into this process's list (admits); inboxes other processes made arrive so. */
  async refreshInboxes(): Promise<void> {
    if (this.sync) return;
    const now = this.api.clock();
    const live = (await this.store.inboxesAsync()).filter((i) => i.expires_at > now);
    this.known.clear();
    for (const i of live) this.known.set(i.token, i.expires_at);
  }

  /** deleteInbox (and what it received) on either backend. */
  async deleteInboxAsync(token: string): Promise<boolean> {
    if (this.sync) return this.store.deleteInbox(token);
    this.known.delete(token);
    return this.store.deleteInboxAsync(token);
  }

  urlOf(token: string): string {
    return this.api.urls.home_url(`${INSPECTOR_PATH}${token}`);
  }

  /** A live (known, unexpired) inbox, or undefined. */
  inbox(token: string): Inbox | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const inbox = this.store.inbox(token);
    return inbox && inbox.expires_at > this.api.clock() ? inbox : undefined;
  }

  /** inbox on either backend (PostgreSQL: also brings this process's list of live inboxes up to date for it). */
  async inboxAsync(token: string): Promise<Inbox | undefined> {
    if (this.sync) return this.inbox(token);
    if (!TOKEN_RE.test(token)) return undefined;
    const inbox = await this.store.inboxAsync(token);
    const live = inbox && inbox.expires_at > this.api.clock() ? inbox : undefined;
    if (live) this.known.set(token, live.expires_at);
    else this.known.delete(token);
    return live;
  }

  /**
   * The SSRF guard's one exception: the inspector path of a live inbox on the host's own
   * listening address — never loopback in general.
   */
  admits(url: URL): boolean {
    const own = new URL(this.api.urls.home_url('/'));
    if (url.protocol !== own.protocol || url.host !== own.host) return false;
    if (!url.pathname.startsWith(INSPECTOR_PATH)) return false;
    const token = url.pathname.slice(INSPECTOR_PATH.length);
    if (!this.sync) return (this.known.get(token) ?? 0) > this.api.clock();
    return this.inbox(token) !== undefined;
  }

  /**
   * Rate limit per inbox: a fixed one-minute window, counted in the database, so the limit holds
   * whichever host process receives the requests. Rejects with the storage error when it fails.
   */
  async allow(token: string): Promise<boolean> {
    const { totalHits } = await this.limits.hit('webhook-inspector', token, 60_000);
    return totalHits <= this.settings.ratePerMinute;
  }

  /** Stores a request an inbox received (SQLite), its body as the bytes that arrived; returns its id. */
  receive(token: string, r: ReceivedRequest): number {
    return this.store.addRequest(
      { token, received_at: this.api.clock(), method: r.method, headers: JSON.stringify(r.headers), body: r.body, source_ip: r.sourceIp },
      this.settings.maxRequests,
    );
  }

  /** receive on either backend. */
  async receiveAsync(token: string, r: ReceivedRequest): Promise<number> {
    if (this.sync) return this.receive(token, r);
    return this.store.addRequestAsync(
      { token, received_at: this.api.clock(), method: r.method, headers: JSON.stringify(r.headers), body: r.body, source_ip: r.sourceIp },
      this.settings.maxRequests,
    );
  }

  /**
   * Checks the signature of a stored request. Trusts nothing but the signature. Synchronous on
   * SQLite; on PostgreSQL a promise (the delivery and its webhook are read on the query layer).
   */
  check(req: InspectedRequest): SignatureCheck | Promise<SignatureCheck> {
    const h = JSON.parse(req.headers) as Record<string, string>;
    const id = h['webhook-id'];
    const ts = h['webhook-timestamp'];
    const header = h['webhook-signature'];
    if (!id || !ts || !header) return { status: 'unsigned', message: 'No Standard Webhooks signature headers (webhook-id, webhook-timestamp, webhook-signature).' };
    if (this.deliveries) {
      const delivery = this.deliveries.byMsgId(id);
      return this.verify(req, id, ts, header, delivery?.webhook_id ? this.webhooks.get(delivery.webhook_id) : undefined);
    }
    return (async () => {
      const delivery = await this.log?.byMsgId(id);
      return this.verify(req, id, ts, header, delivery?.webhook_id ? await this.webhooks.getAsync(delivery.webhook_id) : undefined);
    })();
  }

  /**
   * The verdict on one signed request, with the webhook that sent its webhook-id (undefined:
   * none). The signature is checked over the stored bytes, not a decoding of them.
   */
  private verify(req: InspectedRequest, id: string, ts: string, header: string, webhook: Webhook | undefined): SignatureCheck {
    if (!webhook) {
      return { status: 'unknown', message: `Unknown webhook-id ${id}: no webhook of this network sent it, so there is no secret to check it with.` };
    }
    // The previous secret verifies only while its grace period lasts — as it signs.
    const secrets = liveSecrets(webhook, this.api.clock());
    const received = header.split(' ').map((s) => Buffer.from(s));
    for (const secret of secrets) {
      let expected: Buffer;
      try {
        expected = Buffer.from(sign(secret, id, Number(ts), req.body));
      } catch {
        continue; // an invalid stored secret verifies nothing
      }
      if (received.some((r) => r.length === expected.length && timingSafeEqual(r, expected))) {
        const which = `the ${secret === webhook.secret ? 'current' : 'previous'} secret of “${webhook.name}”`;
        // Judged against when the request arrived, not now: an old request stays what it was.
        const skew = Math.abs(Math.floor(req.received_at / 1000) - Number(ts));
        if (!Number.isFinite(skew) || skew > TIMESTAMP_TOLERANCE_S) {
          return {
            status: 'stale',
            message: `Signed with ${which}, but its webhook-timestamp (${ts}) is ${Number.isFinite(skew) ? `${Math.round(skew / 60)} minutes` : 'far'} away from when it arrived: a receiver following Standard Webhooks refuses it as a possible replay (tolerance ±${TIMESTAMP_TOLERANCE_S / 60} minutes).`,
          };
        }
        return { status: 'valid', message: `Signature valid: signed with ${which}.` };
      }
    }
    return { status: 'invalid', message: `Signature invalid: the body or headers do not match what “${webhook.name}” signed.` };
  }
}
