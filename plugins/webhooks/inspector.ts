import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { PluginApi } from '../../core/plugin-sdk.js';
import type { DeliveriesStore } from './data/deliveries-store.js';
import type { InspectorStore, Inbox, InspectedRequest } from './data/inspector-store.js';
import type { WebhooksStore } from './data/webhooks-store.js';
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
  | { status: 'invalid'; message: string }
  | { status: 'unknown'; message: string }
  | { status: 'unsigned'; message: string };

const TOKEN_RE = /^[A-Za-z0-9_-]{32}$/;

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
    /** SQLite: the synchronous log the signature check reads. Undefined on PostgreSQL (every id is then unknown). */
    private readonly deliveries: DeliveriesStore | undefined,
    private readonly webhooks: WebhooksStore,
    readonly settings: InspectorSettings,
  ) {
    const limits = api.services.get<SharedRateLimits>(RATE_LIMITS_SERVICE);
    if (!limits) throw new Error(`The request inspector needs the host's "${RATE_LIMITS_SERVICE}" service.`);
    this.limits = limits;
  }

  createInbox(userId: number | null): Inbox & { url: string } {
    const now = this.api.clock();
    const inbox: Inbox = { token: randomBytes(24).toString('base64url'), created_by: userId, created_at: now, expires_at: now + this.settings.ttlMs };
    this.store.createInbox(inbox);
    return { ...inbox, url: this.urlOf(inbox.token) };
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

  /**
   * The SSRF guard's one exception: the inspector path of a live inbox on the host's own
   * listening address — never loopback in general.
   */
  admits(url: URL): boolean {
    const own = new URL(this.api.urls.home_url('/'));
    if (url.protocol !== own.protocol || url.host !== own.host) return false;
    if (!url.pathname.startsWith(INSPECTOR_PATH)) return false;
    return this.inbox(url.pathname.slice(INSPECTOR_PATH.length)) !== undefined;
  }

  /**
   * Rate limit per inbox: a fixed one-minute window, counted in the database, so the limit holds
   * whichever host process receives the requests. Rejects with the storage error when it fails.
   */
  async allow(token: string): Promise<boolean> {
    const { totalHits } = await this.limits.hit('webhook-inspector', token, 60_000);
    return totalHits <= this.settings.ratePerMinute;
  }

  receive(token: string, r: { method: string; headers: Record<string, string>; body: string; sourceIp: string }): number {
    return this.store.addRequest(
      { token, received_at: this.api.clock(), method: r.method, headers: JSON.stringify(r.headers), body: r.body, source_ip: r.sourceIp },
      this.settings.maxRequests,
    );
  }

  /** Checks the signature of a stored request. Trusts nothing but the signature. */
  check(req: InspectedRequest): SignatureCheck {
    const h = JSON.parse(req.headers) as Record<string, string>;
    const id = h['webhook-id'];
    const ts = h['webhook-timestamp'];
    const header = h['webhook-signature'];
    if (!id || !ts || !header) return { status: 'unsigned', message: 'No Standard Webhooks signature headers (webhook-id, webhook-timestamp, webhook-signature).' };
    const delivery = this.deliveries?.byMsgId(id);
    const webhook = delivery?.webhook_id ? this.webhooks.get(delivery.webhook_id) : undefined;
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
        return { status: 'valid', message: `Signature valid: signed with the ${secret === webhook.secret ? 'current' : 'previous'} secret of “${webhook.name}”.` };
      }
    }
    return { status: 'invalid', message: `Signature invalid: the body or headers do not match what “${webhook.name}” signed.` };
  }
}
