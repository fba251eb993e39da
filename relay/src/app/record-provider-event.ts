import { decide, noteRef, refMarker, type Decision } from '../domain/decide';
import { captureRule } from '../domain/capture-rule';
import { lostRefundNamedBy, lostRefundsConfirmedBy } from '../domain/lost-refund';
import { formatMoney } from '../domain/money';
import { decideOwnRefundOutcome, findOwnRefund, shopRefundKey } from '../domain/own-refund-outcome';
import { refundableMinor, type PaymentSession } from '../domain/payment-session';
import type { ProviderEvent } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import { splitRunningTotal } from '../domain/refunds-in-flight';
import type { AlertStore } from '../ports/alert-store';
import type { RecordOutcome } from '../ports/event-recorder';
import type { InboxRecord, InboxStore } from '../ports/inbox-store';
import type { OutboxStore } from '../ports/outbox-store';
import type { ParkedEventStore } from '../ports/parked-event-store';
import type { PaymentLog, PaymentLogEntry } from '../ports/payment-log';
import type { SessionStore } from '../ports/session-store';
import type { ShopRefund, ShopRefundStore } from '../ports/shop-refund-store';

export interface EventStores {
  sessions: SessionStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  log: PaymentLog;
  alerts: AlertStore;
  parked: ParkedEventStore;
  refunds: ShopRefundStore;
}

/**
 * How long an event for a session the relay has not written yet is kept for it (a provider can answer the
 * create call and send its first webhook before the relay's own insert commits). Past this it stays ignored.
 */
export const PARK_WINDOW_MS = 10 * 60_000;

export type { RecordOutcome };

/**
 * Dedupe, decide, and queue the shop write for one verified event. Synchronous: the caller runs it inside one
 * transaction, so the inbox row, the session's new status, the log and the outbox command commit together.
 */
export function recordProviderEvent(
  stores: EventStores,
  event: ProviderEvent,
  rawBody: Buffer,
  verification: InboxRecord['verification'],
  livemode: boolean,
  now: number,
): RecordOutcome {
  // Read and decide first (no writes), then one insert both dedupes and records the outcome: a duplicate
  // stops there, before anything else is written. The session is read under its row lock and decided on from
  // that: a refund from the shop counted meanwhile on another connection (refund-order.ts, settle-lost-refund.ts,
  // which lock the row too) is seen, or waits for this transaction and counts on top of what it writes, instead
  // of being overwritten by a total read before it.
  const session = findSessionForUpdate(stores.sessions, event);
  const decided = session ? decideForSession(stores, event, session, livemode) : null;
  const outcome = !decided ? 'parked' : decided.decision.kind === 'apply' ? 'applied' : 'ignored';
  const isNew = stores.inbox.insertIfNew({
    provider: event.provider,
    eventId: event.eventId,
    eventType: event.eventType,
    sessionId: session?.id ?? null,
    merchantOrderId: session?.merchantOrderId ?? event.merchantOrderId ?? null,
    rawBody,
    verification,
    outcome,
    receivedAt: now,
  });
  if (!isNew) return { eventId: event.eventId, outcome: 'duplicate', sessionId: null, status: null };

  const name = providerDisplayName(event.provider);
  if (!session || !decided) {
    // Perhaps ours, a moment early: kept, and applied if the session is written within the window.
    stores.parked.park(
      {
        provider: event.provider,
        eventKey: event.eventId,
        kind: 'event',
        relaySessionId: event.relaySessionId ?? null,
        providerSessionId: event.providerSessionId ?? null,
        providerPaymentId: event.providerPaymentId ?? null,
        event,
      },
      now,
      now + PARK_WINDOW_MS,
    );
    stores.log.append({
      at: now,
      merchantOrderId: event.merchantOrderId ?? null,
      sessionId: null,
      provider: event.provider,
      kind: 'webhook_ignored',
      message: `${name} sent ${event.eventType} (${event.eventId}) for a payment session this relay does not know (yet); acknowledged and kept for ${PARK_WINDOW_MS / 60_000} minutes in case the session is still being written, then ignored.`,
      data: { eventId: event.eventId, providerSessionId: event.providerSessionId, providerPaymentId: event.providerPaymentId, parked: true },
    });
    return { eventId: event.eventId, outcome: 'parked', sessionId: null, status: null };
  }

  return recordForSession(stores, event, session, decided, verification, livemode, now, receivedMessage(verification, name, event));
}

function recordForSession(
  stores: EventStores,
  event: ProviderEvent,
  session: PaymentSession,
  decided: DecisionWithContext,
  verification: InboxRecord['verification'],
  livemode: boolean,
  now: number,
  /** What the payment log says was received. */
  message: string,
): RecordOutcome {
  const received: PaymentLogEntry = {
    at: now,
    merchantOrderId: session.merchantOrderId,
    sessionId: session.id,
    provider: event.provider,
    kind: 'webhook_received',
    message,
    data: { eventId: event.eventId, eventType: event.eventType, status: event.status, verification },
  };
  const { decision, logEntry } = applyDecision(stores, event, session, decided, now);
  stores.log.append(received, logEntry);
  if (decided.own) settleOwnRefund(stores, event, decided.own, now);
  confirmRefundsInFlight(stores, event, session, decided.refunds, now);
  const lost = decided.lostNotMade;
  if (lost) stores.refunds.settle(lost.merchantOrderId, lost.shopRefundId, { state: 'refused', providerRefundId: event.refundOutcome?.providerRefundId, message: `not made at ${providerDisplayName(event.provider)} (its final word on the refund whose answer was lost)` }, now);
  const statusNow = decision.kind === 'apply' ? decision.to : session.status;
  const capture = event.awaitingCapture && session.providerSessionId ? captureRule(statusNow) : 'none';
  if (capture !== 'none' && session.providerSessionId) {
    // Approved is not paid (PayPal): the worker captures; its own queue, so a paused shop does not hold the money up.
    stores.outbox.enqueue(`${event.provider}:${session.providerSessionId}`, { kind: 'capture_at_provider', provider: event.provider, providerSessionId: session.providerSessionId, sessionId: session.id }, now);
    if (capture === 'capture_late') {
      const name = providerDisplayName(event.provider);
      stores.log.append({
        at: now,
        merchantOrderId: session.merchantOrderId,
        sessionId: session.id,
        provider: event.provider,
        kind: 'status_changed',
        message: `The buyer approved the ${name} payment after the payment session had ${statusNow === 'expired' ? 'expired' : 'been cancelled'}: a payment after expiry is still money, so the relay captures it, and the late-payment rules decide what the order becomes.`,
        data: { eventId: event.eventId, late: true },
      });
    }
  }
  // The session just learnt its payment id (Stripe's payment_intent arrives with the completed checkout): a
  // charge or dispute event that came first, keyed only by that id, applies now.
  if (decision.kind === 'apply' && decision.providerPaymentId && decision.providerPaymentId !== session.providerPaymentId) {
    releaseParkedEvents(stores, { ...session, status: decision.to, providerPaymentId: decision.providerPaymentId }, livemode, now);
  }
  return { eventId: event.eventId, outcome: decision.kind === 'apply' ? 'applied' : 'ignored', sessionId: session.id, status: decision.kind === 'apply' ? decision.to : session.status };
}

/**
 * A session was just written (or learnt its payment id): apply what arrived for it early. Runs inside the
 * transaction that wrote it, and parking runs inside the webhook's: SQLite serializes the two, so either the
 * webhook sees the session or the insert sees the parked event. Nothing falls between.
 */
export function releaseParkedEvents(stores: EventStores, session: PaymentSession, livemode: boolean, now: number): RecordOutcome[] {
  const outcomes: RecordOutcome[] = [];
  const refs = { provider: session.provider, relaySessionId: session.id, providerSessionId: session.providerSessionId, providerPaymentId: session.providerPaymentId };
  for (const parked of stores.parked.release(refs, now)) {
    const name = providerDisplayName(parked.provider);
    if (parked.kind === 'notification') {
      const ref = parked.providerSessionId ?? parked.providerPaymentId ?? '';
      queueProviderFetch(stores, parked.provider, ref, session, now, `${name} said payment ${ref} changed ${Math.round((now - parked.parkedAt) / 1000)} s before this session was written; the relay will ask ${name} for its status.`);
      continue;
    }
    if (!parked.event) continue;
    // Read again each time: an earlier parked event may just have moved the session on.
    const current = stores.sessions.getForUpdate(session.id) ?? session;
    const decided = decideForSession(stores, parked.event, current, livemode);
    const outcome = recordForSession(stores, parked.event, current, decided, 'signature', livemode, now, `Webhook from ${name}, received ${Math.round((now - parked.parkedAt) / 1000)} s before this session was written: ${parked.event.eventType} (${parked.event.status}).`);
    stores.inbox.settleParked(parked.provider, parked.event.eventId, outcome.outcome === 'applied' ? 'applied' : 'ignored', current.id, current.merchantOrderId);
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * One fetch per payment however many pings (Mollie's classic webhook is unsigned: anyone can send them). A ping
 * while the fetch waits adds nothing; one while it runs makes it run once more afterwards.
 */
export function queueProviderFetch(
  stores: EventStores,
  provider: ProviderEvent['provider'],
  ref: string,
  session: PaymentSession | null,
  now: number,
  message: string,
  record?: { rawBody: Buffer },
): 'queued' | 'already_queued' | 'rerun_requested' {
  const merchantOrderId = session?.merchantOrderId ?? null;
  const queued = stores.outbox.enqueueCoalesced(
    `fetch_status:${provider}:${ref}`,
    merchantOrderId ?? `${provider}:${ref}`,
    { kind: 'fetch_status', provider, providerPaymentRef: ref, merchantOrderId },
    now,
  );
  if (queued.kind !== 'queued') return queued.kind;
  if (record) {
    stores.inbox.insertIfNew({
      provider,
      eventId: `notification:${ref}:${now}:${queued.id}`,
      eventType: 'notification',
      sessionId: session?.id ?? null,
      merchantOrderId,
      rawBody: record.rawBody,
      verification: 'unsigned_notification',
      outcome: 'notification',
      receivedAt: now,
    });
  }
  stores.log.append({ at: now, merchantOrderId, sessionId: session?.id ?? null, provider, kind: 'webhook_received', message, data: { ref } });
  return 'queued';
}

interface DecisionWithContext {
  decision: Decision;
  paidSibling: { id: string; provider: string; providerPaymentId: string | null } | null;
  /** The order's refunds the shop asked for, read once, and only for a refund event in this relay's mode. */
  refunds: readonly ShopRefund[];
  /** The refund the shop asked for that this event is the provider's final word on. */
  own: ShopRefund | null;
  /** The refund whose answer was lost that this event says was not made. */
  lostNotMade: ShopRefund | null;
}

/** decide() against the session's current state and the order's other sessions (reads only). */
function decideForSession(stores: EventStores, event: ProviderEvent, session: PaymentSession, livemode: boolean): DecisionWithContext {
  // Another mode's word on a refund is no word on ours (decide() ignores it as a mode mismatch).
  const aboutRefunds = event.livemode === livemode && (event.refundOutcome !== undefined || event.status === 'refunded');
  const refunds = aboutRefunds ? stores.refunds.listByOrder(session.merchantOrderId) : [];
  const none = { refunds, own: null, lostNotMade: null };
  // The final word on a refund the shop asked for is judged against that refund, not as a new one.
  const own = findOwnRefund(event, session, refunds);
  if (own && event.refundOutcome) return { decision: decideOwnRefundOutcome({ ...event, refundOutcome: event.refundOutcome }, session, own), paidSibling: null, ...none, own };
  // Not made, for a refund whose answer was lost: WooCommerce removed its record already, nothing to write (the
  // row is settled as not made by recordForSession, so the next click refunds anew).
  const lost = event.refundOutcome && !event.refundOutcome.made ? failedLostRefund(event, session, refunds) : null;
  if (lost) {
    const name = providerDisplayName(event.provider);
    return { decision: { kind: 'ignore', reason: 'duplicate_status', message: `${name} says the refund asked for in the shop whose answer was lost (WooCommerce refund ${lost.shopRefundId}) was not made${event.refundOutcome?.reason ? ` (${event.refundOutcome.reason})` : ''}; WooCommerce had removed its record, so nothing is written, and it no longer holds up refunds of this order.` }, paidSibling: null, ...none, lostNotMade: lost };
  }
  // Only a payment can be a double payment: skip the lookup for every other event.
  const paidSibling = event.status === 'paid' ? stores.sessions.findPaidSibling(session.merchantOrderId, session.id) : null;
  const decision = decide(event, session, {
    livemode,
    refundsInFlight: refundsInFlight(session, refunds),
    otherSessionPaid: paidSibling ? { sessionId: paidSibling.id, provider: providerDisplayName(paidSibling.provider), providerPaymentId: paidSibling.providerPaymentId } : null,
  });
  return { decision, paidSibling, ...none };
}

/** If the decision changes anything, record it and queue the shop write. Returns the log entry saying what it did. */
function applyDecision(
  stores: EventStores,
  event: ProviderEvent,
  session: PaymentSession,
  decided: DecisionWithContext,
  now: number,
): { decision: Decision; logEntry: PaymentLogEntry } {
  const { decision, paidSibling } = decided;
  const base = { at: now, merchantOrderId: session.merchantOrderId, sessionId: session.id, provider: event.provider };
  if (decision.kind === 'ignore') {
    // Nothing is written for such an event, so money may be real and unseen: a person must look, and the expiry
    // sweep holds the session instead of cancelling it (app/expire-sessions.ts). One open alert per session: the
    // provider's answer to a status check repeats the webhook's story.
    const latest = decision.reason === 'mode_mismatch' ? stores.alerts.latestFor(session.id, 'mode_mismatch') : null;
    if (decision.reason === 'mode_mismatch' && (!latest || latest.resolved)) {
      const name = providerDisplayName(event.provider);
      stores.alerts.raise({
        at: now,
        merchantOrderId: session.merchantOrderId,
        sessionId: session.id,
        code: 'mode_mismatch',
        message: `Order ${session.merchantOrderId}: ${decision.message.replace(/; ignored\.$/, '')} (${event.eventType}, ${event.eventId}), so the relay ignored it. If the customer paid, the money is real: check the payment at ${name}, then make the relay's provider keys and PAYRELAY_MODE agree. This session will not be expired.`,
      });
    }
    return { decision, logEntry: { ...base, kind: 'webhook_ignored', message: decision.message, data: { eventId: event.eventId, reason: decision.reason } } };
  }

  stores.sessions.update(
    session.id,
    {
      status: decision.to,
      providerPaymentId: decision.providerPaymentId ?? undefined,
      refundedMinor: decision.refundedMinor,
      chargedBackMinor: decision.chargedBackMinor,
      disputedFrom: decision.disputedFrom,
      lastEventAt: decision.lastEventAt,
    },
    now,
  );
  const lostNote = confirmLostRefunds(stores, event, session, decision, decided.refunds, now);
  const change = decision.from === decision.to
    ? `Payment stays ${decision.to} (${decision.why.replace(/_/g, ' ')}: ${formatMoney(decision.refundedMinor, session.currency)} refunded in total).`
    : `Payment status ${decision.from} → ${decision.to} (${decision.why.replace(/_/g, ' ')}).`;
  stores.outbox.enqueue(
    session.merchantOrderId,
    {
      kind: 'order_write',
      ref: noteRef(event),
      sessionId: session.id,
      intent: lostNote ? { ...decision.write, note: decision.write.note.replace(refMarker(noteRef(event)), `${lostNote} ${refMarker(noteRef(event))}`) } : decision.write,
      expected: { amountMinor: session.amountMinor, currency: session.currency },
    },
    now,
  );
  if (event.status === 'paid' && decision.to === 'review' && paidSibling) {
    stores.alerts.raise({
      at: now,
      merchantOrderId: session.merchantOrderId,
      sessionId: session.id,
      code: 'double_payment',
      message: `Order ${session.merchantOrderId} was paid twice (sessions ${paidSibling.id} and ${session.id}); refund one of the payments.`,
    });
  }
  return { decision, logEntry: { ...base, kind: 'status_changed', message: change, data: { eventId: event.eventId, from: decision.from, to: decision.to } } };
}

/**
 * A refund webhook may be the refund the shop asked for whose answer was lost (refund-order.ts): WooCommerce
 * deleted its record, so this webhook's refund record takes its place, and the lost refund is settled (the next
 * refund request need not ask the provider about it). Returns a sentence for the order note, or null.
 */
function confirmLostRefunds(stores: EventStores, event: ProviderEvent, session: PaymentSession, decision: Extract<Decision, { kind: 'apply' }>, refunds: readonly ShopRefund[], now: number): string | null {
  const increment = decision.refundedMinor - session.refundedMinor;
  if (increment <= 0) return null;
  const lost = refunds.filter((r) => r.state === 'unconfirmed' && r.sessionId === session.id).map((r) => ({ ...r, reference: shopRefundKey(r.merchantOrderId, r.shopRefundId) }));
  const confirmed = lostRefundsConfirmedBy(increment, lost, event.refundReferences);
  if (confirmed.length === 0) return null;
  const name = providerDisplayName(session.provider);
  const ids = confirmed.map((r) => r.shopRefundId).join(', ');
  for (const refund of confirmed) {
    stores.refunds.settle(refund.merchantOrderId, refund.shopRefundId, { state: 'succeeded', message: `made at ${name}: confirmed by its refund webhook, which put the refund record in the shop` }, now);
  }
  stores.log.append({
    at: now,
    merchantOrderId: session.merchantOrderId,
    sessionId: session.id,
    provider: session.provider,
    kind: 'refund_requested',
    message: `${name}'s refund webhook confirms the refund asked for in the shop whose answer was lost (WooCommerce refund ${ids}): it was made, and this refund record replaces the one WooCommerce removed.`,
    data: { shopRefundIds: confirmed.map((r) => r.shopRefundId) },
  });
  return `This is the refund asked for in the shop (WooCommerce refund ${ids}) whose answer from ${name} was lost; WooCommerce had removed its record, so this one takes its place.`;
}

/**
 * A refund webhook whose running total holds refunds the shop asked for that still wait for the provider's answer
 * (splitRunningTotal: named by the event, or needed to make up the total): those refunds are made (their amounts are
 * counted before the provider is asked, so the webhook wrote nothing for them). Settled as made now, so a lost
 * answer afterwards does not undo them: the shop keeps its record, and no webhook is left to bring it back. One
 * the total cannot hold (a dashboard refund's webhook with a total below it) stays in flight.
 */
function confirmRefundsInFlight(stores: EventStores, event: ProviderEvent, session: PaymentSession, refunds: readonly ShopRefund[], now: number): void {
  if (event.status !== 'refunded' || event.refundOutcome || event.refundedMinor === undefined) return;
  const inFlight = refundsInFlight(session, refunds);
  if (inFlight.length === 0) return;
  const refundable = refundableMinor(session);
  const { inTotal } = splitRunningTotal(Math.min(event.refundedMinor, refundable), session.refundedMinor, inFlight, event.refundReferences, event.refundReferencesComplete);
  const name = providerDisplayName(session.provider);
  for (const refund of inTotal) {
    stores.refunds.settle(refund.merchantOrderId, refund.shopRefundId, { state: 'succeeded', message: `made at ${name}: its refund webhook (${formatMoney(event.refundedMinor, session.currency)} refunded in total) arrived before its answer` }, now);
  }
}

/** The session's refunds asked for in the shop whose provider answer has not come yet, with our key for each. */
function refundsInFlight(session: PaymentSession, refunds: readonly ShopRefund[]): Array<ShopRefund & { reference: string }> {
  return refunds.filter((r) => r.state === 'requested' && r.sessionId === session.id).map((r) => ({ ...r, reference: shopRefundKey(r.merchantOrderId, r.shopRefundId) }));
}

/** The refund whose answer was lost that this "not made" is about, by our reference. */
function failedLostRefund(event: ProviderEvent, session: PaymentSession, refunds: readonly ShopRefund[]): ShopRefund | null {
  const rows = refunds.map((r) => ({ ...r, reference: shopRefundKey(r.merchantOrderId, r.shopRefundId) }));
  return lostRefundNamedBy(event.refundOutcome, session.id, rows);
}

/** A refund the shop asked for, whose final word this is: made (`succeeded`) or not (`refused`, with why). */
function settleOwnRefund(stores: EventStores, event: ProviderEvent, own: ShopRefund, now: number): void {
  if (!event.refundOutcome) return;
  const name = providerDisplayName(event.provider);
  if (event.refundOutcome.made) {
    if (own.state !== 'succeeded') stores.refunds.settle(own.merchantOrderId, own.shopRefundId, { state: 'succeeded', providerRefundId: event.refundOutcome.providerRefundId, message: `made at ${name}: confirmed by its refund webhook` }, now);
    return;
  }
  if (own.state === 'refused') return;
  const reason = event.refundOutcome.reason ? `: ${event.refundOutcome.reason}` : '';
  stores.refunds.settle(own.merchantOrderId, own.shopRefundId, { state: 'refused', providerRefundId: event.refundOutcome.providerRefundId, message: `${name} could not make the refund${reason}; the money was not returned` }, now);
}

/**
 * The event's session, read under its row lock for the rest of the transaction (FOR UPDATE on PostgreSQL), in
 * the read that finds it: our own id echoed back wins (most events carry it); then the provider's session id;
 * then its payment id (charge and review events).
 */
function findSessionForUpdate(sessions: SessionStore, event: ProviderEvent): PaymentSession | null {
  if (event.relaySessionId) {
    const own = sessions.getForUpdate(event.relaySessionId);
    if (own && own.provider === event.provider) return own;
  }
  const locked = { forUpdate: true };
  if (event.providerSessionId) {
    const bySession = sessions.findByProviderSessionId(event.provider, event.providerSessionId, locked);
    if (bySession) return bySession;
  }
  if (event.providerPaymentId) return sessions.findByProviderPaymentId(event.provider, event.providerPaymentId, locked);
  return null;
}

/** Who said it, in support's words: the relay's own expiry job is not a message from the provider. */
function receivedMessage(verification: InboxRecord['verification'], name: string, event: ProviderEvent): string {
  if (verification === 'expiry') return `Payrelay expiry job: the ${name} payment page expired without payment (${event.reason ?? 'no payment in time'}).`;
  return `${verification === 'fetched' ? 'Checked at' : 'Webhook from'} ${name}: ${event.eventType} (${event.status}).`;
}
