/**
 * HTML that is already safe to output. Anything else interpolated into `html` is escaped,
 * so forgetting to escape is impossible by default.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values (WordPress's esc_html / esc_attr). */
export function esc(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Tagged template: interpolations are escaped unless they are SafeHtml (or arrays of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += toHtml(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

export function toHtml(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === false || value === null || value === undefined) return '';
  return esc(value);
}

/** Marks trusted markup as safe. Use only for markup the program built itself. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
