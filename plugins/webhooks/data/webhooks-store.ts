import { syncRunner, type Db, type DialectName, type Generated, type Kysely, type Selectable, type SyncRunner } from '../../../core/plugin-sdk.js';
import type { Webhook } from '../model/webhook.js';

/** The table this store reads and writes, as the query layer sees it (times in unix ms). */
export interface WebhooksTables {
  webhooks: WebhookRow;
}

/** A `webhooks` row (migrations.ts): Webhook's fields with flags as 0/1 and headers as JSON text. */
export type WebhookRow = Omit<Webhook, 'id' | 'active' | 'hidden' | 'headers'> & {
  id: Generated<number>;
  active: number;
  hidden: number;
  headers: string;
  /** Start of the newest successful attempt (migration 3), kept by the deliveries store. */
  last_success_at: number | null;
};

type Row = Selectable<WebhookRow>;

const toWebhook = (r: Row | undefined): Webhook | undefined =>
  r ? { ...r, active: r.active === 1, hidden: r.hidden === 1, headers: JSON.parse(r.headers || '[]') as Webhook['headers'] } : undefined;

/** Webhook fields as columns (booleans as 0/1, headers as JSON); fields left undefined are left out. */
function toColumns(w: Partial<Omit<Webhook, 'id'>>): Partial<Omit<Row, 'id'>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(w)) if (value !== undefined) out[key] = value;
  if (w.active !== undefined) out.active = w.active ? 1 : 0;
  if (w.hidden !== undefined) out.hidden = w.hidden ? 1 : 0;
  if ('headers' in w) out.headers = JSON.stringify(w.headers ?? []);
  return out as Partial<Omit<Row, 'id'>>;
}

/** The columns an insert writes (the rest keep their defaults). */
const INSERTED = [
  'name',
  'url',
  'event',
  'active',
  'disabled_reason',
  'disabled_at',
  'secret',
  'previous_secret',
  'previous_secret_expires',
  'event_count',
  'last_status',
  'last_http_status',
  'last_delivery_at',
  'failing_since',
  'created_at',
  'updated_at',
  'integration',
  'hidden',
  'headers',
] as const;

/** A statement prepared on the synchronous handle, as the hot reads run it. */
interface Prepared {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

const ORDERABLE = ['id', 'name', 'url', 'event', 'event_count', 'last_delivery_at', 'created_at', 'updated_at'] as const;

export interface WebhookListQuery {
  /** Matched anywhere in name, URL or event, ASCII case ignored (SQLite's LIKE; ILIKE on PostgreSQL). */
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

/**
 * Data layer of webhooks, on the query layer (`api.db`). The synchronous methods keep the names
 * their callers use today and run the store's Kysely queries on the synchronous SQLite handle
 * (`sync`; without it — PostgreSQL — they throw); each has an asynchronous twin named `…Async`
 * running the same query on either database.
 *
 * No caches: the deliveries store updates health columns in SQL, and other processes may share
 * the database. A read by primary key or by the (event, active) index costs microseconds.
 */
export class WebhooksStore {
  private readonly now: SyncRunner;
  /**
   * SQLite: the two reads on the delivery path (every event, every attempt), compiled from their
   * Kysely queries and prepared once — building and preparing them per call cost ~25 µs, the
   * prepared statement ~4 µs. Parameters in the queries' order: `get` (id), `activeFor` (event, 1).
   */
  private readonly hot?: { get: Prepared; activeFor: Prepared };

  constructor(
    private readonly db: Kysely<WebhooksTables>,
    private readonly dialect: DialectName,
    /** SQLite: the synchronous handle on the same connection (`api.sqlite`); absent on PostgreSQL. */
    sync?: Db,
  ) {
    this.now = syncRunner(sync, 'WebhooksStore');
    if (sync) this.hot = { get: sync.prepare(this.getQuery(0).compile().sql), activeFor: sync.prepare(this.activeForQuery('').compile().sql) };
  }

  /** One webhook by id, or undefined. */
  get(id: number): Webhook | undefined {
    if (!this.hot) return toWebhook(this.now<Row>(this.getQuery(id)).rows[0]); // throws: no synchronous handle
    return toWebhook(this.hot.get.get(id) as Row | undefined);
  }

  async getAsync(id: number): Promise<Webhook | undefined> {
    return toWebhook(await this.getQuery(id).executeTakeFirst());
  }

  /** Every active webhook subscribed to an event (no cap), in id order. */
  activeFor(event: string): Array<{ id: number; url: string }> {
    if (!this.hot) return this.now<{ id: number; url: string }>(this.activeForQuery(event)).rows; // throws: no synchronous handle
    return this.hot.activeFor.all(event, 1) as Array<{ id: number; url: string }>;
  }

  /** activeFor on the query layer; on `on` (a transaction of the same database) when given. */
  async activeForAsync(event: string, on?: Kysely<any>): Promise<Array<{ id: number; url: string }>> {
    const query = this.activeForQuery(event);
    return on ? on.executeQuery(query.compile()).then((r) => r.rows as Array<{ id: number; url: string }>) : query.execute();
  }

  /** Adds a webhook; returns its id. */
  insert(w: Omit<Webhook, 'id'>): number {
    return Number(this.now<{ id: number }>(this.insertQuery(w)).rows[0]!.id);
  }

  async insertAsync(w: Omit<Webhook, 'id'>): Promise<number> {
    return Number((await this.insertQuery(w).executeTakeFirstOrThrow()).id);
  }

  /** Changes the given fields of a webhook (none given: nothing happens). */
  update(id: number, patch: Partial<Omit<Webhook, 'id'>>): void {
    const query = this.updateQuery(id, patch);
    if (query) this.now(query);
  }

  async updateAsync(id: number, patch: Partial<Omit<Webhook, 'id'>>): Promise<void> {
    await this.updateQuery(id, patch)?.execute();
  }

  /** Deletes a webhook (its deliveries go with it); false when there was none. */
  delete(id: number): boolean {
    return this.now(this.deleteQuery(id)).changes > 0;
  }

  async deleteAsync(id: number): Promise<boolean> {
    return Number((await this.deleteQuery(id).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** A page of webhooks matching `q` and how many match in all. */
  list(q: WebhookListQuery): { items: Webhook[]; total: number } {
    const items = this.now<Row>(this.pageQuery(q)).rows.map((r) => toWebhook(r)!);
    return { items, total: Number(this.now<{ n: number }>(this.countQuery(q)).rows[0]?.n ?? 0) };
  }

  async listAsync(q: WebhookListQuery): Promise<{ items: Webhook[]; total: number }> {
    const items = (await this.pageQuery(q).execute()).map((r) => toWebhook(r)!);
    return { items, total: Number((await this.countQuery(q).executeTakeFirst())?.n ?? 0) };
  }

  /** How many webhooks there are (hidden ones included). */
  count(): number {
    return Number(this.now<{ n: number }>(this.countQuery()).rows[0]?.n ?? 0);
  }

  async countAsync(): Promise<number> {
    return Number((await this.countQuery().executeTakeFirst())?.n ?? 0);
  }

  private getQuery(id: number) {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id);
  }

  private activeForQuery(event: string) {
    return this.db.selectFrom('webhooks').select(['id', 'url']).where('event', '=', event).where('active', '=', 1).orderBy('id');
  }

  private insertQuery(w: Omit<Webhook, 'id'>) {
    const columns = toColumns(w);
    const values = Object.fromEntries(INSERTED.map((c) => [c, columns[c] ?? null])) as Omit<Row, 'id' | 'last_success_at'>;
    return this.db.insertInto('webhooks').values(values).returning('id');
  }

  private updateQuery(id: number, patch: Partial<Omit<Webhook, 'id'>>) {
    const columns = toColumns(patch);
    if (!Object.keys(columns).length) return undefined;
    return this.db.updateTable('webhooks').set(columns).where('id', '=', id);
  }

  private deleteQuery(id: number) {
    return this.db.deleteFrom('webhooks').where('id', '=', id);
  }

  private pageQuery(q: WebhookListQuery) {
    const orderby = (ORDERABLE as readonly string[]).includes(q.orderby ?? '') ? q.orderby! : 'created_at';
    const order = q.order === 'asc' ? 'asc' : 'desc';
    const postgres = this.dialect === 'postgres';
    return this.filtered(q)
      .selectAll()
      // NULLs sort as on SQLite (lowest) on PostgreSQL too: first ascending, last descending.
      .orderBy(orderby, (ob) => (order === 'asc' ? (postgres ? ob.asc().nullsFirst() : ob.asc()) : postgres ? ob.desc().nullsLast() : ob.desc()))
      .orderBy('id', order)
      .limit(q.limit)
      .offset(q.offset);
  }

  private countQuery(q?: WebhookListQuery) {
    return (q ? this.filtered(q) : this.db.selectFrom('webhooks')).select((eb) => eb.fn.countAll<number>().as('n'));
  }

  private filtered(q: WebhookListQuery) {
    const like = this.dialect === 'postgres' ? 'ilike' : 'like';
    const pattern = `%${q.search ?? ''}%`;
    return this.db
      .selectFrom('webhooks')
      .$if(!!q.search, (s) => s.where((eb) => eb.or([eb('name', like, pattern), eb('url', like, pattern), eb('event', like, pattern)])))
      .$if(q.status === 'active', (s) => s.where('active', '=', 1))
      .$if(q.status === 'inactive', (s) => s.where('active', '=', 0).where('disabled_reason', 'is', null))
      .$if(q.status === 'disabled', (s) => s.where('disabled_reason', 'is not', null))
      .$if(q.hidden !== undefined, (s) => s.where('hidden', '=', q.hidden ? 1 : 0))
      .$if(q.active !== undefined, (s) => s.where('active', '=', q.active ? 1 : 0))
      .$if(q.integration !== undefined, (s) => s.where('integration', '=', q.integration!))
      .$if(q.event !== undefined, (s) => s.where('event', '=', q.event!));
  }
}
