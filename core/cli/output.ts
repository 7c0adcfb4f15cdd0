import { stringify as csvStringify } from 'csv-stringify/sync';
import { stringify as yamlStringify } from 'yaml';
import { Option, type Command } from 'commander';
import { HookpressError } from '../errors.js';

/** WP-CLI's output formats (`--format`), as in WP_CLI\Formatter. */
export const FORMATS = ['table', 'json', 'csv', 'yaml', 'ids', 'count'] as const;
export type Format = (typeof FORMATS)[number];

export type Row = Record<string, unknown>;

export interface FormatOptions {
  format?: Format;
  /** Comma-separated field names (`--fields`); default the command's default fields. */
  fields?: string;
  /** One field (`--field`): prints only that value per item. */
  field?: string;
}

/** Adds WP-CLI's `--format`, `--fields` and `--field` options to a command. */
export function withFormatOptions(cmd: Command, formats: readonly Format[] = FORMATS): Command {
  return cmd
    .addOption(new Option('--format <format>', 'Render output in a particular format.').choices(formats as string[]).default('table'))
    .option('--fields <fields>', 'Limit the output to specific fields (comma-separated).')
    .option('--field <field>', 'Prints the value of a single field.');
}

function pickFields(available: readonly string[], requested: string | undefined, defaults: readonly string[]): string[] {
  if (!requested) return [...defaults];
  const fields = requested
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = fields.filter((f) => !available.includes(f));
  if (unknown.length) throw new HookpressError('CLI_INVALID_FIELD', `Invalid field: ${unknown.join(', ')}. Choose from: ${available.join(', ')}.`, { field: 'fields' });
  return fields;
}

/** A value as a table or CSV cell: objects as JSON, null/undefined as empty. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** WP-CLI's ASCII table (+---+ borders, header row). */
export function renderTable(columns: readonly string[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const row = (cells: readonly string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  return [line, row(columns), line, ...rows.map(row), line].join('\n') + '\n';
}

/**
 * Renders a list as WP-CLI does for `<command> list`: table, json, csv, yaml, ids (the `id`
 * values separated by spaces) or count. `available` are the item's fields; `defaults` those shown
 * without `--fields`. Throws CLI_INVALID_FIELD for an unknown field name.
 */
export function formatList(items: readonly Row[], options: FormatOptions, available: readonly string[], defaults: readonly string[]): string {
  const format = options.format ?? 'table';
  if (format === 'count') return `${items.length}\n`;
  if (format === 'ids') return `${items.map((i) => cell(i.id)).join(' ')}\n`;
  if (options.field) {
    const [field] = pickFields(available, options.field, defaults);
    return items.map((i) => `${cell(i[field!])}\n`).join('');
  }
  const fields = pickFields(available, options.fields, defaults);
  const picked = items.map((i) => Object.fromEntries(fields.map((f) => [f, i[f] ?? null])));
  switch (format) {
    case 'json':
      return `${JSON.stringify(picked)}\n`;
    case 'yaml':
      return yamlStringify(picked);
    case 'csv':
      return csvStringify([fields, ...picked.map((p) => fields.map((f) => cell(p[f])))]);
    default:
      return items.length ? renderTable(fields, picked.map((p) => fields.map((f) => cell(p[f])))) : '';
  }
}

/** Renders one item as WP-CLI does for `<command> get`: a Field/Value table, json, csv or yaml. */
export function formatItem(item: Row, options: FormatOptions, available: readonly string[]): string {
  if (options.field) {
    const [field] = pickFields(available, options.field, available);
    return `${cell(item[field!])}\n`;
  }
  const fields = pickFields(available, options.fields, available);
  const picked = Object.fromEntries(fields.map((f) => [f, item[f] ?? null]));
  switch (options.format ?? 'table') {
    case 'json':
      return `${JSON.stringify(picked)}\n`;
    case 'yaml':
      return yamlStringify(picked);
    case 'csv':
      return csvStringify([['Field', 'Value'], ...fields.map((f) => [f, cell(picked[f])])]);
    case 'ids':
      return `${cell(item.id)}\n`;
    case 'count':
      return '1\n';
    default:
      return renderTable(['Field', 'Value'], fields.map((f) => [f, cell(picked[f])]));
  }
}
