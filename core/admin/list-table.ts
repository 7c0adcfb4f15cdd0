import type { Request } from 'express';
import { html, raw, type SafeHtml } from '../http/html.js';
import { stripControlChars } from './form.js';

export interface Column<Row> {
  key: string;
  label: string;
  sortable?: boolean;
  /** The cell's content: plain values are escaped; SafeHtml is output as it is. */
  cell: (row: Row) => SafeHtml | string | number | null | undefined;
}

export interface RowAction {
  label: string;
  /** A link; or, with `post`, the URL the action's form posts to. */
  href: string;
  className?: string;
  /** A longer accessible name, e.g. "Delete “My webhook”". */
  ariaLabel?: string;
  /**
   * A state change: a link-styled button bound (HTML `form` attribute) to a small form of its
   * own — hidden fields + nonce — rendered after the table, never inside the bulk-actions form:
   * a browser's parser drops a form nested in a form and merges its fields into the outer one.
   */
  post?: { fields: Record<string, string | number>; nonceField: SafeHtml; data?: Record<string, string> };
}

export interface ListQuery {
  search: string;
  orderby: string;
  order: 'asc' | 'desc';
  page: number;
  perPage: number;
  offset: number;
}

export interface ListTableOptions<Row> {
  /** Plural name; bulk actions check the nonce `bulk-{plural}` like WordPress's list tables. */
  plural: string;
  columns: Column<Row>[];
  /** The column that carries the row actions (default: the first). */
  primary?: string;
  rows: Row[];
  total: number;
  query: ListQuery;
  rowId: (row: Row) => string | number;
  rowLabel?: (row: Row) => string;
  rowActions?: (row: Row) => RowAction[];
  bulkActions?: Record<string, string>;
  searchLabel?: string;
  /** URL of the screen; sorting, paging and search keep its other query parameters. */
  baseUrl: string;
  /** Shown instead of the table when there are no rows. */
  empty: SafeHtml;
  /** wp_nonce_field('bulk-{plural}') of the current user. */
  bulkNonceField?: SafeHtml;
}

/**
 * Reads `s`, `orderby`, `order` and `paged` from the query string, constrained to what is
 * allowed; the search has NUL and other control characters removed (WordPress sanitizes it so),
 * is trimmed and cut to 200 characters.
 */
export function parseListQuery(
  req: Request,
  opts: { orderby: readonly string[]; defaultOrderby: string; defaultOrder?: 'asc' | 'desc'; perPage?: number },
): ListQuery {
  const q = req.query as Record<string, unknown>;
  const perPage = opts.perPage ?? 20;
  const search = typeof q.s === 'string' ? stripControlChars(q.s).trim().slice(0, 200) : '';
  const orderby = typeof q.orderby === 'string' && opts.orderby.includes(q.orderby) ? q.orderby : opts.defaultOrderby;
  const order = q.order === 'asc' || q.order === 'desc' ? q.order : (opts.defaultOrder ?? 'asc');
  const pageNum = Math.max(1, Math.min(1_000_000, Number.parseInt(String(q.paged ?? '1'), 10) || 1));
  return { search, orderby, order, page: pageNum, perPage, offset: (pageNum - 1) * perPage };
}

function withParams(base: string, params: Record<string, string | number | undefined>): string {
  const url = new URL(base, 'http://x');
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, String(v));
  }
  return url.pathname + url.search;
}

/**
 * The host's list table (WordPress's WP_List_Table, server-rendered): search box, sortable
 * headers, bulk actions with a nonce, row actions, pagination, and an empty state.
 * Every value is escaped unless a cell returns SafeHtml.
 */
export function renderListTable<Row>(o: ListTableOptions<Row>): SafeHtml {
  const { query } = o;
  const primary = o.primary ?? o.columns[0]?.key;
  const pages = Math.max(1, Math.ceil(o.total / query.perPage));
  const keep = { s: query.search, orderby: query.orderby, order: query.order };

  const searchBox = o.searchLabel
    ? html`<form class="search-box" method="get" action="${new URL(o.baseUrl, 'http://x').pathname}" role="search">
        ${hiddenParams(o.baseUrl, ['s', 'paged'])}
        <label for="${o.plural}-search-input">${o.searchLabel}</label>
        <input type="search" id="${o.plural}-search-input" name="s" value="${query.search}">
        <button type="submit" class="button">${o.searchLabel}</button>
      </form>`
    : '';

  const count = html`<span class="displaying-num">${o.total} ${o.total === 1 ? 'item' : 'items'}</span>`;
  const pagination =
    pages > 1
      ? html`<nav class="tablenav-pages" aria-label="Pagination">${count}
          ${query.page > 1 ? html`<a class="button" href="${withParams(o.baseUrl, { ...keep, paged: query.page - 1 })}">‹ Previous</a>` : ''}
          <span class="paging-input">Page ${query.page} of ${pages}</span>
          ${query.page < pages ? html`<a class="button" href="${withParams(o.baseUrl, { ...keep, paged: query.page + 1 })}">Next ›</a>` : ''}
        </nav>`
      : html`<div class="tablenav-pages">${count}</div>`;

  if (o.rows.length === 0 && o.total > 0) {
    // A page past the end (a stale link, `&paged=999`): the list is not empty, this page is.
    return html`${searchBox}<div class="list-empty"><p>No items on page ${query.page}: the list has ${o.total} ${o.total === 1 ? 'item' : 'items'} on ${pages} ${pages === 1 ? 'page' : 'pages'}.
      <a href="${withParams(o.baseUrl, { ...keep, paged: pages === 1 ? undefined : pages })}">Go to ${pages === 1 ? 'the list' : `the last page (${pages})`}</a></p></div>`;
  }
  if (o.rows.length === 0) {
    return html`${searchBox}<div class="list-empty">${o.empty}</div>`;
  }

  const hasBulk = o.bulkActions && Object.keys(o.bulkActions).length > 0;
  const header = o.columns.map((c) => {
    if (!c.sortable) return html`<th scope="col" class="column-${c.key}">${c.label}</th>`;
    const active = query.orderby === c.key;
    const nextOrder = active && query.order === 'asc' ? 'desc' : 'asc';
    const ariaSort = active ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none';
    return html`<th scope="col" class="column-${c.key} sortable${active ? ' sorted' : ''}" aria-sort="${ariaSort}">
      <a href="${withParams(o.baseUrl, { ...keep, orderby: c.key, order: nextOrder, paged: undefined })}">${c.label}<span class="sorting-indicator" aria-hidden="true">${active ? (query.order === 'asc' ? '▲' : '▼') : '⇅'}</span></a></th>`;
  });

  const actionForms: SafeHtml[] = [];
  const rows = o.rows.map((row) => {
    const id = o.rowId(row);
    const label = o.rowLabel ? o.rowLabel(row) : String(id);
    const cells = o.columns.map((c) => {
      const content = c.cell(row);
      const actions =
        c.key === primary && o.rowActions
          ? html`<div class="row-actions">${o.rowActions(row).map((a, i) => {
              const formId = `${o.plural}-${id}-action-${i}`;
              if (a.post) actionForms.push(rowActionForm(a, formId));
              return html`${i > 0 ? raw(' <span class="sep" aria-hidden="true">|</span> ') : ''}<span class="${a.className ?? ''}">${rowAction(a, formId)}</span>`;
            })}</div>`
          : '';
      const tag = c.key === primary ? 'th' : 'td';
      return tag === 'th'
        ? html`<th scope="row" class="column-${c.key} column-primary" data-colname="${c.label}">${content}${actions}</th>`
        : html`<td class="column-${c.key}" data-colname="${c.label}">${content}</td>`;
    });
    return html`<tr id="${o.plural}-row-${id}">${
      hasBulk
        ? html`<td class="check-column"><input type="checkbox" name="ids[]" value="${id}" id="cb-${o.plural}-${id}"><label class="screen-reader-text" for="cb-${o.plural}-${id}">Select ${label}</label></td>`
        : ''
    }${cells}</tr>`;
  });

  // Two selectors like WordPress's (`action` top, `action2` bottom); each Apply button names
  // its own selector, so the one next to the pressed button wins (see currentBulkAction).
  const bulk = (where: 'top' | 'bottom') =>
    hasBulk
      ? html`<div class="bulkactions">
        <label for="bulk-action-selector-${where}" class="screen-reader-text">Select bulk action</label>
        <select name="${where === 'top' ? 'action' : 'action2'}" id="bulk-action-selector-${where}">
          <option value="">Bulk actions</option>
          ${Object.entries(o.bulkActions!).map(([value, label]) => html`<option value="${value}">${label}</option>`)}
        </select>
        <button type="submit" class="button action" name="bulk_apply" value="${where}">Apply</button>
      </div>`
      : '';

  const table = html`<table class="wp-list-table widefat striped ${o.plural}">
      <thead><tr>${hasBulk ? html`<td class="check-column"><input type="checkbox" id="cb-select-all" data-select-all hidden><label class="screen-reader-text" for="cb-select-all" hidden>Select all</label></td>` : ''}${header}</tr></thead>
      <tbody>${rows}</tbody>
    </table>`;

  return html`${searchBox}
    ${
      hasBulk
        ? html`<form method="post" action="${o.baseUrl}" class="list-table-form">${o.bulkNonceField ?? ''}
          <div class="tablenav top">${bulk('top')}${pagination}</div>${table}<div class="tablenav bottom">${bulk('bottom')}${pagination}</div></form>`
        : html`<div class="tablenav top">${pagination}</div>${table}<div class="tablenav bottom">${pagination}</div>`
    }${actionForms.length ? html`<div class="row-action-forms" hidden>${actionForms}</div>` : ''}`;
}

/**
 * The bulk action a list table's form asked for: the selector next to the Apply button that
 * was pressed (`action` top, `action2` bottom — WordPress's names), falling back to the other
 * one when that is empty (WP_List_Table::current_action() reads `action`, then `action2`).
 * Returns '' when none was chosen.
 */
export function currentBulkAction(body: unknown): string {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
  const top = str('action') === '-1' ? '' : str('action');
  const bottom = str('action2') === '-1' ? '' : str('action2');
  return str('bulk_apply') === 'bottom' ? bottom || top : top || bottom;
}

function rowAction(a: RowAction, formId: string): SafeHtml {
  const aria = a.ariaLabel ? html` aria-label="${a.ariaLabel}"` : '';
  if (!a.post) return html`<a href="${a.href}"${aria}>${a.label}</a>`;
  return html`<button type="submit" form="${formId}" class="button-link"${aria}>${a.label}</button>`;
}

/** The form a state-changing row action's button submits (rendered outside every other form). */
function rowActionForm(a: RowAction, formId: string): SafeHtml {
  const post = a.post!;
  const data = Object.entries(post.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<form method="post" action="${a.href}" id="${formId}" class="row-action-form"${data}>${post.nonceField}${Object.entries(post.fields).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}</form>`;
}

function hiddenParams(baseUrl: string, skip: string[]): SafeHtml {
  const url = new URL(baseUrl, 'http://x');
  return html`${[...url.searchParams.entries()]
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}`;
}
