import { randomUUID } from 'node:crypto';
import type { NoticesStore } from './notices-store.js';
import { currentUnitOfWork } from '../http/unit-of-work.js';

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
 * The calls are synchronous; the `…Async` ones work on both backends. On PostgreSQL `add` and
 * `dismiss` write in the background, registered with the running unit of work (the request is
 * answered once the write is committed), and `list` is not available (use `listAsync`).
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
    if (this.store.sync) this.store.putSync(row);
    else background(this.store.put(row));
    return row.id;
  }

  /** Dismisses one; false when there was none (PostgreSQL: true, the delete runs in the background). */
  dismiss(id: string): boolean {
    if (this.store.sync) return this.store.deleteSync(id);
    background(this.store.delete(id));
    return true;
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

/**
 * A write that runs in the background: the running unit of work waits for it (and answers 503
 * when it fails); outside one (start-up) a failure is dropped — never an unhandled rejection.
 */
function background(write: Promise<unknown>): void {
  const unit = currentUnitOfWork();
  if (unit) unit.defer(write);
  else write.catch(() => undefined);
}
