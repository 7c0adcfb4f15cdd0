import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FieldError } from '../errors.js';
import type { RestArg } from './types.js';

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
 * Turns the boolean-like values of the boolean arguments in `params` into booleans, in place,
 * before the schema sees them (Ajv's own coercion knows "true"/"false" but not "1"/"0" or
 * "TRUE", and reads null as false); values that are not boolean-like are left for the schema
 * to refuse.
 */
export function coerceBooleanArgs(args: Record<string, RestArg>, params: Record<string, unknown>): void {
  for (const [name, arg] of Object.entries(args)) {
    const types = Array.isArray(arg.type) ? arg.type : [arg.type];
    if (!types.includes('boolean') || !Object.hasOwn(params, name)) continue;
    const value = restBoolean(params[name]);
    if (value !== undefined) params[name] = value;
    // Ajv would read null as false; WordPress refuses it, so hand the schema a value it refuses.
    else if (params[name] === null && !types.includes('null')) params[name] = 'null';
  }
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
