import fs from 'node:fs';
import path from 'node:path';
import type { CommandGroup } from '../program.js';
import { HookpressError, defineErrorCodes } from '../../errors.js';

defineErrorCodes('cli-scaffold', {
  SCAFFOLD_INVALID_SLUG: { status: 400, description: 'hookpress scaffold plugin: the slug must be lowercase letters, digits and hyphens.' },
  SCAFFOLD_EXISTS: { status: 409, description: 'hookpress scaffold plugin: the plugin folder exists (use --force to overwrite).' },
});

export interface ScaffoldOptions {
  slug: string;
  /** The project root (plugins/ and test/ are under it); default the current directory. */
  root: string;
  name?: string;
  description?: string;
  author?: string;
  force?: boolean;
  skipTests?: boolean;
}

/**
 * Writes a new plugin, WP-CLI `wp scaffold plugin` style: plugins/<slug>/index.ts (manifest,
 * a Kysely migration with its down, a typed data layer on api.db, a menu page with a form, an
 * event bound to the plugin's action and fired inside an api.transaction, uninstall) and test/plugins/<slug>/<slug>.test.ts (a
 * passing test through the test kit). Returns the files written (relative to root).
 * Throws SCAFFOLD_INVALID_SLUG, or SCAFFOLD_EXISTS unless `force`.
 */
export function scaffoldPlugin(o: ScaffoldOptions): string[] {
  if (!/^[a-z][a-z0-9-]{1,48}[a-z0-9]$/.test(o.slug) || o.slug.includes('--')) {
    throw new HookpressError('SCAFFOLD_INVALID_SLUG', `A plugin slug is 3–50 lowercase letters, digits and single hyphens, starting with a letter; got "${o.slug}".`, { field: 'slug' });
  }
  const pluginDir = path.join(o.root, 'plugins', o.slug);
  if (fs.existsSync(pluginDir) && !o.force) {
    throw new HookpressError('SCAFFOLD_EXISTS', `The folder plugins/${o.slug} already exists. Pick another slug, or pass --force to overwrite its files.`, { field: 'slug' });
  }
  const files = new Map<string, string>([[path.join('plugins', o.slug, 'index.ts'), pluginSource(o)]]);
  if (!o.skipTests) files.set(path.join('test', 'plugins', o.slug, `${o.slug}.test.ts`), testSource(o));
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(o.root, rel)), { recursive: true });
    fs.writeFileSync(path.join(o.root, rel), text);
  }
  return [...files.keys()];
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function names(slug: string, name?: string) {
  const snake = slug.replace(/-/g, '_');
  const title = name ?? slug.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
  return { snake, title, table: `${snake}_items`, action: `${snake}_item_added`, event: `${snake}_item_added` };
}

function pluginSource(o: ScaffoldOptions): string {
  const n = names(o.slug, o.name);
  return `// ${n.title}: scaffolded by \`npx hookpress scaffold plugin ${o.slug}\`. Guide: docs/plugin-authoring.md
import type { EventRegistrar, Generated, Kysely, ListQuery, PageContext, PluginApi, PluginManifest, PluginMigration } from '../../core/plugin-sdk.js';
import { sanitize_text_field, withId } from '../../core/plugin-sdk.js';

export const manifest: PluginManifest = {
  name: ${q(n.title)},
  description: ${q(o.description ?? `${n.title}: a page with a form, its own table and a webhook event.`)},
  version: '0.1.0',
  author: ${q(o.author ?? 'You')},
};

// Kysely's schema builder: the same migration runs on SQLite and PostgreSQL.
const migrations: PluginMigration[] = [
  {
    version: 1,
    name: 'items',
    async up(db, dialect) {
      await db.schema
        .createTable('${n.table}')
        .$call(withId(dialect))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      await db.schema.dropTable('${n.table}').execute();
    },
  },
];

interface Item {
  id: number;
  title: string;
  created_at: number;
}

/** The plugin's tables: \`PluginApi<Tables>\` types \`api.db\` (Kysely) with them. */
interface Tables {
  ${n.table}: Omit<Item, 'id'> & { id: Generated<number> };
}

/** The plugin's data layer: its only queries. Each takes an executor: \`api.db\`, or a transaction. */
function items(clock: () => number) {
  return {
    add: async (db: Kysely<Tables>, title: string) =>
      (await db.insertInto('${n.table}').values({ title, created_at: clock() }).returning('id').executeTakeFirstOrThrow()).id,
    count: async (db: Kysely<Tables>) => Number((await db.selectFrom('${n.table}').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    /** One page of items (orderby is one of the list table's sortable keys). */
    list: (db: Kysely<Tables>, q: ListQuery): Promise<Item[]> =>
      db
        .selectFrom('${n.table}')
        .select(['id', 'title', 'created_at'])
        .orderBy(q.orderby === 'title' ? 'title' : 'id', q.order === 'asc' ? 'asc' : 'desc')
        .limit(q.perPage)
        .offset(q.offset)
        .execute(),
  };
}

export async function load(api: PluginApi<Tables>): Promise<void> {
  await api.migrate(migrations);
  const store = items(api.clock);

  // Each do_action('${n.action}', id, title) becomes a '${n.event}' webhook payload.
  api.hooks.add_action('wu_register_all_events', (events: EventRegistrar) => {
    events.wu_register_event_type('${n.event}', {
      name: ${q(`${n.title}: Item Added`)},
      desc: 'An admin added an item.',
      group: ${q(n.title)},
      source: ${q(o.slug)},
      payload: { item_id: 1, item_title: 'Example' },
      hook: { action: '${n.action}', accepted_args: 2, to_payload: (id: number, title: string) => ({ item_id: id, item_title: title }) },
    });
  });

  api.hooks.add_action('network_admin_menu', () => {
    const hook = api.menus.add_menu_page(${q(n.title)}, ${q(n.title)}, 'manage_network', ${q(o.slug)}, (ctx: PageContext) => renderPage(ctx, api, store), 'dashicons-admin-generic');
    api.hooks.add_action(\`load-\${hook}\`, async (ctx: PageContext) => {
      if (ctx.req.method !== 'POST') return;
      ctx.check_admin_referer(${q(`add-${o.slug}-item`)});
      const title = sanitize_text_field(ctx.req.body?.title);
      if (!title) {
        ctx.add_notice('error', 'Enter a title.');
        return ctx.redirect(api.urls.admin_page_url(${q(o.slug)}));
      }
      // The row and its webhook event commit together, or neither does: fire inside the
      // transaction, and run its queries on \`trx\`.
      await api.transaction(async (trx) => {
        const id = await store.add(trx, title);
        api.hooks.do_action('${n.action}', id, title);
      });
      ctx.add_notice('success', \`Item “\${title}” added.\`);
      ctx.redirect(api.urls.admin_page_url(${q(o.slug)}));
    });
  });
}

async function renderPage(ctx: PageContext, api: PluginApi<Tables>, store: ReturnType<typeof items>) {
  const { html, formField, renderListTable, parseListQuery } = api.ui;
  const count = await store.count(api.db);
  // The host's WP_List_Table: sortable headers, pagination, an empty state.
  const query = parseListQuery(ctx.req, { orderby: ['id', 'title'], defaultOrderby: 'id', defaultOrder: 'desc' });
  const table = renderListTable<Item>({
    plural: ${q(o.slug + '-items')},
    columns: [
      { key: 'title', label: 'Title', sortable: true, cell: (item) => item.title },
      { key: 'id', label: 'Added', sortable: true, cell: (item) => new Date(item.created_at).toISOString().slice(0, 16).replace('T', ' ') },
    ],
    rows: await store.list(api.db, query),
    total: count,
    query,
    rowId: (item) => item.id,
    baseUrl: api.urls.admin_page_url(${q(o.slug)}),
    empty: html\`<p>No items yet.</p>\`,
  });
  return ctx.renderHtml(
    html\`<h1>${n.title.replace(/[`$\\]/g, '')}</h1>
    <p>\${count} item\${count === 1 ? '' : 's'} so far.</p>
    <form method="post" action="\${api.urls.admin_page_url(${q(o.slug)})}">
      \${ctx.wp_nonce_field(${q(`add-${o.slug}-item`)})}
      <table class="form-table" role="presentation">\${formField({ id: 'title', label: 'Title', required: true })}</table>
      <p class="submit"><button type="submit" class="button button-primary">Add Item</button></p>
    </form>
    \${table}\`,
    { title: ${q(n.title)} },
  );
}

/** Uninstall (Network Admin → Plugins, once deactivated): drop the plugin's table. */
export async function uninstall(api: PluginApi): Promise<void> {
  await api.unmigrate(migrations);
}
`;
}

function testSource(o: ScaffoldOptions): string {
  const n = names(o.slug, o.name);
  return `// Run alone with: npm test -- plugins/${o.slug}
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestHost, type TestHost } from '../../../core/plugin-testkit.js';
import type { WebhooksApi } from '../../../core/plugin-sdk.js';

const PLUGINS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'plugins');

describe('plugins/${o.slug}', () => {
  let host: TestHost;
  beforeEach(async () => {
    host = await createTestHost({ plugins: ['webhooks', ${q(o.slug)}], pluginsDir: PLUGINS });
  });
  afterEach(() => host.close());

  it('adds an item from its page and sends the ${n.event} event', async () => {
    const receiver = await host.receiver();
    host.service<WebhooksApi>('webhooks').create_webhook({ name: 'Test', url: receiver.url, event: '${n.event}' });
    const admin = await host.login();
    const res = await admin.submit(host.pageUrl(${q(o.slug)}), { title: 'First' });
    expect(res.status).to.equal(303);
    const page = (await admin.follow(res)).text;
    expect(page).to.include('Item “First” added.').and.include('1 item so far.');
    expect(page, 'listed in the table').to.match(/<th scope="row" class="column-title column-primary"[^>]*>First/);
    expect(await host.deliverNow()).to.equal(1);
    expect(JSON.parse(receiver.requests[0]!.body)).to.include({ item_id: 1, item_title: 'First' });
    // host.db() is the query builder the plugin gets as api.db (Kysely).
    expect(await host.db().selectFrom('${n.table}').select('title').execute()).to.deep.equal([{ title: 'First' }]);
  });
});
`;
}

/** `hookpress scaffold plugin <slug>` (WP-CLI's `wp scaffold plugin`). */
export const scaffoldCommands: CommandGroup = {
  name: 'scaffold',
  register(program, ctx) {
    program
      .command('scaffold')
      .description('Generates code.')
      .command('plugin')
      .description('Writes a new plugin (menu page, migration, webhook event) and a passing test.')
      .argument('<slug>', 'The plugin folder name, e.g. my-plugin')
      .option('--plugin_name <name>', 'Its display name')
      .option('--plugin_description <text>', 'Its description')
      .option('--plugin_author <name>', 'Its author')
      .option('--skip-tests', 'Do not write the test')
      .option('--force', 'Overwrite the files of an existing plugin folder')
      .option('--dir <root>', 'The project root (default: the current directory)')
      .action((slug: string, o: { plugin_name?: string; plugin_description?: string; plugin_author?: string; skipTests?: boolean; force?: boolean; dir?: string }) => {
        const written = scaffoldPlugin({ slug, root: path.resolve(o.dir ?? process.cwd()), name: o.plugin_name, description: o.plugin_description, author: o.plugin_author, force: o.force, skipTests: o.skipTests });
        for (const f of written) ctx.write(`Created ${f}\n`);
        ctx.success(`Created plugin "${slug}". Activate it under Network Admin → Plugins; run its test with: npm test -- plugins/${slug}`);
      });
  },
};
