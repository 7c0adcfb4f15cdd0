import fs from 'node:fs';
import path from 'node:path';
import { createI18n, sprintf, type I18n, type LocaleData } from '@wordpress/i18n';
import { mo, po, type GetTextTranslations } from 'gettext-parser';
import { esc } from '../http/html.js';

/**
 * Translations for plugins, WordPress style. The translating functions are WordPress's own
 * JavaScript ones (@wordpress/i18n: text domains, contexts, plural forms from the file's
 * Plural-Forms header); .po and .mo files are read by gettext-parser. Why those two: they are
 * the libraries WordPress itself uses for JS translations and the standard gettext parser for
 * Node, both maintained — the only code here is the loader that connects them.
 *
 * A plugin's translations live in `plugins/<slug>/languages/<domain>-<locale>.mo` (or .po),
 * as WordPress's `load_plugin_textdomain()` expects. The locale is the network option
 * `WPLANG` (WordPress's network default language), 'en_US' when unset.
 */
export class Translations {
  readonly i18n: I18n = createI18n();
  private readonly loaded = new Set<string>();

  constructor(private readonly locale: () => string) {}

  get_locale(): string {
    return this.locale() || 'en_US';
  }

  /**
   * Loads `<dir>/<domain>-<locale>.mo` (or `.po`) for the current locale into `domain`.
   * Returns true when a file was found and loaded; false when there is none (the original
   * strings are then used). Throws the parser's error for a corrupt file, naming it.
   */
  load_textdomain(domain: string, dir: string): boolean {
    const locale = this.get_locale();
    const key = `${domain}\0${dir}\0${locale}`;
    if (this.loaded.has(key)) return true;
    for (const ext of ['mo', 'po'] as const) {
      const file = path.join(dir, `${domain}-${locale}.${ext}`);
      if (!fs.existsSync(file)) continue;
      let parsed: GetTextTranslations;
      try {
        parsed = ext === 'mo' ? mo.parse(fs.readFileSync(file)) : po.parse(fs.readFileSync(file));
      } catch (error) {
        throw new Error(`The translation file ${file} could not be read: ${(error as Error).message}`, { cause: error });
      }
      this.i18n.setLocaleData(toLocaleData(parsed, domain, locale), domain);
      this.loaded.add(key);
      return true;
    }
    return false;
  }
}

/** gettext-parser's table → the Jed 1.x locale data @wordpress/i18n reads. */
function toLocaleData(parsed: GetTextTranslations, domain: string, locale: string): LocaleData {
  const header = parsed.headers ?? {};
  const data: Record<string, unknown> = {
    '': { domain, lang: header.Language || locale, plural_forms: header['Plural-Forms'] || 'nplurals=2; plural=(n != 1);' },
  };
  for (const [context, entries] of Object.entries(parsed.translations)) {
    for (const [msgid, entry] of Object.entries(entries)) {
      if (msgid === '' || !entry.msgstr.some((s) => s !== '')) continue;
      data[context ? `${context}\u0004${msgid}` : msgid] = entry.msgstr;
    }
  }
  return data as LocaleData;
}

/** What `api.i18n` offers a plugin; `domain` defaults to the plugin's slug. */
export interface PluginI18n {
  /** The translation of `text`. */
  __(text: string, domain?: string): string;
  /**
   * WordPress's _e() echoes; a Node template has nothing to echo into, so this returns the
   * translation (escaped when interpolated into `html` like every string). Same as __().
   */
  _e(text: string, domain?: string): string;
  /** The translation of `text` in a context (msgctxt). */
  _x(text: string, context: string, domain?: string): string;
  /** Singular or plural by `number`, with the language's plural forms. */
  _n(single: string, plural: string, number: number, domain?: string): string;
  _nx(single: string, plural: string, number: number, context: string, domain?: string): string;
  /** The translation, HTML-escaped (a string for attribute or text contexts). */
  esc_html__(text: string, domain?: string): string;
  esc_attr__(text: string, domain?: string): string;
  /** printf-style formatting (%s, %d, %1$s …), as WordPress's sprintf. */
  sprintf: typeof sprintf;
  /**
   * Loads `<plugin dir>/<relPath>/<domain>-<locale>.mo|.po` (relPath default 'languages',
   * domain default the slug). The plugin's own domain is loaded automatically at load time;
   * call this for another domain or folder. Returns whether a file was loaded.
   */
  load_plugin_textdomain(domain?: string, relPath?: string): boolean;
  /** The network's locale (option WPLANG), e.g. 'de_DE'; 'en_US' by default. */
  get_locale(): string;
}

export function pluginI18n(t: Translations, slug: string, pluginDir: string): PluginI18n {
  const i = t.i18n;
  const d = (domain?: string) => domain ?? slug;
  return {
    __: (text, domain) => i.__(text, d(domain)),
    _e: (text, domain) => i.__(text, d(domain)),
    _x: (text, context, domain) => i._x(text, context, d(domain)),
    _n: (single, plural, number, domain) => i._n(single, plural, number, d(domain)),
    _nx: (single, plural, number, context, domain) => i._nx(single, plural, number, context, d(domain)),
    esc_html__: (text, domain) => esc(i.__(text, d(domain))),
    esc_attr__: (text, domain) => esc(i.__(text, d(domain))),
    sprintf,
    load_plugin_textdomain: (domain, relPath = 'languages') => t.load_textdomain(d(domain), path.join(pluginDir, relPath)),
    get_locale: () => t.get_locale(),
  };
}
