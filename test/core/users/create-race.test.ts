import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { createHooks } from '../../../core/hooks/index.js';
import { OptionsStore } from '../../../core/options/options-store.js';
import { SiteOptions } from '../../../core/options/site-options.js';
import { SiteError, Sites } from '../../../core/sites/sites.js';
import { SitesStore } from '../../../core/sites/sites-store.js';
import { UsersStore } from '../../../core/users/users-store.js';
import { UserError, Users } from '../../../core/users/users.js';
import { forEachBackend, type TestDb } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

/** What `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * Two processes add the same login, email or site slug (in another case) at once: the second
 * one's check ran before the first one's insert, so its insert meets the unique constraint —
 * simulated here by inserting the conflicting row right after the check (no sleeps). The loser
 * gets the form's "already exists" error, not a storage error (a 500).
 */
forEachBackend('creation racing another process for a unique login, email or slug', (backend) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await backend.open();
    await migrateSchema(t.layer, 'core', coreMigrations);
  });

  /** Users whose store sees `other` inserted (by "another process") right after the existence check of `check`. */
  async function usersRacing(check: 'byLogin' | 'byEmail', other: { login: string; email: string }) {
    const store = new UsersStore(t.layer.db, t.layer.dialect, t.sync);
    const direct = new UsersStore(t.layer.db, t.layer.dialect, t.sync);
    const original = store[check].bind(store);
    store[check] = async (value: string) => {
      const found = await original(value);
      await direct.insert({ ...other, display_name: other.login, pass_hash: 'x', registered: T0 });
      return found;
    };
    const options = new SiteOptions(new OptionsStore(t.layer.db, t.sync), createHooks());
    await options.load();
    return { users: new Users(store, options, createHooks(), () => T0, 1024), direct };
  }

  it('a login taken meanwhile (other case) is USER_LOGIN_EXISTS on the login field', async () => {
    const { users, direct } = await usersRacing('byLogin', { login: 'ALICE', email: 'first@example.com' });
    const error = await rejection(users.create({ login: 'alice', email: 'second@example.com', password: 'a long password' }));
    expect(error).to.be.instanceOf(UserError);
    expect([(error as UserError).code, (error as UserError).message]).to.deep.equal(['USER_LOGIN_EXISTS', 'That username is already taken.']);
    expect((await direct.list({ limit: 10, offset: 0 })).items.map((u) => u.login)).to.deep.equal(['ALICE']);
  });

  it('an email taken meanwhile (other case) is USER_EMAIL_EXISTS on the email field', async () => {
    const { users } = await usersRacing('byEmail', { login: 'bob', email: 'SAME@example.com' });
    const error = await rejection(users.create({ login: 'robert', email: 'same@EXAMPLE.com', password: 'a long password' }));
    expect(error).to.be.instanceOf(UserError);
    expect((error as UserError).code).to.equal('USER_EMAIL_EXISTS');
  });

  it('a site slug taken meanwhile is SITE_EXISTS (createAsync, and create on SQLite)', async () => {
    const store = new SitesStore(t.layer.db, t.layer.dialect, t.sync);
    const direct = new SitesStore(t.layer.db, t.layer.dialect, t.sync);
    const original = store.bySlug.bind(store);
    store.bySlug = async (slug: string) => {
      const found = await original(slug);
      await direct.insert({ slug, title: 'First', admin_email: 'a@example.com', registered: T0, public: 1 });
      return found;
    };
    const sites = new Sites(store, createHooks(), () => T0);
    const error = await rejection(sites.createAsync({ slug: 'Shop', title: 'Second', admin_email: 'b@example.com' }));
    expect(error).to.be.instanceOf(SiteError);
    expect((error as SiteError).code).to.equal('SITE_EXISTS');
    if (t.sync) {
      const syncStore = new SitesStore(t.layer.db, t.layer.dialect, t.sync);
      syncStore.bySlugSync = (slug: string) => {
        direct.insertSync({ slug, title: 'First', admin_email: 'a@example.com', registered: T0, public: 1 });
        return undefined;
      };
      let thrown: unknown;
      try {
        new Sites(syncStore, createHooks(), () => T0).create({ slug: 'blog', title: 'Second', admin_email: 'b@example.com' });
      } catch (e) {
        thrown = e;
      }
      expect((thrown as SiteError).code).to.equal('SITE_EXISTS');
    }
  });

  it('an email with a NUL is USER_INVALID_EMAIL / SITE_INVALID_EMAIL, a site title loses it: never a storage error', async () => {
    const { users } = await usersRacing('byLogin', { login: 'x', email: 'x@example.com' });
    const error = await rejection(users.create({ login: 'carol', email: 'ca\0rol@example.com', password: 'a long password' }));
    expect((error as UserError).code).to.equal('USER_INVALID_EMAIL');
    const sites = new Sites(new SitesStore(t.layer.db, t.layer.dialect, t.sync), createHooks(), () => T0);
    const siteError = await rejection(sites.createAsync({ slug: 'nul', title: 'Nul', admin_email: 'a\0b@example.com' }));
    expect((siteError as SiteError).code).to.equal('SITE_INVALID_EMAIL');
    expect((await sites.createAsync({ slug: 'nul', title: 'N\0ul', admin_email: 'a@example.com' })).title, 'the title without its NUL').to.equal('Nul');
  });
});
