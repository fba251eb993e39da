import currencies from '../../../shared/currencies.json';

/**
 * Amounts travel in minor units of ISO 4217 (cents, fils; yen have none). The exponents come from
 * shared/currencies.json, the one table the plugin reads too (its copy is wp-plugin/data/currencies.json), so the
 * two sides cannot disagree about a currency (they did about MGA: a 100× charge). How a provider wants an amount
 * written is the provider adapter's business (Stripe's special cases live in providers/stripe/stripe-amount.ts).
 */
const MINOR_UNITS: Readonly<Record<string, number>> = currencies.minor_units;

/** The ISO 4217 exponent, or null when the code is not an ISO 4217 currency (XYZ, or gold). */
export function minorUnits(currency: string): number | null {
  const exponent = MINOR_UNITS[currency.toUpperCase()];
  return exponent === undefined ? null : exponent;
}

export function isIsoCurrency(currency: string): boolean {
  return /^[A-Za-z]{3}$/.test(currency) && minorUnits(currency) !== null;
}

/**
 * The exponent of a currency the relay accepted. Every stored session's currency was checked at POST /v1/sessions;
 * anything else (a provider's answer naming a currency that is not ISO 4217) is shown as 2 decimals only in
 * words for people, and never converted (decimalToMinor refuses it).
 */
export function currencyExponent(currency: string): number {
  return minorUnits(currency) ?? 2;
}

/** "12.34" (a WooCommerce or Mollie decimal string) → 1234 minor units; null when not a number or not an ISO currency. */
export function decimalToMinor(decimal: string, currency: string): number | null {
  const trimmed = decimal.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  const exponent = minorUnits(currency);
  if (exponent === null) return null;
  const negative = trimmed.startsWith('-');
  const [whole, fraction = ''] = trimmed.replace('-', '').split('.');
  const padded = (fraction + '0'.repeat(exponent)).slice(0, exponent);
  // Digits past the exponent are dropped only when they are zeros; anything else is not a whole minor amount.
  if (/[1-9]/.test(fraction.slice(exponent))) return null;
  const minor = Number(whole) * 10 ** exponent + (padded ? Number(padded) : 0);
  return negative ? -minor : minor;
}

/** 1234, "EUR" → "12.34"; 1500, "JPY" → "1500"; 1500, "KWD" → "1.500" */
export function minorToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** 1234, "EUR" → "12.34 EUR", for notes a person reads. */
export function formatMoney(minor: number, currency: string): string {
  return `${minorToDecimal(minor, currency)} ${currency.toUpperCase()}`;
}
