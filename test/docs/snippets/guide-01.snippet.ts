// Generated from docs/plugin-authoring.md (block 1) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
import type { EventRegistrar, PageContext, PluginApi, WebhooksApi } from '../../../core/plugin-sdk.js';

export function snippet(api: PluginApi, ctx: PageContext, _types?: [EventRegistrar, WebhooksApi]): void {
  api.hooks.add_filter('the_title', (title: string) => title.toUpperCase());
  api.hooks.add_action('user_register', (userId: number) => api.logger.info({ userId }, 'new user'), 20);
}
