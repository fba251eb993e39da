import type { DisputeFacts, EventStatus, ProviderEvent } from '../../domain/provider-event';
import { defined, int, isObject, obj, ref, str, type JsonObject } from '../json-reader';
import { fromStripeAmount } from './stripe-amount';
import type { StripeEventEnvelope } from './stripe-event-schema';

/** Metadata keys the relay puts on every Checkout Session and its PaymentIntent. */
export const META_SESSION_ID = 'payrelay_session_id';
/** The relay's refund key, kept on the refund: how a refund whose answer was lost is found again. */
export const META_REFUND_KEY = 'payrelay_refund_key';
export const META_ORDER_ID = 'payrelay_order_id';

/** The event types the relay acts on; every other type maps to `unsupported` (fail closed). */
export const STRIPE_HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.succeeded',
  'payment_intent.processing',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'charge.dispute.funds_reinstated',
  'review.opened',
  'review.closed',
] as const;

type Mapped = { status: EventStatus; reason?: string; reviewVerdict?: 'approved' | 'rejected'; declineFault?: 'provider' | 'customer' };

/** Where a Stripe dispute is answered (https://docs.stripe.com/disputes/responding). */
export const STRIPE_DISPUTE_DESK = 'the Stripe Dashboard (Payments → Disputes)';

/** Map a verified Stripe event to the relay's vocabulary. */
export function mapStripeEvent(event: StripeEventEnvelope): ProviderEvent {
  const o = event.object;
  const base: ProviderEvent = {
    provider: 'stripe',
    eventId: event.id,
    eventType: event.type,
    status: 'unsupported',
    livemode: event.livemode,
    occurredAt: event.created * 1000,
  };
  const kind = str(o, 'object');
  if (kind === 'checkout.session' && event.type.startsWith('checkout.session.')) {
    return { ...base, ...checkoutSessionRefs(o), ...checkoutSessionStatus(event.type, o) };
  }
  if (kind === 'payment_intent' && event.type.startsWith('payment_intent.')) {
    return { ...base, ...paymentIntentRefs(o), ...paymentIntentStatus(event.type, o) };
  }
  if (kind === 'charge' && event.type === 'charge.refunded') {
    const amount = stripeMinor(o, 'amount');
    const refundReferences = chargeRefundReferences(o);
    return {
      ...base,
      ...metadataRefs(o),
      ...defined({ providerPaymentId: ref(o, 'payment_intent'), amountMinor: amount, currency: upper(str(o, 'currency')) }),
      status: 'refunded',
      refundedMinor: stripeMinor(o, 'amount_refunded') ?? amount,
      reason: refundReason(o),
      // The charge's list and its amount_refunded are one snapshot: a refund it does not list is not in the total.
      ...(refundReferences ? { refundReferences, refundReferencesComplete: true } : {}),
    };
  }
  if (kind === 'dispute' && event.type.startsWith('charge.dispute.')) {
    const dispute = disputeFacts(event.type, o);
    return {
      ...base,
      ...defined({ providerPaymentId: ref(o, 'payment_intent'), amountMinor: stripeMinor(o, 'amount'), currency: upper(str(o, 'currency')) }),
      ...(dispute ? { status: 'dispute', dispute } : {}),
    };
  }
  if (kind === 'review' && event.type.startsWith('review.')) {
    return { ...base, ...defined({ providerPaymentId: ref(o, 'payment_intent') }), ...defined(reviewStatus(event.type, o)) };
  }
  return base;
}

/**
 * Disputes (https://docs.stripe.com/api/disputes/object). `charge.dispute.closed` says how it ended in `status`:
 * won, or `warning_closed` (an inquiry that never became a chargeback: the money stays), or lost.
 * `charge.dispute.funds_reinstated`: the withdrawn funds are back on the balance, a win for the relay (after a loss
 * it recorded, decide() reads it as the chargeback reversed).
 */
function disputeFacts(type: string, d: JsonObject): DisputeFacts | undefined {
  const id = str(d, 'id');
  const amountMinor = stripeMinor(d, 'amount');
  const currency = upper(str(d, 'currency'));
  if (!id || amountMinor === undefined || !currency) return undefined;
  let phase: DisputeFacts['phase'];
  if (type === 'charge.dispute.created') phase = 'opened';
  else if (type === 'charge.dispute.funds_reinstated') phase = 'won';
  else if (type === 'charge.dispute.closed') {
    const status = str(d, 'status');
    if (status === 'won' || status === 'warning_closed') phase = 'won';
    else if (status === 'lost') phase = 'lost';
    else return undefined;
  } else return undefined;
  const dueBy = int(obj(d, 'evidence_details'), 'due_by');
  return {
    phase,
    disputeId: id,
    amountMinor,
    currency,
    respondAt: STRIPE_DISPUTE_DESK,
    ...defined({ reason: words(str(d, 'reason')), respondBy: dueBy === undefined ? undefined : dueBy * 1000 }),
  };
}

function checkoutSessionStatus(type: string, s: JsonObject): Mapped {
  const paymentStatus = str(s, 'payment_status');
  switch (type) {
    case 'checkout.session.completed':
      // `unpaid` = a delayed method (SEPA, bank transfer) still settling; async_payment_* follows.
      if (paymentStatus === 'paid' || paymentStatus === 'no_payment_required') return { status: 'paid' };
      if (paymentStatus === 'unpaid') return { status: 'pending', reason: 'the customer finished checkout; the payment method settles later' };
      return { status: 'unsupported' };
    case 'checkout.session.async_payment_succeeded':
      return { status: 'paid' };
    case 'checkout.session.async_payment_failed':
      return { status: 'failed', reason: 'the delayed payment (bank debit or transfer) failed' };
    case 'checkout.session.expired':
      return { status: 'expired', reason: 'the checkout session expired before the customer paid' };
    default:
      return { status: 'unsupported' };
  }
}

function paymentIntentStatus(type: string, pi: JsonObject): Mapped {
  switch (type) {
    case 'payment_intent.succeeded':
      return { status: 'paid' };
    case 'payment_intent.processing':
      return { status: 'pending', reason: 'the payment is processing' };
    case 'payment_intent.payment_failed':
      return { status: 'failed', reason: declineReason(obj(pi, 'last_payment_error')), declineFault: declineFault(obj(pi, 'last_payment_error')) };
    case 'payment_intent.canceled':
      return { status: 'cancelled', reason: cancelReason(pi) };
    default:
      return { status: 'unsupported' };
  }
}

/**
 * Radar reviews (https://docs.stripe.com/api/reviews/object). `review.closed` with reason `approved` is Stripe's
 * verdict and releases the payment (paid); it is the only event that does. Closed as `refunded`/`refunded_as_fraud` we keep `review`: the money moves back in its own
 * `charge.refunded` event, which carries the refunded amount that this event lacks.
 */
function reviewStatus(type: string, r: JsonObject): Mapped {
  if (type === 'review.opened') {
    return { status: 'review', reason: `Stripe Radar opened a review (${reviewReasonWords(str(r, 'opened_reason') ?? str(r, 'reason'))})` };
  }
  if (type === 'review.closed') {
    const reason = str(r, 'closed_reason') ?? str(r, 'reason');
    if (reason === 'approved') return { status: 'paid', reason: 'Stripe Radar review approved', reviewVerdict: 'approved' };
    return { status: 'review', reason: `Stripe Radar review closed: ${reviewReasonWords(reason)}` };
  }
  return { status: 'unsupported' };
}

function reviewReasonWords(reason: string | undefined): string {
  switch (reason) {
    case 'rule':
      return 'a Radar rule flagged the payment';
    case 'manual':
      return 'opened by hand in the Dashboard';
    case 'refunded':
      return 'the payment was refunded';
    case 'refunded_as_fraud':
      return 'the payment was refunded as fraud';
    case 'disputed':
      return 'the payment was disputed';
    case 'redacted':
      return 'the review was redacted';
    case 'approved':
      return 'approved';
    default:
      return reason ? words(reason) ?? reason : 'no reason given';
  }
}

/** "Your card was declined. (insufficient funds)": the decline in words a support person reads. */
export function declineReason(error: JsonObject | undefined): string {
  if (!error) return 'the payment failed (Stripe gave no reason)';
  const message = str(error, 'message');
  const code = words(str(error, 'decline_code') ?? str(error, 'code'));
  if (message && code) return `${message} (${code})`;
  return message ?? (code ? `declined: ${code}` : 'the payment failed (Stripe gave no reason)');
}

/**
 * Whose fault a failed payment was, for health-aware routing. `card_error` is the card or its bank saying no
 * (https://docs.stripe.com/error-codes), except `processing_error`, which Stripe documents as an error while
 * processing the card; `api_error` is Stripe itself. Anything else (authentication, a bank debit returned) is
 * counted as the customer's, so a provider is never moved down for what its customers did.
 */
export function declineFault(error: JsonObject | undefined): 'provider' | 'customer' {
  if (!error) return 'customer';
  const type = str(error, 'type');
  if (type === 'api_error') return 'provider';
  return str(error, 'code') === 'processing_error' ? 'provider' : 'customer';
}

function cancelReason(pi: JsonObject): string {
  const reason = words(str(pi, 'cancellation_reason'));
  return reason ? `the payment was cancelled (${reason})` : 'the payment was cancelled';
}

/**
 * Our keys on the refunds the charge lists as made (succeeded or pending). Charges list their refunds only up to API
 * version 2022-11-15 (https://docs.stripe.com/upgrades#2022-11-15); without the list, or with only its first page
 * (`has_more`), undefined: the event says only an amount.
 */
function chargeRefundReferences(charge: JsonObject): string[] | undefined {
  const list = obj(charge, 'refunds');
  if (!list || !Array.isArray(list.data) || list.has_more !== false) return undefined;
  return list.data
    .filter(isObject)
    .filter((r) => str(r, 'status') === 'succeeded' || str(r, 'status') === 'pending')
    .map((r) => str(obj(r, 'metadata'), META_REFUND_KEY))
    .filter((key): key is string => key !== undefined);
}

function refundReason(charge: JsonObject): string {
  const amount = int(charge, 'amount');
  const refunded = int(charge, 'amount_refunded');
  return amount !== undefined && refunded !== undefined && refunded < amount ? 'partially refunded at Stripe' : 'refunded at Stripe';
}

export function checkoutSessionRefs(s: JsonObject): Partial<ProviderEvent> {
  const meta = obj(s, 'metadata');
  return defined({
    providerSessionId: str(s, 'id'),
    providerPaymentId: ref(s, 'payment_intent'),
    relaySessionId: str(meta, META_SESSION_ID),
    merchantOrderId: str(s, 'client_reference_id') ?? str(meta, META_ORDER_ID),
    amountMinor: stripeMinor(s, 'amount_total'),
    currency: upper(str(s, 'currency')),
  });
}

function paymentIntentRefs(pi: JsonObject): Partial<ProviderEvent> {
  return defined({ ...metadataRefs(pi), providerPaymentId: str(pi, 'id'), amountMinor: stripeMinor(pi, 'amount'), currency: upper(str(pi, 'currency')) });
}

function metadataRefs(o: JsonObject): Partial<ProviderEvent> {
  const meta = obj(o, 'metadata');
  return defined({ relaySessionId: str(meta, META_SESSION_ID), merchantOrderId: str(meta, META_ORDER_ID) });
}

/** An amount field of a Stripe object in ISO minor units (Stripe writes ISK and MGA its own way). */
export function stripeMinor(o: JsonObject | undefined, key: string): number | undefined {
  return fromStripeAmount(int(o, key), str(o, 'currency'));
}

function upper(value: string | undefined): string | undefined {
  return value?.toUpperCase();
}

/** `insufficient_funds` → `insufficient funds`. */
function words(code: string | undefined): string | undefined {
  return code ? code.replace(/_/g, ' ') : undefined;
}
