/** Codes of the webhooks plugin's errors: stable, for programs; messages are for people. */
export type WebhookErrorCode =
  | 'WEBHOOK_INVALID'
  | 'WEBHOOK_NOT_FOUND'
  | 'DELIVERY_NOT_FOUND'
  | 'EVENT_UNKNOWN'
  | 'EVENT_TYPE_INVALID'
  | 'INVALID_ARGUMENT';

/** A bad call to the webhooks API. `field` names the input at fault, when there is one. */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;
  readonly field?: string;
  constructor(code: WebhookErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'WebhookError';
    this.code = code;
    this.field = field;
  }
}

/** Validation of a webhook: one message per field at fault. */
export class WebhookValidationError extends WebhookError {
  readonly fields: Record<string, string>;
  constructor(fields: Record<string, string>) {
    const [first] = Object.entries(fields);
    super('WEBHOOK_INVALID', first ? `${first[0]}: ${first[1]}` : 'Invalid webhook.', first?.[0]);
    this.name = 'WebhookValidationError';
    this.fields = fields;
  }
}
