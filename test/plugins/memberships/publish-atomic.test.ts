import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { MembershipsStore } from '../../../plugins/memberships/data/store.js';
import type { MembershipsService } from '../../../plugins/memberships/service.js';
import { firstPassOnly, makeApp } from '../../helpers/app.js';
import { freshDatabaseUrl, TEST_DATABASE_URL } from '../../helpers/backends.js';
import { Receiver } from '../../helpers/receiver.js';
import { FakeClock, PLUGINS_DIR, webhooksApi, webhooksEngine } from '../../helpers/webhooks.js';

/**
 * "Publish site" is one unit on both backends: the network site (api.sites.createAsync), its
 * membership link and the site_created / site_published events commit together, or nothing of
 * them remains. Each backend is chosen here (SQLite in memory; PostgreSQL with TEST_DATABASE_URL),
 * so the PostgreSQL pass of `npm test` does not repeat the suite.
 */
describe('plugins/memberships: "Publish site" is atomic', () => {
  firstPassOnly();
  const backends: Array<['sqlite' | 'postgres', () => Promise<{ dataDir?: string; databaseUrl?: string }>]> = [['sqlite', async () => ({ dataDir: ':memory:' })]];
  if (TEST_DATABASE_URL) backends.push(['postgres', async () => ({ databaseUrl: await freshDatabaseUrl() })]);

  for (const [name, storage] of backends) {
    describe(`on ${name}`, () => {
      let hp: HookpressApp;
      let mb: MembershipsService;
      let receiver: Receiver;
      let membershipId: number;
      beforeEach(async () => {
        receiver = new Receiver();
        await receiver.start();
        hp = await makeApp({
          ...(await storage()),
          clock: new FakeClock().fn,
          pluginsDir: PLUGINS_DIR,
          pluginSlugs: ['webhooks', 'memberships'],
          plugins: { webhooks: { autoStart: false, allowNetworks: '127.0.0.0/8' } },
        });
        expect(hp.host.query.dialect).to.equal(name);
        mb = hp.host.services.get('memberships')!.service as MembershipsService;
        const { user } = await hp.host.users.create({ login: 'ada', email: 'ada@example.com', password: 'password 123' });
        const product = await mb.createProduct({ name: 'Pro Plan', price_cents: 2900, setup_fee_cents: 0, currency: 'USD', period: 'month' });
        const customer = await mb.createCustomer({ user_id: user.id, billing_address: '', verify: false });
        membershipId = (await mb.createMembership({ customer_id: customer.id, product_id: product.id, status: 'active', date_expiration: null })).id;
        const hooks = webhooksApi(hp).async;
        for (const event of ['site_created', 'site_published']) await hooks.create_webhook({ name: event, url: `${receiver.url}/${event}`, event });
      });
      afterEach(async () => {
        await hp.close();
        await receiver.close();
      });

      /** What a publish leaves behind: the site with the slug, membership links, and events stored. */
      async function leftovers(slug: string) {
        const sites = (await hp.host.sites.listAsync({ search: slug, limit: 10, offset: 0 })).items.filter((s) => s.slug === slug);
        const links = await hp.host.query.db.selectFrom('mb_site_memberships' as never).selectAll().execute();
        const events = (await webhooksApi(hp).async.list_deliveries()).items.map((d) => d.event).sort();
        return { sites: sites.length, links: links.length, events };
      }

      const publish = (slug: string) => mb.publishSite({ membership_id: membershipId, slug, title: 'Ada’s Engines' }).then(() => 'published', (e: Error) => e.message);

      it('a failure between creating the site and linking it leaves no site, no link, no event', async () => {
        const linkSite = Object.getOwnPropertyDescriptor(MembershipsStore.prototype, 'linkSite')!;
        MembershipsStore.prototype.linkSite = () => Promise.reject(new Error('the link could not be written'));
        try {
          expect(await publish('engines')).to.equal('the link could not be written');
        } finally {
          Object.defineProperty(MembershipsStore.prototype, 'linkSite', linkSite);
        }
        expect(await leftovers('engines')).to.deep.equal({ sites: 0, links: 0, events: [] });
      });

      it('a failure after site_published fired leaves nothing either; the same publish then succeeds whole', async () => {
        const boom = (): void => {
          throw new Error('a later listener fails');
        };
        hp.hooks.add_action('memberships_site_published', boom, 20);
        expect(await publish('engines')).to.equal('a later listener fails');
        hp.hooks.remove_action('memberships_site_published', boom, 20);
        expect(await leftovers('engines')).to.deep.equal({ sites: 0, links: 0, events: [] });

        expect(await publish('engines'), 'the slug was not left taken').to.equal('published');
        expect(await leftovers('engines')).to.deep.equal({ sites: 1, links: 1, events: ['site_created', 'site_published'] });
        await webhooksEngine(hp).worker.drain();
        expect(receiver.requests.map((r) => r.path).sort()).to.deep.equal(['/site_created', '/site_published']);
      });
    });
  }
});
