import type { Hooks } from '../hooks/index.js';
import type { SiteOptions } from '../options/site-options.js';
import { html, type SafeHtml } from '../http/html.js';
import { PluginError } from '../plugins/types.js';
import type { PageContext } from './page-context.js';

export interface SettingArgs {
  /** Default 'string'. Booleans come from a checkbox (absent = false). */
  type?: 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object';
  /** What get_site_option returns while the option is not stored. */
  default?: unknown;
  /** Cleans a submitted value before it is stored (WordPress's sanitize_callback). */
  sanitize_callback?: (value: unknown) => unknown;
  description?: string;
}

export interface SettingsField {
  id: string;
  title: string;
  /** Renders the control (use api.ui.html; give it the id `args.label_for`). */
  callback: (args: Record<string, unknown>) => SafeHtml;
  args: { label_for?: string; class?: string } & Record<string, unknown>;
}

interface Section {
  id: string;
  title: string;
  callback: (() => SafeHtml | string) | null;
  fields: SettingsField[];
}

/**
 * WordPress's Settings API (wp-admin/includes/plugin.php, template.php, options.php) for
 * network options: `register_setting`, `add_settings_section`, `add_settings_field`,
 * `settings_fields`, `do_settings_sections`, `add_settings_error`, and
 * `handle_settings_post` — what options.php does when the form is submitted (nonce
 * `{group}-options`, capability `manage_network_options`, sanitize, store, "Settings saved.").
 * One per plugin; removed with it.
 */
export class SettingsApi {
  private readonly settings = new Map<string, { group: string; args: SettingArgs }>();
  private readonly pages = new Map<string, Section[]>();
  private errors: Array<{ setting: string; code: string; message: string; type: 'error' | 'success' | 'warning' | 'info' }> = [];

  constructor(
    private readonly hooks: Hooks,
    private readonly options: SiteOptions,
  ) {}

  /**
   * Registers an option of a settings group: its default (through `default_site_option_{name}`)
   * and its sanitize callback (through `sanitize_option_{name}`), as WordPress does.
   */
  register_setting(group: string, name: string, args: SettingArgs = {}): void {
    if (!/^[a-z0-9_-]+$/i.test(group) || !/^[a-z0-9_-]+$/i.test(name)) {
      throw new PluginError('PLUGIN_BAD_SETTING', `register_setting needs a group and an option name of letters, digits, "_" and "-"; got ${JSON.stringify(group)}, ${JSON.stringify(name)}.`);
    }
    this.settings.set(name, { group, args });
    if (args.default !== undefined) {
      this.hooks.add_filter(`default_site_option_${name}`, (value: unknown, _o: string, _n: number) => (value === false ? args.default : value), 10, 1);
    }
    if (args.sanitize_callback) this.hooks.add_filter(`sanitize_option_${name}`, args.sanitize_callback);
  }

  add_settings_section(id: string, title: string, callback: (() => SafeHtml | string) | null, page: string): void {
    const sections = this.pages.get(page) ?? [];
    if (!sections.some((s) => s.id === id)) sections.push({ id, title, callback, fields: [] });
    this.pages.set(page, sections);
  }

  add_settings_field(id: string, title: string, callback: SettingsField['callback'], page: string, section = 'default', args: SettingsField['args'] = {}): void {
    const sections = this.pages.get(page);
    const target = sections?.find((s) => s.id === section);
    if (!target) throw new PluginError('PLUGIN_BAD_SETTING', `add_settings_field("${id}"): there is no section "${section}" on the settings page "${page}"; add it with add_settings_section first.`);
    target.fields.push({ id, title, callback, args });
  }

  /** The hidden fields of a settings form: option_page, action=update and the `{group}-options` nonce. */
  settings_fields(ctx: PageContext, group: string): SafeHtml {
    return html`<input type="hidden" name="option_page" value="${group}"><input type="hidden" name="action" value="update">${ctx.wp_nonce_field(`${group}-options`)}`;
  }

  /** Every section of a page: its <h2>, its callback's output, and a form-table of its fields with real labels. */
  do_settings_sections(page: string): SafeHtml {
    return html`${(this.pages.get(page) ?? []).map(
      (s) => html`${s.title ? html`<h2>${s.title}</h2>` : ''}${s.callback ? s.callback() : ''}
      ${s.fields.length ? html`<table class="form-table" role="presentation">${s.fields.map(
        (f) => html`<tr${f.args.class ? html` class="${f.args.class}"` : ''}><th scope="row">${f.args.label_for ? html`<label for="${f.args.label_for}">${f.title}</label>` : f.title}</th><td>${f.callback(f.args)}</td></tr>`,
      )}</table>` : ''}`,
    )}`;
  }

  /** Records a message shown after the save (add_settings_error); type 'error' by default. */
  add_settings_error(setting: string, code: string, message: string, type: 'error' | 'success' | 'warning' | 'info' = 'error'): void {
    this.errors.push({ setting, code, message, type });
  }

  /**
   * Saves a submitted settings form of `group`, as options.php: checks the capability
   * (`manage_network_options`) and the nonce (403 otherwise), stores each registered option
   * of the group (sanitized), adds "Settings saved." or the add_settings_error messages as
   * notices, and redirects back. Returns false (doing nothing) unless the request is a POST
   * of that group.
   */
  handle_settings_post(ctx: PageContext, group: string): boolean {
    const body = (ctx.req.body ?? {}) as Record<string, unknown>;
    if (ctx.req.method !== 'POST' || body.option_page !== group) return false;
    ctx.check_admin_referer(`${group}-options`);
    if (!ctx.current_user_can('manage_network_options')) {
      ctx.add_notice('error', 'Sorry, you are not allowed to manage options for this site.');
      ctx.redirect(ctx.req.originalUrl);
      return true;
    }
    this.errors = [];
    for (const [name, { group: g, args }] of this.settings) {
      if (g !== group) continue;
      let value = body[name];
      if (args.type === 'boolean') value = value !== undefined && value !== '' && value !== '0';
      else if (args.type === 'integer') value = value === undefined || value === '' ? args.default ?? 0 : Number.parseInt(String(value), 10);
      else if (args.type === 'number') value = value === undefined || value === '' ? args.default ?? 0 : Number(value);
      else if (value === undefined) continue;
      this.options.update_site_option(name, value);
    }
    if (this.errors.length === 0) ctx.add_notice('success', 'Settings saved.');
    for (const e of this.errors) ctx.add_notice(e.type, e.message);
    this.errors = [];
    ctx.redirect(ctx.req.originalUrl);
    return true;
  }
}
