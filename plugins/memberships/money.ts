/** "$29.00" from 2900 cents, in the currency's own format (the original's formatted amounts). */
export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}

/** The `_raw` companion: a plain number of currency units. */
export function rawMoney(cents: number): number {
  return Math.round(cents) / 100;
}

/** Parses "29", "29.5" or "29.50" into cents; null when it is not an amount. */
export function parseMoney(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  return Math.round(Number(t) * 100);
}

/** How many minor-unit digits a currency has (2 for USD, 0 for JPY), from ISO 4217 via Intl. */
export function minorUnits(currency: string): number {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * A message when `cents` (hundredths, as every amount is stored) has a fraction the currency
 * does not have — 12.5 JPY would otherwise be saved and shown as ¥13 — else undefined.
 */
export function fractionError(cents: number | null, currency: string): string | undefined {
  if (cents === null) return undefined;
  const digits = minorUnits(currency);
  if (digits >= 2 || cents % 10 ** (2 - digits) === 0) return undefined;
  return digits === 0
    ? `${currency} has no fractions: enter a whole amount such as ${Math.floor(cents / 100)} or ${Math.ceil(cents / 100)}.`
    : `${currency} has ${digits} decimal place${digits === 1 ? '' : 's'}: enter an amount such as ${(Math.round(cents / 10) / 10).toFixed(digits)}.`;
}
