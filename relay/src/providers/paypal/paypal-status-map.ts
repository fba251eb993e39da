import { decimalToMinor } from '../../domain/money';
import type { EventStatus, ProviderEvent } from '../../domain/provider-event';
import { defined, isObject, obj, str, type JsonObject } from '../json-reader';

/**
 * The webhook event types the relay subscribes to and acts on (Orders v2 and Payments v2); every other type maps
 * to `unsupported`. `npm run providers:connect` registers exactly these.
 */
export const PAYPAL_HANDLED_EVENT_TYPES = [
  'CHECKOUT.ORDER.APPROVED',
  'CHECKOUT.ORDER.COMPLETED',
  'CHECKOUT.ORDER.VOIDED',
  'CHECKOUT.PAYMENT-APPROVAL.REVERSED',
  'PAYMENT.CAPTURE.COMPLETED',
  'PAYMENT.CAPTURE.DENIED',
  'PAYMENT.CAPTURE.DECLINED',
  'PAYMENT.CAPTURE.PENDING',
  'PAYMENT.CAPTURE.REFUNDED',
  'PAYMENT.CAPTURE.REVERSED',
  'CUSTOMER.DISPUTE.CREATED',
] as const;

/** A verified PayPal webhook envelope (https://developer.paypal.com/api/rest/webhooks/event-names/). */
export interface PaypalEventEnvelope {
  id: string;
  eventType: string;
  createTime: string | undefined;
  resource: JsonObject;
  /** From the event's own links: api.sandbox.paypal.com = test. undefined when it has none. */
  livemode: boolean | undefined;
}

type Mapped = { status: EventStatus; reason?: string; awaitingCapture?: boolean; reviewVerdict?: 'approved' | 'rejected' };

/** Map a verified PayPal event. `defaultLivemode` is the configured API's mode, used when the event does not say. */
export function mapPaypalEvent(event: PaypalEventEnvelope, defaultLivemode: boolean, now: number): ProviderEvent {
  const occurredAt = Date.parse(event.createTime ?? '');
  const base: ProviderEvent = {
    provider: 'paypal',
    eventId: event.id,
    eventType: event.eventType,
    status: 'unsupported',
    livemode: event.livemode ?? defaultLivemode,
    occurredAt: Number.isFinite(occurredAt) ? occurredAt : now,
  };
  const r = event.resource;
  switch (event.eventType) {
    case 'CHECKOUT.ORDER.APPROVED':
    case 'CHECKOUT.ORDER.COMPLETED':
    case 'CHECKOUT.ORDER.VOIDED':
      return { ...base, ...orderRefs(r), ...orderStatus(r) };
    case 'CHECKOUT.PAYMENT-APPROVAL.REVERSED':
      // The resource names the order; PayPal reversed the buyer's approval (a problem with the funding source).
      return { ...base, ...defined({ providerSessionId: str(r, 'order_id') ?? str(r, 'id') }), status: 'failed', reason: 'PayPal reversed the buyer\'s approval before the payment was captured' };
    case 'PAYMENT.CAPTURE.COMPLETED':
    case 'PAYMENT.CAPTURE.DENIED':
    case 'PAYMENT.CAPTURE.DECLINED':
    case 'PAYMENT.CAPTURE.PENDING':
      return { ...base, ...captureRefs(r), ...captureStatus(r) };
    case 'PAYMENT.CAPTURE.REFUNDED':
    case 'PAYMENT.CAPTURE.REVERSED':
      return { ...base, ...refundRefs(r, event.eventType) };
    case 'CUSTOMER.DISPUTE.CREATED': {
      const disputed = Array.isArray(r.disputed_transactions) ? r.disputed_transactions.find(isObject) : undefined;
      const paymentId = str(disputed, 'seller_transaction_id');
      if (!paymentId) return base;
      const reason = words(str(r, 'reason'));
      const disputedAmount = money(obj(r, 'dispute_amount'));
      const id = str(r, 'dispute_id');
      const dueBy = Date.parse(str(r, 'seller_response_due_date') ?? '');
      // A dispute (issue 12): held until its outcome; without its amount or id it is held as a review for a person.
      if (id && disputedAmount.amountMinor !== undefined && disputedAmount.currency) {
        return {
          ...base,
          providerPaymentId: paymentId,
          status: 'dispute',
          dispute: {
            phase: 'opened',
            disputeId: id,
            amountMinor: disputedAmount.amountMinor,
            currency: disputedAmount.currency.toUpperCase(),
            respondAt: 'the PayPal Resolution Center',
            ...defined({ reason, respondBy: Number.isFinite(dueBy) ? dueBy : undefined }),
          },
        };
      }
      return { ...base, providerPaymentId: paymentId, status: 'review', reason: `the buyer opened a PayPal dispute (${reason ?? 'no reason given'}); answer it in the PayPal Resolution Center` };
    }
    default:
      // Includes the v1 PAYMENT.SALE.* family: the relay creates Orders v2 only, so those are never ours to apply.
      return base;
  }
}

/** An order (webhook resource or GET /v2/checkout/orders/{id}) in our vocabulary. */
export function orderStatus(order: JsonObject): Mapped & { refundedMinor?: number } {
  const capture = firstCapture(order);
  switch (str(order, 'status')) {
    case 'CREATED':
    case 'SAVED':
    case 'PAYER_ACTION_REQUIRED':
      return { status: 'created' };
    case 'APPROVED':
      // Approved is not paid: the money moves only when the relay captures (and PayPal confirms the capture).
      return { status: 'pending', reason: 'the buyer approved the PayPal payment; the relay captures it now', awaitingCapture: true };
    case 'VOIDED':
      return { status: 'cancelled', reason: 'the PayPal order was voided' };
    case 'COMPLETED':
      return capture ? captureStatus(capture, refundedTotal(order)) : { status: 'unsupported' };
    default:
      return { status: 'unsupported' };
  }
}

/** A capture's status (https://developer.paypal.com/docs/api/payments/v2/#captures_get). */
function captureStatus(capture: JsonObject, refundedMinor?: number): Mapped & { refundedMinor?: number } {
  switch (str(capture, 'status')) {
    case 'COMPLETED':
      // PayPal's own end to a PENDING_REVIEW capture (a verdict only when it comes as a signed webhook).
      return { status: 'paid', reviewVerdict: 'approved' };
    case 'DECLINED':
    case 'FAILED':
      return { status: 'failed', reason: 'PayPal declined the capture', reviewVerdict: 'rejected' };
    case 'PENDING': {
      const reason = str(obj(capture, 'status_details'), 'reason');
      if (reason === 'PENDING_REVIEW') return { status: 'review', reason: 'PayPal is reviewing the payment (PENDING_REVIEW); do not ship until it clears' };
      return { status: 'pending', reason: `PayPal holds the payment as pending (${words(reason) ?? 'no reason given'})` };
    }
    case 'REFUNDED':
    case 'PARTIALLY_REFUNDED':
      return { status: 'refunded', ...(refundedMinor !== undefined ? { refundedMinor } : {}) };
    default:
      return { status: 'unsupported' };
  }
}

/** The order's id is our provider session id; custom_id carries our session id, reference_id the shop's order. */
export function orderRefs(order: JsonObject): Partial<ProviderEvent> {
  const unit = firstUnit(order);
  const amount = money(obj(unit, 'amount'));
  const capture = firstCapture(order);
  return defined({
    providerSessionId: str(order, 'id'),
    relaySessionId: str(unit, 'custom_id'),
    merchantOrderId: str(unit, 'reference_id'),
    providerPaymentId: str(capture, 'id'),
    ...amount,
  });
}

function captureRefs(capture: JsonObject): Partial<ProviderEvent> {
  return defined({
    providerPaymentId: str(capture, 'id'),
    providerSessionId: str(obj(obj(capture, 'supplementary_data'), 'related_ids'), 'order_id'),
    relaySessionId: str(capture, 'custom_id'),
    ...money(obj(capture, 'amount')),
  });
}

/**
 * A refund resource: `seller_payable_breakdown.total_refunded_amount` is the total so far (a partial refund is
 * less than the capture); the capture it belongs to is its `up` link. A reversal (chargeback lost) is a full refund.
 */
function refundRefs(refund: JsonObject, type: string): Partial<ProviderEvent> & { status: EventStatus } {
  const captureId = upLinkId(refund, 'captures');
  const currency = str(obj(refund, 'amount'), 'currency_code');
  const total = money(obj(obj(refund, 'seller_payable_breakdown'), 'total_refunded_amount'));
  const status = str(refund, 'status');
  if (status && status !== 'COMPLETED') return { status: 'unsupported' };
  return {
    ...defined({ providerPaymentId: captureId, relaySessionId: str(refund, 'custom_id'), currency }),
    status: 'refunded',
    ...(type === 'PAYMENT.CAPTURE.REFUNDED' && total.amountMinor !== undefined ? { refundedMinor: total.amountMinor } : {}),
    // The resource is one refund: ours carry our key as invoice_id (paypal-provider.ts); one without is not ours.
    ...(type === 'PAYMENT.CAPTURE.REFUNDED' ? { refundReferences: [str(refund, 'invoice_id')].filter((id): id is string => id !== undefined) } : {}),
    reason: type === 'PAYMENT.CAPTURE.REVERSED' ? 'PayPal reversed the payment (a dispute or chargeback went to the buyer)' : 'refunded at PayPal',
  };
}

function firstUnit(order: JsonObject): JsonObject | undefined {
  return Array.isArray(order.purchase_units) ? order.purchase_units.find(isObject) : undefined;
}

function firstCapture(order: JsonObject): JsonObject | undefined {
  const list = obj(firstUnit(order), 'payments')?.captures;
  return Array.isArray(list) ? list.find(isObject) : undefined;
}

/** Sum of the completed refunds listed on an order's purchase unit. */
function refundedTotal(order: JsonObject): number | undefined {
  const list = obj(firstUnit(order), 'payments')?.refunds;
  if (!Array.isArray(list)) return undefined;
  let total = 0;
  for (const refund of list.filter(isObject)) {
    if (str(refund, 'status') !== 'COMPLETED') continue;
    total += money(obj(refund, 'amount')).amountMinor ?? 0;
  }
  return total;
}

export function money(amount: JsonObject | undefined): { amountMinor?: number; currency?: string } {
  const currency = str(amount, 'currency_code');
  const value = str(amount, 'value');
  if (!currency || !value) return {};
  const minor = decimalToMinor(value, currency);
  return minor === null ? { currency } : { amountMinor: minor, currency };
}

function upLinkId(resource: JsonObject, collection: string): string | undefined {
  const links = Array.isArray(resource.links) ? resource.links.filter(isObject) : [];
  for (const link of links) {
    if (str(link, 'rel') !== 'up') continue;
    const match = new RegExp(`/${collection}/([^/?#]+)`).exec(str(link, 'href') ?? '');
    if (match) return decodeURIComponent(match[1]);
  }
  return undefined;
}

/** `PENDING_REVIEW` → `pending review`. */
function words(code: string | undefined): string | undefined {
  return code ? code.replace(/_/g, ' ').toLowerCase() : undefined;
}
