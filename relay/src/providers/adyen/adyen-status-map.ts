import { formatMoney } from '../../domain/money';
import type { DisputeFacts, EventStatus, ProviderEvent } from '../../domain/provider-event';
import { defined } from '../json-reader';
import type { AdyenNotificationItem } from './adyen-notification-schema';

/** Our session id, sent as the payment link's `reference`: Adyen echoes it as every item's merchantReference. */
export const SESSION_REFERENCE = /^ps_[A-Za-z0-9_-]{4,80}$/;

/**
 * Adyen retries an item until it is acknowledged, and the same (pspReference, eventCode, success) is the same
 * fact (docs.adyen.com "Webhooks: handle duplicates"): that triple is the dedupe key.
 */
export function adyenEventId(item: Pick<AdyenNotificationItem, 'pspReference' | 'eventCode' | 'success'>): string {
  return `${item.pspReference}:${item.eventCode}:${item.success}`;
}

/**
 * Every eventCode mapAdyenEventCode() acts on: what providers:connect subscribes the relay's standard webhook to
 * (`additionalSettings.includeEventCodes`, for those not sent by default).
 */
export const ADYEN_HANDLED_EVENT_CODES = [
  'AUTHORISATION', 'CAPTURE', 'CAPTURE_FAILED', 'PENDING', 'CANCELLATION', 'TECHNICAL_CANCEL', 'CANCEL_OR_REFUND', 'OFFER_CLOSED', 'EXPIRE',
  'REFUND', 'REFUND_FAILED', 'REFUNDED_REVERSED', 'CHARGEBACK', 'SECOND_CHARGEBACK', 'NOTIFICATION_OF_CHARGEBACK', 'PREARBITRATION_LOST',
  'REQUEST_FOR_INFORMATION', 'NOTIFICATION_OF_FRAUD', 'CHARGEBACK_REVERSED', 'PREARBITRATION_WON', 'MANUAL_REVIEW_ACCEPT', 'MANUAL_REVIEW_REJECT',
] as const;

type Mapped = { status: EventStatus; reason?: string; refund?: boolean; reviewVerdict?: 'approved' | 'rejected'; disputePhase?: DisputeFacts['phase'] };

/**
 * Adyen's dispute lifecycle onto the relay's (issue 12). A CHARGEBACK debits the amount but can still be
 * defended and reversed (CHARGEBACK_REVERSED), so it holds the order like an open dispute; the loss is final
 * only with SECOND_CHARGEBACK or PREARBITRATION_LOST.
 */
const DISPUTE_PHASES: Record<string, DisputeFacts['phase']> = {
  NOTIFICATION_OF_CHARGEBACK: 'opened',
  REQUEST_FOR_INFORMATION: 'opened',
  CHARGEBACK: 'opened',
  CHARGEBACK_REVERSED: 'won',
  PREARBITRATION_WON: 'won',
  SECOND_CHARGEBACK: 'lost',
  PREARBITRATION_LOST: 'lost',
};

/**
 * eventCode qualified by success (Adyen openapi Webhooks-v1; test/fixtures/providers/README.md table). The
 * relay creates payment links with immediate capture (captureDelayHours 0), so a successful AUTHORISATION is
 * money taken; a failed one is a refusal. Unknown codes are `unsupported`: stored, acknowledged, never applied.
 */
export function mapAdyenEventCode(item: AdyenNotificationItem): Mapped {
  const ok = item.success === 'true';
  const said = item.reason ? `: ${item.reason}` : '';
  const data = item.additionalData ?? {};
  switch (item.eventCode) {
    case 'AUTHORISATION':
      if (!ok) return { status: 'failed', reason: `Adyen refused the payment${said || ' (no reason given)'}` };
      // RevenueProtect holds a payment for a person to decide; MANUAL_REVIEW_ACCEPT/REJECT follows.
      if (data.fraudManualReview === 'true') return { status: 'review', reason: 'authorised, but held for manual fraud review in Adyen (RevenueProtect)' };
      return { status: 'paid' };
    case 'CAPTURE':
      return ok ? { status: 'paid' } : { status: 'failed', reason: `Adyen could not capture the payment${said}` };
    case 'CAPTURE_FAILED':
      return { status: 'failed', reason: `the capture failed at the bank${said}` };
    case 'PENDING':
      return ok ? { status: 'pending', reason: 'Adyen is waiting for the payment method to confirm' } : { status: 'unsupported' };
    case 'CANCELLATION':
    case 'TECHNICAL_CANCEL':
      return ok ? { status: 'cancelled', reason: 'the payment was cancelled at Adyen' } : { status: 'unsupported', reason: `Adyen could not cancel the payment${said}` };
    case 'CANCEL_OR_REFUND': {
      if (!ok) return { status: 'unsupported', reason: `Adyen could not cancel or refund the payment${said}` };
      const action = data['modification.action'];
      if (action === 'cancel') return { status: 'cancelled', reason: 'the payment was cancelled at Adyen' };
      if (action === 'refund') return { status: 'refunded', reason: 'refunded at Adyen', refund: true };
      return { status: 'unsupported', reason: 'Adyen cancelled or refunded the payment without saying which' };
    }
    case 'OFFER_CLOSED':
      return ok ? { status: 'expired', reason: 'the customer did not finish the payment in time (offer closed)' } : { status: 'unsupported' };
    case 'EXPIRE':
      return ok ? { status: 'expired', reason: 'the authorisation expired before it was captured' } : { status: 'unsupported' };
    case 'REFUND':
      // success=false is a refund Adyen refused: nothing was returned and the payment stays paid.
      return ok ? { status: 'refunded', reason: 'refunded at Adyen', refund: true } : { status: 'unsupported', reason: `Adyen refused the refund${said}; the payment stays paid` };
    case 'REFUND_FAILED':
    case 'REFUNDED_REVERSED':
      return ok ? { status: 'review', reason: `a refund came back (${item.eventCode})${said}: the customer did not get the money; check the payment in Adyen` } : { status: 'unsupported' };
    case 'CHARGEBACK':
    case 'SECOND_CHARGEBACK':
    case 'NOTIFICATION_OF_CHARGEBACK':
    case 'PREARBITRATION_LOST':
    case 'REQUEST_FOR_INFORMATION':
      return ok ? { status: 'review', reason: chargebackReason(item) } : { status: 'unsupported' };
    case 'NOTIFICATION_OF_FRAUD':
      return ok ? { status: 'review', reason: `the card scheme reported this payment as fraud${said}` } : { status: 'unsupported' };
    case 'CHARGEBACK_REVERSED':
    case 'PREARBITRATION_WON':
      return ok ? { status: 'paid', reason: 'the chargeback was reversed in the merchant\u2019s favour' } : { status: 'unsupported' };
    case 'MANUAL_REVIEW_ACCEPT':
      // Adyen's verdict on the review: the only thing (besides a person) that ends it.
      return ok ? { status: 'paid', reason: 'accepted in Adyen\u2019s manual review', reviewVerdict: 'approved' } : { status: 'unsupported' };
    case 'MANUAL_REVIEW_REJECT':
      return ok ? { status: 'failed', reason: 'rejected in Adyen\u2019s manual review', reviewVerdict: 'rejected' } : { status: 'unsupported' };
    default:
      return { status: 'unsupported' };
  }
}

function chargebackReason(item: AdyenNotificationItem): string {
  const data = item.additionalData ?? {};
  const code = typeof data.chargebackReasonCode === 'string' ? data.chargebackReasonCode.trim() : '';
  const until = typeof data.defensePeriodEndsAt === 'string' ? `; it can be defended until ${data.defensePeriodEndsAt}` : '';
  const kind = item.eventCode.replace(/_/g, ' ').toLowerCase();
  return `the customer disputed the payment (${kind}${code ? `, reason code ${code}` : ''}${item.reason ? `: ${item.reason}` : ''})${until}`;
}

function defenceEnds(item: AdyenNotificationItem): number | undefined {
  const until = item.additionalData?.defensePeriodEndsAt;
  const at = typeof until === 'string' ? Date.parse(until) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

const PAYMENT_AMOUNT_CODES = new Set(['AUTHORISATION', 'CAPTURE', 'MANUAL_REVIEW_ACCEPT']);

/** One verified item as a ProviderEvent. `now` stands in when the item has no usable eventDate. */
export function mapAdyenItem(item: AdyenNotificationItem, live: boolean, now: number): ProviderEvent {
  const mapped = mapAdyenEventCode(item);
  const value = item.amount?.value;
  const amountMinor = typeof value === 'number' ? value : value !== undefined ? Number.parseInt(value, 10) : undefined;
  const currency = item.amount?.currency?.toUpperCase();
  const occurredAt = item.eventDate ? Date.parse(item.eventDate) : NaN;
  const reference = item.merchantReference && SESSION_REFERENCE.test(item.merchantReference) ? item.merchantReference : undefined;
  // Modifications (capture, refund, cancel, chargeback) carry their own pspReference and the payment's as
  // originalReference; the payment's is WooCommerce's transaction id.
  const paymentPsp = item.originalReference || item.pspReference;
  const linkId = typeof item.additionalData?.paymentLinkId === 'string' ? item.additionalData.paymentLinkId : undefined;
  const isRefund = mapped.refund === true && amountMinor !== undefined && Number.isSafeInteger(amountMinor);
  // Only a payment's own amount is checked against the order; a chargeback or its reversal may be partial.
  const paymentAmount = PAYMENT_AMOUNT_CODES.has(item.eventCode) && amountMinor !== undefined && Number.isSafeInteger(amountMinor) ? amountMinor : undefined;
  const refundOutcome = refundOutcomeOf(item, mapped, amountMinor);
  const phase = item.success === 'true' ? DISPUTE_PHASES[item.eventCode] : undefined;
  const dispute: DisputeFacts | undefined =
    phase && currency && amountMinor !== undefined && Number.isSafeInteger(amountMinor)
      ? { phase, disputeId: item.pspReference, amountMinor, currency, respondAt: 'the Adyen Customer Area (Disputes)', ...defined({ reason: mapped.reason, respondBy: defenceEnds(item) }) }
      : undefined;
  return {
    provider: 'adyen',
    eventId: adyenEventId(item),
    eventType: `${item.eventCode}${item.success === 'true' ? '' : ' (success=false)'}`,
    status: dispute ? 'dispute' : mapped.status,
    providerPaymentId: paymentPsp,
    livemode: live,
    occurredAt: Number.isFinite(occurredAt) ? occurredAt : now,
    ...defined({
      relaySessionId: reference,
      providerSessionId: linkId,
      amountMinor: paymentAmount,
      currency,
      // A REFUND item carries this refund's amount, not the total refunded so far.
      refundIncrementMinor: isRefund ? amountMinor : undefined,
      reason: isRefund && currency && amountMinor !== undefined ? `${mapped.reason} (${formatMoney(amountMinor, currency)})` : mapped.reason,
      reviewVerdict: mapped.reviewVerdict,
      dispute,
      refundOutcome,
    }),
  };
}

/**
 * A refund's item carries the refund's own pspReference (the one `POST /payments/{psp}/refunds` answered with) and,
 * as merchantReference, the `reference` sent with the request: either ties it to a refund the shop asked for.
 * REFUND success=false and REFUND_FAILED both mean the money did not go back.
 */
function refundOutcomeOf(item: AdyenNotificationItem, mapped: Mapped, amountMinor: number | undefined): ProviderEvent['refundOutcome'] {
  const refundCode = item.eventCode === 'REFUND' || item.eventCode === 'REFUND_FAILED' || (item.eventCode === 'CANCEL_OR_REFUND' && mapped.refund === true);
  if (!refundCode) return undefined;
  const made = item.eventCode !== 'REFUND_FAILED' && item.success === 'true';
  // A failed REFUND_FAILED (success=false) says nothing about the money.
  if (item.eventCode === 'REFUND_FAILED' && item.success !== 'true') return undefined;
  return {
    providerRefundId: item.pspReference,
    made,
    ...defined({
      reference: item.merchantReference && !SESSION_REFERENCE.test(item.merchantReference) ? item.merchantReference : undefined,
      amountMinor: amountMinor !== undefined && Number.isSafeInteger(amountMinor) ? amountMinor : undefined,
      reason: !made && item.reason ? item.reason : undefined,
    }),
  };
}
