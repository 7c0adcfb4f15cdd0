import { randomUUID } from 'node:crypto';
import type { NoticesStore } from './notices-store.js';

export type NoticeType = 'success' | 'error' | 'warning' | 'info';

export interface Notice {
  type: NoticeType;
  message: string;
  /** Optional link shown after the message. */
  link?: { href: string; label: string };
}

export interface PersistentNotice extends Notice {
  id: string;
  /** Unix milliseconds. */
  created: number;
}

const TYPES: readonly NoticeType[] = ['success', 'error', 'warning', 'info'];

export function assertNoticeType(type: string): asserts type is NoticeType {
  if (!TYPES.includes(type as NoticeType)) {
    throw new TypeError(`A notice type must be one of ${TYPES.join(', ')}; got ${JSON.stringify(type)}.`);
  }
}

/**
 * Network-wide notices that stay until an admin dismisses them (a disabled webhook, a
 * plugin deactivated because it crashed). Kept in the database (table `admin_notices`, one row
 * each), so they survive restarts and every process shows and dismisses the same ones.
 * One-shot notices for the current user live in the session instead (PageContext.addNotice).
 * The calls are synchronous (SQLite); the `…Async` ones work on both backends.
 */
export class PersistentNotices {
  constructor(
    private readonly store: NoticesStore,
    private readonly clock: () => number,
  ) {}

  /** Every notice, oldest first (a notice added again with its id counts as new). */
  list(): PersistentNotice[] {
    return this.store.listSync();
  }

  /** Adds a notice; a notice with the same id replaces the previous one. Returns its id. @throws TypeError for an unknown type. */
  add(notice: Notice & { id?: string }): string {
    const row = this.toRow(notice);
    this.store.putSync(row);
    return row.id;
  }

  /** Dismisses one; false when there was none. */
  dismiss(id: string): boolean {
    return this.store.deleteSync(id);
  }

  async listAsync(): Promise<PersistentNotice[]> {
    return this.store.list();
  }

  async addAsync(notice: Notice & { id?: string }): Promise<string> {
    const row = this.toRow(notice);
    await this.store.put(row);
    return row.id;
  }

  async dismissAsync(id: string): Promise<boolean> {
    return this.store.delete(id);
  }

  private toRow(notice: Notice & { id?: string }): PersistentNotice {
    assertNoticeType(notice.type);
    const row: PersistentNotice = { id: notice.id ?? randomUUID(), type: notice.type, message: String(notice.message), created: this.clock() };
    if (notice.link) row.link = notice.link;
    return row;
  }
}
