import type { Db } from '../../../core/plugin-sdk.js';
import type { Webhook } from '../model/webhook.js';

interface Row extends Omit<Webhook, 'active' | 'hidden' | 'headers'> {
  active: number;
  hidden: number;
  headers: string;
}

const toWebhook = (r: Row | undefined): Webhook | undefined =>
  r ? { ...r, active: r.active === 1, hidden: r.hidden === 1, headers: JSON.parse(r.headers || '[]') as Webhook['headers'] } : undefined;

/** Webhook fields as columns (booleans as 0/1, headers as JSON). */
function toColumns(w: Partial<Omit<Webhook, 'id'>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...w };
  if ('active' in w) out.active = w.active ? 1 : 0;
  if ('hidden' in w) out.hidden = w.hidden ? 1 : 0;
  if ('headers' in w) out.headers = JSON.stringify(w.headers ?? []);
  return out;
}

export interface WebhookListQuery {
  search?: string;
  status?: 'active' | 'inactive' | 'disabled';
  /** Column filters (Ultimate Multisite's API): undefined = any. */
  hidden?: boolean;
  integration?: string;
  event?: string;
  active?: boolean;
  orderby?: 'id' | 'name' | 'url' | 'event' | 'event_count' | 'last_delivery_at' | 'created_at' | 'updated_at';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Data layer of webhooks. */
export class WebhooksStore {
  private readonly byIdStmt;
  private readonly activeForEventStmt;
  constructor(private readonly db: Db) {
    this.byIdStmt = db.prepare('SELECT * FROM webhooks WHERE id = ?');
    this.activeForEventStmt = db.prepare('SELECT id, url FROM webhooks WHERE event = ? AND active = 1');
  }

  // No caches: the outbox store updates health columns in SQL, and other processes may share
  // the database. A read by primary key or by the (event, active) index costs microseconds.

  get(id: number): Webhook | undefined {
    return toWebhook(this.byIdStmt.get(id) as Row | undefined);
  }

  /** Every active webhook subscribed to an event (no cap). */
  activeFor(event: string): Array<{ id: number; url: string }> {
    return this.activeForEventStmt.all(event) as Array<{ id: number; url: string }>;
  }

  insert(w: Omit<Webhook, 'id'>): number {
    const r = this.db
      .prepare(
        `INSERT INTO webhooks (name, url, event, active, disabled_reason, disabled_at, secret, previous_secret, previous_secret_expires,
          event_count, last_status, last_http_status, last_delivery_at, failing_since, created_at, updated_at, integration, hidden, headers)
         VALUES (@name, @url, @event, @active, @disabled_reason, @disabled_at, @secret, @previous_secret, @previous_secret_expires,
          @event_count, @last_status, @last_http_status, @last_delivery_at, @failing_since, @created_at, @updated_at, @integration, @hidden, @headers)`,
      )
      .run(toColumns(w));
    return Number(r.lastInsertRowid);
  }

  update(id: number, patch: Partial<Omit<Webhook, 'id'>>): void {
    const keys = Object.keys(patch);
    if (!keys.length) return;
    const values: Record<string, unknown> = { ...toColumns(patch), id };
    this.db.prepare(`UPDATE webhooks SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run(values);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE id = ?').run(id).changes > 0;
  }

  list(q: WebhookListQuery): { items: Webhook[]; total: number } {
    const where: string[] = [];
    if (q.search) where.push('(name LIKE @s OR url LIKE @s OR event LIKE @s)');
    if (q.status === 'active') where.push('active = 1');
    if (q.status === 'inactive') where.push('active = 0 AND disabled_reason IS NULL');
    if (q.status === 'disabled') where.push('disabled_reason IS NOT NULL');
    if (q.hidden !== undefined) where.push(`hidden = ${q.hidden ? 1 : 0}`);
    if (q.active !== undefined) where.push(`active = ${q.active ? 1 : 0}`);
    if (q.integration !== undefined) where.push('integration = @integration');
    if (q.event !== undefined) where.push('event = @event');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const cols = ['id', 'name', 'url', 'event', 'event_count', 'last_delivery_at', 'created_at', 'updated_at'];
    const orderby = cols.includes(q.orderby ?? '') ? q.orderby : 'created_at';
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const params = { s: `%${q.search ?? ''}%`, limit: q.limit, offset: q.offset, integration: q.integration ?? null, event: q.event ?? null };
    const items = (this.db.prepare(`SELECT * FROM webhooks ${w} ORDER BY ${orderby} ${order}, id ${order} LIMIT @limit OFFSET @offset`).all(params) as Row[]).map(
      (r) => toWebhook(r)!,
    );
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM webhooks ${w}`).get(params) as { n: number }).n;
    return { items, total };
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM webhooks').get() as { n: number }).n;
  }
}
