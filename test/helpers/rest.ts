import request from 'supertest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { HookpressApp } from '../../core/app.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
type Operation = { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

/** Basic auth header value. */
export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The network API key, enabled, as a Basic header. */
export function apiKeyAuth(hp: HookpressApp): string {
  hp.host.apiKey.setEnabled(true);
  const { key, secret } = hp.host.apiKey.get();
  return basic(key, secret);
}

/**
 * Checks requests and responses against the served OpenAPI document: the operation must
 * exist, a successful request's JSON body must match its requestBody schema, and every
 * response body must match the schema of its status (or `default`).
 */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<unknown, ReturnType<Ajv2020['compile']>>();
  checked = 0;
  constructor(
    private readonly doc: Doc,
    private readonly prefix = '/wp-json/wu/v2',
  ) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  }

  private operation(method: string, url: string): Operation {
    const path = url.split('?')[0]!.slice(this.prefix.length) || '/';
    for (const [template, ops] of Object.entries(this.doc.paths)) {
      const re = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
      if (re.test(path) && ops[method.toLowerCase()]) return ops[method.toLowerCase()]!;
    }
    throw new Error(`OpenAPI document has no operation ${method} ${path}`);
  }

  private validate(schema: unknown, data: unknown, what: string): void {
    const resolved = JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"doc#/components'));
    let fn = this.compiled.get(JSON.stringify(resolved));
    if (!fn) {
      fn = this.ajv.compile(resolved);
      this.compiled.set(JSON.stringify(resolved), fn);
    }
    if (!fn(data)) throw new Error(`${what} does not match the OpenAPI document: ${this.ajv.errorsText(fn.errors)}\n${JSON.stringify(data).slice(0, 500)}`);
  }

  check(method: string, url: string, body: unknown, res: { status: number; body: unknown }): void {
    const op = this.operation(method, url);
    if (res.status < 300 && body !== undefined && op.requestBody) this.validate(op.requestBody.content['application/json']!.schema, body, `request ${method} ${url}`);
    const response = op.responses[String(res.status)] ?? op.responses.default;
    if (!response) throw new Error(`no response ${res.status} documented for ${method} ${url}`);
    const schema = response.content?.['application/json']?.schema;
    if (schema) this.validate(schema, res.body, `response ${res.status} of ${method} ${url}`);
    this.checked++;
  }
}

/** A REST client over supertest that checks every exchange against the OpenAPI document. */
export function restClient(hp: HookpressApp, checker: OpenApiChecker, auth?: string) {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    let r = request(hp.app)[method.toLowerCase() as 'get'](url);
    if (auth) r = r.set('Authorization', auth);
    const res = body === undefined ? await r : await r.send(body as object);
    checker.check(method, url, body, res);
    return res;
  };
  return call;
}
