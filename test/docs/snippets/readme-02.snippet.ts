// Generated from README.md (block 2) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
// plugins/shop/index.ts
import type { EventRegistrar, PluginApi, WebhooksApi } from '../../../core/plugin-sdk.js';

export function load(api: PluginApi) {
  // Register event types when the webhooks plugin collects them…
  api.hooks.add_action('wu_register_all_events', (events: EventRegistrar) => {
    events.wu_register_event_type('order_shipped', {
      name: 'Order Shipped',
      desc: 'An order left the warehouse.',
      payload: () => ({ order_id: 1001, carrier: 'UPS' }),   // sample, shown in the admin
      source: 'shop',
      // …optionally bound to one of your actions: each firing becomes the event.
      hook: { action: 'shop_order_shipped', accepted_args: 2, to_payload: (id: number, carrier: string) => ({ order_id: id, carrier }) },
    });
  });
  // …or fire an event yourself through the 'webhooks' service (its API: WebhooksApi):
  api.services.get<WebhooksApi>('webhooks')?.wu_do_event('order_shipped', { order_id: 7, carrier: 'DHL' });
}
