/**
 * The Hookpress plugin SDK: the only module a plugin imports from the host.
 *
 *     import type { PluginApi, PluginManifest, PageContext } from '../../core/plugin-sdk.js';
 *     import { wp_die, sanitize_text_field } from '../../core/plugin-sdk.js';
 *
 * Everything else a plugin needs arrives at run time in the `api` object passed to `load`,
 * `activate`, `deactivate` and `uninstall`. Its data API is asynchronous: `api.db` is a Kysely
 * query builder (type it with your tables: `PluginApi<MyTables>`), transactions are
 * `api.db.transaction().execute(async (trx) => …)`, and `api.migrate` takes migrations written
 * with Kysely's schema builder (`PluginMigration`, `withId`). Importing any other module of `core/`, or
 * another plugin's modules, fails the boundary test (test/core/plugins/boundary.test.ts):
 * plugins talk to each other through hooks and `api.services`.
 */

// The plugin contract and the API object.
export type { PluginApi, PluginManifest, PluginModule, PluginConfig, PublicHandler, AdminUi } from './plugins/types.js';
export { PluginError } from './plugins/types.js';
export { HookpressError, isHookpressError, defineErrorCodes, joinFieldMessages } from './errors.js';
export type { FieldError, HookpressErrorOptions } from './errors.js';

// Admin screens.
export type { PageContext, RenderOptions } from './admin/page-context.js';
export type { Notice, NoticeType } from './admin/notices.js';
export type { FieldOptions } from './admin/form.js';
/** Declared maximum lengths of text fields and their validation message (issue #14: input hygiene in one place). */
export { TEXT_LIMITS, tooLong, stripControlChars, bodyString } from './admin/form.js';
export type { Column, RowAction, ListQuery, ListTableOptions } from './admin/list-table.js';
export type { DashboardWidget } from './admin/screens/dashboard.js';

// Markup: escaped by default.
export { SafeHtml, html, raw, esc } from './http/html.js';

// Errors and wp_die.
export { HttpError, EXPIRED_LINK, NOT_ALLOWED } from './http/errors.js';
export { wp_die, WPDieError } from './http/wp-die.js';
export { HookError } from './hooks/index.js';
export type { HookErrorCode, HookCallback, HookFunction, MethodCallback, Hooks, HookWarning } from './hooks/index.js';

// Storage: api.db is Kysely (SQLite or PostgreSQL); migrations use Kysely's schema builder.
export type { PluginMigration, AnyPluginMigration } from './plugins/plugin-migrations.js';
/** `sql` for the few raw fragments a query needs; the Kysely types to declare a plugin's tables. */
export { sql } from 'kysely';
export type { Kysely, Transaction, Generated, Insertable, Selectable, Updateable, ColumnType, RawBuilder } from 'kysely';
export type { DialectName } from './db/query-layer.js';
/**
 * The transaction an `api.db` transaction's callback is running, for synchronous code it calls
 * (a hook that cannot await): stage writes with `beforeCommit(trx => …)` — they run in it before
 * COMMIT — and `afterCommit(fn)` for what must wait for the commit.
 */
export { currentTransactionScope, TransactionScope } from './db/transaction-scope.js';
/** Schema helpers for migrations: an auto-increment `id` key on both databases; a case-insensitive unique column. */
export { withId, uniqueIgnoringCase } from './db/schema-migrations.js';
/** @deprecated The raw-SQL migration form (`up(db: Db)`, SQLite only): write PluginMigration instead. */
export type { Migration } from './db/migrations.js';
/** @deprecated The synchronous SQLite handle's type (`api.sqlite`): use `api.db`. */
export type { Db } from './db/database.js';
/**
 * The synchronous face of a plugin store written on `api.db` (SQLite only, for callers that cannot
 * await yet): `syncRunner(api.sqlite, 'MyStore')(query)` runs a Kysely query now on the synchronous
 * handle — the same connection — and returns `{ rows, changes }`; without a handle (PostgreSQL) it
 * throws, naming the store.
 */
export { syncRunner } from './db/sync-face.js';
export type { SyncRunner } from './db/sync-face.js';
/** Units of work: a request is answered only once the writes it deferred (group commit) are durable. */
export { currentUnitOfWork, runInUnitOfWork, UnitOfWork } from './http/unit-of-work.js';
export type { Clock } from './config.js';

// Records the API hands out.
export type { User } from './users/users-store.js';
export type { Site } from './sites/sites.js';

// The webhooks plugin's public API (plugins/webhooks/api.ts): what `wu_register_all_events`
// callbacks receive, the event type definition, and the service
// `api.services.get<WebhooksApi>('webhooks')` returns. Type-only: the SDK loads no plugin.
export type {
  EventRegistrar,
  EventTypeDefinition,
  EventType,
  Payload as EventPayload,
  WebhooksApi,
  Webhook,
  WebhookInput,
  Delivery,
  DeliveryDetail,
  TestResult,
  WebhookErrorCode,
} from '../plugins/webhooks/api.js';

// WordPress's sanitizers and URL escaping (wp-includes/formatting.php).
export {
  sanitize_text_field,
  sanitize_textarea_field,
  sanitize_key,
  sanitize_email,
  is_email,
  esc_url,
  esc_url_raw,
  sanitize_url,
  WP_ALLOWED_PROTOCOLS,
} from './formatting/formatting.js';
export { MENU_ICONS } from './admin/icons.js';

// REST API (register_rest_route through api.rest).
export { RestResponse } from './rest/types.js';
export type { JsonSchema, RestArg, RestAuth, RestEndpoint, RestRequest } from './rest/types.js';
export { restPage } from './rest/server.js';

// Building blocks: the Settings API, translations, custom capabilities.
export type { SettingArgs, SettingsField } from './admin/settings-api.js';
export type { PluginI18n } from './i18n/i18n.js';
export type { CapabilityInfo } from './users/capabilities.js';
export { sprintf } from '@wordpress/i18n';
