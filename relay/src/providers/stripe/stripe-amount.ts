import { minorUnits } from '../../domain/money';
import { err, ok, type Result } from '../../domain/result';

/**
 * Stripe's amount rules (https://docs.stripe.com/currencies#minor-units and #special-cases), which are not ISO 4217's:
 * - zero-decimal at Stripe: the amount is in whole units. Includes MGA, which ISO gives 2 decimals.
 * - ISK: ISO has no minor unit, but Stripe keeps it two-decimal for backwards compatibility: 5 ISK is 500, and since
 *   April 2023 the amount must be divisible by 100.
 * - HUF: two decimals for charges, as in ISO; Stripe treats it as zero-decimal only for payouts, which the relay
 *   does not make, so a charge is written like any two-decimal currency.
 * - three-decimal (BHD, JOD, KWD, OMR, TND): in thousandths, but the last digit must be 0 for Stripe's acquirers
 *   (5.124 KWD cannot be charged). Rounding would charge a different amount, so such an amount is refused.
 */
const STRIPE_ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const STRIPE_TWO_DECIMAL_COMPAT = new Set(['ISK']);

/** How many of Stripe's units make one ISO minor unit (a power of ten, < 1 when Stripe's unit is bigger). */
function stripeScale(currency: string): number | null {
  const code = currency.toUpperCase();
  const iso = minorUnits(code);
  if (iso === null) return null;
  const stripeExponent = STRIPE_ZERO_DECIMAL.has(code) ? 0 : STRIPE_TWO_DECIMAL_COMPAT.has(code) ? 2 : iso;
  return 10 ** (stripeExponent - iso);
}

/** ISO minor units → the integer Stripe's `amount`/`unit_amount` wants, or why Stripe cannot charge it exactly. */
export function toStripeAmount(minor: number, currency: string): Result<number, string> {
  const code = currency.toUpperCase();
  const scale = stripeScale(code);
  if (scale === null) return err(`${code} is not an ISO 4217 currency`);
  const amount = minor * scale;
  if (!Number.isInteger(amount)) return err(`Stripe charges ${code} in whole units only; this amount has a fraction`);
  if (minorUnits(code) === 3 && amount % 10 !== 0) return err(`Stripe charges ${code} only in amounts whose last digit is 0 (whole tens of the smallest unit); this amount is not`);
  return ok(amount);
}

/** Stripe's integer amount → ISO minor units; undefined when absent or not representable. */
export function fromStripeAmount(amount: number | undefined, currency: string | undefined): number | undefined {
  if (amount === undefined || currency === undefined) return undefined;
  const scale = stripeScale(currency);
  if (scale === null) return undefined;
  const minor = amount / scale;
  return Number.isInteger(minor) ? minor : undefined;
}
