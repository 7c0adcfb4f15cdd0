import type { Db } from '../../../core/plugin-sdk.js';

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
  headers: string;
  body: string;
  source_ip: string;
}

/** Data layer of the request inspector. */
export class InspectorStore {
  constructor(private readonly db: Db) {}

  createInbox(i: Inbox): void {
    this.db.prepare('INSERT INTO webhook_inspector_inboxes (token, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)').run(i.token, i.created_by, i.created_at, i.expires_at);
  }

  inbox(token: string): Inbox | undefined {
    return this.db.prepare('SELECT * FROM webhook_inspector_inboxes WHERE token = ?').get(token) as Inbox | undefined;
  }

  inboxes(): Array<Inbox & { requests: number }> {
    return this.db
      .prepare(
        'SELECT i.*, (SELECT COUNT(*) FROM webhook_inspector_requests r WHERE r.token = i.token) AS requests FROM webhook_inspector_inboxes i ORDER BY created_at DESC',
      )
      .all() as Array<Inbox & { requests: number }>;
  }

  deleteInbox(token: string): boolean {
    return this.db.prepare('DELETE FROM webhook_inspector_inboxes WHERE token = ?').run(token).changes > 0;
  }

  /** Stores a request and keeps only the newest `keep` of its inbox. */
  addRequest(r: Omit<InspectedRequest, 'id'>, keep: number): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO webhook_inspector_requests (token, received_at, method, headers, body, source_ip) VALUES (?, ?, ?, ?, ?, ?)')
          .run(r.token, r.received_at, r.method, r.headers, r.body, r.source_ip).lastInsertRowid,
      );
      this.db
        .prepare('DELETE FROM webhook_inspector_requests WHERE token = ? AND id NOT IN (SELECT id FROM webhook_inspector_requests WHERE token = ? ORDER BY id DESC LIMIT ?)')
        .run(r.token, r.token, keep);
      return id;
    })();
  }

  /** Requests of an inbox, newest first: `limit` of them from `offset` (default: all). */
  requests(token: string, limit = -1, offset = 0): InspectedRequest[] {
    return this.db.prepare('SELECT * FROM webhook_inspector_requests WHERE token = ? ORDER BY id DESC LIMIT ? OFFSET ?').all(token, limit, offset) as InspectedRequest[];
  }

  /** How many requests an inbox holds. */
  countRequests(token: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM webhook_inspector_requests WHERE token = ?').get(token) as { n: number }).n;
  }

  /** One stored request of an inbox, or undefined. */
  request(token: string, id: number): InspectedRequest | undefined {
    return this.db.prepare('SELECT * FROM webhook_inspector_requests WHERE token = ? AND id = ?').get(token, id) as InspectedRequest | undefined;
  }

  deleteExpired(now: number): number {
    return this.db.prepare('DELETE FROM webhook_inspector_inboxes WHERE expires_at <= ?').run(now).changes;
  }
}
