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
