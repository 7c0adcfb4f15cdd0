import { html, type SafeHtml } from '../http/html.js';
import type { Hooks } from '../hooks/index.js';
import type { PageContext } from './page-context.js';

export interface FieldOptions {
  id: string;
  name?: string;
  label: string;
  type?: 'text' | 'email' | 'url' | 'password' | 'number' | 'datetime-local' | 'date';
  value?: unknown;
  error?: string;
  description?: string | SafeHtml;
  required?: boolean;
  autocomplete?: string;
  className?: string;
}

/** One row of a WordPress form-table: a real <label>, the input, its error and description. */
export function formField(o: FieldOptions): SafeHtml {
  const describedBy = [o.error ? `${o.id}-error` : '', o.description ? `${o.id}-description` : ''].filter(Boolean).join(' ');
  return html`<tr class="form-field${o.required ? ' form-required' : ''}${o.error ? ' form-invalid' : ''}">
    <th scope="row"><label for="${o.id}">${o.label}</label></th>
    <td>
      <input type="${o.type ?? 'text'}" id="${o.id}" name="${o.name ?? o.id}" value="${o.value ?? ''}" class="${o.className ?? 'regular-text'}"${o.required ? html` required aria-required="true"` : ''}${o.error ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}>
      ${o.error ? html`<p class="field-error" id="${o.id}-error">${o.error}</p>` : ''}
      ${o.description ? html`<p class="description" id="${o.id}-description">${o.description}</p>` : ''}
    </td>
  </tr>`;
}

/** Reads a form body field as a trimmed string ('' when absent or not a string). */
export function bodyString(body: unknown, key: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v.trim() : '';
}

/** Reads `ids[]` (or `ids`) as positive integers. */
export function bodyIds(body: unknown): number[] {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b['ids[]'] ?? b.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((x) => Number.parseInt(String(x), 10)).filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * The warnings a `hookpress_delete_{user,site}_warnings` filter (warnings: string[], target)
 * collects from plugins: what deleting `target` leaves behind or removes too.
 */
export function deleteWarnings(hooks: Hooks, filter: string, target: unknown): string[] {
  const out = hooks.apply_filters(filter, [], target);
  return Array.isArray(out) ? out.filter((w): w is string => typeof w === 'string') : [];
}

/**
 * Where "Cancel" (or a finished action) returns to: the `from` query parameter when it is a
 * screen of this network admin (`/wp-admin/network/…`, never another origin), else `fallback`.
 * WordPress uses the referer for this (wp_get_referer); the host sends no Referer header
 * (Referrer-Policy: no-referrer), so the link that opens a confirmation carries `from`.
 */
export function returnUrl(req: { query: unknown }, fallback: string): string {
  const from = (req.query as Record<string, unknown>).from;
  return typeof from === 'string' && /^\/wp-admin\/network\/[^\\]*$/.test(from) && !from.startsWith('//') ? from : fallback;
}

/**
 * The confirmation page of a delete (works without JavaScript): it posts the list screen's
 * bulk action `delete` for the ids, with the list's bulk nonce and `confirmed=1`.
 * `warnings` (what the delete leaves behind or removes too — see the
 * `hookpress_delete_{user,site}_warnings` filters) are shown above the button.
 */
export function renderDeleteConfirmation(
  ctx: PageContext,
  o: { title: string; message: SafeHtml; listUrl: string; plural: string; ids: number[]; confirmLabel: string; warnings?: string[] },
): Promise<void> {
  return ctx.renderHtml(
    html`<h1>${o.title}</h1>
    <p>${o.message} This cannot be undone.</p>
    ${(o.warnings ?? []).map((w) => html`<div class="notice notice-warning inline"><p>${w}</p></div>`)}
    <form method="post" action="${o.listUrl}">
      ${ctx.wp_nonce_field(`bulk-${o.plural}`)}
      <input type="hidden" name="action" value="delete">${o.ids.map((id) => html`<input type="hidden" name="ids[]" value="${id}">`)}
      <input type="hidden" name="confirmed" value="1">
      <button type="submit" class="button button-primary">${o.confirmLabel}</button>
      <a class="button" href="${returnUrl(ctx.req, o.listUrl)}">Cancel</a>
    </form>`,
    { title: o.title },
  );
}
