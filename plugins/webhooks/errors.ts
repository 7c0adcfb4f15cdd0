import { defineErrorCodes, HookpressError, joinFieldMessages, type HookpressErrorOptions } from '../../core/plugin-sdk.js';

/** Every error code of the webhooks plugin, with its HTTP status: stable, for programs; messages are for people. */
export const WEBHOOK_ERROR_CODES = defineErrorCodes('webhooks', {
  WEBHOOK_INVALID: { status: 400, description: 'A webhook field is invalid; `fields` has one message per field.' },
  WEBHOOK_NOT_FOUND: { status: 404, description: 'There is no webhook with that id.' },
  WEBHOOK_INACTIVE: { status: 409, description: 'The webhook is inactive, disabled or deleted, so its deliveries cannot be sent again until it is active.' },
  DELIVERY_NOT_FOUND: { status: 404, description: 'There is no delivery with that id (it may have been pruned).' },
  EVENT_UNKNOWN: { status: 400, description: 'The event is not a registered event type.' },
  EVENT_TYPE_INVALID: { status: 500, description: 'A plugin registered an event type with a bad slug, name, description or sample.' },
  INVALID_ARGUMENT: { status: 400, description: 'An argument of a webhooks API call is out of range or of the wrong type.' },
  EBLOCKED: { status: 400, description: 'The destination resolves to an address the SSRF guard refuses.' },
  SYNC_NEEDS_SQLITE: { status: 500, description: 'A synchronous WebhooksApi method was called on a host running on PostgreSQL; its twin in `webhooks.async` works on both backends.' },
});

export type WebhookErrorCode = keyof typeof WEBHOOK_ERROR_CODES;

/** A bad call to the webhooks API. `field` names the input at fault, when there is one. */
export class WebhookError extends HookpressError<WebhookErrorCode> {
  constructor(code: WebhookErrorCode, message: string, field?: string, options: HookpressErrorOptions = {}) {
    super(code, message, { field, ...options });
    this.name = 'WebhookError';
  }
}

/**
 * Validation of a webhook: every field at fault at once (code WEBHOOK_INVALID). `fields` has one
 * message per field, `field` names the first, and `errors` lists them all as
 * `{ field, code, message }` — the field's own code where there is one (`EVENT_UNKNOWN` for an
 * unregistered event, `EBLOCKED` for a URL the SSRF guard refuses), else WEBHOOK_INVALID. A field
 * given several messages (`headers`: one per bad header) has an entry in `errors` for each, and
 * them joined in `fields`, so a caller fixes every header in one pass.
 */
export class WebhookValidationError extends WebhookError {
  declare readonly fields: Record<string, string>;
  constructor(fields: Record<string, string | readonly string[]>, codes: Partial<Record<string, WebhookErrorCode>> = {}) {
    const lists = Object.entries(fields).map(([field, m]) => [field, typeof m === 'string' ? [m] : m] as const);
    const joined = Object.fromEntries(lists.map(([field, messages]) => [field, messages.join(' ')]));
    const errors = lists.flatMap(([field, messages]) => messages.map((message) => ({ field, code: codes[field] ?? 'WEBHOOK_INVALID', message })));
    super('WEBHOOK_INVALID', lists.length ? joinFieldMessages(joined) : 'Invalid webhook.', undefined, { fields: joined, errors });
    this.name = 'WebhookValidationError';
  }
}
