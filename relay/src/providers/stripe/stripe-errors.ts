import Stripe from 'stripe';
import type { ProviderFailure } from '../../ports/payment-provider';
import { classifyProviderFailure } from '../provider-failure';

/**
 * Stripe error codes meaning "this account cannot take this payment" (https://docs.stripe.com/error-codes):
 * another provider may, so they route to a fallback instead of failing the checkout.
 */
const UNSUPPORTED_CODES = new Set([
  'payment_method_unactivated',
  'payment_method_not_available',
  'payment_method_currency_mismatch',
  'payment_method_unexpected_state',
  'amount_too_small',
  'amount_too_large',
  'country_unsupported',
  'currency_not_supported',
]);
/** An invalid value for these parameters is the same story: the method or currency is not available here. */
const UNSUPPORTED_PARAMS = new Set(['payment_method_types', 'allowed_payment_method_types', 'currency', 'line_items[0][price_data][currency]']);

export function classifyStripeError(error: unknown): ProviderFailure {
  if (!(error instanceof Stripe.errors.StripeError)) {
    return classifyProviderFailure({ network: true, message: error instanceof Error ? error.message : String(error) });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return classifyProviderFailure({ timedOut: /timeout/i.test(error.message), network: true, message: error.message });
  }
  if (error instanceof Stripe.errors.StripeAPIError && error.statusCode === undefined) {
    // stripe-node gives no status when the answer was not JSON (a proxy's HTML 502/503 page): a server error.
    return classifyProviderFailure({ httpStatus: 502, message: `Stripe answered with a body that is not JSON (${error.message})` });
  }
  const unsupported = (error.code !== undefined && UNSUPPORTED_CODES.has(error.code)) || (error.param !== undefined && UNSUPPORTED_PARAMS.has(error.param));
  return classifyProviderFailure({
    httpStatus: error.statusCode,
    unsupported,
    providerCode: error.code ?? error.rawType ?? error.type,
    message: error.message,
  });
}

/** A Stripe "invalid request" about the object's state, not our parameters (e.g. expiring a completed session). */
export function isStripeStateError(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400;
}
