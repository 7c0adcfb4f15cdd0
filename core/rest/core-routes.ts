import { HookpressError } from '../errors.js';
import type { Host } from '../host.js';
import { RestError } from './errors.js';
import type { JsonSchema, RestRequest } from './types.js';

const ITEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['uuid', 'app_id', 'name', 'created', 'last_used', 'last_ip'],
  properties: {
    uuid: { type: 'string', format: 'uuid' },
    app_id: { type: 'string' },
    name: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    last_used: { type: ['string', 'null'], format: 'date-time' },
    last_ip: { type: ['string', 'null'] },
    password: { type: 'string', description: 'Only in the response that creates it.' },
  },
};
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * WordPress's own application-password routes (wp/v2, WP_REST_Application_Passwords_Controller):
 * list, create (the password is in that response only), delete. `me` is the caller; another
 * user's need `edit_users`. The network API key acts as no user, so `me` is refused for it.
 */
export function registerCoreRestRoutes(host: Host): void {
  const userId = async (req: RestRequest): Promise<number> => {
    const raw = String(req.params.user_id);
    const id = raw === 'me' ? req.auth.userId : Number(raw);
    if (!id || !(await host.users.getAsync(id))) throw new RestError('rest_user_invalid_id', 'Invalid user ID.', undefined, 404);
    return id;
  };
  const allowed = (req: RestRequest): boolean | HookpressError => {
    if (req.auth.kind === 'none') return false;
    const raw = String(req.params.user_id);
    if (raw === 'me') return req.auth.userId !== null || new RestError('rest_not_logged_in', 'The network API key is not a user: name the user instead of "me".', undefined, 401);
    if (req.auth.userId !== null && Number(raw) === req.auth.userId) return true;
    return req.auth.can('edit_users');
  };
  const toItem = (p: ReturnType<Host['appPasswords']['list']>[number]) => ({ uuid: p.uuid, app_id: p.app_id, name: p.name, created: iso(p.created), last_used: iso(p.last_used), last_ip: p.last_ip });
  const user_id = { type: 'string', pattern: '^(\\d+|me)$', required: true, description: 'A user id, or `me`.' };
  const base = '/users/(?P<user_id>(?:[\\d]+|me))/application-passwords';

  host.rest.register_rest_route('wp/v2', base, [
    {
      methods: 'GET',
      summary: 'A user’s application passwords (never the passwords).',
      permission_callback: allowed,
      args: { user_id },
      callback: async (req) => (await host.appPasswords.listAsync(await userId(req))).map(toItem),
      response: { type: 'array', items: ITEM_SCHEMA },
    },
    {
      methods: 'POST',
      summary: 'Creates one; the response is the only place its password appears.',
      permission_callback: allowed,
      strict: true,
      args: { user_id, name: { type: 'string', minLength: 1, maxLength: 100, required: true }, app_id: { type: 'string', maxLength: 100 } },
      responseStatus: 201,
      callback: async (req) => {
        const { item, password } = await host.appPasswords.createAsync(await userId(req), req.params.name as string, (req.params.app_id as string | undefined) ?? '');
        return { ...toItem(item), password };
      },
      response: ITEM_SCHEMA,
    },
  ]);
  host.rest.register_rest_route('wp/v2', `${base}/(?P<uuid>[\\w-]+)`, {
    methods: 'DELETE',
    summary: 'Revokes one.',
    permission_callback: allowed,
    args: { user_id, uuid: { type: 'string', required: true } },
    callback: async (req) => {
      const id = await userId(req);
      const previous = (await host.appPasswords.listAsync(id)).find((p) => p.uuid === req.params.uuid);
      await host.appPasswords.deleteAsync(id, req.params.uuid as string);
      return { deleted: true, previous: previous ? toItem(previous) : null };
    },
    response: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'boolean' }, previous: ITEM_SCHEMA } },
  });
}
