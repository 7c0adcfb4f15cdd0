/**
 * The menu icons the admin draws (add_menu_page's `icon`): WordPress Dashicons names, each
 * shown as a text glyph (the admin ships no icon font). Any other name — or none — shows the
 * first letter of the menu title, so an unknown icon is visible and never a bare dot; the
 * plugin's logger warns about it once at registration.
 */
export const MENU_ICONS: Readonly<Record<string, string>> = Object.freeze({
  'dashicons-dashboard': '◴',
  'dashicons-admin-multisite': '▦',
  'dashicons-admin-users': '☺',
  'dashicons-admin-plugins': '⚙',
  'dashicons-admin-settings': '☰',
  'dashicons-admin-tools': '⚒',
  'dashicons-admin-generic': '⚙',
  'dashicons-admin-site': '⌂',
  'dashicons-admin-home': '⌂',
  'dashicons-admin-post': '✎',
  'dashicons-admin-page': '▤',
  'dashicons-admin-media': '▣',
  'dashicons-admin-links': '⛓',
  'dashicons-admin-comments': '✉',
  'dashicons-admin-appearance': '◐',
  'dashicons-email': '✉',
  'dashicons-email-alt': '✉',
  'dashicons-rss': '⇄',
  'dashicons-share-alt': '⇄',
  'dashicons-webhooks': '⇄',
  'dashicons-groups': '♜',
  'dashicons-money-alt': '$',
  'dashicons-cart': '⛟',
  'dashicons-products': '▣',
  'dashicons-tickets-alt': '✂',
  'dashicons-calendar-alt': '▦',
  'dashicons-clock': '◷',
  'dashicons-chart-bar': '▮',
  'dashicons-chart-line': '∿',
  'dashicons-lock': '⚿',
  'dashicons-shield': '⛨',
  'dashicons-star-filled': '★',
  'dashicons-heart': '♥',
  'dashicons-flag': '⚑',
  'dashicons-location': '⌖',
  'dashicons-database': '⛁',
  'dashicons-cloud': '☁',
  'dashicons-bell': '⍾',
  'dashicons-megaphone': '📣',
  'dashicons-translation': '文',
  'dashicons-search': '⌕',
  'dashicons-list-view': '☷',
  'dashicons-editor-code': '</>',
});

/** The glyph drawn for a menu icon, or the menu title's first letter when the name is unknown. */
export function menuIconGlyph(icon: string | undefined, menuTitle: string): { glyph: string; known: boolean } {
  const known = icon !== undefined && Object.hasOwn(MENU_ICONS, icon);
  if (known) return { glyph: MENU_ICONS[icon]!, known };
  return { glyph: ([...menuTitle.trim()][0] ?? '?').toUpperCase(), known: false };
}
