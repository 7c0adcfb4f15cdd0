import { html, raw, type SafeHtml } from '../http/html.js';
import type { Hooks } from '../hooks/index.js';
import type { PageContext } from './page-context.js';

export interface FieldOptions {
  /** The control's id (the <label for>), and its name unless `name` is given. */
  id: string;
  name?: string;
  label: string;
  /** Default 'text'. */
  type?: 'text' | 'email' | 'url' | 'password' | 'number' | 'datetime-local' | 'date' | 'search' | 'tel' | 'textarea' | 'select' | 'checkbox';
  /** The current value; for a checkbox, `checked` says whether it is ticked and `value` is what it submits (default '1'). */
  value?: unknown;
  error?: string;
  description?: string | SafeHtml;
  required?: boolean;
  autocomplete?: string;
  /** Default 'regular-text' (inputs), 'large-text' (textarea); none for select and checkbox. */
  className?: string;
  /** The declared maximum length (TEXT_LIMITS), rendered as `maxlength`; the server checks it too. */
  maxLength?: number;
  /** number: the step ('any' for free decimals; default 'any' so 19.99 is accepted), min and max. */
  step?: number | 'any';
  min?: number | string;
  max?: number | string;
  /** The virtual keyboard: number fields default to 'decimal' (or 'numeric' with an integer step). */
  inputmode?: 'none' | 'text' | 'decimal' | 'numeric' | 'tel' | 'search' | 'email' | 'url';
  placeholder?: string;
  /** select: value → label, in order. */
  options?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  /** checkbox: whether it is ticked. */
  checked?: boolean;
  /** textarea: visible rows (default 5). */
  rows?: number;
  /** Any other attributes, e.g. { pattern: '[A-Z0-9]+', maxlength: 20, 'data-x': 'y' }; true renders the bare attribute, false/undefined none. */
  attrs?: Record<string, string | number | boolean | undefined>;
}

const ATTR_NAME = /^[a-z][a-z0-9_:.-]*$/i;

function attributes(list: Record<string, string | number | boolean | undefined>): SafeHtml {
  const parts: SafeHtml[] = [];
  for (const [k, v] of Object.entries(list)) {
    if (v === undefined || v === false) continue;
    if (!ATTR_NAME.test(k) || /^on/i.test(k)) throw new TypeError(`formField: "${k}" is not an attribute formField may set.`);
    parts.push(v === true ? html` ${raw(k)}` : html` ${raw(k)}="${v}"`);
  }
  return html`${parts}`;
}

/**
 * One row of a WordPress form-table: a real <label>, the control (input, textarea, select or
 * checkbox), its error (aria-invalid, aria-describedby) and description.
 * Throws TypeError for an attribute name that is not one (or an on* handler) in `attrs`.
 */
export function formField(o: FieldOptions): SafeHtml {
  const type = o.type ?? 'text';
  const describedBy = [o.error ? `${o.id}-error` : '', o.description ? `${o.id}-description` : ''].filter(Boolean).join(' ');
  const isNumber = type === 'number';
  const step = isNumber ? (o.step ?? 'any') : o.step;
  // id, name (and value, for inputs) first, as before: tests and scripts read them in that order.
  const idName = html` id="${o.id}" name="${o.name ?? o.id}"`;
  const common = attributes({
    required: o.required,
    'aria-required': o.required ? 'true' : undefined,
    'aria-invalid': o.error ? 'true' : undefined,
    'aria-describedby': describedBy || undefined,
    autocomplete: o.autocomplete,
    placeholder: o.placeholder,
    maxlength: o.maxLength,
  });
  const extra = attributes(o.attrs ?? {});
  let control: SafeHtml;
  if (type === 'textarea') {
    control = html`<textarea${idName}${common} class="${o.className ?? 'large-text'}" rows="${o.rows ?? 5}"${extra}>${o.value ?? ''}</textarea>`;
  } else if (type === 'select') {
    const options = Array.isArray(o.options) ? (o.options as ReadonlyArray<readonly [string, string]>) : Object.entries(o.options ?? {});
    const current = o.value === undefined || o.value === null ? '' : String(o.value);
    control = html`<select${idName}${common}${o.className ? html` class="${o.className}"` : ''}${extra}>${options.map(([v, l]) => html`<option value="${v}"${v === current ? html` selected` : ''}>${l}</option>`)}</select>`;
  } else if (type === 'checkbox') {
    control = html`<input type="checkbox"${idName} value="${o.value ?? '1'}"${common}${o.checked ? html` checked` : ''}${o.className ? html` class="${o.className}"` : ''}${extra}>`;
  } else {
    const inputmode = o.inputmode ?? (isNumber ? (typeof step === 'number' && Number.isInteger(step) ? 'numeric' : 'decimal') : undefined);
    control = html`<input type="${type}"${idName} value="${o.value ?? ''}" class="${o.className ?? 'regular-text'}"${common}${attributes({ step, min: o.min, max: o.max, inputmode })}${extra}>`;
  }
  return html`<tr class="form-field${o.required ? ' form-required' : ''}${o.error ? ' form-invalid' : ''}">
    <th scope="row"><label for="${o.id}">${o.label}</label></th>
    <td>
      ${control}
      ${o.error ? html`<p class="field-error" id="${o.id}-error">${o.error}</p>` : ''}
      ${o.description ? html`<p class="description" id="${o.id}-description">${o.description}</p>` : ''}
    </td>
  </tr>`;
}

/**
 * Declared maximum lengths (in characters) of the text fields of the admin, one place for all
 * screens and services. Mostly WordPress's column sizes (wp_users.display_name 250,
 * user_email 100, blogname 200 as the admin allows); names of records 200.
 */
export const TEXT_LIMITS = {
  name: 200,
  title: 200,
  display_name: 250,
  email: 100,
  address: 1000,
  message: 5000,
} as const;

/** The validation message for a text longer than its declared limit, or '' when it fits. */
export function tooLong(label: string, value: string, max: number): string {
  return value.length > max ? `${label} can have at most ${max} characters; this one has ${value.length}.` : '';
}

/**
 * NUL and other control characters never reach storage from a form: removed, as WordPress's
 * sanitize_text_field / sanitize_textarea_field remove them (tabs and line breaks are kept;
 * single-line fields are validated by their own rules).
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u0080-\u009F]/g;

export function stripControlChars(value: string): string {
  return value.replace(CONTROL_CHARS, '');
}

/** Reads a form body field as a trimmed string without control characters ('' when absent or not a string). */
export function bodyString(body: unknown, key: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? stripControlChars(v).trim() : '';
}

/** Reads `ids[]` (or `ids`) as positive integers. */
export function bodyIds(body: unknown): number[] {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b['ids[]'] ?? b.ids;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((x) => Number.parseInt(String(x), 10)).filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * The warnings the `hookpress_delete_{user,site}_warnings` filter (warnings: string[], target)
 * collects from plugins for each of `targets` in turn: what deleting them leaves behind or
 * removes too. Applied with `apply_filters_async`, so a callback may read the database
 * asynchronously (on either backend); synchronous callbacks work as before.
 */
export async function deleteWarnings(hooks: Hooks, filter: string, targets: readonly unknown[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const target of targets) {
    const out = await hooks.apply_filters_async(filter, [], target);
    if (Array.isArray(out)) warnings.push(...out.filter((w): w is string => typeof w === 'string'));
  }
  return warnings;
}

/**
 * Where "Cancel" (or a finished action) returns to: the `from` query parameter when it is a
 * screen of this network admin (`/wp-admin/network/…`, never another origin), else `fallback`.
 * WordPress uses the referer for this (wp_get_referer); the host sends no Referer header
 * (Referrer-Policy: no-referrer), so the link that opens a confirmation carries `from`.
 */
export function returnUrl(req: { query: unknown }, fallback: string): string {
  const from = (req.query as Record<string, unknown>).from;
  return isNetworkAdminPath(from) ? from : fallback;
}

/** Whether `url` is a path of this network admin (`/wp-admin/network/…`): never another origin. */
function isNetworkAdminPath(url: unknown): url is string {
  return typeof url === 'string' && /^\/wp-admin\/network\/[^\\]*$/.test(url) && !url.startsWith('//');
}

/**
 * Asks before a POSTed action that cannot be undone (works without JavaScript): renders a page
 * that posts `fields` again to `actionUrl` with `confirmed=1` and a fresh nonce for
 * `nonceAction`; "Cancel" returns to `cancelUrl` (a network-admin path). The handler calls this
 * when `confirmed` is not `1`, so nothing changes until the second POST — WordPress asks the
 * same way before a bulk delete of users (wp-admin/network/users.php, "Confirm Deletion").
 */
export function renderPostConfirmation(
  ctx: PageContext,
  o: {
    title: string;
    message: SafeHtml;
    warnings?: string[];
    actionUrl: string;
    nonceAction: string;
    fields: Record<string, string | string[]>;
    confirmLabel: string;
    cancelUrl: string;
  },
): Promise<void> {
  const hidden = Object.entries(o.fields).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((value) => html`<input type="hidden" name="${name}" value="${value}">`),
  );
  const cancel = isNetworkAdminPath(o.cancelUrl) ? o.cancelUrl : '/wp-admin/network/';
  return ctx.renderHtml(
    html`<h1>${o.title}</h1>
    <div class="danger-zone">
      <p>${o.message}</p>
      ${(o.warnings ?? []).map((w) => html`<div class="notice notice-warning inline"><p>${w}</p></div>`)}
      <form method="post" action="${o.actionUrl}">
        ${ctx.wp_nonce_field(o.nonceAction)}${hidden}
        <input type="hidden" name="confirmed" value="1">
        <p><button type="submit" class="button button-primary delete">${o.confirmLabel}</button>
        <a class="button" href="${cancel}">Cancel</a></p>
      </form>
    </div>`,
    { title: o.title },
  );
}

/**
 * The confirmation page of a delete (works without JavaScript): it posts the list screen's
 * bulk action `delete` for the ids, with the list's bulk nonce and `confirmed=1`.
 * `warnings` (what the delete leaves behind or removes too — see the
 * `hookpress_delete_{user,site}_warnings` filters) are shown above the button.
 */
export function renderDeleteConfirmation(
  ctx: PageContext,
  o: { title: string; message: SafeHtml; listUrl: string; plural: string; ids?: number[]; id?: number; confirmLabel: string; warnings?: string[] },
): Promise<void> {
  const ids = o.ids ?? (o.id === undefined ? [] : [o.id]);
  return ctx.renderHtml(
    html`<h1>${o.title}</h1>
    <p>${o.message} This cannot be undone.</p>
    ${(o.warnings ?? []).map((w) => html`<div class="notice notice-warning inline"><p>${w}</p></div>`)}
    <form method="post" action="${o.listUrl}">
      ${ctx.wp_nonce_field(`bulk-${o.plural}`)}
      <input type="hidden" name="action" value="delete">${ids.map((id) => html`<input type="hidden" name="ids[]" value="${id}">`)}
      <input type="hidden" name="confirmed" value="1">
      <button type="submit" class="button button-primary">${o.confirmLabel}</button>
      <a class="button" href="${returnUrl(ctx.req, o.listUrl)}">Cancel</a>
    </form>`,
    { title: o.title },
  );
}
