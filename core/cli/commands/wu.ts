import type { Command } from 'commander';
import type { WebhooksApi } from '../../../plugins/webhooks/api.js';
import type { CommandGroup } from '../program.js';
import { formatItem, formatList, withFormatOptions, type FormatOptions } from '../output.js';
import { HookpressError } from '../../errors.js';
import { engineOf } from '../../../plugins/webhooks/facades.js';
import { probeDestination } from '../../../plugins/webhooks/delivery/destination-probe.js';
import { attemptObject, deliveryObject, webhookObject } from '../../../plugins/webhooks/rest/objects.js';

const EVENT_FIELDS = ['slug', 'name', 'desc', 'group', 'source', 'payload'];

/** `hookpress wu …`: Ultimate Multisite's `wp wu` commands for events, webhooks and deliveries. */
export const wuCommands: CommandGroup = {
  name: 'wu',
  register(program, ctx) {
    const wu = program.command('wu').description('Manage webhooks, events and deliveries (Ultimate Multisite’s `wp wu`).');
    const event = wu.command('event').description('Event types webhooks can subscribe to.');
    withFormatOptions(event.command('list').description('Lists every registered event type.')).action(async (opts: FormatOptions) => {
      const webhooks = await ctx.service<WebhooksApi>('webhooks');
      const rows = webhooks.wu_get_event_types().map((t) => ({ slug: t.slug, id: t.slug, name: t.name, desc: t.desc, group: t.group, source: t.source, payload: t.sample() }));
      ctx.write(formatList(rows, opts, EVENT_FIELDS, ['slug', 'name', 'group', 'source']));
    });
    registerWebhookCommands(wu, ctx);
  },
};

const WEBHOOK_FIELDS = ['id', 'name', 'webhook_url', 'event', 'event_count', 'active', 'hidden', 'integration', 'headers', 'disabled_reason', 'last_status', 'last_http_status', 'date_created', 'date_modified', 'date_last_failed', 'date_last_delivery'];
const DELIVERY_FIELDS = ['id', 'msg_id', 'event_id', 'webhook_id', 'event', 'url', 'status', 'is_test', 'attempts', 'max_attempts', 'last_http_status', 'last_error', 'date_created', 'date_next_attempt', 'date_last_attempt'];

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new HookpressError('CLI_USAGE', `${name} must be a whole number; got "${v}".`, { field: name });
  return n;
};
/** `--active` / `--hidden`: true/false (also 1/0, yes/no, on/off); anything else is a usage error, never a silent false. */
const bool = (name: string) => (v: string) => {
  const word = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off'].includes(word)) return false;
  throw new HookpressError('CLI_USAGE', `--${name} must be true or false; got "${v}".`, { field: name });
};
/** `--header="Name: value"`, repeatable. */
const header = (v: string, prev: Array<{ name: string; value: string }> = []) => {
  const at = v.indexOf(':');
  if (at < 1) throw new HookpressError('CLI_USAGE', `--header takes "Name: value"; got "${v}".`, { field: 'header' });
  return [...prev, { name: v.slice(0, at).trim(), value: v.slice(at + 1).trim() }];
};

function registerWebhookCommands(wu: Command, ctx: Parameters<CommandGroup['register']>[1]): void {
  const hooks = () => ctx.service<WebhooksApi>('webhooks');
  /** The webhooks engine's asynchronous methods (WebhooksAsyncApi): the way in on either backend (PostgreSQL has no synchronous one). */
  const queries = async () => {
    const q = engineOf(await hooks())?.asyncApi();
    if (!q) throw new HookpressError('CLI_USAGE', 'The "webhooks" service is not the webhooks plugin’s.');
    return q;
  };
  /** A host name resolving to a blocked range (or to nothing) is saved with the admin's warning, as "Warning: …" on stderr. */
  const warnAboutDestination = async (api: WebhooksApi, url: string) => {
    const destinations = engineOf(api)?.destinations;
    const warning = destinations && (await probeDestination(url, destinations));
    if (warning) ctx.warning(warning.message);
  };
  const webhook = wu.command('webhook').description('Webhooks: list, get, create, update, delete, test.');

  withFormatOptions(webhook.command('list').description('Lists webhooks.'))
    .option('--search <text>', 'Matches name, URL or event.')
    .option('--event <slug>')
    .option('--integration <slug>')
    .option('--number <n>', 'How many (default 100).', int('number'))
    .option('--offset <n>', 'Skip this many.', int('offset'))
    .action(async (o: FormatOptions & { search?: string; event?: string; integration?: string; number?: number; offset?: number }) => {
      const { items } = await (await queries()).list_webhooks({ search: o.search, event: o.event, integration: o.integration, limit: o.number ?? 100, offset: o.offset ?? 0, orderby: 'id', order: 'asc' });
      ctx.write(formatList(items.map(webhookObject), o, WEBHOOK_FIELDS, ['id', 'name', 'webhook_url', 'event', 'active', 'integration']));
    });

  withFormatOptions(webhook.command('get').description('Shows one webhook (never its secret).').argument('<id>', 'Webhook id', int('id'))).action(async (id: number, o: FormatOptions) => {
    ctx.write(formatItem(webhookObject(await (await queries()).get_webhook(id)), o, WEBHOOK_FIELDS));
  });

  webhook
    .command('create')
    .description('Creates a webhook.')
    .requiredOption('--name <name>')
    .requiredOption('--url <url>', 'The URL that receives the payloads.')
    .requiredOption('--event <slug>')
    .option('--integration <slug>', 'Who creates it.', 'manual')
    .option('--active <bool>', 'true or false (default true).', bool('active'))
    .option('--hidden <bool>', 'Hide it from the admin list.', bool('hidden'))
    .option('--header <header>', 'A custom request header, "Name: value" (repeatable).', header)
    .option('--porcelain', 'Output just the new webhook id.')
    .action(async (o: { name: string; url: string; event: string; integration: string; active?: boolean; hidden?: boolean; header?: Array<{ name: string; value: string }>; porcelain?: boolean }) => {
      const api = await hooks();
      const w = await (await queries()).create_webhook({ name: o.name, url: o.url, event: o.event, integration: o.integration, active: o.active, hidden: o.hidden, headers: o.header });
      if (o.porcelain) ctx.write(`${w.id}\n`);
      else ctx.success(`Created webhook ${w.id}.`);
      await warnAboutDestination(api, w.url);
    });

  webhook
    .command('update')
    .description('Changes the given fields of a webhook.')
    .argument('<id>', 'Webhook id', int('id'))
    .option('--name <name>')
    .option('--url <url>')
    .option('--event <slug>')
    .option('--integration <slug>')
    .option('--active <bool>', 'true or false.', bool('active'))
    .option('--hidden <bool>', 'true or false.', bool('hidden'))
    .option('--header <header>', 'Replaces the custom headers, "Name: value" (repeatable).', header)
    .action(async (id: number, o: { name?: string; url?: string; event?: string; integration?: string; active?: boolean; hidden?: boolean; header?: Array<{ name: string; value: string }> }) => {
      const api = await hooks();
      const saved = await (await queries()).update_webhook(id, { name: o.name, url: o.url, event: o.event, integration: o.integration, active: o.active, hidden: o.hidden, headers: o.header });
      ctx.success(`Updated webhook ${id}.`);
      if (o.url !== undefined) await warnAboutDestination(api, saved.url);
    });

  webhook
    .command('delete')
    .description('Deletes one or more webhooks.')
    .argument('<ids...>', 'Webhook ids', (v: string, prev: number[] = []) => [...prev, int('id')(v)])
    .action(async (ids: number[]) => {
      const q = await queries();
      for (const id of ids) {
        await q.delete_webhook(id);
        ctx.success(`Deleted webhook ${id}.`);
      }
    });

  webhook
    .command('test')
    .description('Sends the event’s sample payload, signed and marked as a test; exit status 1 when the endpoint fails.')
    .argument('<id>', 'Webhook id', int('id'))
    .action(async (id: number) => {
      const r = await (await hooks()).send_test_event(id);
      // This process sends the test itself, with its own configuration, not the server's.
      const hint =
        r.errorClass === 'blocked'
          ? ' The CLI sends test events itself: give it the same WEBHOOKS_ALLOW_NETWORKS as the server — in .env, which `npm start` and `npx hookpress` both read, or in its environment.'
          : '';
      if (!r.ok) throw new HookpressError('CLI_TEST_FAILED', `The test event failed: ${r.errorMessage ?? `HTTP ${r.status}`} (delivery ${r.deliveryId}).${hint}`);
      ctx.success(`The endpoint answered HTTP ${r.status} in ${Math.round(r.durationMs)} ms (delivery ${r.deliveryId}).`);
    });

  const delivery = wu.command('delivery').description('Deliveries: list, get, resend.');
  withFormatOptions(delivery.command('list').description('Lists deliveries, newest first.'))
    .option('--webhook <id>', 'Only this webhook’s.', int('webhook'))
    .option('--status <status>', 'pending, succeeded, failed or cancelled.')
    .option('--number <n>', 'How many (default 20, at most 500).', int('number'))
    .option('--offset <n>', 'Skip this many.', int('offset'))
    .action(async (o: FormatOptions & { webhook?: number; status?: string; number?: number; offset?: number }) => {
      const { items } = await (await queries()).list_deliveries({ webhookId: o.webhook, status: o.status, limit: o.number ?? 20, offset: o.offset ?? 0 });
      ctx.write(formatList(items.map(deliveryObject), o, DELIVERY_FIELDS, ['id', 'webhook_id', 'event', 'status', 'attempts', 'last_http_status', 'date_created']));
    });
  withFormatOptions(delivery.command('get').description('Shows one delivery with its body and attempts.').argument('<id>', 'Delivery id', int('id'))).action(async (id: number, o: FormatOptions) => {
    const d = await (await queries()).get_delivery(id);
    ctx.write(formatItem({ ...deliveryObject(d.delivery), body: d.body, attempts: d.attempts.map(attemptObject) }, o, [...DELIVERY_FIELDS, 'body', 'attempts']));
  });
  delivery
    .command('resend')
    .description('Queues a finished delivery to be sent again (the running server sends it).')
    .argument('<id>', 'Delivery id', int('id'))
    .action(async (id: number) => {
      await (await queries()).resend_delivery(id);
      ctx.success(`Delivery ${id} queued to be sent again.`);
    });
}
