import { defineErrorCodes } from './errors.js';

/**
 * Every error code the host (core/) throws, with the HTTP status it maps to. Plugins list
 * theirs in their own errors.ts. REST codes (`rest_*`) are WordPress's own (wp-includes/rest-api).
 */
export const CORE_ERROR_CODES = defineErrorCodes('core', {
  // Hooks runtime (programming errors in calls to add_action & co.)
  HOOK_INVALID_NAME: { status: 500, description: 'A hook name must be a non-empty string.' },
  HOOK_INVALID_CALLBACK: { status: 500, description: 'A hook callback must be a function.' },
  HOOK_INVALID_PRIORITY: { status: 500, description: 'A hook priority must be an integer.' },
  HOOK_INVALID_ACCEPTED_ARGS: { status: 500, description: 'accepted_args must be a non-negative integer.' },
  // Cron
  CRON_INVALID_SCHEDULE: { status: 400, description: 'The recurrence is not a registered cron schedule.' },
  CRON_INVALID_TIME: { status: 400, description: 'A cron timestamp must be a positive number of seconds.' },
  CRON_INVALID_HOOK: { status: 400, description: 'A cron hook must be a non-empty string.' },
  CRON_INVALID_ARGS: { status: 400, description: 'Cron args must be an array.' },
  // Database
  MIGRATION_FAILED: { status: 500, description: 'A schema migration failed and was rolled back.' },
  STORAGE_UNAVAILABLE: { status: 503, description: 'The database is busy, full, failing or damaged; nothing was changed. Retry after the Retry-After header (see README, Faults and recovery).' },
  MIGRATION_NO_DOWN: { status: 500, description: 'A migration to undo (uninstall) has no down().' },
  // Options
  OPTION_INVALID: { status: 500, description: 'An option name that is empty or too long, or a value that cannot be stored as JSON.' },
  // Users
  USER_INVALID_LOGIN: { status: 400, description: 'The username has characters WordPress does not allow.' },
  USER_LOGIN_EXISTS: { status: 409, description: 'The username is taken.' },
  USER_INVALID_EMAIL: { status: 400, description: 'The email address is not valid.' },
  USER_EMAIL_EXISTS: { status: 409, description: 'The email address is already registered.' },
  USER_INVALID_DISPLAY_NAME: { status: 400, description: 'The display name is longer than 250 characters.' },
  USER_WEAK_PASSWORD: { status: 400, description: 'The password is shorter than 8 characters.' },
  USER_NOT_FOUND: { status: 404, description: 'There is no such user.' },
  // Sites
  SITE_INVALID_SLUG: { status: 400, description: 'The site address has characters other than a-z, 0-9 and hyphens.' },
  SITE_EXISTS: { status: 409, description: 'The site address is taken.' },
  SITE_MISSING_TITLE: { status: 400, description: 'A site needs a title.' },
  SITE_TITLE_TOO_LONG: { status: 400, description: 'The site title is longer than 200 characters.' },
  SITE_INVALID_EMAIL: { status: 400, description: 'The site admin email is not valid.' },
  SITE_MAIN: { status: 403, description: 'The main site cannot be deleted.' },
  // Plugins
  PLUGIN_NOT_FOUND: { status: 404, description: 'There is no such plugin.' },
  PLUGIN_ACTIVATION_FAILED: { status: 500, description: 'The plugin threw while loading.' },
  PLUGIN_SERVICE_TAKEN: { status: 409, description: 'Another plugin already provides that service.' },
  PLUGIN_BAD_ROUTE: { status: 500, description: 'A plugin route must be a plain path outside /wp-*.' },
  PLUGIN_NO_MANIFEST: { status: 500, description: 'A plugin must export a manifest.' },
  PLUGIN_BAD_MANIFEST: { status: 500, description: 'A manifest field is missing or empty.' },
  PLUGIN_BAD_EXPORT: { status: 500, description: 'A plugin export that must be a function is not one.' },
  PLUGIN_ROUTE_TAKEN: { status: 409, description: 'Another plugin already registered that public route.' },
  PLUGIN_NO_SQLITE: { status: 500, description: 'api.sqlite (the deprecated synchronous SQLite handle) was used on a host running on PostgreSQL.' },
  PLUGIN_SYNC_NEEDS_SQLITE: { status: 500, description: 'A synchronous plugin call with no cache behind it (api.users.list, api.sites.*, the *_site_transient functions) was made on a host running on PostgreSQL; its asynchronous twin works on both.' },
  PLUGIN_ACTIVE: { status: 409, description: 'The plugin must be deactivated first (uninstall).' },
  PLUGIN_UNINSTALL_FAILED: { status: 500, description: 'The plugin threw while uninstalling.' },
  PLUGIN_BAD_CAPABILITY: { status: 500, description: 'A custom capability name is invalid, taken, or not declared.' },
  PLUGIN_BAD_SETTING: { status: 500, description: 'A Settings API registration is invalid (name, group, page or section).' },
  // REST
  REST_ROUTE_INVALID: { status: 500, description: 'A register_rest_route call with a bad namespace, route or no permission_callback.' },
  // HTTP (admin pages)
  BAD_REQUEST: { status: 400, description: 'The request could not be understood.' },
  FORBIDDEN: { status: 403, description: 'The current user may not do this, or the link (nonce) expired.' },
  NOT_FOUND: { status: 404, description: 'The page or object does not exist.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is larger than allowed.' },
  INTERNAL: { status: 500, description: 'An unexpected failure; it is logged.' },
});

export type CoreErrorCode = keyof typeof CORE_ERROR_CODES;
