import type { Request } from 'express';
import type { FieldError, HookpressError } from '../errors.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses). */
export type JsonSchema = Record<string, unknown>;

/** One argument of a route: its JSON Schema plus WordPress's `required` flag and a description. */
export type RestArg = JsonSchema & { required?: boolean; description?: string; default?: unknown; in?: 'query' | 'body' };

/** Who is calling: the network API key, a user (application password or cookie + nonce) or nobody. */
export interface RestAuth {
  kind: 'api_key' | 'application_password' | 'cookie' | 'none';
  /** The acting user; null for the API key (it acts as the network) and for anonymous callers. */
  userId: number | null;
  /** Whether the caller holds a capability (the API key holds every network capability). */
  can(capability: string): boolean;
}

export interface RestRequest {
  method: string;
  /** The route's arguments after validation, coercion and defaults (URL, body and query merged). */
  params: Record<string, unknown>;
  auth: RestAuth;
  raw: Request;
}

/** What a callback may return besides plain data: a status, headers (pagination…). */
export class RestResponse {
  constructor(
    readonly data: unknown,
    readonly status = 200,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** One method set of a route, as `register_rest_route`'s endpoint arrays in WordPress. */
export interface RestEndpoint {
  /** 'GET', 'POST', ['PUT', 'PATCH'], or WordPress's READABLE/CREATABLE/EDITABLE/DELETABLE strings. */
  methods: string | string[];
  callback(req: RestRequest): unknown;
  /** true to allow; false (→ 401/403 rest_forbidden) or a HookpressError to refuse. Required, as in WordPress 5.5+. */
  permission_callback(req: RestRequest): boolean | HookpressError;
  /** Arguments declared once as JSON Schema: validated from it, documented in OPTIONS and OpenAPI. */
  args?: Record<string, RestArg>;
  /**
   * The endpoint's own checks of its arguments (e.g. the service's validation), run when the
   * schema refuses some: what it finds wrong with the *other* arguments, and with the other items
   * of a list the schema refused item by item (those items are null in `req.params`, so the rest
   * keep their positions), joins the same 400 rest_invalid_param, so a client learns every
   * invalid argument in one response. Returns one entry per argument at fault (field, code,
   * message); [] when nothing more is wrong.
   */
  validate_params?(req: RestRequest): FieldError[] | Promise<FieldError[]>;
  /** Refuse arguments the endpoint does not declare (400 rest_invalid_param). */
  strict?: boolean;
  /** One line for OpenAPI. */
  summary?: string;
  /** The success response's JSON Schema (OpenAPI), and its status when not 200. */
  response?: JsonSchema;
  responseStatus?: number;
  /** Lists: `X-WP-Total` and `X-WP-TotalPages` are documented. */
  paginated?: boolean;
}

export interface RestRoute {
  namespace: string;
  /** WordPress's route pattern, e.g. `/webhook/(?P<id>[\d]+)`. */
  route: string;
  endpoints: RestEndpoint[];
  /** The item schema (WordPress's `schema` callback), shown on OPTIONS and in OpenAPI. */
  schema?: () => JsonSchema;
  /** The plugin or core part that registered it. */
  owner: string;
}
