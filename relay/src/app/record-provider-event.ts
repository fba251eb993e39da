import { decide, noteRef, type Decision } from '../domain/decide';
import { formatMoney } from '../domain/money';
import type { PaymentSession } from '../domain/payment-session';
import type { ProviderEvent } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { AlertStore } from '../ports/alert-store';
import type { RecordOutcome } from '../ports/event-recorder';
import type { InboxRecord, InboxStore } from '../ports/inbox-store';
import type { OutboxStore } from '../ports/outbox-store';
import type { PaymentLog, PaymentLogEntry } from '../ports/payment-log';
import type { SessionStore } from '../ports/session-store';

export interface EventStores {
  sessions: SessionStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  log: PaymentLog;
  alerts: AlertStore;
}

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
  // stops there, before anything else is written.
  const session = findSession(stores.sessions, event);
  const decided = session ? decideForSession(stores, event, session, livemode) : null;
  const outcome = !decided ? 'unknown_session' : decided.decision.kind === 'apply' ? 'applied' : 'ignored';
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
    stores.log.append({
      at: now,
      merchantOrderId: event.merchantOrderId ?? null,
      sessionId: null,
      provider: event.provider,
      kind: 'webhook_ignored',
      message: `${name} sent ${event.eventType} (${event.eventId}) for a payment session this relay did not create; acknowledged and not written to any shop.`,
      data: { eventId: event.eventId, providerSessionId: event.providerSessionId, providerPaymentId: event.providerPaymentId },
    });
    return { eventId: event.eventId, outcome: 'unknown_session', sessionId: null, status: null };
  }

  const received: PaymentLogEntry = {
    at: now,
    merchantOrderId: session.merchantOrderId,
    sessionId: session.id,
    provider: event.provider,
    kind: 'webhook_received',
    message: receivedMessage(verification, name, event),
    data: { eventId: event.eventId, eventType: event.eventType, status: event.status, verification },
  };
  const { decision, logEntry } = applyDecision(stores, event, session, decided, now);
  stores.log.append(received, logEntry);
  const statusNow = decision.kind === 'apply' ? decision.to : session.status;
  if (event.awaitingCapture && statusNow === 'pending' && session.providerSessionId) {
    // Approved is not paid (PayPal): the worker captures; its own queue, so a paused shop does not hold the money up.
    // A session that expired or failed meanwhile is not captured: the relay never takes money it stopped asking for.
    stores.outbox.enqueue(`${event.provider}:${session.providerSessionId}`, { kind: 'capture_at_provider', provider: event.provider, providerSessionId: session.providerSessionId, sessionId: session.id }, now);
  }
  return { eventId: event.eventId, outcome, sessionId: session.id, status: decision.kind === 'apply' ? decision.to : session.status };
}

interface DecisionWithContext {
  decision: Decision;
  paidSibling: { id: string; provider: string } | null;
}

/** decide() against the session's current state and the order's other sessions (reads only). */
function decideForSession(stores: EventStores, event: ProviderEvent, session: PaymentSession, livemode: boolean): DecisionWithContext {
  // Only a payment can be a double payment: skip the lookup for every other event.
  const paidSibling = event.status === 'paid' ? stores.sessions.findPaidSibling(session.merchantOrderId, session.id) : null;
  const decision = decide(event, session, {
    livemode,
    otherSessionPaid: paidSibling ? { sessionId: paidSibling.id, provider: providerDisplayName(paidSibling.provider) } : null,
  });
  return { decision, paidSibling };
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
  const change = decision.from === decision.to
    ? `Payment stays ${decision.to} (${decision.why.replace(/_/g, ' ')}: ${formatMoney(decision.refundedMinor, session.currency)} refunded in total).`
    : `Payment status ${decision.from} → ${decision.to} (${decision.why.replace(/_/g, ' ')}).`;
  stores.outbox.enqueue(
    session.merchantOrderId,
    {
      kind: 'order_write',
      ref: noteRef(event),
      sessionId: session.id,
      intent: decision.write,
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

/** Our own id echoed back wins; then the provider's session id; then its payment id (charge and review events). */
export function findSession(sessions: SessionStore, event: ProviderEvent): PaymentSession | null {
  if (event.relaySessionId) {
    const own = sessions.get(event.relaySessionId);
    if (own && own.provider === event.provider) return own;
  }
  if (event.providerSessionId) {
    const bySession = sessions.findByProviderSessionId(event.provider, event.providerSessionId);
    if (bySession) return bySession;
  }
  if (event.providerPaymentId) return sessions.findByProviderPaymentId(event.provider, event.providerPaymentId);
  return null;
}

/** Who said it, in support's words: the relay's own expiry job is not a message from the provider. */
function receivedMessage(verification: InboxRecord['verification'], name: string, event: ProviderEvent): string {
  if (verification === 'expiry') return `Payrelay expiry job: the ${name} payment page expired without payment (${event.reason ?? 'no payment in time'}).`;
  return `${verification === 'fetched' ? 'Checked at' : 'Webhook from'} ${name}: ${event.eventType} (${event.status}).`;
}
