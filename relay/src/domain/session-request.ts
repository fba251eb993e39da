import type { RequestedMethod } from './payment-session';

/** What the shop asks for: one hosted checkout for one order. Validated by the HTTP layer; amounts in minor units. */
export interface SessionRequest {
  orderId: string;
  orderKey: string;
  amountMinor: number;
  /** Upper-case ISO 4217. */
  currency: string;
  customer: { email: string; country: string };
  method: RequestedMethod;
  returnUrl: string;
  cancelUrl: string;
  locale: string | null;
}

/** What the shop gets back; the same shape for a new session and an idempotent repeat. */
export interface SessionView {
  sessionId: string;
  provider: string;
  checkoutUrl: string;
  expiresAt: number;
  status: string;
  statusToken: string;
}

/**
 * The parts of a request that must be equal for an Idempotency-Key repeat to be "the same request".
 * Locale is left out on purpose: the session store does not keep it, and a different page language is no
 * reason to refuse a double click.
 */
export function sameRequest(
  request: SessionRequest,
  stored: {
    merchantOrderId: string;
    orderKey: string;
    amountMinor: number;
    currency: string;
    method: RequestedMethod;
    customerEmail: string | null;
    customerCountry: string | null;
    returnUrl: string | null;
    cancelUrl: string | null;
  },
): boolean {
  return (
    request.orderId === stored.merchantOrderId &&
    request.orderKey === stored.orderKey &&
    request.amountMinor === stored.amountMinor &&
    request.currency.toUpperCase() === stored.currency.toUpperCase() &&
    request.method === stored.method &&
    request.customer.email === stored.customerEmail &&
    request.customer.country.toUpperCase() === (stored.customerCountry ?? '').toUpperCase() &&
    request.returnUrl === stored.returnUrl &&
    request.cancelUrl === stored.cancelUrl
  );
}
