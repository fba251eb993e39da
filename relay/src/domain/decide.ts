import { formatMoney } from './money';
import { leftToRefundMinor, refundableMinor, type PaymentSession } from './payment-session';
import { type PaymentStatus } from './payment-status';
import type { EventStatus, ProviderEvent } from './provider-event';
import { providerDisplayName } from './provider-names';
import { refundsTotal, refundsWithoutRoom, splitRunningTotal, type InFlightRefund } from './refunds-in-flight';
import { sessionState, transitionRule, type TransitionEvent, type TransitionRule } from './transitions';

/** What the shop should end up reflecting; the worker turns it into WooCommerce writes against the live order. */
export interface OrderWriteIntent {
  target: PaymentStatus;
  /** Provider payment id, stored as WooCommerce's transaction_id. */
  transactionId: string | null;
  /** A refund record to add (minor units): a partial refund, or money a chargeback took (its reason says so). */
  refundMinor?: number;
  /** A dispute ended and the order goes back from on-hold to what it was (a partial chargeback keeps it paid). */
  releasesHold?: boolean;
  /**
   * Money a chargeback took came back after it refunded the order: a refunded order goes on hold (not processing:
   * it may have been restocked) for the merchant to ship or refund.
   */
  moneyReturned?: boolean;
  /** For a refund: the total refunded at the provider after it. A shop whose refund records add up to this has it already. */
  refundedTotalMinor?: number;
  /**
   * The note only, no status or refund record: a refund the shop has no room for yet beside the record of a refund
   * from the shop still in flight (decideRefund), recorded once that one is answered.
   */
  noteOnly?: boolean;
  note: string;
}

export type IgnoreReason =
  | 'unsupported_event'
  | 'mode_mismatch'
  | 'duplicate_status'
  | 'stale_event'
  | Extract<TransitionRule, { verdict: 'refuse' }>['why'];

export type Decision =
  | {
      kind: 'apply';
      from: PaymentStatus;
      to: PaymentStatus;
      why: string;
      /** Refunded total after this event (unchanged unless a refund). */
      refundedMinor: number;
      /** Charged back total after this event (unchanged unless a lost dispute or chargeback). */
      chargedBackMinor: number;
      /** The status an open dispute restores when won; null = no open dispute after this event. */
      disputedFrom: PaymentStatus | null;
      /** The provider's time of the last applied webhook event, after this one (polls leave it as it was). */
      lastEventAt: number | null;
      providerPaymentId: string | null;
      write: OrderWriteIntent;
    }
  | { kind: 'ignore'; reason: IgnoreReason; message: string };

/** Facts about the order beyond this session, gathered by the caller (the core does no I/O). */
export interface OrderContext {
  /** Another session of the same order already took money (its provider's display name, its payment id). */
  otherSessionPaid: { sessionId: string; provider: string; providerPaymentId?: string | null } | null;
  /** The relay runs live (true) or test (false); events from the other mode are ignored. */
  livemode: boolean;
  /**
   * For a refund event: the session's refunds asked for in the shop still waiting for the provider's answer. They
   * are counted in `refundedMinor` already, but perhaps not in the provider's running total yet. Absent = none.
   */
  refundsInFlight?: readonly InFlightRefund[];
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
  if (event.status === 'unsupported' || (event.status === 'dispute' && !event.dispute)) {
    return { kind: 'ignore', reason: 'unsupported_event', message: `${name} event ${event.eventType} does not change a payment; stored and ignored.` };
  }
  const stale = staleEventMessage(event, session);
  if (stale) return { kind: 'ignore', reason: 'stale_event', message: stale };

  const asked = transitionEvent(event, event.status);
  let incoming = asked;
  let reviewReason: string | null = null;
  if (incoming === 'paid' || incoming === 'review_approved') {
    const mismatch = amountMismatch(event, session);
    if (mismatch) {
      incoming = 'review';
      reviewReason = mismatch;
    } else if (context.otherSessionPaid) {
      incoming = 'review';
      reviewReason = doublePaymentReason(event, session, context.otherSessionPaid);
    }
  }

  const paymentId = event.providerPaymentId ?? session.providerPaymentId;
  if (incoming === 'refunded') return decideRefund(event, session, paymentId, context.refundsInFlight ?? []);
  if (isChargebackReversal(incoming, event, session)) incoming = 'chargeback_reversed';

  const rule = transitionRule(sessionState(session), incoming);
  if (rule.verdict === 'same' && asked === 'review_approved' && reviewReason && session.status === 'review') {
    // The provider released its own hold, but the payment stays held for another reason (a second payment of the
    // order, a wrong amount): said in a note, never dropped as a repeat.
    return applied(event, session, {
      to: 'review',
      why: 'review_opened',
      providerPaymentId: paymentId,
      write: { target: 'review', transactionId: paymentId, note: noteFor(event, session, 'review', 'review_opened', `${name} cleared its review, but ${reviewReason}`, paymentId) },
    });
  }
  if (rule.verdict === 'same') {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reported ${incoming.replace(/_/g, ' ')} again (${event.eventType}); the payment is already ${session.status}.` };
  }
  if (rule.verdict === 'refuse') {
    return { kind: 'ignore', reason: rule.why, message: refusalMessage(rule.why, session, incoming, event) };
  }
  if (incoming === 'dispute_opened' || incoming === 'dispute_won' || incoming === 'dispute_lost') {
    return decideDispute(event, session, incoming, paymentId);
  }
  if (incoming === 'chargeback_reversed') return decideChargebackReversed(event, session, paymentId);
  const to: PaymentStatus = incoming === 'review_approved' ? 'paid' : incoming === 'review_rejected' ? 'failed' : incoming;
  return applied(event, session, {
    to,
    why: rule.why,
    providerPaymentId: paymentId,
    write: { target: to, transactionId: paymentId, note: noteFor(event, session, to, rule.why, reviewReason, paymentId) },
  });
}

/** Both payments named, so the merchant can refund one at the right provider. */
function doublePaymentReason(event: ProviderEvent, session: PaymentSession, other: NonNullable<OrderContext['otherSessionPaid']>): string {
  const name = providerDisplayName(event.provider);
  const thisPayment = event.providerPaymentId ?? session.providerPaymentId;
  const earlier = `${other.provider} payment ${other.providerPaymentId ?? 'with no id yet'} (session ${other.sessionId})`;
  const now = `${name} payment ${thisPayment ?? 'with no id yet'} (session ${session.id})`;
  return `the customer paid twice: this order was already paid by ${earlier}, and now by ${now}; refund one of the two payments`;
}

/** A verdict counts only from the provider's own signed event: a poll reads a state, it cannot rule on a hold. */
function transitionEvent(event: ProviderEvent, status: Exclude<EventStatus, 'unsupported'>): TransitionEvent {
  const verdict = event.source === 'poll' ? undefined : event.reviewVerdict;
  switch (status) {
    case 'dispute':
      return `dispute_${event.dispute!.phase}`;
    case 'paid':
      return verdict === 'approved' ? 'review_approved' : 'paid';
    case 'failed':
      return verdict === 'rejected' ? 'review_rejected' : 'failed';
    default:
      return status;
  }
}

/**
 * Out of order by the provider's clock, not by arrival: a non-money event older than the last one applied is a
 * late delivery (a pending sent before the decline), not a new attempt. Money still wins: a payment, a refund or
 * a dispute is never dropped as stale (their own rules and running totals keep them right). Polls are never stale.
 * Equal times (Stripe counts in seconds) are not stale: the transition table decides.
 */
function staleEventMessage(event: ProviderEvent, session: PaymentSession): string | null {
  const last = session.lastEventAt ?? null;
  if (event.source === 'poll' || last === null || event.occurredAt >= last) return null;
  if (event.status === 'paid' || event.status === 'refunded' || event.status === 'dispute') return null;
  const name = providerDisplayName(event.provider);
  return `${name} reported ${event.status} (${event.eventType}) from ${formatTime(event.occurredAt)}, older than the last event applied (${formatTime(last)}): a late delivery, not a new attempt, so nothing changed.`;
}

/** Every applied decision carries the session's bookkeeping forward; `fields` says what this event changes. */
function applied(
  event: ProviderEvent,
  session: PaymentSession,
  fields: Pick<Extract<Decision, { kind: 'apply' }>, 'to' | 'why' | 'providerPaymentId' | 'write'> &
    Partial<Pick<Extract<Decision, { kind: 'apply' }>, 'refundedMinor' | 'chargedBackMinor' | 'disputedFrom'>>,
): Decision {
  const last = session.lastEventAt ?? null;
  return {
    kind: 'apply',
    from: session.status,
    refundedMinor: session.refundedMinor,
    chargedBackMinor: session.chargedBackMinor ?? 0,
    disputedFrom: session.disputedFrom ?? null,
    lastEventAt: event.source === 'poll' ? last : Math.max(last ?? event.occurredAt, event.occurredAt),
    ...fields,
  };
}

/**
 * A dispute or chargeback. Opened: the order goes on hold with what support needs to answer it (amount, reason,
 * deadline, where). Won: back to the status it had before the hold. Lost: the money is gone, recorded in the shop
 * as a refund marked chargeback; the order is refunded when nothing is left paid.
 */
function decideDispute(event: ProviderEvent, session: PaymentSession, incoming: 'dispute_opened' | 'dispute_won' | 'dispute_lost', paymentId: string | null): Decision {
  const dispute = event.dispute!;
  const name = providerDisplayName(event.provider);
  const amount = formatMoney(dispute.amountMinor, dispute.currency);
  const ids = `dispute ${dispute.disputeId}${paymentId ? `, payment ${paymentId}` : ''}`;
  const because = dispute.reason ? ` (reason: ${dispute.reason})` : '';
  switch (incoming) {
    case 'dispute_opened': {
      // The status a win restores: a payment the relay never saw paid was paid all the same (it is disputed).
      const from: PaymentStatus = session.status === 'review' ? 'review' : 'paid';
      const deadline = dispute.respondBy !== undefined ? `Respond by ${formatTime(dispute.respondBy)}` : 'Respond';
      const note = `Dispute opened at ${name}: the customer's bank disputes ${amount}${because}, ${ids}. ${deadline} with evidence in ${dispute.respondAt}, or accept it there. Do not ship until it is resolved.`;
      return applied(event, session, { to: 'review', why: 'dispute_opened', providerPaymentId: paymentId, disputedFrom: from, write: { target: 'review', transactionId: paymentId, note: withRef(note, event) } });
    }
    case 'dispute_won': {
      const to = session.disputedFrom ?? 'paid';
      const after = to === 'review' ? 'The review that held the order before the dispute still holds it.' : 'The hold is released.';
      const note = `Dispute won at ${name}: the bank decided for the shop and the ${amount} stay paid (${ids}). ${after}`;
      return applied(event, session, { to, why: 'dispute_won', providerPaymentId: paymentId, disputedFrom: null, write: { target: to, transactionId: paymentId, releasesHold: to === 'paid', note: withRef(note, event) } });
    }
    case 'dispute_lost': {
      const chargedBack = session.chargedBackMinor ?? 0;
      const remaining = leftToRefundMinor(session);
      const asked = dispute.totalChargedBackMinor !== undefined ? dispute.totalChargedBackMinor - chargedBack : dispute.amountMinor;
      const loss = Math.min(asked, remaining);
      if (loss <= 0) {
        return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reported a chargeback already recorded (${formatMoney(chargedBack, session.currency)} charged back in total, ${ids}).` };
      }
      const wasDisputed = sessionState(session) === 'disputed';
      const full = loss >= remaining;
      const restored = session.disputedFrom ?? session.status;
      const to = full ? 'refunded' : restored;
      const lost = formatMoney(loss, session.currency);
      const how = wasDisputed ? `the dispute was lost${because}; the customer's bank took back ${lost}` : `the customer's bank reversed ${lost} (chargeback${dispute.reason ? `: ${dispute.reason}` : ''})`;
      const outcome = full
        ? 'The money is gone: Payrelay recorded it as a refund marked chargeback and the order is refunded. Do not ship.'
        : `The money is gone: Payrelay recorded it as a partial refund marked chargeback; ${formatMoney(remaining - loss, session.currency)} of ${formatMoney(session.amountMinor, session.currency)} stay paid.`;
      const contest = wasDisputed ? '' : ` It can still be contested in ${dispute.respondAt}.`;
      const note = `Chargeback at ${name}: ${how} (${ids}). ${outcome}${contest}`;
      return applied(event, session, {
        to,
        why: 'dispute_lost',
        providerPaymentId: paymentId,
        chargedBackMinor: chargedBack + loss,
        disputedFrom: null,
        write: { target: to, transactionId: paymentId, refundMinor: loss, releasesHold: wasDisputed && !full && restored === 'paid', note: withRef(note, event) },
      });
    }
  }
}

/**
 * A won dispute or a reversal when a chargeback took money and no dispute is open (Stripe funds reinstated, Adyen
 * CHARGEBACK_REVERSED after a loss), or a running total charged back that went down (Mollie): money came back.
 */
function isChargebackReversal(incoming: TransitionEvent, event: ProviderEvent, session: PaymentSession): boolean {
  const chargedBack = session.chargedBackMinor ?? 0;
  if (chargedBack <= 0) return false;
  if (incoming === 'dispute_won') return sessionState(session) !== 'disputed';
  const total = event.dispute?.totalChargedBackMinor;
  return incoming === 'dispute_lost' && total !== undefined && total < chargedBack;
}

/**
 * Money a chargeback took came back. After a full loss the order was refunded, and may have been restocked: it goes
 * on hold for the merchant to decide (ship, or refund the customer), never straight to processing. After a partial
 * chargeback the payment was still paid: it stays so, with a note. The chargeback's refund record stays in the shop.
 */
function decideChargebackReversed(event: ProviderEvent, session: PaymentSession, paymentId: string | null): Decision {
  const dispute = event.dispute!;
  const name = providerDisplayName(event.provider);
  const chargedBack = session.chargedBackMinor ?? 0;
  const back = Math.min(chargedBack, dispute.totalChargedBackMinor !== undefined ? chargedBack - dispute.totalChargedBackMinor : dispute.amountMinor);
  const ids = `${dispute.disputeId === paymentId ? '' : `dispute ${dispute.disputeId}, `}payment ${paymentId ?? 'unknown'}`;
  const amount = formatMoney(back, session.currency);
  const wasRefunded = session.status === 'refunded';
  const to: PaymentStatus = wasRefunded ? 'review' : session.status;
  const what = wasRefunded
    ? `The money is back with the shop, but the chargeback had refunded this order and it may have been restocked: Payrelay put it on hold. Decide: ship it (set it to processing), or refund the customer. The refund record marked chargeback stays on the order.`
    : `${formatMoney(session.amountMinor - session.refundedMinor - (chargedBack - back), session.currency)} of ${formatMoney(session.amountMinor, session.currency)} are paid again; the refund record marked chargeback stays on the order.`;
  const note = `Chargeback reversed at ${name}: the customer's bank gave back ${amount} (${ids}). ${what}`;
  return applied(event, session, {
    to,
    why: 'chargeback_reversed',
    providerPaymentId: paymentId,
    chargedBackMinor: chargedBack - back,
    disputedFrom: null,
    write: { target: to, transactionId: paymentId, ...(wasRefunded ? { moneyReturned: true } : {}), note: withRef(note, event) },
  });
}

/** "2024-08-14 23:59 UTC": a deadline support reads, in one zone whatever the server's. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function amountMismatch(event: ProviderEvent, session: PaymentSession): string | null {
  const currencyDiffers = event.currency !== undefined && event.currency.toUpperCase() !== session.currency.toUpperCase();
  const amountDiffers = event.amountMinor !== undefined && event.amountMinor !== session.amountMinor;
  if (!currencyDiffers && !amountDiffers) return null;
  const got = formatMoney(event.amountMinor ?? session.amountMinor, event.currency ?? session.currency);
  return `the amount paid (${got}) does not match the order (${formatMoney(session.amountMinor, session.currency)}); check before shipping`;
}

function decideRefund(event: ProviderEvent, session: PaymentSession, paymentId: string | null, inFlight: readonly InFlightRefund[]): Decision {
  const name = providerDisplayName(event.provider);
  // What a chargeback already took cannot be refunded as well.
  const refundable = refundableMinor(session);
  const runningTotal = !(event.refundedMinor === undefined && event.refundIncrementMinor !== undefined);
  // Refunded only by the count of a full refund asked for in the shop that the provider has not answered yet: the
  // provider may still refuse it, so a running total is read against it as on a paid session. Taken as final, a
  // refund made in the provider's dashboard meanwhile was ignored, and lost when the shop's refund was refused.
  const refundedInFlight = runningTotal && session.status === 'refunded' && session.refundedMinor - refundsTotal(inFlight) < refundable;
  const rule = transitionRule(sessionState(session), 'refunded');
  if (rule.verdict !== 'apply' && !refundedInFlight) {
    const why = rule.verdict === 'same' ? 'refund_is_final' : rule.why;
    return { kind: 'ignore', reason: why, message: refusalMessage(why, session, 'refunded', event) };
  }
  const left = refundable - session.refundedMinor;
  let thisRefund: number;
  let notInTotalMinor = 0;
  // Refunds in flight the provider's total leaves no room for: it refuses them, and their count is undone then.
  let withoutRoomMinor = 0;
  // The total the provider says (or the one its increment makes), for the log.
  let reportedTotal: number;
  if (!runningTotal) {
    thisRefund = Math.min(event.refundIncrementMinor!, left);
    reportedTotal = Math.min(session.refundedMinor + event.refundIncrementMinor!, refundable);
  } else {
    // A running total (none said: all of it). The shop's refunds still in flight may not be in it yet: what they
    // cannot explain is new (splitRunningTotal).
    const total = Math.min(event.refundedMinor ?? refundable, refundable);
    reportedTotal = total;
    const split = splitRunningTotal(total, session.refundedMinor, inFlight, event.refundReferences, event.refundReferencesComplete);
    const notInTotal = inFlight.filter((r) => !split.inTotal.includes(r));
    notInTotalMinor = refundsTotal(notInTotal);
    withoutRoomMinor = refundsTotal(refundsWithoutRoom(total, refundable, notInTotal));
    // A refund in flight that cannot be made leaves its room to what is new: the session counts both until its
    // answer undoes its count (more than was paid, for that while).
    thisRefund = Math.min(split.newMinor, left + withoutRoomMinor);
  }
  const totalRefunded = session.refundedMinor + Math.max(0, thisRefund);
  const beingMadeMinor = notInTotalMinor - withoutRoomMinor;
  const stillAsked = beingMadeMinor > 0 ? `, with ${formatMoney(beingMadeMinor, session.currency)} asked for in the shop still being made` : '';
  if (thisRefund <= 0) {
    return { kind: 'ignore', reason: 'duplicate_status', message: `${name} reported a refund already recorded (${formatMoney(reportedTotal, session.currency)} refunded in total${stillAsked}).` };
  }
  const full = totalRefunded - withoutRoomMinor >= refundable;
  const amount = formatMoney(thisRefund, session.currency);
  // The shop holds a refund record for each refund in flight (WooCommerce makes it before it asks us), and refuses
  // records beyond the order total: what does not fit beside them now is recorded when the one that cannot be made
  // is answered and its record goes (app/refund-order.ts).
  const recordNow = Math.min(thisRefund, Math.max(0, left));
  const waits = thisRefund - recordNow;
  const waiting = waits > 0
    ? ` ${waits === thisRefund ? 'Its refund record is' : `${formatMoney(recordNow, session.currency)} of it is on record now, the other ${formatMoney(waits, session.currency)}`} added once ${name} has answered the refund of ${formatMoney(withoutRoomMinor, session.currency)} asked for in the shop, which ${name} has no room left for (${formatMoney(refundable - reportedTotal, session.currency)} left): the shop holds that refund's record until then.`
    : '';
  const note = full
    ? `Refunded at ${name}: ${amount}${session.refundedMinor > 0 ? ` (the payment is now fully refunded)` : ''}, payment ${paymentId ?? 'unknown'}.`
    : `Partial refund at ${name}: ${amount} of ${formatMoney(session.amountMinor, session.currency)}, payment ${paymentId ?? 'unknown'}. ${formatMoney(totalRefunded - withoutRoomMinor, session.currency)} refunded so far${stillAsked}.${waiting}`;
  // A partial refund leaves the payment paid (money is still taken); only the full refund changes the status. A
  // session refunded only by a count in flight stays so: the answer to that refund decides (refund-order.ts).
  const to = full ? 'refunded' : session.status;
  const write: OrderWriteIntent = waits > 0
    ? {
        // Never a status now: the shop's order is as the answer to the refund in flight will leave it.
        target: refundedInFlight ? 'paid' : session.status,
        transactionId: paymentId,
        ...(recordNow > 0 ? { refundMinor: recordNow } : { noteOnly: true }),
        refundedTotalMinor: session.refundedMinor + recordNow,
        note: withRef(note, event),
      }
    : { target: full ? 'refunded' : session.status, transactionId: paymentId, refundMinor: full ? undefined : thisRefund, refundedTotalMinor: totalRefunded, note: withRef(note, event) };
  return applied(event, session, {
    to,
    why: full ? 'refund' : 'partial_refund',
    refundedMinor: totalRefunded,
    // Fully refunded, nothing is left to dispute.
    disputedFrom: full ? null : session.disputedFrom ?? null,
    providerPaymentId: paymentId,
    write,
  });
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
        text = `Payment received at ${name} after the session was ${session.status}: ${amount}${ref}. A payment after expiry is still money, so Payrelay records it as paid; check stock before shipping.`;
      } else if (why === 'review_cleared') {
        text = `Review cleared at ${name}: the payment of ${amount} is confirmed${ref}.`;
      } else {
        text = `Payment received at ${name}: ${amount}${ref}.`;
      }
      break;
    case 'pending':
      // The provider's words when it has them: "funds seen on the blockchain, not final" is not "waiting for the customer".
      text = event.reason
        ? `Payment started at ${name}: ${event.reason} (${event.eventType})${ref}. Do not ship yet.`
        : `Payment started at ${name} and is waiting for the bank or the customer (${event.eventType})${ref}. Do not ship yet.`;
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

function refusalMessage(why: IgnoreReason, session: PaymentSession, incoming: TransitionEvent, event: ProviderEvent): string {
  const name = providerDisplayName(event.provider);
  const current = session.status;
  const said = `${name} ${event.source === 'poll' ? 'was asked and showed' : 'reported'} ${incoming.replace(/_/g, ' ')} (${event.eventType})`;
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
    case 'hold_needs_verdict':
      return `${said} but the payment is held for review: only ${name}'s own decision on the review (or a person in the shop) releases it, so the order stays on hold.`;
    case 'dispute_open':
      return `${said} but the payment is disputed: only the dispute's outcome at ${name} (won or lost) releases it, so the order stays on hold.`;
    case 'no_chargeback':
      return `${said} but no chargeback was recorded for this payment (it is ${current}); nothing to change.`;
    case 'no_open_dispute':
      return `${said} but Payrelay has no open dispute for this payment (it is ${current}); nothing to change.`;
    default:
      return `${said}; ignored (${why}).`;
  }
}
