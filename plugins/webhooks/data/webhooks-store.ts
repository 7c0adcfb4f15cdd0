import type { Db } from '../../../core/db/database.js';
import type { Webhook } from '../model/webhook.js';

interface Row extends Omit<Webhook, 'active'> {
  active: number;
}

const toWebhook = (r: Row | undefined): Webhook | undefined => (r ? { ...r, active: r.active === 1 } : undefined);

export interface WebhookListQuery {
  search?: string;
  status?: 'active' | 'inactive' | 'disabled';
  orderby?: 'name' | 'url' | 'event' | 'event_count' | 'last_delivery_at' | 'created_at';
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
          event_count, last_status, last_http_status, last_delivery_at, failing_since, created_at, updated_at)
         VALUES (@name, @url, @event, @active, @disabled_reason, @disabled_at, @secret, @previous_secret, @previous_secret_expires,
          @event_count, @last_status, @last_http_status, @last_delivery_at, @failing_since, @created_at, @updated_at)`,
      )
      .run({ ...w, active: w.active ? 1 : 0 });
    return Number(r.lastInsertRowid);
  }

  update(id: number, patch: Partial<Omit<Webhook, 'id'>>): void {
    const keys = Object.keys(patch);
    if (!keys.length) return;
    const values: Record<string, unknown> = { ...patch, id };
    if ('active' in patch) values.active = patch.active ? 1 : 0;
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
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const cols = ['name', 'url', 'event', 'event_count', 'last_delivery_at', 'created_at'];
    const orderby = cols.includes(q.orderby ?? '') ? q.orderby : 'created_at';
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const params = { s: `%${q.search ?? ''}%`, limit: q.limit, offset: q.offset };
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
