import { HookError } from './errors.js';

/**
 * PHP 8's rules for the values WordPress uses as priorities. WordPress never validates a
 * priority: it uses it as an array key (`$this->callbacks[ $priority ]`), sorts the keys
 * with `ksort( SORT_NUMERIC )` and compares them with `<` and `min()` while a hook runs.
 * Ported code relies on all three, so they are reproduced here (checked against PHP 8.2
 * by tools/wp-conformance).
 */

/** A priority as stored: PHP's array key, an integer or a string that is not one. */
export type PriorityKey = number | string;

/** What callers may pass as a priority: the scalar types PHP accepts as an array key. */
export type PriorityInput = number | string | boolean | null | bigint;

/** PHP's whitespace in numeric strings and strtod: space, \t, \n, \r, \v, \f. */
const WS = '[ \\t\\n\\r\\v\\f]*';
const NUMBER = '[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?';
/** PHP 8 numeric string: optional leading and trailing whitespace around a decimal number. */
const NUMERIC_STRING = new RegExp(`^${WS}${NUMBER}${WS}$`);
/** The prefix zend_strtod reads (ksort SORT_NUMERIC): leading whitespace, then a number. */
const STRTOD_PREFIX = new RegExp(`^${WS}(${NUMBER})`);
/** A string PHP turns into an integer key: canonical decimal, no sign on 0, no leading 0. */
const INTEGER_KEY = /^(?:0|-?[1-9][0-9]*)$/;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const TWO64 = 18446744073709551616n;

/**
 * The array key PHP 8 makes of `raw`: integers stay; a decimal integer string ('5', '-5')
 * becomes that integer while any other string ('05', '5.0', ' 5', 'abc') stays a string key;
 * true/false → 1/0; a float is truncated toward zero (NaN and ±Infinity → 0, beyond 64 bits
 * wraps as PHP does on 64-bit systems); null → 0 (WordPress 6.9 maps a null priority to 0
 * before using it). `onLossyFloat` is told when a float loses its fraction (PHP 8.1's
 * "Implicit conversion from float to int loses precision" deprecation).
 * Integers beyond ±2^53 lose precision as JavaScript numbers.
 * @throws HookError HOOK_INVALID_PRIORITY for anything PHP refuses as a key
 *   (objects, arrays, functions, symbols, undefined) — PHP's "Illegal offset type".
 */
export function toPriorityKey(raw: unknown, onLossyFloat?: (value: number) => void): PriorityKey {
  switch (typeof raw) {
    case 'number':
      if (Number.isInteger(raw) && Math.abs(raw) < 2 ** 63) return raw === 0 ? 0 : raw;
      onLossyFloat?.(raw);
      return floatToKey(raw);
    case 'string':
      if (INTEGER_KEY.test(raw)) {
        const n = BigInt(raw);
        if (n >= INT64_MIN && n <= INT64_MAX) return Number(n);
      }
      return raw;
    case 'boolean':
      return raw ? 1 : 0;
    case 'bigint':
      return Number(BigInt.asIntN(64, raw));
    case 'object':
      if (raw === null) return 0;
      break;
  }
  const shown = typeof raw === 'object' ? (Array.isArray(raw) ? 'an array' : 'an object') : `a ${typeof raw}`;
  throw new HookError(
    'HOOK_INVALID_PRIORITY',
    `A hook priority must be an integer (or a value PHP accepts as an array key: string, boolean, float, null); got ${shown}.`,
  );
}

function floatToKey(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const truncated = BigInt(Math.trunc(value));
  // PHP 8 on 64-bit systems reduces an out-of-range float modulo 2^64.
  const wrapped = ((truncated % TWO64) + TWO64) % TWO64;
  const n = Number(BigInt.asIntN(64, wrapped));
  return n === 0 ? 0 : n;
}

/** The number ksort( SORT_NUMERIC ) sorts a key by: integers as they are, strings by zend_strtod. */
export function numericSortValue(key: PriorityKey): number {
  if (typeof key === 'number') return key;
  const m = STRTOD_PREFIX.exec(key);
  return m === null ? 0 : Number(m[1]);
}

/** Whether PHP 8 treats the string as numeric in comparisons; its value if so. */
function numericValue(s: string): number | undefined {
  return NUMERIC_STRING.test(s) ? Number(s.trim().replace(/^\+/, '')) : undefined;
}

/** Byte-wise comparison of UTF-8 strings, normalised to -1/0/1 (zend_binary_strcmp). */
function binaryCompare(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * PHP 8's `<=>` for two array keys (zend_compare): numbers numerically; a number and a
 * numeric string numerically; a number and a non-numeric string as strings; two strings
 * numerically when both are numeric, else byte-wise.
 */
export function phpCompare(a: PriorityKey, b: PriorityKey): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'number') return -phpCompare(b, a);
  // a is a string from here.
  const na = numericValue(a);
  if (typeof b === 'number') {
    return na === undefined ? binaryCompare(a, String(b)) : Math.sign(na - b);
  }
  if (a === b) return 0;
  const nb = numericValue(b);
  if (na !== undefined && nb !== undefined) return na === nb ? 0 : Math.sign(na - nb);
  return binaryCompare(a, b);
}

/** PHP's min() of an array: the first element no later element compares below. */
export function phpMin(list: readonly PriorityKey[]): PriorityKey {
  let min = list[0]!;
  for (let i = 1; i < list.length; i++) if (phpCompare(min, list[i]!) > 0) min = list[i]!;
  return min;
}

/**
 * PHP's `===` between the raw priority a caller passed (after WordPress 6.9's null → 0) and
 * a key: a float never equals an integer key, a string only the same string key.
 */
export function phpIdentical(raw: unknown, key: PriorityKey): boolean {
  if (typeof raw === 'number') return typeof key === 'number' && Number.isInteger(raw) && raw === key;
  return typeof raw === 'string' && raw === key;
}
