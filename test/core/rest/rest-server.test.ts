import { expect } from 'chai';
import request from 'supertest';
import type { HookpressApp } from '../../../core/app.js';
import { filterFields, openApiPath } from '../../../core/rest/server.js';
import { toRestError, RestError } from '../../../core/rest/errors.js';
import { foldBracketParams } from '../../../core/rest/params.js';
import { RestResponse } from '../../../core/rest/types.js';
import { HookpressError } from '../../../core/errors.js';
import { makeApp, userByLogin } from '../../helpers/app.js';
import { apiKeyAuth, basic } from '../../helpers/rest.js';

describe('core/rest: the REST server', () => {
  let hp: HookpressApp;
  beforeEach(async () => {
    hp = await makeApp({ loginAttempts: { perIp: 10_000, perAccount: 5, windowMs: 60_000 } });
  });
  afterEach(async () => {
    await hp.close();
  });

  it('refuses a route without a permission_callback, and a bad namespace (REST_ROUTE_INVALID)', () => {
    expect(() => hp.host.rest.register_rest_route('demo/v1', '/x', { methods: 'GET', callback: () => 1 } as never)).to.throw(HookpressError).with.property('code', 'REST_ROUTE_INVALID');
    expect(() => hp.host.rest.register_rest_route('Bad Namespace', '/x', { methods: 'GET', callback: () => 1, permission_callback: () => true })).to.throw(/namespace/);
  });

  it('validates and coerces arguments from their JSON Schema, with defaults, in WordPress’s error shape', async () => {
    hp.host.rest.register_rest_route('demo/v1', '/sum/(?P<a>[\\d]+)', {
      methods: 'GET',
      permission_callback: () => true,
      args: { a: { type: 'integer', required: true }, b: { type: 'integer', minimum: 0, default: 10 } },
      callback: (req) => ({ sum: (req.params.a as number) + (req.params.b as number) }),
    });
    expect((await request(hp.app).get('/wp-json/demo/v1/sum/2')).body).to.deep.equal({ sum: 12 });
    expect((await request(hp.app).get('/wp-json/demo/v1/sum/2?b=3')).body).to.deep.equal({ sum: 5 });
    const bad = await request(hp.app).get('/wp-json/demo/v1/sum/2?b=-1');
    expect(bad.status).to.equal(400);
    expect(bad.body).to.deep.equal({
      code: 'rest_invalid_param',
      message: 'Invalid parameter(s): b',
      data: { status: 400, params: { b: 'b must be >= 0.' }, details: { b: { code: 'rest_out_of_bounds', message: 'b must be >= 0.', data: { param: 'b' } } } },
    });
    const post = await request(hp.app).post('/wp-json/demo/v1/sum/2');
    expect(post.body.code).to.equal('rest_no_route');
  });

  it('a path with a malformed percent-escape is rest_no_route (404), never a 500, and logs no error', async () => {
    const errors: unknown[] = [];
    const log = hp.host.logger.error.bind(hp.host.logger);
    hp.host.logger.error = ((...a: unknown[]) => (errors.push(a), log(...(a as [never])))) as typeof hp.host.logger.error;
    for (const path of ['/wp-json/%ff', '/wp-json/wu/v2/%ff', '/wp-json/wu/v2/webhook/%E0%A4%A']) {
      const res = await request(hp.app).get(path);
      expect([res.status, res.body.code], path).to.deep.equal([404, 'rest_no_route']);
    }
    expect(errors).to.deep.equal([]);
  });

  describe('number and string arguments (rest_is_integer, is_numeric, rest_validate_value_from_schema)', () => {
    const register = () =>
      hp.host.rest.register_rest_route('demo/v1', '/size', {
        methods: ['GET', 'POST'],
        permission_callback: () => true,
        args: { n: { type: 'integer' }, x: { type: 'number' }, ids: { type: 'array', items: { type: 'integer' } }, label: { type: 'string' }, row: { type: 'object', properties: { tag: { type: 'string' }, size: { type: 'integer' } } } },
        callback: (req) => ({ n: req.params.n ?? null, x: req.params.x ?? null, ids: req.params.ids ?? null, label: req.params.label ?? null, row: req.params.row ?? null }),
      });
    const expectInvalidType = (res: request.Response, param: string, what: string) => {
      expect([res.status, res.body.code, Object.keys(res.body.data?.params ?? {})], what).to.deep.equal([400, 'rest_invalid_param', [param]]);
      expect(res.body.data.details[param], what).to.deep.include({ code: 'rest_invalid_type', data: { param } });
    };

    it('reads decimal numbers, with a sign, a fraction or an exponent, from a query string, a form-encoded body and JSON strings', async () => {
      register();
      for (const [sent, read] of [['16', 16], ['-3', -3], ['+7', 7], ['1e1', 10], ['1.0', 1]] as const) {
        const query = await request(hp.app).get(`/wp-json/demo/v1/size?n=${encodeURIComponent(sent)}`);
        expect([query.status, query.body.n], `query ${sent}`).to.deep.equal([200, read]);
        const form = await request(hp.app).post('/wp-json/demo/v1/size').type('form').send(`n=${encodeURIComponent(sent)}`);
        expect([form.status, form.body.n], `form ${sent}`).to.deep.equal([200, read]);
        const json = await request(hp.app).post('/wp-json/demo/v1/size').send({ n: sent });
        expect([json.status, json.body.n], `json ${sent}`).to.deep.equal([200, read]);
      }
      for (const [sent, read] of [['1.5', 1.5], ['.5', 0.5], ['2e-1', 0.2]] as const) {
        expect((await request(hp.app).get(`/wp-json/demo/v1/size?x=${sent}`)).body.x, sent).to.equal(read);
      }
      expect((await request(hp.app).get('/wp-json/demo/v1/size?ids[]=1&ids[]=2')).body.ids).to.deep.equal([1, 2]);
      expect((await request(hp.app).get('/wp-json/demo/v1/size?label=42')).body.label, 'a query value stays a string').to.equal('42');
    });

    it('refuses hex, binary, octal, padded, empty, non-integral and non-finite numbers with 400 rest_invalid_type naming the argument', async () => {
      register();
      for (const sent of ['0x10', '0X10', '0b1', '0o1', ' 16', '16 ', '\t16', '', '1.5', '1e400', 'Infinity', 'NaN', '1_000', '16px']) {
        expectInvalidType(await request(hp.app).get(`/wp-json/demo/v1/size?n=${encodeURIComponent(sent)}`), 'n', `query n=${JSON.stringify(sent)}`);
        expectInvalidType(await request(hp.app).post('/wp-json/demo/v1/size').type('form').send(`n=${encodeURIComponent(sent)}`), 'n', `form n=${JSON.stringify(sent)}`);
      }
      for (const sent of ['0x10', '0b1', '0o1', ' 1.5', 'Infinity']) expectInvalidType(await request(hp.app).get(`/wp-json/demo/v1/size?x=${encodeURIComponent(sent)}`), 'x', `query x=${JSON.stringify(sent)}`);
      expectInvalidType(await request(hp.app).get('/wp-json/demo/v1/size?ids[]=1&ids[]=0x2'), 'ids', 'ids[]=0x2');
      for (const sent of [true, null, '0x10', [1]]) expectInvalidType(await request(hp.app).post('/wp-json/demo/v1/size').send({ n: sent }), 'n', `json n=${JSON.stringify(sent)}`);
    });

    it('refuses a number, a boolean or null for a string, at the top of a JSON body and inside it', async () => {
      register();
      for (const sent of [5, 0, true, false, null]) {
        expectInvalidType(await request(hp.app).post('/wp-json/demo/v1/size').send({ label: sent }), 'label', `label ${JSON.stringify(sent)}`);
        expectInvalidType(await request(hp.app).post('/wp-json/demo/v1/size').send({ row: { tag: sent } }), 'row', `row.tag ${JSON.stringify(sent)}`);
      }
      const ok = await request(hp.app).post('/wp-json/demo/v1/size').send({ label: '5', row: { tag: 'x', size: '3' } });
      expect([ok.status, ok.body.label, ok.body.row]).to.deep.equal([200, '5', { tag: 'x', size: 3 }]);
    });
  });

  describe('boolean arguments (rest_is_boolean / rest_sanitize_boolean)', () => {
    const register = () =>
      hp.host.rest.register_rest_route('demo/v1', '/flag', {
        methods: ['GET', 'POST'],
        permission_callback: () => true,
        args: { on: { type: 'boolean', required: true }, n: { type: 'integer' } },
        callback: (req) => ({ on: req.params.on }),
      });

    it('reads true, false, 1, 0 in any case from a form-encoded body, a query string and JSON', async () => {
      register();
      for (const [sent, read] of [['1', true], ['0', false], ['true', true], ['false', false], ['TRUE', true], ['False', false]] as const) {
        const form = await request(hp.app).post('/wp-json/demo/v1/flag').type('form').send(`on=${sent}`);
        expect([form.status, form.body], `form ${sent}`).to.deep.equal([200, { on: read }]);
        const query = await request(hp.app).get(`/wp-json/demo/v1/flag?on=${sent}`);
        expect([query.status, query.body], `query ${sent}`).to.deep.equal([200, { on: read }]);
      }
      for (const [sent, read] of [[true, true], [false, false], [1, true], [0, false], ['0', false]] as const) {
        const json = await request(hp.app).post('/wp-json/demo/v1/flag').send({ on: sent });
        expect([json.status, json.body], `json ${JSON.stringify(sent)}`).to.deep.equal([200, { on: read }]);
      }
    });

    it('refuses anything else with 400 rest_invalid_param naming the argument, with every other invalid one', async () => {
      register();
      for (const sent of ['', 'yes', '2', 'on']) {
        const res = await request(hp.app).post('/wp-json/demo/v1/flag').type('form').send(`on=${sent}&n=x`);
        expect(res.status, sent).to.equal(400);
        expect(res.body.code).to.equal('rest_invalid_param');
        expect(Object.keys(res.body.data.params), sent).to.deep.equal(['on', 'n']);
        expect(res.body.data.details.on).to.deep.include({ code: 'rest_invalid_type', data: { param: 'on' } });
      }
      for (const sent of [2, 'yes', null, []]) {
        const res = await request(hp.app).post('/wp-json/demo/v1/flag').send({ on: sent });
        expect([res.status, Object.keys(res.body.data?.params ?? {})], JSON.stringify(sent)).to.deep.equal([400, ['on']]);
      }
    });
  });

  it('adds what an endpoint’s validate_params finds in the other arguments to the same 400', async () => {
    hp.host.rest.register_rest_route('demo/v1', '/thing', {
      methods: 'POST',
      permission_callback: () => true,
      args: { name: { type: 'string', minLength: 2 }, slug: { type: 'string' }, size: { type: 'integer' } },
      validate_params: (req) => [
        { field: 'name', code: 'NAME_TAKEN', message: 'never shown: the schema already refused name' },
        ...(req.params.slug === 'taken' ? [{ field: 'slug', code: 'SLUG_TAKEN', message: 'That slug is taken.' }] : []),
      ],
      callback: () => ({ ok: true }),
    });
    const res = await request(hp.app).post('/wp-json/demo/v1/thing').send({ name: 'x', slug: 'taken', size: 'big' });
    expect(res.status).to.equal(400);
    expect(res.body.message).to.equal('Invalid parameter(s): name, size, slug');
    expect(res.body.data.params).to.deep.equal({ name: 'name must NOT have fewer than 2 characters.', size: 'size must be integer.', slug: 'That slug is taken.' });
    expect(res.body.data.details.slug).to.deep.equal({ code: 'slug_taken', message: 'That slug is taken.', data: { param: 'slug' } });
    expect(res.body.data.details.name.code).to.equal('rest_too_short');
  });

  it('reads name[] query keys as PHP does: an array argument takes the list, a scalar one is a 400 naming it', async () => {
    hp.host.rest.register_rest_route('demo/v1', '/pick', {
      methods: 'GET',
      permission_callback: () => true,
      args: { include: { type: 'array', items: { type: 'integer' } }, status: { type: 'string', enum: ['a', 'b'] } },
      callback: (req) => ({ include: req.params.include ?? null, status: req.params.status ?? null }),
    });
    for (const q of ['include[]=1&include[]=2', 'include=1&include=2', 'include[0]=1&include[1]=2']) {
      expect((await request(hp.app).get(`/wp-json/demo/v1/pick?${q}`)).body, q).to.deep.equal({ include: [1, 2], status: null });
    }
    const bad = await request(hp.app).get('/wp-json/demo/v1/pick?status[]=a&status[]=b');
    expect([bad.status, bad.body.code, bad.body.data.params]).to.deep.equal([400, 'rest_invalid_param', { status: 'status must be string.' }]);
    expect(bad.body.data.details.status).to.deep.equal({ code: 'rest_invalid_type', message: 'status must be string.', data: { param: 'status' } });
  });

  it('an argument with several problems (bad items of a list) has them all: joined in params, additional_errors in details', async () => {
    hp.host.rest.register_rest_route('demo/v1', '/rows', {
      methods: 'POST',
      permission_callback: () => true,
      args: { rows: { type: 'array', items: { type: 'string', maxLength: 3 } }, tag: { type: 'string' } },
      validate_params: (req) =>
        req.params.tag === 'x'
          ? [
              { field: 'tag', code: 'TAG_BAD', message: 'Tag x is refused.' },
              { field: 'tag', code: 'TAG_BAD', message: 'Tag x is also too short.' },
            ]
          : [],
      callback: () => ({ ok: true }),
    });
    const res = await request(hp.app).post('/wp-json/demo/v1/rows').send({ rows: ['ok', 'toolong', 'ok', 'waytoolong'], tag: 'x' });
    expect(res.body.data.params).to.deep.equal({ rows: 'rows.1 must NOT have more than 3 characters. rows.3 must NOT have more than 3 characters.', tag: 'Tag x is refused. Tag x is also too short.' });
    expect(res.body.data.details.rows).to.deep.equal({
      code: 'rest_too_long',
      message: 'rows.1 must NOT have more than 3 characters.',
      data: { param: 'rows' },
      additional_errors: [{ code: 'rest_too_long', message: 'rows.3 must NOT have more than 3 characters.', data: { param: 'rows' } }],
    });
    expect(res.body.data.details.tag.additional_errors).to.deep.equal([{ code: 'tag_bad', message: 'Tag x is also too short.', data: { param: 'tag' } }]);
  });

  it('maps any HookpressError to the REST error shape; anything else is a 500 without details', () => {
    expect(toRestError(new HookpressError('USER_LOGIN_EXISTS', 'taken', { field: 'login' }))).to.deep.equal({ code: 'user_login_exists', message: 'taken', data: { status: 409, params: { login: 'taken' } } });
    expect(toRestError(new HookpressError('USER_INVALID_EMAIL', 'bad', { field: 'email' })).code).to.equal('rest_invalid_param');
    expect(toRestError(new RestError('rest_forbidden', 'no', undefined, 401)).data.status).to.equal(401);
    expect(toRestError(new Error('secret internals'))).to.deep.equal({ code: 'rest_internal_error', message: 'The server could not complete the request. The error has been logged.', data: { status: 500 } });
  });

  it('_fields keeps listed keys, nested ones too; OpenAPI paths from WordPress patterns', () => {
    expect(filterFields([{ a: 1, b: { c: 2, d: 3 }, e: 4 }], 'a,b.c')).to.deep.equal([{ a: 1, b: { c: 2 } }]);
    expect(openApiPath('/wp/v2/users/(?P<user_id>(?:[\\d]+|me))/application-passwords/(?P<uuid>[\\w-]+)')).to.equal('/wp/v2/users/{user_id}/application-passwords/{uuid}');
  });

  it('_fields shapes successes only: an error answered as a RestResponse keeps its whole body (rest_filter_response_fields)', async () => {
    hp.host.rest.register_rest_route('demo/v1', '/maybe', {
      methods: 'GET',
      permission_callback: () => true,
      args: { fail: { type: 'boolean', default: false } },
      callback: (req) => (req.params.fail ? new RestResponse({ code: 'demo_refused', message: 'No.', data: { status: 400 } }, 400) : { id: 1, name: 'x' }),
    });
    expect((await request(hp.app).get('/wp-json/demo/v1/maybe?_fields=id')).body).to.deep.equal({ id: 1 });
    const refused = await request(hp.app).get('/wp-json/demo/v1/maybe?fail=1&_fields=id');
    expect(refused.status).to.equal(400);
    expect(refused.body).to.deep.equal({ code: 'demo_refused', message: 'No.', data: { status: 400 } });
  });

  it('wp/v2 application passwords: a user manages their own (me), the network key names the user, others are refused', async () => {
    const admin = (await userByLogin(hp, 'admin'))!;
    const adminAuth = basic('admin', (await hp.host.appPasswords.createAsync(admin.id, 'seed')).password);
    const created = await request(hp.app).post('/wp-json/wp/v2/users/me/application-passwords').set('Authorization', adminAuth).send({ name: 'Zapier' });
    expect(created.status).to.equal(201);
    expect(created.body.password).to.match(/^[A-Za-z0-9]{24}$/);
    expect((await request(hp.app).get('/wp-json/wp/v2/users/me/application-passwords').set('Authorization', basic('admin', created.body.password))).status).to.equal(200);
    const list = await request(hp.app).get(`/wp-json/wp/v2/users/${admin.id}/application-passwords`).set('Authorization', adminAuth);
    expect(list.body.map((p: { name: string }) => p.name)).to.deep.equal(['seed', 'Zapier']);
    expect(JSON.stringify(list.body)).to.not.include(created.body.password);

    const { user } = await hp.host.users.create({ login: 'member', email: 'm@example.com', password: 'member-password' });
    const memberAuth = basic('member', (await hp.host.appPasswords.createAsync(user.id, 'own')).password);
    expect((await request(hp.app).get('/wp-json/wp/v2/users/me/application-passwords').set('Authorization', memberAuth)).status).to.equal(200);
    expect((await request(hp.app).get(`/wp-json/wp/v2/users/${admin.id}/application-passwords`).set('Authorization', memberAuth)).status).to.equal(403);

    const key = apiKeyAuth(hp);
    const me = await request(hp.app).get('/wp-json/wp/v2/users/me/application-passwords').set('Authorization', key);
    expect([me.status, me.body.code]).to.deep.equal([401, 'rest_not_logged_in']);
    expect((await request(hp.app).get(`/wp-json/wp/v2/users/${user.id}/application-passwords`).set('Authorization', key)).body).to.have.length(1);
    const del = await request(hp.app).delete(`/wp-json/wp/v2/users/me/application-passwords/${created.body.uuid}`).set('Authorization', adminAuth);
    expect(del.body).to.include({ deleted: true });
    const again = await request(hp.app).delete(`/wp-json/wp/v2/users/me/application-passwords/${created.body.uuid}`).set('Authorization', adminAuth);
    expect([again.status, again.body.code]).to.deep.equal([404, 'rest_application_password_not_found']);
    const nobody = await request(hp.app).get('/wp-json/wp/v2/users/999/application-passwords').set('Authorization', key);
    expect([nobody.status, nobody.body.code]).to.deep.equal([404, 'rest_user_invalid_id']);
  });
});

describe('core/rest foldBracketParams (PHP’s reading of a query string)', () => {
  it('folds name[] and name[n] into a list, name[key] into an object, and keeps plain keys', () => {
    expect(foldBracketParams({ 'include[]': ['1', '2'], 'ids[0]': '3', 'ids[1]': '4', 'filter[a]': 'x', page: '2' })).to.deep.equal({ include: ['1', '2'], ids: ['3', '4'], filter: { a: 'x' }, page: '2' });
  });

  it('keeps both forms of the same name in one list, so neither is dropped', () => {
    expect(foldBracketParams({ status: 'a', 'status[]': 'b' })).to.deep.equal({ status: ['a', 'b'] });
    expect(foldBracketParams({ 'status[]': 'a', status: 'b' })).to.deep.equal({ status: ['a', 'b'] });
  });
});
