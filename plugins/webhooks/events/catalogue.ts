import type { PluginApi } from '../../../core/plugin-sdk.js';
import type { EventRegistrar } from '../api.js';
import type { EventRegistry, EventTypeDefinition } from './registry.js';
import { sampleSite, sampleUser } from './sample-groups.js';

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The webhooks plugin's own event types: the host's actions (a user or a site was created).
 * Other plugins register theirs on `wu_register_all_events` — the memberships plugin brings
 * the original product's catalogue that way.
 */
export function builtInEvents(api: PluginApi): Array<[string, EventTypeDefinition]> {
  return [
    [
      'user_created',
      {
        name: 'New User Account',
        group: 'Network',
        desc: 'A user account was created on the network — for example, to add the person to a mailing list.',
        payload: () => ({ ...sampleUser }),
        hook: {
          action: 'user_register',
          accepted_args: 1,
          to_payload: (userId: number) => {
            const user = api.users.get(userId);
            return user
              ? { user_id: user.id, user_login: user.login, user_display_name: user.display_name, user_email: user.email, user_registered: isoDate(user.registered) }
              : null;
          },
        },
      },
    ],
    [
      'site_created',
      {
        name: 'New Site Created',
        group: 'Network',
        desc: 'A site was added to the network.',
        payload: () => ({ ...sampleSite }),
        hook: {
          action: 'wp_initialize_site',
          accepted_args: 1,
          to_payload: (site: { id: number; title: string; slug: string; admin_email: string; registered: number }) => ({
            site_id: site.id,
            site_title: site.title,
            site_slug: site.slug,
            site_admin_email: site.admin_email,
            site_manage_url: api.urls.home_url(`/wp-admin/network/sites.php?id=${site.id}`),
            site_registered: isoDate(site.registered),
          }),
        },
      },
    ],
  ];
}

/**
 * (Re)collects the event types into `registry` — this plugin's own, then every plugin's through
 * the action `wu_register_all_events` (an EventRegistrar) — once every plugin is loaded
 * (`init`) and whenever a plugin is activated or deactivated.
 */
export function collectEventTypes(api: PluginApi, registry: EventRegistry): void {
  const collect = (): void => {
    registry.clear();
    for (const [slug, def] of builtInEvents(api)) registry.register(slug, def, 'webhooks');
    const registrar: EventRegistrar = {
      wu_register_event_type: (slug, def) => void registry.register(slug, def, def.source ?? 'unknown'),
      register_event_type: (slug, def) => void registry.register(slug, def, def.source ?? 'unknown'),
    };
    api.hooks.do_action('wu_register_all_events', registrar);
  };
  for (const action of ['init', 'activated_plugin', 'deactivated_plugin']) api.hooks.add_action(action, collect);
}
