import { bodyString, type Column, HookpressError, HttpError, type PageContext, type PluginApi, type RowAction, type SafeHtml } from '../../../core/plugin-sdk.js';

export const CAPABILITY = 'manage_memberships';

export interface EntityForm {
  action: string;
  title: string;
  submit: string;
  /**
   * The form's rows, given the submitted values and the errors per field. `values` is empty
   * on a fresh form; once submitted, an unticked checkbox is simply absent from it, so a
   * checkbox that defaults to ticked must read `Object.keys(values).length ? … : true`.
   */
  fields: (values: Record<string, string>, errors: Record<string, string>) => SafeHtml;
  /** Runs the form; returns the success message. Throws with `fields` (or `field`) on invalid input. */
  run: (body: Record<string, string>) => Promise<string>;
}

/** A destructive row action asks first, on a page of its own (works without JavaScript). */
export interface RowConfirm<Row> {
  title: string;
  /** What will happen, in a sentence. */
  message: (row: Row) => string;
  button: string;
}

export interface EntityScreen<Row> {
  slug: string;
  title: string;
  singular: string;
  columns: Column<Row>[];
  rows: (limit: number, offset: number) => Promise<{ items: Row[]; total: number }>;
  /** One row by id: `&id=N` (the payloads' `*_manage_url`) shows exactly that row. */
  one: (id: number) => Promise<Row | undefined>;
  rowId: (row: Row) => number;
  rowLabel: (row: Row) => string;
  /** State-changing row actions, posted with a nonce bound to the action and the row. */
  rowActions?: (row: Row) => Array<{ action: string; label: string; confirm?: RowConfirm<Row> }>;
  /** The forms beside the list, the first being "Add New …". */
  forms: EntityForm[];
  /**
   * Reads what the synchronous parts (cells, labels, select options) look up, once per request
   * before anything else runs: the store is asynchronous, rendering is not.
   */
  load?: () => Promise<void>;
  /** One record, for a confirmation page. */
  get?: (id: number) => Promise<Row | undefined>;
  /** Runs a row action; returns the success message. */
  act?: (action: string, id: number, body: Record<string, string>) => Promise<string>;
  empty: string;
}

/** Reads every string field of a form body. */
/** Every string field of the body, read with the host's form helper (trimmed, no control characters). */
function strings(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) if (typeof v === 'string') out[k] = bodyString(body, k);
  return out;
}

/**
 * A WordPress "tags screen" for one kind of record: the Add New form beside the list table,
 * row actions that post with a nonce, validation errors next to their fields.
 */
export async function handleEntityScreen<Row>(ctx: PageContext, api: PluginApi, s: EntityScreen<Row>): Promise<void> {
  const { html } = api.ui;
  const url = api.urls.admin_page_url(s.slug);
  let values: Record<string, string> = {};
  let errors: Record<string, string> = {};
  let failedForm = '';
  await s.load?.();
  if (ctx.req.method === 'POST') {
    if (!ctx.current_user_can(CAPABILITY)) throw new HttpError(403, 'Sorry, you are not allowed to manage memberships.');
    const body = strings(ctx.req.body);
    const rowId = Number.parseInt(body.row_id ?? '', 10);
    try {
      const form = s.forms.find((f) => f.action === body.action);
      if (form) {
        ctx.check_admin_referer(`${s.slug}-form-${form.action}`);
        values = body;
        failedForm = form.action;
        ctx.add_notice('success', await form.run(body));
        return ctx.redirect(url);
      }
      ctx.check_admin_referer(`${s.slug}-${body.action}_${rowId}`);
      if (!s.act) throw new HttpError(400, 'Unknown action.');
      ctx.add_notice('success', await s.act(body.action ?? '', rowId, body));
      return ctx.redirect(url);
    } catch (error) {
      if (!(error instanceof HookpressError) || !error.field) throw error;
      const fields = error.fieldMessages();
      if (!failedForm) {
        ctx.add_notice('error', Object.values(fields).join(' '));
        return ctx.redirect(url);
      }
      errors = fields;
    }
  }
  const q = ctx.req.query as Record<string, unknown>;
  if (typeof q.confirm === 'string' && s.get) {
    const id = Number.parseInt(String(q.row_id ?? ''), 10);
    const row = await s.get(id);
    if (!row) throw new HttpError(404, `That ${s.singular.toLowerCase()} does not exist (it may have been deleted).`, 'Not Found');
    const a = (s.rowActions?.(row) ?? []).find((x) => x.action === q.confirm && x.confirm);
    if (!a?.confirm) throw new HttpError(404, `“${String(q.confirm)}” is not available for ${s.rowLabel(row)} any more.`, 'Not Found');
    const back = api.ui.returnUrl(ctx.req, url);
    return ctx.renderHtml(
      html`<h1>${a.confirm.title}</h1>
      <div class="danger-zone">
        <p>${a.confirm.message(row)}</p>
        <form method="post" action="${url}">
          ${ctx.wp_nonce_field(`${s.slug}-${a.action}_${id}`)}
          <input type="hidden" name="action" value="${a.action}"><input type="hidden" name="row_id" value="${id}">
          <p><button type="submit" class="button button-primary delete">${a.confirm.button}</button>
          <a class="button" href="${back}">Cancel</a></p>
        </form>
      </div>`,
      { title: a.confirm.title },
    );
  }
  const query = api.ui.parseListQuery(ctx.req, { orderby: ['id'], defaultOrderby: 'id', defaultOrder: 'desc' });
  // `&id=N` opens one item (the `*_manage_url` of payloads): the list narrowed to that row.
  const onlyId = Number.parseInt(String((ctx.req.query as Record<string, unknown>).id ?? ''), 10);
  const only = Number.isInteger(onlyId) && onlyId > 0 ? onlyId : undefined;
  const one = only === undefined ? undefined : await s.one(only);
  const { items, total } = only === undefined ? await s.rows(query.perPage, query.offset) : { items: one ? [one] : [], total: one ? 1 : 0 };
  const showAll = html`<a href="${url}">Show all ${s.title.toLowerCase()}</a>`;
  const rowActions = (row: Row): RowAction[] =>
    (s.rowActions?.(row) ?? []).map((a) =>
      a.confirm
        ? {
            label: a.label,
            className: 'delete',
            href: api.urls.admin_page_url(s.slug, { confirm: a.action, row_id: s.rowId(row), from: ctx.req.originalUrl }),
            ariaLabel: `${a.label}: ${s.rowLabel(row)}`,
          }
        : {
            label: a.label,
            href: url,
            ariaLabel: `${a.label}: ${s.rowLabel(row)}`,
            post: { fields: { action: a.action, row_id: s.rowId(row) }, nonceField: ctx.wp_nonce_field(`${s.slug}-${a.action}_${s.rowId(row)}`) },
          },
    );
  await ctx.renderHtml(
    html`<h1>${s.title}</h1>
    <div class="two-columns">
      <div>${one ? html`<p class="filter-note">Showing ${s.singular.toLowerCase()} “${s.rowLabel(one)}” only. ${showAll}</p>` : ''}${api.ui.renderListTable({
        plural: s.slug,
        columns: s.columns,
        rows: items,
        total,
        query,
        rowId: s.rowId,
        rowLabel: s.rowLabel,
        rowActions,
        baseUrl: ctx.req.originalUrl,
        empty:
          only === undefined
            ? html`<p>${s.empty}</p>`
            : html`<p>There is no ${s.singular.toLowerCase()} with id ${only}; it may have been deleted. ${showAll}</p>`,
      })}</div>
      <div>${s.forms.map((f) => {
        const own = failedForm === f.action;
        return html`<section class="postbox" aria-labelledby="${s.slug}-${f.action}-title">
          <h2 id="${s.slug}-${f.action}-title">${f.title}</h2>
          ${own && Object.keys(errors).length ? html`<div class="notice notice-error" role="alert"><p>Nothing was saved. Please correct the errors below.</p></div>` : ''}
          <form method="post" action="${url}" novalidate>
            ${ctx.wp_nonce_field(`${s.slug}-form-${f.action}`)}<input type="hidden" name="action" value="${f.action}">
            <table class="form-table" role="presentation">${f.fields(own ? values : {}, own ? errors : {})}</table>
            <p class="submit"><button type="submit" class="button button-primary">${f.submit}</button></p>
          </form>
        </section>`;
      })}</div>
    </div>`,
    { title: s.title, status: Object.keys(errors).length ? 422 : 200 },
  );
}

/** A labelled <select> row for the form table. */
export function selectField(api: PluginApi, o: { id: string; label: string; options: Array<[string, string]>; value?: string; error?: string; required?: boolean }): SafeHtml {
  const { html } = api.ui;
  return html`<tr class="form-field${o.required ? ' form-required' : ''}">
    <th scope="row"><label for="${o.id}">${o.label}</label></th>
    <td><select id="${o.id}" name="${o.id}"${o.required ? html` required aria-required="true"` : ''}${o.error ? html` aria-invalid="true" aria-describedby="${o.id}-error"` : ''}>
      <option value="">— Select —</option>
      ${o.options.map(([v, l]) => html`<option value="${v}"${v === o.value ? html` selected` : ''}>${l}</option>`)}
    </select>${o.error ? html`<p class="field-error" id="${o.id}-error">${o.error}</p>` : ''}</td>
  </tr>`;
}

/** A labelled checkbox row. */
export function checkboxField(api: PluginApi, o: { id: string; label: string; checked?: boolean }): SafeHtml {
  const { html } = api.ui;
  return html`<tr><th scope="row"></th><td><input type="checkbox" id="${o.id}" name="${o.id}" value="1"${o.checked ? html` checked` : ''}> <label for="${o.id}">${o.label}</label></td></tr>`;
}
