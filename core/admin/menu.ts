/** A page callback renders the page body for the request. */
export type PageCallback = (ctx: import('./page-context.js').PageContext) => unknown;

export interface MenuPage {
  pageTitle: string;
  menuTitle: string;
  capability: string;
  slug: string;
  /** `toplevel_page_{slug}` or `{parent}_page_{slug}`: WordPress's page hook name. */
  hookName: string;
  callback?: PageCallback;
  icon?: string;
  position?: number;
  parent?: string;
  /** A core page has its own URL (e.g. sites.php); plugin pages live at admin.php?page=. */
  url: string;
  owner: string;
}

export interface TopMenu extends MenuPage {
  submenu: MenuPage[];
}

/** WordPress's sanitize_title for menu titles: lowercase, ASCII, hyphenated. */
export function sanitizeTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/<[^>]*>/g, '')
    .replace(/[^a-z0-9\s_-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-');
}

/**
 * The network admin menu: `add_menu_page` / `add_submenu_page` with WordPress's page-hook
 * names, positions and capabilities. Entries carry their owner (core or a plugin slug) so a
 * deactivated plugin's pages disappear with it.
 */
export class AdminMenu {
  private readonly top: TopMenu[] = [];
  private readonly orphans: MenuPage[] = [];
  private counter = 0;
  private readonly order = new Map<string, number>();

  add_menu_page(
    owner: string,
    pageTitle: string,
    menuTitle: string,
    capability: string,
    slug: string,
    callback?: PageCallback,
    icon?: string,
    position?: number,
    url?: string,
  ): string {
    assertSlug(slug);
    const hookName = `toplevel_page_${slug}`;
    const existing = this.top.findIndex((t) => t.slug === slug);
    const entry: TopMenu = {
      pageTitle,
      menuTitle,
      capability,
      slug,
      hookName,
      callback,
      icon,
      position,
      url: url ?? `admin.php?page=${encodeURIComponent(slug)}`,
      owner,
      submenu: existing === -1 ? [] : this.top[existing]!.submenu,
    };
    if (existing === -1) {
      this.top.push(entry);
      this.order.set(slug, this.counter++);
      // Submenus registered before their parent attach now.
      for (let i = this.orphans.length - 1; i >= 0; i--) {
        if (this.orphans[i]!.parent === slug) entry.submenu.unshift(...this.orphans.splice(i, 1));
      }
    } else {
      this.top[existing] = entry;
    }
    return hookName;
  }

  add_submenu_page(
    owner: string,
    parentSlug: string,
    pageTitle: string,
    menuTitle: string,
    capability: string,
    slug: string,
    callback?: PageCallback,
    position?: number,
    url?: string,
  ): string {
    assertSlug(slug);
    const parent = this.top.find((t) => t.slug === parentSlug);
    const hookName = this.hookNameFor(slug, parentSlug);
    const entry: MenuPage = {
      pageTitle,
      menuTitle,
      capability,
      slug,
      hookName,
      callback,
      position,
      parent: parentSlug,
      url: url ?? `admin.php?page=${encodeURIComponent(slug)}`,
      owner,
    };
    const list = parent ? parent.submenu : this.orphans;
    const existing = list.findIndex((p) => p.slug === slug);
    if (existing !== -1) list[existing] = entry;
    else if (position !== undefined && position >= 0 && position < list.length) list.splice(position, 0, entry);
    else list.push(entry);
    return hookName;
  }

  /** WordPress's get_plugin_page_hookname(): the page type is the parent's sanitized menu title. */
  hookNameFor(pluginPage: string, parentSlug: string): string {
    if (this.top.some((t) => t.slug === pluginPage)) return `toplevel_page_${pluginPage}`;
    const parent = this.top.find((t) => t.slug === parentSlug);
    const pageType = parent ? sanitizeTitle(parent.menuTitle) : 'admin';
    return `${pageType}_page_${pluginPage}`;
  }

  /** Top-level entries sorted by position (then registration order). */
  entries(): TopMenu[] {
    return [...this.top].sort(
      (a, b) => (a.position ?? 1000) - (b.position ?? 1000) || this.order.get(a.slug)! - this.order.get(b.slug)!,
    );
  }

  /** The page registered at admin.php?page=<slug>. */
  findPage(slug: string): MenuPage | undefined {
    for (const t of this.top) {
      if (t.slug === slug) return t;
      const sub = t.submenu.find((s) => s.slug === slug);
      if (sub) return sub;
    }
    return this.orphans.find((o) => o.slug === slug);
  }

  removeOwner(owner: string): void {
    for (let i = this.top.length - 1; i >= 0; i--) {
      const t = this.top[i]!;
      t.submenu = t.submenu.filter((s) => s.owner !== owner);
      if (t.owner === owner) this.top.splice(i, 1);
    }
    for (let i = this.orphans.length - 1; i >= 0; i--) if (this.orphans[i]!.owner === owner) this.orphans.splice(i, 1);
  }

  clearOwnedBy(predicate: (owner: string) => boolean): void {
    for (const owner of new Set([...this.top.map((t) => t.owner), ...this.top.flatMap((t) => t.submenu.map((s) => s.owner))])) {
      if (predicate(owner)) this.removeOwner(owner);
    }
    this.orphans.length = 0;
  }
}

function assertSlug(slug: string): void {
  if (typeof slug !== 'string' || !/^[a-z0-9_-]+$/i.test(slug)) {
    throw new TypeError(`A menu slug must contain only letters, digits, "-" and "_"; got ${JSON.stringify(slug)}.`);
  }
}
