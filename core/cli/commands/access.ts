import type { CommandGroup } from '../program.js';
import { formatItem, formatList, withFormatOptions, type FormatOptions } from '../output.js';
import { HookpressError } from '../../errors.js';
import { chunkPassword } from '../../rest/application-passwords.js';

const when = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/** `hookpress user application-password …` (WP-CLI's) and `hookpress api-key …`. */
export const accessCommands: CommandGroup = {
  name: 'access',
  register(program, ctx) {
    const userOf = async (login: string) => {
      const hp = await ctx.app();
      const user = (await hp.host.users.find(login)) ?? (/^\d+$/.test(login) ? await hp.host.users.getAsync(Number(login)) : undefined);
      if (!user) throw new HookpressError('USER_NOT_FOUND', `Invalid user ID, email or login: '${login}'`, { field: 'user' });
      return { hp, user };
    };
    const ap = program.command('user').description('Users.').command('application-password').description('Application passwords of a user (HTTP Basic for the REST API).');
    ap.command('create')
      .description('Creates an application password and prints it once.')
      .argument('<user>', 'Login or id')
      .argument('<app-name>', 'A name for it')
      .option('--porcelain', 'Output just the new password.')
      .action(async (login: string, name: string, o: { porcelain?: boolean }) => {
        const { hp, user } = await userOf(login);
        const { password } = await hp.host.appPasswords.createAsync(user.id, name);
        if (o.porcelain) ctx.write(`${password}\n`);
        else ctx.success(`Created application password.\nPassword: ${chunkPassword(password)}`);
      });
    withFormatOptions(ap.command('list').description('Lists a user’s application passwords (never the passwords).').argument('<user>', 'Login or id')).action(async (login: string, o: FormatOptions) => {
      const { hp, user } = await userOf(login);
      const rows = (await hp.host.appPasswords.listAsync(user.id)).map((p) => ({ uuid: p.uuid, id: p.uuid, app_id: p.app_id, name: p.name, created: when(p.created), last_used: when(p.last_used), last_ip: p.last_ip }));
      ctx.write(formatList(rows, o, ['uuid', 'app_id', 'name', 'created', 'last_used', 'last_ip'], ['uuid', 'name', 'created', 'last_used', 'last_ip']));
    });
    ap.command('delete')
      .description('Revokes application passwords.')
      .argument('<user>', 'Login or id')
      .argument('<uuids...>', 'Their uuids')
      .action(async (login: string, uuids: string[]) => {
        const { hp, user } = await userOf(login);
        for (const uuid of uuids) {
          await hp.host.appPasswords.deleteAsync(user.id, uuid);
          ctx.success(`Deleted application password ${uuid}.`);
        }
      });

    const key = program.command('api-key').description('The network API key and secret (Settings → API & Webhooks).');
    withFormatOptions(key.command('show').description('Shows the key, the secret and whether the API is enabled.'), ['table', 'json', 'yaml', 'csv']).action(async (o: FormatOptions) => {
      const hp = await ctx.app();
      ctx.write(formatItem({ ...hp.host.apiKey.get() }, o, ['key', 'secret', 'enabled']));
    });
    key
      .command('regenerate')
      .description('Replaces the key and secret; the old ones stop working at once.')
      .option('--porcelain', 'Output just "key secret".')
      .action(async (o: { porcelain?: boolean }) => {
        const hp = await ctx.app();
        const c = hp.host.apiKey.regenerate();
        if (o.porcelain) ctx.write(`${c.key} ${c.secret}\n`);
        else ctx.success(`New API key: ${c.key}\nNew API secret: ${c.secret}`);
      });
    key
      .command('enable')
      .description('Turns the network API on.')
      .action(async () => {
        (await ctx.app()).host.apiKey.setEnabled(true);
        ctx.success('The network API is enabled.');
      });
    key
      .command('disable')
      .description('Turns the network API off.')
      .action(async () => {
        (await ctx.app()).host.apiKey.setEnabled(false);
        ctx.success('The network API is disabled.');
      });
  },
};
