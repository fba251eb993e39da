/**
 * Amounts travel in minor units (cents). ISO 4217 exponents for the currencies that are not 2-decimal;
 * the list follows Stripe's "zero-decimal" and "three-decimal" currency tables.
 */
const ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF', 'ISK',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND', 'IQD', 'LYD']);

export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** "12.34" (a WooCommerce or Mollie decimal string) → 1234 minor units; null when not a number. */
export function decimalToMinor(decimal: string, currency: string): number | null {
  const trimmed = decimal.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  const exponent = currencyExponent(currency);
  const negative = trimmed.startsWith('-');
  const [whole, fraction = ''] = trimmed.replace('-', '').split('.');
  const padded = (fraction + '0'.repeat(exponent)).slice(0, exponent);
  // Digits past the exponent are dropped only when they are zeros; anything else is not a whole minor amount.
  if (/[1-9]/.test(fraction.slice(exponent))) return null;
  const minor = Number(whole) * 10 ** exponent + (padded ? Number(padded) : 0);
  return negative ? -minor : minor;
}

/** 1234, "EUR" → "12.34" */
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
