import { RestResponse, restPage, type FieldError, type JsonSchema, type PluginApi, type RestArg, type RestEndpoint, type RestRequest } from '../../../core/plugin-sdk.js';
import type { WebhooksApi, WebhooksAsyncApi } from '../api.js';
import { WebhookError, WebhookValidationError, type WebhookErrorCode } from '../errors.js';
import { MAX_CUSTOM_HEADERS, MAX_ID, MAX_NAME_LENGTH, MAX_URL_LENGTH, unmaskHeaders, type WebhookInput } from '../model/webhook.js';
import type { DestinationWarning } from '../delivery/destination-probe.js';
import { ATTEMPT_SCHEMA, DELIVERY_SCHEMA, WEBHOOK_SCHEMA, attemptObject, deliveryObject, webhookObject } from './objects.js';

export const NAMESPACE = 'wu/v2';
const CAPABILITY = 'manage_webhooks';
const ID = '(?P<id>[\\d]+)';

const canManage = (req: RestRequest) => req.auth.can(CAPABILITY);
const canNetwork = (req: RestRequest) => req.auth.can('manage_network');

// Ids, `page` and `offset` are bounded by PostgreSQL's `integer` (MAX_ID, 2147483647), so both
// databases refuse a bigger one the same way — the schema's 400 rest_invalid_param naming the
// argument (rest_out_of_bounds) — instead of a store error (SQLite: a datatype mismatch on a
// float such as 1e+23, a 500; PostgreSQL: an integer overflow).
const id: RestArg = { type: 'integer', minimum: 1, maximum: MAX_ID, required: true, description: `The object’s id (at most ${MAX_ID}, PostgreSQL’s integer).` };
const pagination: Record<string, RestArg> = {
  page: { type: 'integer', minimum: 1, maximum: MAX_ID, default: 1, description: `Current page of the collection (at most ${MAX_ID}, PostgreSQL’s integer).` },
  per_page: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'Maximum number of items to be returned in result set.' },
  number: { type: 'integer', minimum: 1, maximum: 100, description: 'Ultimate Multisite’s name for per_page.' },
  offset: { type: 'integer', minimum: 0, maximum: MAX_ID, description: `Offset the result set by a specific number of items (instead of page; at most ${MAX_ID}, PostgreSQL’s integer).` },
};
/** Limit and offset from WordPress's page/per_page or Ultimate Multisite's number/offset. */
function pageOf(p: Record<string, unknown>): { limit: number; offset: number } {
  const limit = (p.number as number | undefined) ?? (p.per_page as number);
  const offset = (p.offset as number | undefined) ?? ((p.page as number) - 1) * limit;
  return { limit, offset };
}

/**
 * One page of a collection (restPage: X-WP-Total, X-WP-TotalPages), or WordPress's answer to a
 * `page` past the last one (WP_REST_Posts_Controller::get_items): 400
 * rest_post_invalid_page_number, with the same headers. Page 1 of an empty list stays 200 [];
 * an explicit `offset` is never refused (it is not a page number).
 */
function pageResponse(items: unknown[], total: number, limit: number, p: Record<string, unknown>): RestResponse {
  const response = restPage(items, total, limit);
  const page = p.page as number;
  if (p.offset !== undefined || page <= 1 || page <= Math.ceil(total / limit)) return response;
  return new RestResponse({ code: 'rest_post_invalid_page_number', message: 'The page number requested is larger than the number of pages available.', data: { status: 400 } }, 400, response.headers);
}

// The schema checks the shape only (objects of string name and value); the service checks each
// name and value (empty, too long, refused, not a field value, given twice) and reports every bad
// header at once — a length limit here would repeat its checks with other messages. The service
// still checks the headers the schema did not refuse (RestServer.validate), so both are reported.
const headersArg: RestArg = {
  type: 'array',
  maxItems: MAX_CUSTOM_HEADERS,
  items: { type: 'object', required: ['name', 'value'], additionalProperties: false, properties: { name: { type: 'string', description: 'A header name (token) of at most 100 characters.' }, value: { type: 'string', description: 'At most 4000 characters of visible ASCII, spaces and tabs.' } } },
  description: 'Extra request headers sent with every delivery (hop-by-hop, Content-*, Webhook-* and User-Agent names are refused; every bad header is reported).',
};
const webhookFields = (create: boolean): Record<string, RestArg> => ({
  name: { type: 'string', minLength: 2, maxLength: MAX_NAME_LENGTH, required: create, description: 'The webhook’s name.' },
  webhook_url: { type: 'string', format: 'uri', maxLength: MAX_URL_LENGTH, required: create, description: 'The URL that receives the payloads.' },
  event: { type: 'string', minLength: 1, required: create, description: 'The event slug (see GET /hooks).' },
  integration: { type: 'string', pattern: '^[a-z0-9_-]{1,40}$', required: create, description: '`manual` for webhooks made by people, the platform’s slug (e.g. `zapier`) for subscriptions.' },
  active: { type: 'boolean', description: 'Whether it receives events.' },
  hidden: { type: 'boolean', description: 'Leave it out of the admin list by default.' },
  headers: headersArg,
});
/** A signing secret given by the client (create, rotate-secret); the service checks its form and length. */
const secretArg = (action: string): RestArg => ({
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: `The signing secret: \`whsec_\` + base64 of 24–64 random bytes (or that base64 alone). Omit it to have one generated (null is not a string: refused). ${action}`,
});
const webhookInput = (p: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'event', 'integration', 'active', 'hidden', 'headers', 'secret']) if (p[k] !== undefined) out[k] = p[k];
  if (p.webhook_url !== undefined) out.url = p.webhook_url;
  return out;
};

/**
 * Runs a create/update with the REST field names: renames the service's `url` field in
 * validation errors (an IP literal the SSRF guard refuses among them) to `webhook_url`, as the
 * schema's own errors name it, keeping every other field's error and each field's code.
 */
async function asRestFields<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (!(error instanceof WebhookValidationError) || !('url' in error.fields)) throw error;
    const messages: Record<string, string[]> = {};
    const codes: Record<string, WebhookErrorCode> = {};
    // Grouped per field, so a field with several problems (one per bad header) keeps them all.
    for (const e of restProblems(error.fieldErrors())) {
      (messages[e.field] ??= []).push(e.message);
      codes[e.field] = e.code as WebhookErrorCode;
    }
    throw new WebhookValidationError(messages, codes);
  }
}

/** The service's field errors with the REST field names (`url` → `webhook_url`). */
function restProblems(errors: FieldError[]): FieldError[] {
  return errors.map((e) => (e.field === 'url' ? { ...e, field: 'webhook_url' } : e));
}

const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** What create and update answer: the webhook, plus `warnings` when its URL gave the save-time check something to say. */
const SAVED_WEBHOOK_SCHEMA: JsonSchema = {
  ...(WEBHOOK_SCHEMA as unknown as JsonSchema),
  properties: {
    ...WEBHOOK_SCHEMA.properties,
    warnings: {
      type: 'array',
      description:
        'Present only when there is something to warn about; the webhook was saved either way. `destination_blocked`: the URL’s host is, or resolves to, an address the SSRF guard refuses (deliveries fail while it does; the operator can allow the range with WEBHOOKS_ALLOW_NETWORKS). `destination_not_found`: DNS has no address for the host. Checked once, at save, within 2 s; the guard at connect time stays the authority.',
      items: {
        type: 'object',
        required: ['code', 'message', 'host'],
        properties: {
          code: { type: 'string', enum: ['destination_blocked', 'destination_not_found'] },
          message: { type: 'string' },
          host: { type: 'string' },
          address: { type: 'string', description: 'The refused address (destination_blocked).' },
          reason: { type: 'string', description: 'Why the guard refuses it, e.g. “a private address” (destination_blocked).' },
        },
      },
    },
  },
} as unknown as JsonSchema;

/** The webhook object, with the save-time warnings about its URL when there are any. */
async function savedWebhookObject(w: Parameters<typeof webhookObject>[0], checkDestination: DestinationCheck): Promise<Record<string, unknown>> {
  const warning = await checkDestination(w.url);
  return warning ? { ...webhookObject(w), warnings: [warning] } : webhookObject(w);
}

/** The save-time check of a webhook URL (probeDestination with the engine's policy and lookup); never throws. */
export type DestinationCheck = (url: string) => Promise<DestinationWarning | undefined>;
const TEST_RESULT: JsonSchema = {
  type: 'object',
  required: ['ok', 'status', 'duration_ms', 'delivery_id', 'msg_id'],
  properties: {
    ok: { type: 'boolean' },
    status: { type: ['integer', 'null'] },
    duration_ms: { type: 'number' },
    response_excerpt: { type: ['string', 'null'] },
    error_class: { type: ['string', 'null'] },
    error_message: { type: ['string', 'null'] },
    delivery_id: { type: 'integer' },
    msg_id: { type: 'string' },
  },
};

/**
 * Ultimate Multisite's `wu/v2` webhook routes (auth, hooks, webhook CRUD, with the plural
 * `/webhooks` as an alias) and what the admin can do beyond them: test, rotate-secret,
 * deliveries, resend, recover. Everything goes through the public WebhooksApi — webhook CRUD and
 * the delivery log through its asynchronous twins (`queries`, WebhooksAsyncApi: the way in on
 * PostgreSQL); create and
 * update report every invalid field at once (400 rest_invalid_param; an IP literal in a blocked
 * range among them, as the service refuses it) and what `checkDestination` says about the saved URL (`warnings`); not-found
 * errors carry Ultimate Multisite's codes on the wire (REST_CODE_RENAMES).
 */
export function registerRestRoutes(
  api: PluginApi,
  webhooks: WebhooksApi,
  checkDestination: DestinationCheck,
  /** What a create (partial: an update) would refuse in the given fields, without saving (WebhooksService.webhookProblems). */
  problems: (input: WebhookInput, partial: boolean) => FieldError[],
  /** The webhook and delivery-log methods the routes await (either backend). */
  queries: WebhooksAsyncApi,
): void {
  const rest = api.rest;
  // A client that PATCHes back the headers it read sends our own masks: keep those values.
  const unmasked = async (req: RestRequest): Promise<Record<string, unknown>> => {
    const params = { ...req.params };
    if (params.headers !== undefined) params.headers = unmaskHeaders(params.headers, (await queries.get_webhook(req.params.id as number)).headers);
    return params;
  };
  const schema = () => WEBHOOK_SCHEMA as unknown as JsonSchema;

  rest.register_rest_route(NAMESPACE, '/auth', {
    methods: 'GET',
    summary: 'Checks the credentials; `label` is the network’s name (what Zapier shows for the connection).',
    permission_callback: canNetwork,
    callback: () => ({ success: true, label: String(api.options.get_site_option('site_name', 'Hookpress Network')), message: 'Welcome to our API' }),
    response: { type: 'object', required: ['success', 'label', 'message'], properties: { success: { type: 'boolean' }, label: { type: 'string' }, message: { type: 'string' } } },
  });

  rest.register_rest_route(NAMESPACE, '/hooks', {
    methods: 'GET',
    summary: 'Every event type, keyed by slug, with its name, description and sample payload.',
    permission_callback: canManage,
    callback: () => Object.fromEntries(webhooks.wu_get_event_types().map((t) => [t.slug, { id: t.slug, name: t.name, desc: t.desc, group: t.group, payload: t.sample() }])),
    response: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['name', 'desc', 'payload'], properties: { id: { type: 'string' }, name: { type: 'string' }, desc: { type: 'string' }, group: { type: 'string' }, payload: { type: 'object' } } },
    },
  });

  const collection: RestEndpoint[] = [
    {
      methods: 'GET',
      summary: 'Lists webhooks (newest first by default), paginated, searchable, filtered by column.',
      permission_callback: canManage,
      paginated: true,
      args: {
        ...pagination,
        search: { type: 'string', maxLength: 200, description: 'Matches name, URL or event.' },
        orderby: { type: 'string', enum: ['id', 'name', 'url', 'event', 'event_count', 'date_created', 'date_modified'], default: 'id' },
        order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
        event: { type: 'string' },
        integration: { type: 'string' },
        active: { type: 'boolean' },
        hidden: { type: 'boolean' },
      },
      callback: async (req) => {
        const p = req.params;
        const { limit, offset } = pageOf(p);
        const orderby = ({ date_created: 'created_at', date_modified: 'updated_at' } as Record<string, string>)[p.orderby as string] ?? p.orderby;
        const { items, total } = await queries.list_webhooks({
          limit,
          offset,
          search: p.search as string | undefined,
          orderby: orderby as 'name',
          order: p.order as 'asc',
          event: p.event as string | undefined,
          integration: p.integration as string | undefined,
          active: p.active as boolean | undefined,
          hidden: p.hidden as boolean | undefined,
        });
        return pageResponse(items.map(webhookObject), total, limit, p);
      },
      response: list(WEBHOOK_SCHEMA as unknown as JsonSchema),
    },
    {
      methods: 'POST',
      summary: 'Creates a webhook (Zapier’s subscribe), with a generated signing secret or the optional `secret`. Returns it, without its secret.',
      permission_callback: canManage,
      strict: true,
      // An integration that keeps its own secret gives it here rather than creating then rotating,
      // which would leave a generated secret valid as the previous one for the grace period.
      args: { ...webhookFields(true), secret: secretArg('Never returned: the integration keeps its own.') },
      validate_params: (req) => restProblems(problems(webhookInput(req.params), false)),
      responseStatus: 201,
      callback: async (req) => new RestResponse(await savedWebhookObject(await asRestFields(() => queries.create_webhook(webhookInput(req.params))), checkDestination), 201),
      response: SAVED_WEBHOOK_SCHEMA,
    },
  ];
  const item: RestEndpoint[] = [
    { methods: 'GET', summary: 'One webhook.', permission_callback: canManage, args: { id }, callback: async (req) => webhookObject(await queries.get_webhook(req.params.id as number)), response: WEBHOOK_SCHEMA as unknown as JsonSchema },
    {
      methods: ['POST', 'PUT', 'PATCH'],
      summary: 'Changes the given fields; an unknown field is a 400.',
      permission_callback: canManage,
      strict: true,
      args: { id, ...webhookFields(false) },
      // An unknown id is the callback's 404 to report; the arguments' 400 comes first, as before.
      validate_params: async (req) => restProblems(problems(webhookInput(await unmasked(req).catch(() => req.params)), true)),
      callback: async (req) => {
        const params = await unmasked(req);
        return savedWebhookObject(await asRestFields(() => queries.update_webhook(req.params.id as number, webhookInput(params))), checkDestination);
      },
      response: SAVED_WEBHOOK_SCHEMA,
    },
    {
      methods: 'DELETE',
      summary: 'Deletes a webhook (Zapier’s unsubscribe).',
      permission_callback: canManage,
      args: { id },
      callback: async (req) => {
        const previous = webhookObject(await queries.get_webhook(req.params.id as number));
        await queries.delete_webhook(req.params.id as number);
        return { deleted: true, previous };
      },
      response: { type: 'object', required: ['deleted', 'previous'], properties: { deleted: { type: 'boolean' }, previous: WEBHOOK_SCHEMA } },
    },
  ];
  for (const base of ['/webhook', '/webhooks']) {
    rest.register_rest_route(NAMESPACE, base, collection, { schema });
    rest.register_rest_route(NAMESPACE, `${base}/${ID}`, item, { schema });
  }

  rest.register_rest_route(NAMESPACE, `/webhook/${ID}/test`, {
    methods: 'POST',
    summary: 'Sends the event’s sample payload, signed and marked as a test, and reports what the endpoint answered.',
    permission_callback: canManage,
    args: { id },
    callback: async (req) => {
      const r = await webhooks.send_test_event(req.params.id as number);
      return { ok: r.ok, status: r.status, duration_ms: r.durationMs, response_excerpt: r.responseExcerpt, error_class: r.errorClass, error_message: r.errorMessage, delivery_id: r.deliveryId, msg_id: r.msgId };
    },
    response: TEST_RESULT,
  });

  rest.register_rest_route(NAMESPACE, `/webhook/${ID}/rotate-secret`, {
    methods: 'POST',
    summary:
      'Replaces the signing secret with a generated one, or with `secret` when given (as Svix’s rotate takes an optional key). The only route that returns a secret, once; the previous one keeps working for the grace period. An unknown field is a 400.',
    permission_callback: canManage,
    strict: true,
    args: {
      id,
      secret: secretArg('The new one is returned once.'),
    },
    callback: async (req) => {
      const w = await queries.rotate_secret(req.params.id as number, req.params.secret as string | undefined);
      return { id: w.id, secret: w.secret, previous_secret_expires: w.previous_secret_expires === null ? null : new Date(w.previous_secret_expires).toISOString() };
    },
    response: { type: 'object', required: ['id', 'secret'], properties: { id: { type: 'integer' }, secret: { type: 'string', pattern: '^whsec_' }, previous_secret_expires: { type: ['string', 'null'], format: 'date-time' } } },
  });

  rest.register_rest_route(NAMESPACE, `/webhook/${ID}/deliveries`, {
    methods: 'GET',
    summary: 'The webhook’s deliveries, newest first, filtered by status, paginated.',
    permission_callback: canManage,
    paginated: true,
    args: { id, ...pagination, status: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'cancelled'] } },
    callback: async (req) => {
      const { limit, offset } = pageOf(req.params);
      const { items, total } = await queries.list_deliveries({ webhookId: req.params.id as number, status: req.params.status as string | undefined, limit, offset });
      return pageResponse(items.map(deliveryObject), total, limit, req.params);
    },
    response: list(DELIVERY_SCHEMA as unknown as JsonSchema),
  });

  rest.register_rest_route(NAMESPACE, `/webhook/${ID}/recover`, {
    methods: 'POST',
    summary: 'Requeues every failed delivery of the webhook created since `since`.',
    permission_callback: canManage,
    args: { id, since: { type: 'string', format: 'date-time', required: true, description: 'ISO 8601 date-time.' } },
    callback: async (req) => ({ requeued: await queries.recover_failed_deliveries(req.params.id as number, Date.parse(req.params.since as string)) }),
    response: { type: 'object', required: ['requeued'], properties: { requeued: { type: 'integer' } } },
  });

  rest.register_rest_route(NAMESPACE, `/delivery/${ID}`, {
    methods: 'GET',
    summary: 'One delivery with its body and every attempt.',
    permission_callback: canManage,
    args: { id },
    callback: async (req) => {
      const d = await queries.get_delivery(req.params.id as number);
      return { ...deliveryObject(d.delivery), body: d.body, attempts: d.attempts.map(attemptObject) };
    },
    response: { ...DELIVERY_SCHEMA, properties: { ...DELIVERY_SCHEMA.properties, body: { type: 'string' }, attempts: list(ATTEMPT_SCHEMA as unknown as JsonSchema) } },
  });

  rest.register_rest_route(NAMESPACE, `/delivery/${ID}/resend`, {
    methods: 'POST',
    summary: 'Sends a finished delivery once more, now, with the same message id.',
    permission_callback: canManage,
    args: { id },
    callback: async (req) => deliveryObject(await queries.resend_delivery(req.params.id as number)),
    response: DELIVERY_SCHEMA as unknown as JsonSchema,
  });

  rest.register_rest_route(NAMESPACE, '/openapi.json', {
    methods: 'GET',
    summary: 'This API as an OpenAPI 3.1 document (public, like the /wp-json index).',
    permission_callback: () => true,
    callback: () => api.rest.openapi(NAMESPACE),
  });
  for (const [code, wire] of Object.entries(REST_CODE_RENAMES)) rest.rename_error_code(code, wire);
}

/** Ultimate Multisite's error codes on the wire for our not-found codes. */
export const REST_CODE_RENAMES: Record<string, string> = {
  WEBHOOK_NOT_FOUND: 'wu_rest_webhook_invalid_id',
  DELIVERY_NOT_FOUND: 'wu_rest_delivery_invalid_id',
};

export { WebhookError };
