import { formatMoney } from './money';
import type { PaymentSession } from './payment-session';
import { type PaymentStatus } from './payment-status';
import type { ProviderEvent } from './provider-event';
import { providerDisplayName } from './provider-names';
import { transitionRule, type TransitionRule } from './transitions';

/** What the shop should end up reflecting; the worker turns it into WooCommerce writes against the live order. */
export interface OrderWriteIntent {
  target: PaymentStatus;
  /** Provider payment id, stored as WooCommerce's transaction_id. */
  transactionId: string | null;
  /** For a partial refund: the amount of this refund (minor units). */
  refundMinor?: number;
  note: string;
}

export type IgnoreReason =
  | 'unsupported_event'
  | 'mode_mismatch'
  | 'duplicate_status'
  | Extract<TransitionRule, { verdict: 'refuse' }>['why'];

export type Decision =
  | {
      kind: 'apply';
      from: PaymentStatus;
      to: PaymentStatus;
      why: string;
      /** Refunded total after this event (unchanged unless a refund). */
      refundedMinor: number;
      providerPaymentId: string | null;
      write: OrderWriteIntent;
    }
  | { kind: 'ignore'; reason: IgnoreReason; message: string };

/** Facts about the order beyond this session, gathered by the caller (the core does no I/O). */
export interface OrderContext {
  /** Another session of the same order already took money. */
  otherSessionPaid: { sessionId: string; provider: string } | null;
  /** The relay runs live (true) or test (false); events from the other mode are ignored. */
  livemode: boolean;
}

/**
 * The heart of the relay: given a verified event and the session it is about, what should change?
 * Pure: the same inputs always give the same decision, so it runs at ingest and again in the worker.
 */
export function decide(event: ProviderEvent, session: PaymentSession, context: OrderContext): Decision {
  const name = providerDisplayName(event.provider);
  if (event.livemode !== context.livemode) {
    const mode = event.livemode ? 'live' : 'test';
    return { kind: 'ignore', reason: 'mode_mismatch', message: `${name} sent a ${mode}-mode event to a relay running in ${context.livemode ? 'live' : 'test'} mode; ignored.` };
  }
  if (event.status === 'unsupported') {
    return { kind: 'ignore', reason: 'unsupported_event', message: `${name} event ${event.eventType} does not change a payment; stored and ignored.` };
  }

  let incoming: PaymentStatus = event.status;
  let reviewReason: string | null = null;
  if (incoming === 'paid') {
    const mismatch = amountMismatch(event, session);
    if (mismatch) {
      incoming = 'review';
      reviewReason = mismatch;
    } else if (context.otherSessionPaid) {
      incoming = 'review';
      reviewReason = `this order was already paid through session ${context.otherSessionPaid.sessionId} (${context.otherSessionPaid.provider}); the customer paid twice, refund one of the payments`;
    }
  }

  const paymentId = event.providerPaymentId ?? session.providerPaymentId;
  if (incoming === 'refunded') return decideRefund(event, session, paymentId);

  const rule = transitionRule(session.status, incoming);
  if (rule.verdict === 'same') {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reported ${incoming} again (${event.eventType}); the payment is already ${session.status}.` };
  }
  if (rule.verdict === 'refuse') {
    return { kind: 'ignore', reason: rule.why, message: refusalMessage(rule.why, session.status, incoming, event) };
  }
  return {
    kind: 'apply',
    from: session.status,
    to: incoming,
    why: rule.why,
    refundedMinor: session.refundedMinor,
    providerPaymentId: paymentId,
    write: { target: incoming, transactionId: paymentId, note: noteFor(event, session, incoming, rule.why, reviewReason, paymentId) },
  };
}

function amountMismatch(event: ProviderEvent, session: PaymentSession): string | null {
  const currencyDiffers = event.currency !== undefined && event.currency.toUpperCase() !== session.currency.toUpperCase();
  const amountDiffers = event.amountMinor !== undefined && event.amountMinor !== session.amountMinor;
  if (!currencyDiffers && !amountDiffers) return null;
  const got = formatMoney(event.amountMinor ?? session.amountMinor, event.currency ?? session.currency);
  return `the amount paid (${got}) does not match the order (${formatMoney(session.amountMinor, session.currency)}); check before shipping`;
}

function decideRefund(event: ProviderEvent, session: PaymentSession, paymentId: string | null): Decision {
  const name = providerDisplayName(event.provider);
  const rule = transitionRule(session.status, 'refunded');
  if (rule.verdict !== 'apply') {
    const why = rule.verdict === 'same' ? 'refund_is_final' : rule.why;
    return { kind: 'ignore', reason: why, message: refusalMessage(why, session.status, 'refunded', event) };
  }
  const reported = event.refundedMinor ?? (event.refundIncrementMinor !== undefined ? session.refundedMinor + event.refundIncrementMinor : session.amountMinor);
  const totalRefunded = Math.min(reported, session.amountMinor);
  const thisRefund = totalRefunded - session.refundedMinor;
  if (thisRefund <= 0) {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reported a refund already recorded (${formatMoney(totalRefunded, session.currency)} refunded in total).` };
  }
  const full = totalRefunded >= session.amountMinor;
  const amount = formatMoney(thisRefund, session.currency);
  const note = full
    ? `Refunded at ${name}: ${amount}${session.refundedMinor > 0 ? ` (the payment is now fully refunded)` : ''}, payment ${paymentId ?? 'unknown'}.`
    : `Partial refund at ${name}: ${amount} of ${formatMoney(session.amountMinor, session.currency)}, payment ${paymentId ?? 'unknown'}. ${formatMoney(totalRefunded, session.currency)} refunded so far.`;
  return {
    kind: 'apply',
    from: session.status,
    // A partial refund leaves the payment paid (money is still taken); only the full refund changes the status.
    to: full ? 'refunded' : session.status,
    why: full ? 'refund' : 'partial_refund',
    refundedMinor: totalRefunded,
    providerPaymentId: paymentId,
    write: { target: full ? 'refunded' : session.status, transactionId: paymentId, refundMinor: full ? undefined : thisRefund, note: withRef(note, event) },
  };
}

function noteFor(
  event: ProviderEvent,
  session: PaymentSession,
  to: PaymentStatus,
  why: string,
  reviewReason: string | null,
  paymentId: string | null,
): string {
  const name = providerDisplayName(event.provider);
  const amount = formatMoney(event.amountMinor ?? session.amountMinor, event.currency ?? session.currency);
  const ref = paymentId ? `, payment ${paymentId}` : '';
  const reason = event.reason ? `: ${event.reason}` : '';
  let text: string;
  switch (to) {
    case 'paid':
      if (why === 'late_payment') {
        text = `Payment received at ${name} after the session was ${session.status}: ${amount}${ref}. This is real money, so the order is marked paid again; check stock before shipping.`;
      } else if (why === 'review_cleared') {
        text = `Review cleared at ${name}: the payment of ${amount} is confirmed${ref}.`;
      } else {
        text = `Payment received at ${name}: ${amount}${ref}.`;
      }
      break;
    case 'pending':
      text = `Payment started at ${name} and is waiting for the bank or the customer (${event.eventType})${ref}. Do not ship yet.`;
      break;
    case 'failed':
      text = why === 'review_rejected'
        ? `Payment rejected after review at ${name}${reason}${ref}. Do not ship.`
        : `Payment failed at ${name}${reason || ': declined'}${ref}. The customer can try again with another method.`;
      break;
    case 'expired':
      text = `Payment session at ${name} expired before the customer paid (an abandoned checkout, not a decline)${ref}.`;
      break;
    case 'cancelled':
      text = `Payment cancelled at ${name}${reason}${ref}.`;
      break;
    case 'review':
      text = `Payment of ${amount} at ${name} needs a look: ${reviewReason ?? (event.reason || 'the provider opened a review')}${ref}. Do not ship until it is resolved.`;
      break;
    case 'created':
      text = `Payment session created at ${name}${ref}.`;
      break;
    case 'refunded':
      text = `Refunded at ${name}: ${amount}${ref}.`;
      break;
  }
  return withRef(text, event);
}

/** Every note carries the event's reference: support can quote it, and a retried write can find its own note. */
export function withRef(text: string, event: Pick<ProviderEvent, 'provider' | 'eventId'>): string {
  return `${text} ${refMarker(noteRef(event))}`;
}

/** How a reference appears in a note or refund reason: the one format the worker searches for before repeating. */
export function refMarker(ref: string): string {
  return `[Payrelay ref ${ref}]`;
}

export function noteRef(event: Pick<ProviderEvent, 'provider' | 'eventId'>): string {
  return `${event.provider}:${event.eventId}`;
}

function refusalMessage(why: IgnoreReason, current: PaymentStatus, incoming: PaymentStatus, event: ProviderEvent): string {
  const name = providerDisplayName(event.provider);
  const said = `${name} reported ${incoming} (${event.eventType})`;
  switch (why) {
    case 'no_regression':
      return `${said} after the payment was already ${current}; a late or out-of-order event does not move it back.`;
    case 'money_already_taken':
      return `${said} but the payment is ${current}: money was already taken, so the order is left as it is.`;
    case 'already_closed':
      return `${said} after the session was ${current}; nothing to change.`;
    case 'refund_without_payment':
      return `${said} for a payment that was never recorded as paid (it is ${current}); not applied, check at ${name}.`;
    case 'refund_is_final':
      return `${said} after the payment was fully refunded; nothing to change.`;
    default:
      return `${said}; ignored (${why}).`;
  }
}
