/**
 * Sample values of the host's own events (user_created, site_created). The key names are an
 * interface (Zapier zaps and custom receivers are built on them): keep them exactly. The
 * memberships catalogue's samples live in that plugin (plugins/memberships/events/samples.ts).
 */
export const sampleSite = {
  site_id: 5,
  site_title: 'Ada’s Engines',
  site_slug: 'ada-engines',
  site_admin_email: 'ada@example.com',
  site_manage_url: 'http://127.0.0.1:8080/wp-admin/network/sites.php?id=5',
  site_registered: '2026-11-28 09:10:00',
};

export const sampleUser = {
  user_id: 7,
  user_login: 'ada',
  user_display_name: 'Ada Lovelace',
  user_email: 'ada@example.com',
  user_registered: '2026-11-28 09:00:00',
};
