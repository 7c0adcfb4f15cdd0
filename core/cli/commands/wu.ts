import type { Command } from 'commander';
import type { WebhooksApi } from '../../../plugins/webhooks/api.js';
import type { CommandGroup } from '../program.js';
import { formatList, withFormatOptions, type FormatOptions } from '../output.js';

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

function registerWebhookCommands(_wu: Command, _ctx: Parameters<CommandGroup['register']>[1]): void {
  // webhook and delivery commands: see below (added with the REST object shape).
}
