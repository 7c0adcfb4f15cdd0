import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { createPluginApi } from '../../../core/plugins/plugin-api.js';
import type { PluginApi } from '../../../core/plugin-sdk.js';
import { makeWebhooksApp, type WebhooksApp } from '../../helpers/webhooks.js';
import { sqliteHostOnly } from '../../helpers/app.js';

interface DemoTables {
  demo_orders: { id: number; total: number };
}

/**
 * The transactional outbox over the asynchronous plugin API (SQLite): an event fired inside
 * `api.db.transaction().execute(async (trx) => …)` — by `wu_do_event` or by the plain action an
 * event type is bound to — is written by the webhooks outbox on the synchronous handle of the
 * same connection, in the transaction's own async context, so the shared-connection guard lets
 * it join that transaction: it commits or rolls back with the plugin's rows.
 */
describe('core/plugins: events fired inside an api.db transaction commit or roll back with it (SQLite)', () => {
  sqliteHostOnly('the outbox joins the transaction through the synchronous SQLite handle on the same connection and its shared-connection guard');
  let w: WebhooksApp;
  let api: PluginApi<DemoTables>;

  /** Rows in `table`, read through `db` (the transaction, inside one: Kysely's SQLite driver holds its one connection). */
  const count = async (table: string, db = api.db as unknown as Kysely<any>) => {
    return Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  };

  beforeEach(async () => {
    w = await makeWebhooksApp();
    const manifest = { name: 'Orders', description: 'test', version: '1', author: 'tests' };
    api = createPluginApi(w.hp.host, { slug: 'demo-orders', dir: '/nowhere', manifest, module: { manifest } }).api as PluginApi<DemoTables>;
    await api.migrate([
      { version: 1, name: 'orders', up: async (db) => void (await db.schema.createTable('demo_orders').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('total', 'integer').execute()) },
    ]);
    w.service.wu_register_event_type('order_placed', {
      name: 'Order Placed',
      desc: 'An order was placed.',
      payload: { order_id: 1 },
      hook: { action: 'demo_order_placed', accepted_args: 1, to_payload: (id: number) => ({ order_id: id }) },
    });
    w.service.create_webhook({ name: 'Orders', url: 'http://127.0.0.1:9/orders', event: 'order_placed' });
  });
  afterEach(() => w.hp.close());

  it('a transaction that throws after firing leaves no order, no event and no delivery', async () => {
    const failed = api.db.transaction().execute(async (trx) => {
      await trx.insertInto('demo_orders').values({ id: 1, total: 100 }).execute();
      api.hooks.do_action('demo_order_placed', 1);
      expect(w.service.wu_do_event('order_placed', { order_id: 1 })).to.match(/^evt_/);
      // Inside, the transaction sees its own outbox rows.
      expect(await count('webhook_deliveries', trx as unknown as Kysely<any>)).to.equal(2);
      throw new Error('payment declined');
    });
    expect(await failed.then(() => 'committed', (e: Error) => e.message)).to.equal('payment declined');
    expect(await count('demo_orders')).to.equal(0);
    expect(await count('webhook_events')).to.equal(0);
    expect(await count('webhook_deliveries')).to.equal(0);
    expect(w.hp.host.query.guard!.refused, 'no write was refused: the outbox joined the transaction').to.equal(0);
  });

  it('a transaction that resolves commits the order with its events and deliveries (api.transaction too)', async () => {
    await api.db.transaction().execute(async (trx) => {
      await trx.insertInto('demo_orders').values({ id: 1, total: 100 }).execute();
      api.hooks.do_action('demo_order_placed', 1);
    });
    const id = await api.transaction(async (trx) => {
      await trx.insertInto('demo_orders').values({ id: 2, total: 250 }).execute();
      return w.service.wu_do_event('order_placed', { order_id: 2 });
    });
    expect(id).to.match(/^evt_/);
    expect(await count('demo_orders')).to.equal(2);
    expect(await count('webhook_events')).to.equal(2);
    expect(await count('webhook_deliveries')).to.equal(2);
    expect(w.hp.host.query.guard!.refused).to.equal(0);
  });
});
