import type { RestServer } from './server.js';
import { argSchema, endpointMethods, openApiPath } from './server.js';
import type { JsonSchema } from './types.js';

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: {
    code: { type: 'string', description: 'Stable error code, e.g. rest_invalid_param, rest_forbidden, wu_rest_webhook_invalid_id.' },
    message: { type: 'string' },
    data: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'integer' },
        params: { oneOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'array', items: { type: 'string' } }] },
        details: {
          type: 'object',
          description: 'rest_invalid_param: per invalid argument, its own code and message (WordPress’s has_valid_params); `additional_errors` when it has several.',
          additionalProperties: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              data: { type: 'object', properties: { param: { type: 'string' } } },
              additional_errors: {
                type: 'array',
                description: 'The argument’s further problems when it has several (e.g. one per bad custom header), as WordPress lists a WP_Error’s other errors.',
                items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, data: { type: 'object', properties: { param: { type: 'string' } } } } },
              },
            },
          },
        },
      },
    },
  },
};

/**
 * The OpenAPI 3.1 document of one namespace, built from the same route declarations the
 * server validates with: path parameters from `(?P<name>…)`, query parameters for GET and
 * DELETE arguments, a JSON request body for the others, the declared response schema, and
 * WordPress's error object for every error status.
 */
export function buildOpenApi(server: RestServer, namespace: string, base: string, title: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { full, route } of server.entries()) {
    if (route.namespace !== namespace) continue;
    const rel = openApiPath(full.slice(namespace.length + 1)) || '/';
    const pathParams = [...full.matchAll(/\(\?P<(\w+)>/g)].map((m) => m[1]!);
    const ops: Record<string, unknown> = {};
    for (const e of route.endpoints) {
      for (const method of endpointMethods(e)) {
        const args = e.args ?? {};
        const parameters: unknown[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: args[name] ? argSchema(args[name]!) : { type: 'string' } }));
        const rest = Object.entries(args).filter(([name]) => !pathParams.includes(name));
        let requestBody: unknown;
        if (method === 'GET' || method === 'DELETE') {
          for (const [name, a] of rest) parameters.push({ name, in: 'query', required: a.required ?? false, schema: argSchema(a), ...(a.description ? { description: a.description } : {}) });
        } else if (rest.length || e.strict) {
          const properties = Object.fromEntries(rest.map(([name, a]) => [name, argSchema(a)]));
          const required = rest.filter(([, a]) => a.required).map(([name]) => name);
          requestBody = {
            required: required.length > 0,
            content: { 'application/json': { schema: { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: !e.strict } } },
          };
        }
        const ok = String(e.responseStatus ?? 200);
        const headers = e.paginated
          ? { 'X-WP-Total': { description: 'Items matching the query.', schema: { type: 'integer' } }, 'X-WP-TotalPages': { description: 'Pages of per_page items.', schema: { type: 'integer' } } }
          : undefined;
        const opId = `${method.toLowerCase()}${rel.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
        ops[method.toLowerCase()] = {
          operationId: opId,
          summary: e.summary ?? `${method} ${rel}`,
          parameters,
          ...(requestBody ? { requestBody } : {}),
          responses: {
            [ok]: { description: 'Success', ...(headers ? { headers } : {}), content: { 'application/json': { schema: e.response ?? {} } } },
            default: { description: 'An error, in WordPress’s REST error shape.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          },
        };
      }
    }
    paths[rel] = ops;
  }
  return {
    openapi: '3.1.0',
    info: { title: `${title} — ${namespace}`, version: namespace.split('/')[1] ?? '1', description: 'Generated from the route declarations the server validates requests with.' },
    servers: [{ url: `${base}/wp-json/${namespace}` }],
    security: [{ basicAuth: [] }, { apiKey: [], apiSecret: [] }, { cookieNonce: [] }],
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: 'The network API key and secret (user = key, password = secret), or a username and one of its application passwords.' },
        apiKey: { type: 'apiKey', in: 'query', name: 'api_key' },
        apiSecret: { type: 'apiKey', in: 'query', name: 'api_secret' },
        cookieNonce: { type: 'apiKey', in: 'header', name: 'X-WP-Nonce', description: 'With the login cookie: a wp_rest nonce.' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
