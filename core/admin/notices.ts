import type { SiteOptions } from '../options/site-options.js';
import { randomUUID } from 'node:crypto';

export type NoticeType = 'success' | 'error' | 'warning' | 'info';

export interface Notice {
  type: NoticeType;
  message: string;
  /** Optional link shown after the message. */
  link?: { href: string; label: string };
}

export interface PersistentNotice extends Notice {
  id: string;
  created: number;
}

const OPTION = 'hookpress_admin_notices';
const TYPES: readonly NoticeType[] = ['success', 'error', 'warning', 'info'];

export function assertNoticeType(type: string): asserts type is NoticeType {
  if (!TYPES.includes(type as NoticeType)) {
    throw new TypeError(`A notice type must be one of ${TYPES.join(', ')}; got ${JSON.stringify(type)}.`);
  }
}

/**
 * Network-wide notices that stay until an admin dismisses them (a disabled webhook, a
 * plugin deactivated because it crashed). Kept in a network option so they survive restarts.
 * One-shot notices for the current user live in the session instead (PageContext.addNotice).
 */
export class PersistentNotices {
  constructor(
    private readonly options: SiteOptions,
    private readonly clock: () => number,
  ) {}

  list(): PersistentNotice[] {
    const value = this.options.get_site_option<unknown>(OPTION, []);
    return Array.isArray(value) ? (value as PersistentNotice[]) : [];
  }

  /** Adds a notice; a notice with the same id replaces the previous one. Returns its id. */
  add(notice: Notice & { id?: string }): string {
    assertNoticeType(notice.type);
    const id = notice.id ?? randomUUID();
    const next = this.list().filter((n) => n.id !== id);
    next.push({ id, type: notice.type, message: String(notice.message), link: notice.link, created: this.clock() });
    this.options.update_site_option(OPTION, next);
    return id;
  }

  dismiss(id: string): boolean {
    const list = this.list();
    const next = list.filter((n) => n.id !== id);
    if (next.length === list.length) return false;
    this.options.update_site_option(OPTION, next);
    return true;
  }
}
