import { syncRunner, type Db, type DialectName, type Generated, type Kysely, type SyncRunner } from '../../../core/plugin-sdk.js';

export interface Inbox {
  token: string;
  created_by: number | null;
  created_at: number;
  expires_at: number;
}

export interface InspectedRequest {
  id: number;
  token: string;
  received_at: number;
  method: string;
  /** JSON object of the request's headers (name → value). */
  headers: string;
  /**
   * The body exactly as received: bytes (BLOB on SQLite, bytea on PostgreSQL), whatever they
   * are — invalid UTF-8 and NUL included — so the signature check and the raw view see what was sent.
   */
  body: Buffer;
  source_ip: string;
}

/** The inspector's tables as the query layer sees them (times in unix ms). */
export interface InspectorTables {
  webhook_inspector_inboxes: Inbox;
  webhook_inspector_requests: Omit<InspectedRequest, 'id'> & { id: Generated<number> };
}

/**
 * Data layer of the request inspector, on the query layer. The synchronous methods (the
 * inspector and its screens call them) run on the SQLite handle `sync` and throw without it;
 * their `…Async` twins run on either database. Times are unix milliseconds.
 */
export class InspectorStore {
  private readonly now: SyncRunner;

  constructor(
    private readonly db: Kysely<InspectorTables>,
    private readonly dialect: DialectName,
    /** SQLite: the synchronous handle on the same connection (`api.sqlite`); absent on PostgreSQL. */
    private readonly sync?: Db,
  ) {
    this.now = syncRunner(sync, 'InspectorStore');
  }

  createInbox(i: Inbox): void {
    this.now(this.createInboxQuery(i));
  }

  async createInboxAsync(i: Inbox): Promise<void> {
    await this.createInboxQuery(i).execute();
  }

  inbox(token: string): Inbox | undefined {
    return this.now<Inbox>(this.inboxQuery(token)).rows[0];
  }

  async inboxAsync(token: string): Promise<Inbox | undefined> {
    return this.inboxQuery(token).executeTakeFirst();
  }

  /** Every inbox, newest first, with how many requests it holds. */
  inboxes(): Array<Inbox & { requests: number }> {
    return this.now<Inbox & { requests: number }>(this.inboxesQuery()).rows;
  }

  async inboxesAsync(): Promise<Array<Inbox & { requests: number }>> {
    return (await this.inboxesQuery().execute()).map((r) => ({ ...r, requests: Number(r.requests) }));
  }

  /** Deletes an inbox and its requests; false when there was none. */
  deleteInbox(token: string): boolean {
    return this.now(this.deleteInboxQuery(token)).changes > 0;
  }

  async deleteInboxAsync(token: string): Promise<boolean> {
    return Number((await this.deleteInboxQuery(token).executeTakeFirst()).numDeletedRows) > 0;
  }

  /** Stores a request and keeps only the newest `keep` of its inbox (one transaction); returns its id. */
  addRequest(r: Omit<InspectedRequest, 'id'>, keep: number): number {
    const run = () => {
      const id = Number(this.now<{ id: number }>(this.insertRequestQuery(this.db, r)).rows[0]!.id);
      this.now(this.pruneQuery(this.db, r.token, keep));
      return id;
    };
    // Without the synchronous handle (PostgreSQL), run() throws at its first query.
    return this.sync ? this.sync.transaction(run)() : run();
  }

  async addRequestAsync(r: Omit<InspectedRequest, 'id'>, keep: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await this.insertRequestQuery(trx, r).executeTakeFirstOrThrow();
      await this.pruneQuery(trx, r.token, keep).execute();
      return Number(id);
    });
  }

  /** Requests of an inbox, newest first: `limit` of them from `offset` (default: all). */
  requests(token: string, limit = -1, offset = 0): InspectedRequest[] {
    return this.now<InspectedRequest>(this.requestsQuery(token, limit, offset)).rows;
  }

  async requestsAsync(token: string, limit = -1, offset = 0): Promise<InspectedRequest[]> {
    return this.requestsQuery(token, limit, offset).execute();
  }

  /** How many requests an inbox holds. */
  countRequests(token: string): number {
    return Number(this.now<{ n: number }>(this.countRequestsQuery(token)).rows[0]?.n ?? 0);
  }

  async countRequestsAsync(token: string): Promise<number> {
    return Number((await this.countRequestsQuery(token).executeTakeFirst())?.n ?? 0);
  }

  /** One stored request of an inbox, or undefined. */
  request(token: string, id: number): InspectedRequest | undefined {
    return this.now<InspectedRequest>(this.requestQuery(token, id)).rows[0];
  }

  async requestAsync(token: string, id: number): Promise<InspectedRequest | undefined> {
    return this.requestQuery(token, id).executeTakeFirst();
  }

  /** Deletes the inboxes expired at `now` (ms) with their requests; returns how many. */
  deleteExpired(now: number): number {
    return this.now(this.deleteExpiredQuery(now)).changes;
  }

  async deleteExpiredAsync(now: number): Promise<number> {
    return Number((await this.deleteExpiredQuery(now).executeTakeFirst()).numDeletedRows);
  }

  private createInboxQuery(i: Inbox) {
    return this.db.insertInto('webhook_inspector_inboxes').values({ token: i.token, created_by: i.created_by, created_at: i.created_at, expires_at: i.expires_at });
  }

  private inboxQuery(token: string) {
    return this.db.selectFrom('webhook_inspector_inboxes').selectAll().where('token', '=', token);
  }

  private inboxesQuery() {
    return this.db
      .selectFrom('webhook_inspector_inboxes as i')
      .selectAll('i')
      .select((eb) =>
        eb
          .selectFrom('webhook_inspector_requests as r')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('r.token', '=', 'i.token')
          .as('requests'),
      )
      .orderBy('created_at', 'desc');
  }

  private deleteInboxQuery(token: string) {
    return this.db.deleteFrom('webhook_inspector_inboxes').where('token', '=', token);
  }

  private insertRequestQuery(db: Kysely<InspectorTables>, r: Omit<InspectedRequest, 'id'>) {
    return db
      .insertInto('webhook_inspector_requests')
      .values({ token: r.token, received_at: r.received_at, method: r.method, headers: r.headers, body: r.body, source_ip: r.source_ip })
      .returning('id');
  }

  /** Deletes the requests of `token` but its newest `keep`. */
  private pruneQuery(db: Kysely<InspectorTables>, token: string, keep: number) {
    return db
      .deleteFrom('webhook_inspector_requests')
      .where('token', '=', token)
      .where('id', 'not in', (eb) => eb.selectFrom('webhook_inspector_requests').select('id').where('token', '=', token).orderBy('id', 'desc').limit(keep));
  }

  private requestsQuery(token: string, limit: number, offset: number) {
    const query = this.db.selectFrom('webhook_inspector_requests').selectAll().where('token', '=', token).orderBy('id', 'desc');
    if (limit >= 0) return query.limit(limit).offset(offset);
    if (offset <= 0) return query;
    // All from `offset`: SQLite needs a LIMIT before OFFSET (-1: none); PostgreSQL refuses a negative one.
    return this.dialect === 'sqlite' ? query.limit(-1).offset(offset) : query.offset(offset);
  }

  private countRequestsQuery(token: string) {
    return this.db
      .selectFrom('webhook_inspector_requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('token', '=', token);
  }

  private requestQuery(token: string, id: number) {
    return this.db.selectFrom('webhook_inspector_requests').selectAll().where('token', '=', token).where('id', '=', id);
  }

  private deleteExpiredQuery(now: number) {
    return this.db.deleteFrom('webhook_inspector_inboxes').where('expires_at', '<=', now);
  }
}
