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
 * What the next refund request does about an earlier one whose answer was lost, once the provider has said whether
 * it made it. `not_made`: forget it and refund as asked. `same_refund`: the merchant is asking again for the same
 * amount: answer with the refund already made. `other_refund`: it was made, but this request asks for another
 * amount: the made refund goes on the order, and this one is refused so the merchant decides again.
 */
export type LostRefundOutcome = 'not_made' | 'same_refund' | 'other_refund';

export function lostRefundOutcome(lost: { amountMinor: number; currency: string }, made: boolean, request: { amountMinor: number; currency: string }): LostRefundOutcome {
  if (!made) return 'not_made';
  return lost.amountMinor === request.amountMinor && lost.currency.toUpperCase() === request.currency.toUpperCase() ? 'same_refund' : 'other_refund';
}

/**
 * A provider refund webhook adds `incrementMinor` to what is refunded: which of the refunds whose answer was lost
 * (oldest first) does it confirm? Those that fit in it, so a webhook never confirms more than it refunds.
 */
export function lostRefundsConfirmedBy<T extends { amountMinor: number }>(incrementMinor: number, lost: readonly T[]): T[] {
  const confirmed: T[] = [];
  let left = incrementMinor;
  for (const refund of lost) {
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
