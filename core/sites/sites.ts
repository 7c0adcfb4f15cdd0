import { stripControlChars } from '../admin/form.js';
import { HookpressError, throwAll } from '../errors.js';
import type { CoreErrorCode } from '../error-codes.js';
import type { Kysely } from 'kysely';
import type { Site, SiteListQuery, SitesStore } from './sites-store.js';
import type { CoreTables } from '../db/tables.js';
import type { Hooks } from '../hooks/index.js';
import type { Clock } from '../config.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { looksLikeEmail } from '../users/users.js';

export type { Site } from './sites-store.js';

/** A bad site input; codes SITE_* in core/error-codes.ts. */
export class SiteError extends HookpressError<CoreErrorCode> {
  /** With `fields`, several inputs are at fault (one message each); `code` is the first one's. */
  constructor(code: CoreErrorCode, message: string, field?: string, fields?: Record<string, string>) {
    super(code, message, { field, fields });
    this.name = 'SiteError';
  }
}

const SLUG_RE = /^[a-z0-9-]{1,63}$/;

/** The network's sites. Site 1 is the main site and cannot be deleted. */
export class Sites {
  constructor(
    private readonly store: SitesStore,
    private readonly hooks: Hooks,
    private readonly clock: Clock,
  ) {}

  get(id: number): Site | undefined {
    return this.store.byIdSync(id);
  }
  count(): number {
    return this.store.countSync();
  }
  list(q: SiteListQuery): { items: Site[]; total: number } {
    return this.store.listSync(q);
  }
  recent(limit: number): Site[] {
    return this.store.recentSync(limit);
  }

  /** Creates a site; fires `wp_initialize_site` (site, args) like WordPress 5.1+. SQLite only (see createAsync). */
  create(input: { slug: string; title: string; admin_email: string }): Site {
    const site = validSite(input, this.clock, (slug) => this.store.bySlugSync(slug) !== undefined);
    try {
      site.id = this.store.insertSync(site);
    } catch (error) {
      throw slugTaken(error) ?? error;
    }
    this.hooks.do_action('wp_initialize_site', { ...site }, { title: site.title, admin_email: site.admin_email });
    return site;
  }

  /**
   * `create` on either backend (same checks and hook). With `trx` (an open transaction of the
   * same database) the check and the insert run in it, and commit or roll back with it.
   * @throws SiteError (SITE_*); SITE_EXISTS also when another process adds the slug between the
   * check and the insert.
   */
  async createAsync(input: { slug: string; title: string; admin_email: string }, trx?: Kysely<CoreTables>): Promise<Site> {
    const store = this.storeOn(trx);
    const slug = normalSlug(input.slug);
    const taken = slug !== '' && (await store.bySlug(slug)) !== undefined;
    const site = validSite(input, this.clock, () => taken);
    site.id = await store.insert(site).catch((error: unknown) => {
      throw slugTaken(error) ?? error;
    });
    this.hooks.do_action('wp_initialize_site', { ...site }, { title: site.title, admin_email: site.admin_email });
    return site;
  }

  /** `get`, `count`, `list` and `recent` on either backend; `get` and `list` with `trx`, inside that open transaction (they see its writes). */
  async getAsync(id: number, trx?: Kysely<CoreTables>): Promise<Site | undefined> {
    return this.storeOn(trx).byId(id);
  }
  async countAsync(): Promise<number> {
    return this.store.count();
  }
  async listAsync(q: SiteListQuery, trx?: Kysely<CoreTables>): Promise<{ items: Site[]; total: number }> {
    return this.storeOn(trx).list(q);
  }
  async recentAsync(limit: number): Promise<Site[]> {
    return this.store.recent(limit);
  }

  /** `delete` on either backend (same hooks). @throws SiteError SITE_MAIN for site 1 */
  async deleteAsync(id: number): Promise<boolean> {
    if (id === 1) throw new SiteError('SITE_MAIN', 'The main site of the network cannot be deleted.');
    const site = await this.store.byId(id);
    if (!site) return false;
    this.hooks.do_action('wp_validate_site_deletion', site);
    const deleted = await this.store.delete(id);
    if (deleted) this.hooks.do_action('wp_delete_site', site);
    return deleted;
  }

  /** `ensureMainSite` on either backend. */
  async ensureMainSiteAsync(title: string, adminEmail: string): Promise<void> {
    if ((await this.store.count()) === 0) await this.store.insert({ slug: 'main', title, admin_email: adminEmail, registered: this.clock(), public: 1 });
  }

  private storeOn(trx: Kysely<CoreTables> | undefined): SitesStore {
    return trx ? this.store.on(trx) : this.store;
  }

  /** Deletes a site; fires `wp_delete_site` (site) after, like WordPress. */
  delete(id: number): boolean {
    if (id === 1) throw new SiteError('SITE_MAIN', 'The main site of the network cannot be deleted.');
    const site = this.store.byIdSync(id);
    if (!site) return false;
    this.hooks.do_action('wp_validate_site_deletion', site);
    const deleted = this.store.deleteSync(id);
    if (deleted) this.hooks.do_action('wp_delete_site', site);
    return deleted;
  }

  /** Creates the main site on a fresh install (no hooks: nothing is listening yet). */
  ensureMainSite(title: string, adminEmail: string): void {
    if (this.store.countSync() === 0) {
      this.store.insertSync({ slug: 'main', title, admin_email: adminEmail, registered: this.clock(), public: 1 });
    }
  }
}

/** SITE_EXISTS for a slug another process inserted between the check and the insert, else undefined. */
function slugTaken(error: unknown): SiteError | undefined {
  return isUniqueViolation(error, 'sites', 'slug') ? new SiteError('SITE_EXISTS', 'That site address is already taken.', 'slug') : undefined;
}

function normalSlug(slug: string | undefined): string {
  return (slug ?? '').trim().toLowerCase();
}

/**
 * The site a creation would insert (id 0), every field checked so a form shows all its errors
 * at once. `taken` says whether the (normalised) slug is in use.
 * @throws SiteError with every failing field
 */
function validSite(input: { slug: string; title: string; admin_email: string }, clock: Clock, taken: (slug: string) => boolean): Site {
  const slug = normalSlug(input.slug);
  const title = stripControlChars(input.title ?? '').trim();
  const admin_email = (input.admin_email ?? '').trim();
  const errors: Array<[CoreErrorCode, string, string]> = [];
  if (slug === '') errors.push(['SITE_INVALID_SLUG', 'Enter a site address.', 'slug']);
  else if (slug.length > 63) errors.push(['SITE_INVALID_SLUG', `Site addresses can have at most 63 characters; this one has ${slug.length}.`, 'slug']);
  else if (!SLUG_RE.test(slug)) errors.push(['SITE_INVALID_SLUG', 'Site addresses can only contain lowercase letters (a-z), numbers and hyphens.', 'slug']);
  else if (taken(slug)) errors.push(['SITE_EXISTS', 'That site address is already taken.', 'slug']);
  if (title === '') errors.push(['SITE_MISSING_TITLE', 'Give the site a title.', 'title']);
  else if (title.length > 200) errors.push(['SITE_TITLE_TOO_LONG', 'The title can have at most 200 characters.', 'title']);
  if (admin_email === '') errors.push(['SITE_INVALID_EMAIL', 'Enter the admin email address.', 'admin_email']);
  else if (!looksLikeEmail(admin_email)) errors.push(['SITE_INVALID_EMAIL', 'Enter a valid admin email address.', 'admin_email']);
  throwAll(errors, (code, message, field, fields) => new SiteError(code, message, field, fields));
  return { id: 0, slug, title, admin_email, registered: clock(), public: 1 };
}
