// Generated from README.md (block 1) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
import type { PluginApi, PluginManifest } from '../../../core/plugin-sdk.js';

export const manifest: PluginManifest = {
  name: 'Hello', description: 'Says hello on the dashboard.', version: '1.0.0', author: 'You',
};

export async function load(api: PluginApi) {
  // Migrations use Kysely's schema builder (the same on SQLite and PostgreSQL); api.db is Kysely.
  await api.migrate([
    { version: 1, name: 'greetings', async up(db) { await db.schema.createTable('hello_greetings').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('text', 'text').execute(); } },
  ]);
  api.hooks.add_action('network_admin_menu', () => {
    api.menus.add_menu_page('Hello', 'Hello', 'manage_network', 'hello', (ctx) =>
      ctx.renderHtml(api.ui.html`<h1>Hello, ${ctx.user.display_name}</h1>`, { title: 'Hello' }));
  });
}
export function activate(api: PluginApi) { api.options.add_site_option('hello_greeting', 'Hi'); }
export function deactivate(api: PluginApi) { /* release resources */ }
