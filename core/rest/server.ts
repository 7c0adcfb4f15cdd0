import express, { type NextFunction, type Request, type Response } from 'express';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { HookpressError, type FieldError } from '../errors.js';
import type { Host } from '../host.js';
import { buildOpenApi } from './openapi.js';
import { RestError, toRestError, type RestErrorBody } from './errors.js';
import { classifyStorageFault } from '../http/storage-fault.js';
import { coerceArgs, describeSchemaError, foldBracketParams, restDetails, withoutRefusedItems } from './params.js';
import { RestResponse, type JsonSchema, type RestArg, type RestAuth, type RestEndpoint, type RestRequest, type RestRoute } from './types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Parameters every route accepts, outside its own arguments (WordPress's global parameters plus our auth ones). */
export const GLOBAL_PARAMS = ['_fields', '_envelope', '_method', '_wpnonce', 'api_key', 'api_secret', 'context'];

const METHOD_ALIASES: Record<string, string[]> = {
  READABLE: ['GET'],
  CREATABLE: ['POST'],
  EDITABLE: ['POST', 'PUT', 'PATCH'],
  DELETABLE: ['DELETE'],
  ALLMETHODS: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
};

/** The methods of an endpoint, upper-case, aliases expanded ('GET, POST' strings too). */
export function endpointMethods(e: RestEndpoint): string[] {
  const list = (Array.isArray(e.methods) ? e.methods : e.methods.split(',')).map((m) => m.trim().toUpperCase()).filter(Boolean);
  return [...new Set(list.flatMap((m) => METHOD_ALIASES[m] ?? [m]))];
}

/** `/webhook/(?P<id>[\d]+)` → the JS regular expression matching it, with named groups. */
function compileRoute(path: string): RegExp {
  return new RegExp(`^${path.replace(/\(\?P</g, '(?<')}$`);
}

/** `/wu/v2/webhook/(?P<id>[\d]+)` → `/wu/v2/webhook/{id}` (OpenAPI paths). */
export function openApiPath(fullRoute: string): string {
  return fullRoute.replace(/\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)/g, '{$1}');
}

/** An argument's schema without WordPress's non-JSON-Schema keys. */
export function argSchema(arg: RestArg): JsonSchema {
  const { required: _r, in: _in, ...schema } = arg;
  return schema;
}

interface Compiled {
  route: RestRoute;
  full: string;
  pattern: RegExp;
  validators: Map<RestEndpoint, ValidateFunction>;
}

/**
 * WordPress's REST server: `register_rest_route(namespace, route, endpoints)`, the `/wp-json/`
 * index, argument validation from each endpoint's JSON Schema, permission callbacks, WordPress's
 * error shape, `_fields`, OPTIONS. Plugins register on the `rest_api_init` action (fired once,
 * when the first request arrives, as WordPress does) or at load.
 */
export class RestServer {
  private readonly routes: Compiled[] = [];
  private readonly ajv: Ajv2020;
  private initialised = false;
  /** Whether a route's owner is active (app.ts wires it to the plugin manager); a deactivated plugin's routes 404. */
  ownerActive: (owner: string) => boolean = () => true;

  constructor(private readonly host: Host) {
    // No coerceTypes: coerceArgs reads arguments as WordPress does; Ajv's coercion would accept 5 as "5" and "0x10" as 16.
    this.ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: false });
    addFormats(this.ajv);
  }

  /**
   * Registers a route (WordPress's `register_rest_route`). `route` may hold named groups in
   * WordPress's `(?P<name>regex)` form; they become arguments.
   * @throws HookpressError REST_ROUTE_INVALID for a bad namespace or route.
   */
  register_rest_route(namespace: string, route: string, endpoints: RestEndpoint | RestEndpoint[], opts: { schema?: () => JsonSchema; owner?: string } = {}): void {
    const ns = namespace.replace(/^\/+|\/+$/g, '');
    if (!/^[a-z0-9-]+\/v\d+$/.test(ns) && !/^[a-z0-9-]+$/.test(ns)) {
      throw new HookpressError('REST_ROUTE_INVALID', `A REST namespace is like "vendor/v1"; got "${namespace}".`, { status: 500, field: 'namespace' });
    }
    if (!route.startsWith('/')) throw new HookpressError('REST_ROUTE_INVALID', `A REST route starts with "/"; got "${route}".`, { status: 500, field: 'route' });
    const list = Array.isArray(endpoints) ? endpoints : [endpoints];
    for (const e of list) {
      if (typeof e.permission_callback !== 'function') {
        throw new HookpressError('REST_ROUTE_INVALID', `The route ${route} needs a permission_callback (use () => true for a public route).`, { status: 500, field: 'permission_callback' });
      }
    }
    const full = `/${ns}${route === '/' ? '' : route}`;
    // Re-registration (a plugin activated again) replaces the route.
    const again = this.routes.findIndex((r) => r.full === full);
    if (again >= 0) this.routes.splice(again, 1);
    const validators = new Map<RestEndpoint, ValidateFunction>();
    for (const e of list) validators.set(e, this.ajv.compile(this.argsSchema(e)));
    this.routes.push({ route: { namespace: ns, route, endpoints: list, schema: opts.schema, owner: opts.owner ?? 'core' }, full, pattern: compileRoute(full), validators });
  }

  /** The JSON Schema of an endpoint's arguments as one object. */
  argsSchema(e: RestEndpoint): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [name, arg] of Object.entries(e.args ?? {})) {
      properties[name] = argSchema(arg);
      if (arg.required) required.push(name);
    }
    return { type: 'object', properties, required, additionalProperties: !e.strict };
  }

  /** Every registered route (after `rest_api_init`). */
  all(): RestRoute[] {
    this.init();
    return this.live().map((r) => r.route);
  }

  private live(): Compiled[] {
    return this.routes.filter((r) => r.route.owner === 'core' || this.ownerActive(r.route.owner));
  }

  /** Full route paths (`/wu/v2/webhook/(?P<id>[\d]+)`) with their routes. */
  entries(): Array<{ full: string; route: RestRoute }> {
    this.init();
    return this.live().map((r) => ({ full: r.full, route: r.route }));
  }

  /** The OpenAPI 3.1 document of a namespace (see openapi.ts). */
  openapi(namespace: string): JsonSchema {
    return buildOpenApi(this, namespace, this.host.baseUrl(), String(this.host.options.get_site_option('site_name', 'Hookpress Network')));
  }

  namespaces(): string[] {
    return [...new Set(this.all().map((r) => r.namespace))];
  }

  private init(): void {
    if (this.initialised) return;
    this.initialised = true;
    this.host.hooks.do_action('rest_api_init', this);
  }

  /** The `/wp-json/` index (or one namespace's): name, namespaces, authentication, routes. */
  index(base: string, namespace?: string): Record<string, unknown> {
    const routes: Record<string, unknown> = {};
    for (const { full, route } of this.entries()) {
      if (namespace && route.namespace !== namespace) continue;
      routes[full] = {
        namespace: route.namespace,
        methods: [...new Set(route.endpoints.flatMap(endpointMethods))],
        endpoints: route.endpoints.map((e) => ({ methods: endpointMethods(e), args: publicArgs(e) })),
        _links: full.includes('(?P<') ? undefined : { self: [{ href: `${base}/wp-json${full}` }] },
      };
    }
    if (namespace) return { namespace, routes };
    return {
      name: String(this.host.options.get_site_option('site_name', 'Hookpress Network')),
      description: 'Hookpress REST API',
      url: base,
      home: base,
      namespaces: this.namespaces(),
      authentication: {
        'application-passwords': { endpoints: { authorization: `${base}/wp-admin/network/profile.php` } },
        'api-key': { description: 'The network API key and secret as HTTP Basic (key:secret) or api_key/api_secret parameters.' },
      },
      routes,
    };
  }

  /** The Express router mounted at /wp-json. `authenticate` resolves who calls (see auth.ts). */
  router(authenticate: (req: Request, res: Response) => Promise<RestAuth>, session: express.RequestHandler): express.Router {
    const router = express.Router();
    const json = express.json({ limit: '1mb', type: ['application/json', 'application/*+json'], strict: false });
    const form = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2000 });
    router.use(json, form);
    router.use((req, _res, next) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !req.is(['application/json', 'application/*+json', 'application/x-www-form-urlencoded'])) {
        return next(new RestError('rest_invalid_json', 'Send the body as JSON (Content-Type: application/json) or as a form (application/x-www-form-urlencoded).'));
      }
      if (req.is(['application/json', 'application/*+json']) && hasBody && (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))) {
        return next(new RestError('rest_invalid_json', 'The JSON body must be an object of arguments.'));
      }
      next();
    });
    router.use(session);
    router.use(async (req, res, next) => {
      try {
        await this.dispatch(req, res, authenticate);
      } catch (error) {
        next(error);
      }
    });
    router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      const type = (err as { type?: string })?.type;
      let body: RestErrorBody;
      let retryAfter: number | undefined;
      if (type === 'entity.parse.failed') body = toRestError(new RestError('rest_invalid_json', 'The body is not valid JSON.'));
      else if (type === 'entity.too.large') body = toRestError(new RestError('rest_payload_too_large', 'The body is larger than the 1 MB this API accepts.'));
      else if (type === 'parameters.too.many') body = toRestError(new RestError('rest_payload_too_large', 'The form body has more than the 2000 fields this API accepts; send JSON or fewer fields.'));
      else {
        // A storage fault (SQLite busy, full, I/O…; PostgreSQL unreachable or overloaded): 503
        // with Retry-After; a value PostgreSQL refuses: 400 — classified as admin pages are.
        const fault = classifyStorageFault(err, this.host.query.dialect);
        retryAfter = fault?.retryAfter;
        if (fault?.status === 400) body = toRestError(new RestError('rest_invalid_param', fault.message, undefined, 400));
        else if (fault) body = { code: fault.code.toLowerCase(), message: fault.message, data: { status: fault.status } };
        else body = toRestError(err, (code) => this.renames.get(code));
      }
      if (body.data.status >= 500) this.host.logger.error({ err, url: req.path, method: req.method }, 'REST request failed');
      if (res.headersSent) return;
      if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
      res.status(body.data.status).json(body);
    });
    return router;
  }

  /** Error codes shown under another name on the wire (Ultimate Multisite's compatible codes). */
  readonly renames = new Map<string, string>();

  private async dispatch(req: Request, res: Response, authenticate: (req: Request, res: Response) => Promise<RestAuth>): Promise<void> {
    const base = this.host.baseUrl();
    const path = decodePath(req.path).replace(/\/+$/, '') || '/';
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) return void res.json(this.index(base));
    const ns = this.namespaces().find((n) => path === `/${n}`);
    if (ns && (req.method === 'GET' || req.method === 'HEAD')) return void res.json(this.index(base, ns));

    this.init();
    const matched = this.live().map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
    if (!matched) throw new RestError('rest_no_route', 'No route was found matching the URL and request method.');
    const { r, m } = matched;
    if (req.method === 'OPTIONS') {
      const methods = [...new Set(r.route.endpoints.flatMap(endpointMethods))];
      res.setHeader('Allow', methods.join(', '));
      return void res.json({
        namespace: r.route.namespace,
        methods,
        endpoints: r.route.endpoints.map((e) => ({ methods: endpointMethods(e), args: publicArgs(e) })),
        ...(r.route.schema ? { schema: r.route.schema() } : {}),
      });
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const endpoint = r.route.endpoints.find((e) => endpointMethods(e).includes(method));
    if (!endpoint) throw new RestError('rest_no_route', 'No route was found matching the URL and request method.');

    const auth = await authenticate(req, res);
    const query = foldBracketParams(req.query as Record<string, unknown>);
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const merged: Record<string, unknown> = { ...query, ...body, ...(m!.groups ?? {}) };
    const fields = typeof merged._fields === 'string' ? merged._fields : Array.isArray(merged._fields) ? merged._fields.join(',') : undefined;
    for (const p of GLOBAL_PARAMS) delete merged[p];
    const request: RestRequest = { method, params: merged, auth, raw: req };

    const allowed = endpoint.permission_callback(request);
    if (allowed !== true) {
      if (allowed instanceof HookpressError) throw allowed;
      const status = auth.kind === 'none' ? 401 : 403;
      throw new RestError('rest_forbidden', 'Sorry, you are not allowed to do that.', undefined, status);
    }
    await this.validate(r.validators.get(endpoint)!, endpoint, request);

    let result = await endpoint.callback(request);
    if (!(result instanceof RestResponse)) result = new RestResponse(result, endpoint.responseStatus ?? 200);
    const response = result as RestResponse;
    for (const [k, v] of Object.entries(response.headers)) res.setHeader(k, v);
    // `_fields` shapes successes only: an error answered as a RestResponse (e.g. a page past the
    // last) keeps its code and message (rest_filter_response_fields returns errors untouched).
    res.status(response.status).json(fields && response.status < 400 ? filterFields(response.data, fields) : response.data);
  }

  /**
   * WordPress's WP_REST_Request::has_valid_params: numeric strings become numbers and
   * boolean-like values booleans where the schema wants them (coerceArgs; nothing becomes a
   * string), then the schema checks every argument. Missing required ones are
   * rest_missing_callback_param; otherwise every invalid argument is reported in one
   * rest_invalid_param — the schema's findings plus what the endpoint's `validate_params` finds
   * in the others (other arguments, other items of a list) — with `data.params` (a message
   * each, an argument's several problems joined) and `data.details` (`{ code, message, data: { param } }` each, plus WordPress's
   * `additional_errors` for an argument's further problems).
   */
  private async validate(validate: ValidateFunction, endpoint: RestEndpoint, request: RestRequest): Promise<void> {
    const params = request.params;
    coerceArgs(endpoint.args ?? {}, params);
    if (validate(params)) return;
    const errors = validate.errors ?? [];
    const missing = errors.filter((e) => e.keyword === 'required' && e.instancePath === '').map((e) => String((e.params as { missingProperty: string }).missingProperty));
    if (missing.length) throw new RestError('rest_missing_callback_param', `Missing parameter(s): ${missing.join(', ')}`, missing);
    // The first problem of each value (a string that is neither of the type nor in the enum is
    // one problem); each bad item of a list is a problem of its own.
    const places = new Set<string>();
    const found: FieldError[] = [];
    for (const e of errors) {
      const error = describeSchemaError(e);
      const place = `${e.instancePath} ${error.field}`;
      if (!places.has(place)) [places.add(place), found.push(error)];
    }
    // The endpoint checks what the schema did not refuse: the other arguments, and the other
    // items of a list the schema refused item by item (one bad custom header does not hide the
    // problems of the rest); an argument the schema refused as a whole is the schema's alone.
    if (endpoint.validate_params) {
      const { params: unrefused, refused } = withoutRefusedItems(params, errors);
      for (const e of await endpoint.validate_params({ ...request, params: unrefused })) if (!refused.has(e.field)) found.push(e);
    }
    // A null-prototype map: parameter names such as `__proto__` or `constructor` are data here.
    const messages: Record<string, string> = Object.create(null) as Record<string, string>;
    // An argument with several problems (one per bad item of a list) gets them all, joined.
    for (const e of found) {
      const before = messages[e.field];
      messages[e.field] = before === undefined || before.includes(e.message) ? (before ?? e.message) : `${before} ${e.message}`;
    }
    throw new RestError('rest_invalid_param', `Invalid parameter(s): ${Object.keys(messages).join(', ')}`, messages, 400, restDetails(found));
  }
}

/** WordPress's OPTIONS/index form of arguments: each with `required` and its schema keys. */
function publicArgs(e: RestEndpoint): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e.args ?? {}).map(([k, a]) => [k, { ...argSchema(a), required: a.required ?? false }]));
}

/**
 * WordPress's `_fields`: keeps only the listed top-level keys (and nested `a.b` paths) of an
 * object, or of each object of an array (rest_filter_response_fields). Applied to successful
 * responses only; an error body (status ≥ 400) is never filtered.
 */
export function filterFields(data: unknown, fields: string): unknown {
  const wanted = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const pick = (item: unknown): unknown => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    const out: Record<string, unknown> = {};
    for (const f of wanted) {
      const parts = f.split('.');
      let src: unknown = item;
      let dst: Record<string, unknown> = out;
      for (let i = 0; i < parts.length; i++) {
        if (!src || typeof src !== 'object' || !(parts[i]! in (src as object))) break;
        const v = (src as Record<string, unknown>)[parts[i]!];
        if (i === parts.length - 1) dst[parts[i]!] = v;
        else {
          dst = (dst[parts[i]!] ??= {}) as Record<string, unknown>;
          src = v;
        }
      }
    }
    return out;
  };
  return Array.isArray(data) ? data.map(pick) : pick(data);
}

/**
 * A page of a list with WordPress's headers: `X-WP-Total` (items matching) and
 * `X-WP-TotalPages` (pages of `perPage`).
 */
export function restPage(items: unknown[], total: number, perPage: number): RestResponse {
  return new RestResponse(items, 200, { 'X-WP-Total': String(total), 'X-WP-TotalPages': String(perPage > 0 ? Math.ceil(total / perPage) : 0) });
}

/**
 * The request path, percent-decoded. A malformed escape (`%ff`, `%E0%A4%A`) names no route:
 * `rest_no_route` (404), as WordPress answers a path it cannot match — never a 500.
 * @throws RestError `rest_no_route` when the path is not valid percent-encoded UTF-8.
 */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new RestError('rest_no_route', 'No route was found matching the URL and request method.');
  }
}
