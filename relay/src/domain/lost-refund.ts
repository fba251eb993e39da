/**
 * Refunds whose answer was lost. WooCommerce deletes its refund record when the gateway answers an error, and the
 * merchant's next click is a new WooCommerce refund with a new id, so a new idempotency key: only the relay can
 * stop a refund the provider made after all from being made a second time.
 */

/** How a failed refund call ended, as the provider adapter classified it. */
export type RefundFailureCode = 'timeout' | 'network' | 'server_error' | 'rate_limited' | 'unsupported_payment' | 'bad_request' | 'auth' | 'not_found';

/**
 * Whether a failed refund call may still have refunded: no answer in time, the connection gone, or the provider's
 * own 5xx (it can fail after the money moved). A refusal (4xx), a rate limit (429: not processed) or a key the
 * provider refused is a clear "nothing was refunded".
 */
export function refundMayHaveBeenMade(code: RefundFailureCode): boolean {
  switch (code) {
    case 'timeout':
    case 'network':
    case 'server_error':
      return true;
    case 'rate_limited':
    case 'unsupported_payment':
    case 'bad_request':
    case 'auth':
    case 'not_found':
      return false;
  }
}

/**
 * How long after a refund's answer was lost the provider's "no such refund" is believed. Our client gives up after
 * PAYRELAY_PROVIDER_TIMEOUT_MS (at most 60 s, config-schema.ts), but the provider may still be working on the
 * request and commit the refund after that; until it does, its refund list (our key) says "not made", and refunding
 * again then would refund twice. 90 s outlasts the longest client timeout with room for the provider's own
 * processing; a "made" answer is believed at once.
 */
export const LOST_REFUND_GRACE_MS = 90_000;

/** From when a "not made" answer about a refund whose answer was lost (at `lostAt`) is believed. */
export function notMadeBelievedFrom(lostAt: number): number {
  return lostAt + LOST_REFUND_GRACE_MS;
}

/**
 * What the next refund request does about an earlier one whose answer was lost, once the provider has said whether
 * it made it. `not_made`: forget it and refund as asked. `maybe_in_flight`: the provider has no such refund, but
 * the answer was lost too recently to believe that (the request may still commit): refund nothing now.
 * `same_refund`: the merchant is asking again for the same amount: answer with the refund already made.
 * `other_refund`: it was made, but this request asks for another amount: the made refund goes on the order, and
 * this one is refused so the merchant decides again.
 */
export type LostRefundOutcome = 'not_made' | 'maybe_in_flight' | 'same_refund' | 'other_refund';

export function lostRefundOutcome(
  lost: { amountMinor: number; currency: string; updatedAt: number },
  made: boolean,
  request: { amountMinor: number; currency: string },
  now: number,
): LostRefundOutcome {
  if (!made) return now < notMadeBelievedFrom(lost.updatedAt) ? 'maybe_in_flight' : 'not_made';
  return lost.amountMinor === request.amountMinor && lost.currency.toUpperCase() === request.currency.toUpperCase() ? 'same_refund' : 'other_refund';
}

/** The longest reference every provider keeps whole (PayPal's invoice_id). */
export const REFUND_REFERENCE_MAX_LENGTH = 127;

/**
 * Whether a reference a provider kept is our key: PayPal's invoice_id holds 127 characters (paypal-provider.ts
 * cuts the key there), Stripe's and Mollie's metadata the whole key.
 */
export function isRefundReference(key: string, reference: string): boolean {
  return key.slice(0, REFUND_REFERENCE_MAX_LENGTH) === reference.slice(0, REFUND_REFERENCE_MAX_LENGTH);
}

/**
 * A provider refund webhook adds `incrementMinor` to what is refunded: which of the refunds whose answer was lost
 * (oldest first) does it confirm? When the event names the refunds it shows made (`madeReferences`), only those:
 * two lost refunds of one amount are told apart, and a dashboard refund of the same amount confirms none. Only an
 * event that names no refunds at all (a Stripe charge from an API version that no longer lists its refunds, a
 * Mollie payment whose refund list could not be read) is matched by amount: the webhook's refund record is real
 * money in the shop either way, and the refund it is taken for is then not asked about again. Never more than the
 * webhook refunds.
 */
export function lostRefundsConfirmedBy<T extends { amountMinor: number; reference: string }>(incrementMinor: number, lost: readonly T[], madeReferences?: readonly string[]): T[] {
  const candidates = madeReferences ? lost.filter((r) => madeReferences.some((made) => isRefundReference(r.reference, made))) : lost;
  const confirmed: T[] = [];
  let left = incrementMinor;
  for (const refund of candidates) {
    if (refund.amountMinor > left) continue;
    confirmed.push(refund);
    left -= refund.amountMinor;
  }
  return confirmed;
}

/**
 * The refund whose answer was lost that a provider's final word is about (Adyen's REFUND_FAILED carries our
 * reference): matched by that reference, never by amount.
 */
export function lostRefundNamedBy<R extends { sessionId: string; state: string; reference: string }>(outcome: { reference?: string } | undefined, sessionId: string, refunds: readonly R[]): R | null {
  if (!outcome?.reference) return null;
  return refunds.find((r) => r.state === 'unconfirmed' && r.sessionId === sessionId && r.reference === outcome.reference) ?? null;
}
