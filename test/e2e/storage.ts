import type { RawBuilder } from 'kysely';
import type { HookpressApp } from '../../core/app.js';
import { runInUnitOfWork } from '../../core/http/unit-of-work.js';
import type { WebhooksApi } from '../../plugins/webhooks/api.js';

/**
 * The browser suites' way into a host's data on either backend (SQLite, or PostgreSQL on the
 * second pass of `npm test`): through the host's asynchronous query layer, never the
 * synchronous SQLite handle.
 */

/** The rows of one query (kysely's `sql` template: values become parameters) on the host's database. */
export async function sqlRows<R>(hp: HookpressApp, query: RawBuilder<R>): Promise<R[]> {
  return (await query.execute(hp.query.db)).rows;
}

/**
 * `wu_do_event` as one independent caller (like one HTTP request): resolves once the event and
 * its deliveries are stored — on PostgreSQL they are written by the group commit, not at once.
 */
export async function fireEvent(api: Pick<WebhooksApi, 'wu_do_event'>, slug: string, payload: Record<string, unknown>): Promise<string | false> {
  return runInUnitOfWork(() => api.wu_do_event(slug, payload));
}
