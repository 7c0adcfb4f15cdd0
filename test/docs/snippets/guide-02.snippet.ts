// Generated from docs/plugin-authoring.md (block 2) by tools/doc-snippets.ts — do not edit; edit the doc and run npm run docs:snippets.
import type { PluginApi } from '../../../core/plugin-sdk.js';

/** "Grace Hopper (grace)" for each of the first 50 users: a select's options on either database. */
export async function userChoices(api: PluginApi): Promise<Array<[string, string]>> {
  const { items } = await api.users.listAsync({ limit: 50 });
  return items.map((u) => [String(u.id), `${u.display_name} (${u.login})`]);
}
