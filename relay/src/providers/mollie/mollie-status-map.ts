import { decimalToMinor } from '../../domain/money';
import type { DisputeFacts, EventStatus, ProviderEvent } from '../../domain/provider-event';
import { defined, obj, str, type JsonObject } from '../json-reader';

export const META_SESSION_ID = 'payrelay_session_id';
export const META_ORDER_ID = 'payrelay_order_id';

/** Where a Mollie chargeback is seen and contested (https://help.mollie.com, "chargebacks"). */
export const MOLLIE_CHARGEBACK_DESK = "the Mollie Dashboard (the payment's Chargebacks)";

/**
 * A Mollie payment as fetched from GET /v2/payments/{id} (the API is the truth; webhooks only say "look").
 * Statuses per https://docs.mollie.com/docs/status-change: refunds and chargebacks do not change the status,
 * they show in amountRefunded / amountChargedBack.
 */
export function mapMolliePayment(payment: JsonObject, now: number): ProviderEvent {
  const id = str(payment, 'id') ?? 'unknown';
  const status = str(payment, 'status') ?? 'unknown';
  const amount = money(payment, 'amount');
  const refunded = money(payment, 'amountRefunded');
  const chargedBack = money(payment, 'amountChargedBack');
  const meta = obj(payment, 'metadata');
  // Mollie documents `_links.chargebacks` as present only when chargebacks exist, next to `amountChargedBack`.
  const chargebackListed = obj(obj(payment, '_links'), 'chargebacks') !== undefined;
  const mapped = mapStatus(status, payment, refunded?.minor ?? 0, chargedBack, chargebackListed);
  const chargebackState = chargedBack ? `:chargeback:${chargedBack.value}` : chargebackListed ? ':chargeback:listed' : '';
  return {
    provider: 'mollie',
    // One id per (payment, state): the same state fetched twice deduplicates, a new refund total is new.
    eventId: `${id}:${status}:${refunded?.value ?? '0.00'}${chargebackState}`,
    eventType: `payment.${status}`,
    status: mapped.status,
    providerSessionId: id,
    providerPaymentId: id,
    livemode: str(payment, 'mode') === 'live',
    occurredAt: now,
    ...defined({
      relaySessionId: str(meta, META_SESSION_ID),
      merchantOrderId: str(meta, META_ORDER_ID),
      amountMinor: amount?.minor,
      currency: amount?.currency,
      refundedMinor: mapped.status === 'refunded' ? refunded?.minor : undefined,
      reason: mapped.reason,
      dispute: mapped.dispute,
    }),
  };
}

type Mapped = { status: EventStatus; reason?: string; dispute?: DisputeFacts };

function mapStatus(
  status: string,
  payment: JsonObject,
  refundedMinor: number,
  chargedBack: { minor: number; currency: string } | undefined,
  chargebackListed: boolean,
): Mapped {
  switch (status) {
    case 'open':
      return { status: 'created' };
    case 'pending':
      return { status: 'pending', reason: 'the payment has started and is being processed' };
    case 'authorized':
      return { status: 'pending', reason: 'the payment is authorized but not captured yet' };
    case 'paid':
      // A Mollie chargeback has already taken the money off the balance: it is a loss (which can still be
      // contested), not an open question. Mollie reports only the running total, so the loss is the new part.
      // Listed and nothing charged back any more: every chargeback was reversed (a total of 0 the relay compares
      // with what it recorded; decide() reads a lower total as money given back).
      if (chargedBack && (chargedBack.minor > 0 || chargebackListed)) {
        return {
          status: 'dispute',
          reason: 'the customer reversed the payment with their bank (chargeback)',
          dispute: {
            phase: 'lost',
            disputeId: str(payment, 'id') ?? 'unknown',
            amountMinor: chargedBack.minor,
            totalChargedBackMinor: chargedBack.minor,
            currency: chargedBack.currency,
            respondAt: MOLLIE_CHARGEBACK_DESK,
          },
        };
      }
      // Listed without an amount: hold the order rather than guess how much is gone.
      if (chargebackListed) return { status: 'review', reason: `Mollie lists a chargeback for this payment; check its amount in ${MOLLIE_CHARGEBACK_DESK} before shipping` };
      if (refundedMinor > 0) return { status: 'refunded', reason: 'refunded at Mollie' };
      return { status: 'paid' };
    case 'canceled':
      return { status: 'cancelled', reason: 'the customer or the shop cancelled the payment' };
    case 'expired':
      return { status: 'expired', reason: 'the customer did not finish the payment in time' };
    case 'failed':
      return { status: 'failed', reason: failureReason(payment) };
    default:
      return { status: 'unsupported' };
  }
}

function failureReason(payment: JsonObject): string {
  const details = obj(payment, 'details');
  const message = str(details, 'failureMessage');
  const code = str(details, 'failureReason')?.replace(/_/g, ' ');
  if (message && code) return `${message} (${code})`;
  return message ?? (code ? `the payment failed: ${code}` : 'the payment failed (Mollie gave no reason)');
}

function money(payment: JsonObject, key: string): { value: string; currency: string; minor: number } | undefined {
  const amount = obj(payment, key);
  const value = str(amount, 'value');
  const currency = str(amount, 'currency');
  if (!value || !currency) return undefined;
  const minor = decimalToMinor(value, currency);
  return minor === null ? undefined : { value, currency: currency.toUpperCase(), minor };
}
