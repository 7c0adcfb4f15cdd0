import type { Kysely } from '../../../core/plugin-sdk.js';
import type { Attempt, Delivery, DeliveryListQuery } from './deliveries-store.js';
import type { OutboxTables } from './outbox-store.js';

/**
 * The delivery log on the query layer (SQLite and PostgreSQL): the same answers and changes as
 * DeliveriesStore's synchronous reads (list, get, body, attempts, countsByWebhook, totalsOf) and
 * upkeep (requeue, requeueFailedSince, prune), for the service's asynchronous methods — on
 * PostgreSQL there is no synchronous handle. Times in unix milliseconds; flags 0/1.
 */
export class DeliveryLog {
  constructor(private readonly db: Kysely<OutboxTables>) {}

  /** A page of deliveries matching `q`, newest first, and how many match in all. */
  async list(q: DeliveryListQuery): Promise<{ items: Delivery[]; total: number }> {
    const filtered = this.db
      .selectFrom('webhook_deliveries')
      .$if(q.webhookId !== undefined, (s) => s.where('webhook_id', '=', q.webhookId!))
      .$if(!!q.status, (s) => s.where('status', '=', q.status!))
      .$if(!!q.event, (s) => s.where('event', '=', q.event!))
      .$if(q.isTest !== undefined, (s) => s.where('is_test', '=', q.isTest ? 1 : 0))
      .$if(!!q.attempted, (s) => s.where('attempts', '>', 0))
      .$if(q.attemptedSince !== undefined, (s) => s.where('last_attempt_at', '>=', q.attemptedSince!));
    const items = (await filtered.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute()) as Delivery[];
    const total = Number((await filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    return { items, total };
  }

  /** One delivery by id, or undefined. */
  async get(id: number): Promise<Delivery | undefined> {
    return (await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst()) as Delivery | undefined;
  }

  /** The delivery that carried a webhook-id (the inspector checks signatures with its webhook's secret). */
  async byMsgId(msgId: string): Promise<Delivery | undefined> {
    return (await this.db.selectFrom('webhook_deliveries').selectAll().where('msg_id', '=', msgId).executeTakeFirst()) as Delivery | undefined;
  }

  /** The event's JSON snapshot (the bytes sent), or undefined once pruned. */
  async body(eventId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('webhook_events').select('body').where('id', '=', eventId).executeTakeFirst())?.body;
  }

  /** A delivery's attempts, oldest first. */
  async attempts(deliveryId: number): Promise<Attempt[]> {
    return (await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute()) as Attempt[];
  }

  /** How many deliveries each webhook has in the log (test sends excluded: they are not deliveries), in one query. */
  async countsByWebhook(webhookIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>(webhookIds.map((id) => [id, 0]));
    if (!webhookIds.length) return out;
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['webhook_id', eb.fn.countAll<number>().as('n')])
      .where('webhook_id', 'in', webhookIds)
      .where('is_test', '=', 0)
      .groupBy('webhook_id')
      .execute();
    for (const r of rows) if (r.webhook_id !== null) out.set(Number(r.webhook_id), Number(r.n));
    return out;
  }

  /** How many deliveries a webhook has in the log, and how many attempts they took in all (tests excluded). */
  async totalsOf(webhookId: number): Promise<{ deliveries: number; attempts: number }> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('deliveries'), eb.fn.coalesce(eb.fn.sum<number>('attempts'), eb.lit(0)).as('attempts')])
      .where('webhook_id', '=', webhookId)
      .where('is_test', '=', 0)
      .executeTakeFirst();
    return { deliveries: Number(r?.deliveries ?? 0), attempts: Number(r?.attempts ?? 0) };
  }

  /** Makes a finished delivery due at `now` for one more attempt (manual resend); keeps its msg id. Returns whether it changed. */
  async requeue(id: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'pending', next_attempt_at: now, lease_until: null, next_trigger: 'manual', max_attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'succeeded', 'cancelled'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Requeues every failed (or cancelled) non-test delivery of a webhook created since `since`. Returns how many. */
  async requeueFailedSince(webhookId: number, since: number, now: number): Promise<number> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'pending', next_attempt_at: now, lease_until: null, next_trigger: 'manual', max_attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('webhook_id', '=', webhookId)
      .where('status', 'in', ['failed', 'cancelled'])
      .where('is_test', '=', 0)
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Deletes up to `batch` attempts older than `before` (ms), then finished deliveries and orphan events, in one transaction. Returns how many rows. */
  async prune(before: number, batch: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const attempts = await trx
        .deleteFrom('webhook_attempts')
        .where('id', 'in', (eb) => eb.selectFrom('webhook_attempts').select('id').where('attempted_at', '<', before).limit(batch))
        .executeTakeFirst();
      const deliveries = await trx
        .deleteFrom('webhook_deliveries')
        .where('id', 'in', (eb) => eb.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'pending').where('updated_at', '<', before).limit(batch))
        .executeTakeFirst();
      const events = await trx
        .deleteFrom('webhook_events')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webhook_events as e')
            .select('e.id')
            .where('e.created_at', '<', before)
            .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id'))))
            .limit(batch),
        )
        .executeTakeFirst();
      return Number(attempts.numDeletedRows) + Number(deliveries.numDeletedRows) + Number(events.numDeletedRows);
    });
  }
}
