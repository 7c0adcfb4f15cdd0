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

/** WordPress's `data.details` of rest_invalid_param: per argument, `{ code, message, data: { param } }`. */
export function restDetails(errors: readonly FieldError[]): Record<string, { code: string; message: string; data: { param: string } }> {
  const details: Record<string, { code: string; message: string; data: { param: string } }> = Object.create(null) as Record<string, never>;
  for (const e of errors) details[e.field] ??= { code: e.code.startsWith('rest_') ? e.code : e.code.toLowerCase(), message: e.message, data: { param: e.field } };
  return details;
}
