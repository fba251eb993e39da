import { withRef, type Decision } from './decide';
import { formatMoney } from './money';
import { refundableMinor, withRefundUncounted, type PaymentSession } from './payment-session';
import type { ProviderEvent } from './provider-event';
import { providerDisplayName } from './provider-names';

/** The idempotency key (and Adyen `reference`) of a refund the shop asked for: one per WooCommerce refund. */
export function shopRefundKey(merchantOrderId: string, shopRefundId: string): string {
  return `payrelay-refund-${merchantOrderId}-${shopRefundId}`;
}

/** A refund the shop asked for (ports/shop-refund-store.ts), as far as this decision needs it. */
export interface OwnRefund {
  merchantOrderId: string;
  shopRefundId: string;
  sessionId: string;
  providerRefundId: string | null;
  amountMinor: number;
  state: 'requested' | 'succeeded' | 'pending' | 'refused' | 'unconfirmed';
}

/**
 * The provider's final word on a refund the shop asked for (Adyen answers the request "received" and says later).
 * Made: it is in the shop already (WooCommerce's record, the plugin's note, counted in the session before the
 * provider was asked), so nothing is written, whatever the increment the item carries. Failed: the money did not
 * go back, so it no longer counts as refunded, and the merchant gets one note saying so (WooCommerce's refund record
 * stays: the relay never deletes the merchant's records; the note says to refund again).
 */
export function decideOwnRefundOutcome(
  event: ProviderEvent & { refundOutcome: NonNullable<ProviderEvent['refundOutcome']> },
  session: PaymentSession,
  refund: OwnRefund,
): Decision {
  const name = providerDisplayName(event.provider);
  const amount = formatMoney(refund.amountMinor, session.currency);
  const which = `the refund of ${amount} asked for in the shop (WooCommerce refund ${refund.shopRefundId}, ${name} refund ${event.refundOutcome.providerRefundId})`;
  if (event.refundOutcome.made && refund.state === 'refused') return madeAfterAll(event, session, refund, which);
  if (event.refundOutcome.made) {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} confirms ${which}: it is recorded in the shop already; nothing more written.` };
  }
  if (refund.state === 'refused') {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reports again that ${which} failed; the shop was told already.` };
  }
  const { refundedMinor, status: to } = withRefundUncounted(session, refund.amountMinor);
  const said = event.refundOutcome.reason ? ` (${name} says: ${event.refundOutcome.reason})` : '';
  // Before the answer (the call still waits), the relay answers WooCommerce with this refusal and WooCommerce drops
  // its record; after it, WooCommerce keeps the record it has.
  const listed = refund.state === 'requested' ? 'WooCommerce does not keep a record of it' : 'WooCommerce still lists that refund';
  const note = `Refund failed at ${name}: ${which} was not made${said}. The money was not returned to the customer. ${listed}; refund again from this order, or in the ${name} Customer Area.`;
  return {
    kind: 'apply',
    from: session.status,
    to,
    why: 'refund_failed',
    refundedMinor,
    chargedBackMinor: session.chargedBackMinor ?? 0,
    disputedFrom: session.disputedFrom ?? null,
    lastEventAt: session.lastEventAt ?? null,
    providerPaymentId: session.providerPaymentId ?? event.providerPaymentId ?? null,
    write: { target: to, transactionId: session.providerPaymentId ?? event.providerPaymentId ?? null, note: withRef(note, event) },
  };
}

/**
 * Made after all: the refund had been settled as not made (the provider's API refused it, or an earlier word said it
 * failed), so its amount was taken off what is counted, and WooCommerce dropped its record when told of the refusal.
 * The provider's signed word that the money went back wins: counted again, and a refund record for it (the worker
 * writes none when the shop's records cover the total already, as when WooCommerce kept its record).
 */
function madeAfterAll(event: ProviderEvent, session: PaymentSession, refund: OwnRefund, which: string): Decision {
  const name = providerDisplayName(event.provider);
  const refundable = refundableMinor(session);
  const back = Math.min(refund.amountMinor, refundable - session.refundedMinor);
  const paymentId = session.providerPaymentId ?? event.providerPaymentId ?? null;
  if (back <= 0) return { kind: 'ignore', reason: 'duplicate_status', message: `${name} says ${which} was made after all, but nothing is left to refund on this payment; nothing written.` };
  const refundedMinor = session.refundedMinor + back;
  const full = refundedMinor >= refundable;
  const to = full ? 'refunded' : session.status;
  const note = `Refund made at ${name} after all: ${which} had been reported not made, but ${name} says it went through. Payrelay recorded it on this order; ${formatMoney(refundedMinor, session.currency)} refunded in total. Do not refund it again.`;
  return {
    kind: 'apply',
    from: session.status,
    to,
    why: full ? 'refund' : 'partial_refund',
    refundedMinor,
    chargedBackMinor: session.chargedBackMinor ?? 0,
    disputedFrom: full ? null : session.disputedFrom ?? null,
    lastEventAt: session.lastEventAt ?? null,
    providerPaymentId: paymentId,
    write: { target: to, transactionId: paymentId, refundMinor: full ? undefined : back, refundedTotalMinor: refundedMinor, note: withRef(note, event) },
  };
}

/**
 * Which refund the shop asked for this event is about: by the provider's refund id (known once the request was
 * answered) or by the reference we sent (a notification that overtakes the answer). A refund whose answer was lost
 * (`unconfirmed`) is not matched here: WooCommerce removed its record, so the webhook must write one (decide()).
 */
export function findOwnRefund<R extends OwnRefund>(event: ProviderEvent, session: PaymentSession, refunds: readonly R[]): R | null {
  const outcome = event.refundOutcome;
  if (!outcome) return null;
  return refunds.find((r) => r.sessionId === session.id && r.state !== 'unconfirmed'
    && (r.providerRefundId === outcome.providerRefundId || outcome.reference === shopRefundKey(r.merchantOrderId, r.shopRefundId))) ?? null;
}
