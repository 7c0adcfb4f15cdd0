import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FieldError } from '../errors.js';
import type { JsonSchema, RestArg } from './types.js';

/**
 * WordPress's rest_is_boolean + rest_sanitize_boolean (wp-includes/rest-api.php): true, false,
 * the strings "true", "false", "1", "0" in any case, and the integers 1 and 0 are booleans —
 * what a form-encoded body or a query string can send. Anything else (the empty string, "yes",
 * 2) is undefined: not a boolean, refused by the schema with the argument's name.
 */
export function restBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  return undefined;
}

/**
 * PHP's is_numeric without its whitespace allowance: an optional sign, decimal digits with an
 * optional fraction, an optional exponent (`16`, `-1.5`, `.5`, `1e1`). Hex (`0x10`), binary
 * (`0b1`), octal (`0o1`), `Infinity` and padded values (` 16`) are not numbers here, though
 * JavaScript's Number() reads them all.
 */
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** WordPress's is_numeric: a finite number, or a string NUMERIC accepts. */
function isNumeric(value: unknown): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && NUMERIC.test(value) && Number.isFinite(Number(value));
}

/** WordPress's rest_is_integer: numeric and integral (`16`, `"16"`, `"1e1"`, `"1.0"`). */
function isInteger(value: unknown): boolean {
  return isNumeric(value) && Number.isInteger(Number(value));
}

/** WordPress's rest_get_best_type_for_value checks, in the order a schema lists its types. */
const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  array: (v) => Array.isArray(v),
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  integer: isInteger,
  number: isNumeric,
  boolean: (v) => restBoolean(v) !== undefined,
  string: (v) => typeof v === 'string',
  null: (v) => v === null,
};

/**
 * One value read as WordPress's rest_sanitize_value_from_schema reads it before validating: the
 * first of the schema's types the value qualifies for decides — a numeric string becomes a number
 * for an integer or number schema, a boolean-like value a boolean (restBoolean) — and lists and
 * objects are read item by item. Nothing else is converted: a number, boolean or null is never a
 * string (WordPress's `type: string` refuses them), so what qualifies for none of the types is
 * left for the schema to refuse (rest_invalid_type).
 */
export function coerceValue(schema: JsonSchema, value: unknown): unknown {
  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]) as string[];
  // As WordPress: the empty string is a string when the schema allows one, before any other type.
  const type = value === '' && types.includes('string') ? 'string' : types.find((t) => TYPE_CHECKS[t]?.(value));
  if (type === 'integer' || type === 'number') return Number(value);
  if (type === 'boolean') return restBoolean(value);
  const items = schema.items;
  if (type === 'array' && items && typeof items === 'object' && !Array.isArray(items)) return (value as unknown[]).map((v) => coerceValue(items as JsonSchema, v));
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (type === 'object' && properties) {
    const object = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties)) if (Object.hasOwn(object, name)) object[name] = coerceValue(property, object[name]);
  }
  return value;
}

/**
 * Reads each declared argument present in `params` with coerceValue, in place, before the schema
 * sees them. This is the only coercion: the schema itself converts nothing (Ajv's coerceTypes
 * would turn `5` and `true` into strings, `null` into `""` or `false`, and `"0x10"` into 16).
 * Query-string and form values arrive as strings and are read as numbers or booleans here.
 */
export function coerceArgs(args: Record<string, RestArg>, params: Record<string, unknown>): void {
  for (const [name, arg] of Object.entries(args)) if (Object.hasOwn(params, name)) params[name] = coerceValue(arg, params[name]);
}

/**
 * The query string as PHP, hence WordPress, reads it: `status[]=a&status[]=b` (and `status[0]=a`)
 * is the list `status`, `status[key]=a` an object. Express 5's query parser keeps `status[]` as a
 * parameter of its own, which no route declares, so such a filter was silently ignored; folded,
 * the schema sees what WordPress sees — an array argument accepts the list, a scalar one refuses
 * it (400 rest_invalid_param naming the argument), as it refuses `status=a&status=b`.
 */
export function foldBracketParams(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(query)) {
    const bracket = /^([^[\]]+)\[([^\]]*)\]/.exec(key);
    if (!bracket) {
      out[key] = out[key] === undefined ? value : ([] as unknown[]).concat(out[key], value);
      continue;
    }
    const [, name, index] = bracket as unknown as [string, string, string];
    const values = Array.isArray(value) ? value : [value];
    const current = out[name];
    if ((index === '' || /^\d+$/.test(index)) && (current === undefined || Array.isArray(current))) out[name] = [...((current as unknown[] | undefined) ?? []), ...values];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current)) (current as Record<string, unknown>)[index] = value;
    else out[name] = current === undefined ? { [index]: value } : ([] as unknown[]).concat(current, values);
  }
  return out;
}

/**
 * What is left for an endpoint's own checks once the schema has refused some arguments: the
 * arguments, with each item the schema refused of a list it refused only item by item (errors at
 * `/headers/1/value`, `/headers/1`) replaced by null — a hole, so the other items keep their
 * positions (“Header 3 needs a name”) — and `refused`, the arguments it refused as a whole (an
 * error at `/name`, `/headers`: not a list, too many items…, or an unknown argument), whose own
 * findings add nothing.
 */
export function withoutRefusedItems(params: Record<string, unknown>, errors: readonly ErrorObject[]): { params: Record<string, unknown>; refused: Set<string> } {
  const refused = new Set<string>();
  const badItems = new Map<string, Set<number>>();
  for (const e of errors) {
    const [field = describeSchemaError(e).field, index] = e.instancePath.split('/').slice(1);
    if (index !== undefined && /^\d+$/.test(index) && Array.isArray(params[field])) {
      const items = badItems.get(field) ?? new Set<number>();
      badItems.set(field, items.add(Number(index)));
    } else refused.add(field);
  }
  const out: Record<string, unknown> = { ...params };
  for (const [field, items] of badItems) if (!refused.has(field)) out[field] = (params[field] as unknown[]).map((item, i) => (items.has(i) ? null : item));
  return { params: out, refused };
}

/** WordPress's code for each JSON Schema keyword a value can fail (rest_validate_value_from_schema). */
const KEYWORD_CODES: Record<string, string> = {
  type: 'rest_invalid_type',
  minLength: 'rest_too_short',
  maxLength: 'rest_too_long',
  pattern: 'rest_invalid_pattern',
  enum: 'rest_not_in_enum',
  const: 'rest_not_in_enum',
  format: 'rest_invalid_format',
  minimum: 'rest_out_of_bounds',
  maximum: 'rest_out_of_bounds',
  exclusiveMinimum: 'rest_out_of_bounds',
  exclusiveMaximum: 'rest_out_of_bounds',
  multipleOf: 'rest_invalid_multiple',
  minItems: 'rest_too_few_items',
  maxItems: 'rest_too_many_items',
  uniqueItems: 'rest_duplicate_items',
  minProperties: 'rest_too_few_properties',
  maxProperties: 'rest_too_many_properties',
  required: 'rest_property_required',
  additionalProperties: 'rest_additional_properties_forbidden',
  anyOf: 'rest_no_matching_schema',
  oneOf: 'rest_one_of_multiple_matches',
};

/** One schema failure as the argument at fault, WordPress's code for it and a sentence. */
export function describeSchemaError(e: ErrorObject): FieldError {
  const code = KEYWORD_CODES[e.keyword] ?? 'rest_invalid_param';
  if (e.keyword === 'additionalProperties' && e.instancePath === '') {
    const field = String((e.params as { additionalProperty: string }).additionalProperty);
    return { field, code, message: `${field} is not an argument of this route.` };
  }
  const field = e.instancePath.split('/')[1] ?? 'body';
  const where = e.instancePath.split('/').slice(1).join('.');
  return { field, code, message: `${where} ${e.message ?? 'is invalid'}.` };
}

/** One argument's entry in `data.details`: WordPress's rest_convert_error_to_response of its WP_Error. */
export interface RestParamDetail {
  code: string;
  message: string;
  data: { param: string };
  /** The argument's further problems (e.g. one per bad custom header), as WordPress lists a WP_Error's other errors. */
  additional_errors?: Array<{ code: string; message: string; data: { param: string } }>;
}

/**
 * WordPress's `data.details` of rest_invalid_param: per argument, `{ code, message, data: { param } }`
 * for its first problem, and `additional_errors` listing the others when it has several.
 */
export function restDetails(errors: readonly FieldError[]): Record<string, RestParamDetail> {
  const details: Record<string, RestParamDetail> = Object.create(null) as Record<string, never>;
  for (const e of errors) {
    const entry = { code: e.code.startsWith('rest_') ? e.code : e.code.toLowerCase(), message: e.message, data: { param: e.field } };
    const first = details[e.field];
    if (!first) details[e.field] = entry;
    else if (first.message !== e.message && !first.additional_errors?.some((x) => x.message === e.message)) (first.additional_errors ??= []).push(entry);
  }
  return details;
}
