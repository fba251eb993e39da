import { withRef, type OrderWriteIntent } from '../domain/decide';
import { LOST_REFUND_GRACE_MS, refundMayHaveBeenMade } from '../domain/lost-refund';
import { decimalToMinor, formatMoney } from '../domain/money';
import { shopRefundKey } from '../domain/own-refund-outcome';
import { leftToRefundMinor, withRefundCounted, withRefundUncounted, type PaymentSession } from '../domain/payment-session';
import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { Clock } from '../ports/clock';
import type { OrderLock } from '../ports/order-lock';
import type { PaymentLogEntry, PaymentLogKind } from '../ports/payment-log';
import type { PaymentProvider } from '../ports/payment-provider';
import type { ShopRefund, ShopRefundStore } from '../ports/shop-refund-store';
import type { UnitOfWork } from '../ports/unit-of-work';
import type { EventStores } from './record-provider-event';
import { recoverInterruptedRefundInTurn } from './recover-interrupted-refunds';
import { settleLostRefund } from './settle-lost-refund';

export interface RefundDeps {
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  stores: Pick<EventStores, 'sessions' | 'log' | 'outbox'>;
  refunds: ShopRefundStore;
  unitOfWork: UnitOfWork;
  clock: Clock;
  /** One refund of an order at a time, in this relay and across the fleet. */
  orderLock: OrderLock;
  /** PAYRELAY_PROVIDER_TIMEOUT_MS: how long the refund call may take; with it, the call starts only if its answer fits in the plugin's wait. */
  providerTimeoutMs?: number;
}

/**
 * How long a refund request waits for its turn. The order's refund before it holds the turn from its check to its
 * provider's answer, which takes a second or two; the plugin gives the whole request 20 s (class-relay-client.php),
 * and this request's own provider calls must still fit in after the wait.
 */
export const REFUND_TURN_WAIT_MS = 5_000;

/**
 * How long the merchant's refund request may take in all: the plugin waits 20 s (class-relay-client.php), and when
 * it gives up WooCommerce removes its refund record. A refund the provider makes after that has no record in the shop
 * (the relay settles it as made, and its webhook finds it counted), so the provider is asked to refund only while
 * its answer, at the provider timeout, still comes within this: the turn wait and the look-up of an earlier lost
 * refund come first, and may leave too little.
 */
export const REFUND_ANSWER_BUDGET_MS = 18_000;

export interface RefundRequest {
  merchantOrderId: string;
  /** WooCommerce's refund id: the idempotency key of the whole request. */
  shopRefundId: string;
  /** Major units as WooCommerce has them ("12.50"). */
  amount: string;
  currency: string;
  reason: string | null;
}

/** Why a refund was not made; `message` is shown to the merchant in the order screen as it is. */
export type RefundRefusal = {
  status: 400 | 404 | 409 | 422 | 502;
  code:
    | 'invalid_amount'
    | 'no_payment'
    | 'currency_mismatch'
    | 'amount_exceeds_remaining'
    | 'refund_unsupported'
    | 'provider_refused'
    | 'provider_unavailable'
    /** A refund whose answer was lost was made after all, and this request asks for another amount. */
    | 'earlier_refund_made'
    /**
     * A refund whose answer was lost a moment ago may still be going through at the provider, or another refund of
     * the order is being made right now.
     */
    | 'earlier_refund_in_flight';
  message: string;
  /** When asking again can work (sent as Retry-After). */
  retryAfterSeconds?: number;
};

/** `message`: what the merchant should know beyond "refunded" (this refund was the one made earlier). */
export type RefundAnswer = { ok: true; refund: ShopRefund; replayed: boolean; message?: string } | { ok: false; error: RefundRefusal };

/**
 * A refund the merchant made in WooCommerce, made at the provider with an idempotency key tied to WooCommerce's
 * refund id. Before the provider is asked, the amount is counted as already in the shop (session.refundedMinor),
 * in the same transaction as the refund row: the provider's refund webhook, whenever it arrives, then finds
 * nothing new to write (no second refund record, no second note). If the provider refuses, the count is undone.
 * If its answer is lost (timeout, dropped connection, 5xx) the refund may have been made: the count is undone too
 * (WooCommerce deletes its record on our error, so the provider's webhook must still write one), and the row stays
 * `unconfirmed`: nothing more is refunded on this order until it is settled. The merchant's next click (a new
 * WooCommerce refund, a new key) first asks the provider about it (lost-refund.ts), so a refund made after all is
 * never made twice.
 *
 * One order's refunds are made one at a time (deps.orderLock: in this relay, and across every relay on a shared
 * PostgreSQL database), from the check of what is left to refund to the provider's answer: two clicks, or two
 * relays asked at once, never both pass the check for the same money, and at most one refund of an order is at
 * the provider at a time. A request that does not get its turn within REFUND_TURN_WAIT_MS is refused (409) with
 * when to try again; nothing is refunded for it.
 */
export async function refundOrder(deps: RefundDeps, request: RefundRequest): Promise<RefundAnswer> {
  // A repeat of a refund already answered is answered at once, without waiting behind another refund of the order.
  // One still `requested` waits for the turn: its request is still asking (and settles it) or it stopped mid-way.
  const existing = deps.refunds.get(request.merchantOrderId, request.shopRefundId);
  if (existing && existing.state !== 'unconfirmed' && existing.state !== 'requested') return replay(existing);
  const startedAt = deps.clock.now();
  const turn = await deps.orderLock.run(`refund:${request.merchantOrderId}`, REFUND_TURN_WAIT_MS, () => refundInTurn(deps, request, startedAt));
  if (turn.acquired) return turn.value;
  const seconds = REFUND_TURN_WAIT_MS / 1000;
  return {
    ok: false,
    error: {
      status: 409,
      code: 'earlier_refund_in_flight',
      message: `Another refund of order ${request.merchantOrderId} is being made right now, and Payrelay makes one refund of an order at a time so that no more goes back than was paid. Nothing was refunded for this one: try again in ${seconds} s.`,
      retryAfterSeconds: seconds,
    },
  };
}

/** The refund, holding the order's turn. */
async function refundInTurn(deps: RefundDeps, request: RefundRequest, startedAt: number): Promise<RefundAnswer> {
  // In turn, a refund of this order whose request has not answered belongs to no live request: its relay stopped
  // before the answer. Settled first (a lost answer, or its record put back), so what follows sees it so.
  for (const interrupted of deps.refunds.listByOrder(request.merchantOrderId).filter((r) => r.answeredAt === null)) recoverInterruptedRefundInTurn(deps, interrupted);
  // Read again in turn: the request waited for may have been this same WooCommerce refund.
  const existing = deps.refunds.get(request.merchantOrderId, request.shopRefundId);
  // The same WooCommerce refund asked again after its answer was lost: settled below like any lost refund.
  if (existing && existing.state !== 'unconfirmed') return replay(existing);

  const session = refundableSession(deps.stores.sessions.listByOrder(request.merchantOrderId));
  if (!session) return refuse(409, 'no_payment', `Order ${request.merchantOrderId} has no payment taken through Payrelay that could be refunded.`);
  const name = providerDisplayName(session.provider);
  if (request.currency.toUpperCase() !== session.currency.toUpperCase()) {
    return refuse(422, 'currency_mismatch', `The refund is in ${request.currency.toUpperCase()} but the payment was made in ${session.currency.toUpperCase()}; refund in ${session.currency.toUpperCase()}.`);
  }
  const amountMinor = decimalToMinor(request.amount, session.currency);
  if (amountMinor === null || amountMinor <= 0) return refuse(400, 'invalid_amount', `"${request.amount.slice(0, 20)}" is not an amount that can be refunded in ${session.currency}.`);
  const provider = deps.providers.get(session.provider);
  if (!provider?.refund) {
    return refuse(422, 'refund_unsupported', `${name} has no refund API${provider ? '' : ' configured on this relay'}: refund the customer in the ${name} dashboard, then record the refund here with "Refund manually".`);
  }
  const providerPaymentId = session.providerPaymentId;
  if (!providerPaymentId) return refuse(409, 'no_payment', `The relay does not know ${name}'s payment id for order ${request.merchantOrderId}; refund it in the ${name} dashboard.`);

  // An earlier refund of this order lost its answer: find out whether it was made before refunding anything.
  for (const lost of deps.refunds.listByOrder(request.merchantOrderId).filter((r) => r.state === 'unconfirmed')) {
    const settled = await settleLostRefund(deps, lost, request, amountMinor);
    if (settled) return settled;
  }

  // Nothing is counted or asked yet: if the provider's answer could come after the plugin stopped waiting, stop here.
  const spentMs = deps.clock.now() - startedAt;
  const timeoutMs = deps.providerTimeoutMs;
  if (timeoutMs !== undefined && timeoutMs <= REFUND_ANSWER_BUDGET_MS && spentMs + timeoutMs > REFUND_ANSWER_BUDGET_MS) {
    return {
      ok: false,
      error: {
        status: 409,
        code: 'earlier_refund_in_flight',
        message: `This refund waited ${Math.round(spentMs / 1000)} s (for the order's refund before it, or for ${name} to say whether an earlier refund was made), and ${name}'s answer to it could now come after WooCommerce stops waiting, which would leave a refund made with no record in the shop. Nothing was refunded: try again now.`,
        retryAfterSeconds: 1,
      },
    };
  }

  // Every lost refund is settled above (or this request stopped): what is left is what the session says, read and
  // counted in one transaction, so a refund webhook recorded meanwhile (a dashboard refund) is neither missed by
  // the check nor overwritten by the count.
  const now = deps.clock.now();
  const reserved = deps.unitOfWork.transaction((): Reservation => {
    const current = deps.stores.sessions.getForUpdate(session.id) ?? session;
    const remaining = leftToRefundMinor(current);
    if (amountMinor > remaining) return { kind: 'exceeds', session: current, remaining };
    const fresh = deps.refunds.insertIfNew({ merchantOrderId: request.merchantOrderId, shopRefundId: request.shopRefundId, sessionId: session.id, provider: session.provider, amountMinor, currency: session.currency, state: 'requested', createdAt: now });
    if (!fresh && !reopenedAfterNotMade(deps, existing, amountMinor, now)) return { kind: 'exists' };
    const { refundedMinor, full } = withRefundCounted(current, amountMinor);
    deps.stores.sessions.update(session.id, { refundedMinor, ...(full ? { status: 'refunded' } : {}) }, now);
    deps.stores.log.append(
      refundLogEntry(session, now, `Refund of ${formatMoney(amountMinor, session.currency)} asked for in the shop (WooCommerce refund ${request.shopRefundId}); asking ${name}.`, {
        shopRefundId: request.shopRefundId,
        amountMinor,
      }),
    );
    return { kind: 'counted', statusBefore: current.status };
  });
  if (reserved.kind === 'exceeds') {
    const { session: counted, remaining } = reserved;
    const chargedBack = counted.chargedBackMinor ? `, ${formatMoney(counted.chargedBackMinor, counted.currency)} taken back by a chargeback` : '';
    return refuse(
      422,
      'amount_exceeds_remaining',
      `Only ${formatMoney(remaining, counted.currency)} of this payment is left to refund (${formatMoney(counted.refundedMinor, counted.currency)} of ${formatMoney(counted.amountMinor, counted.currency)} refunded already${chargedBack}); ${formatMoney(amountMinor, counted.currency)} is too much.`,
    );
  }
  // This WooCommerce refund's row exists and was not asked for again (its lost call was settled otherwise above).
  if (reserved.kind === 'exists') return replay(deps.refunds.get(request.merchantOrderId, request.shopRefundId)!);
  const { statusBefore } = reserved;

  const result = await provider.refund({
    relaySessionId: session.id,
    providerSessionId: session.providerSessionId,
    providerPaymentId,
    amountMinor,
    currency: session.currency,
    idempotencyKey: shopRefundKey(request.merchantOrderId, request.shopRefundId),
    reason: request.reason,
  });
  const settledAt = deps.clock.now();
  if (result.ok) {
    const refusedMeanwhile = deps.unitOfWork.transaction((): ShopRefund | null => {
      // Under the session's row lock, as the refund's webhook settles it (record-provider-event.ts): a final word
      // that came first stands. Not made (Adyen REFUND_FAILED while the call waited): the count is undone and the
      // merchant told already, so "received" does not make it pending again; made: it stays made, not pending.
      deps.stores.sessions.getForUpdate(session.id);
      // Whatever follows, the plugin gets its answer now (recover-interrupted-refunds.ts looks for refunds without).
      deps.refunds.markAnswered(request.merchantOrderId, request.shopRefundId, settledAt);
      const row = deps.refunds.get(request.merchantOrderId, request.shopRefundId);
      if (row?.state === 'refused') {
        deps.stores.log.append(
          refundLogEntry(session, settledAt, `${name} answered the refund of ${formatMoney(amountMinor, session.currency)} (refund ${result.value.providerRefundId}), but its webhook had said already that it was not made: it stays not made, and WooCommerce is told so.`, {
            shopRefundId: request.shopRefundId,
            providerRefundId: result.value.providerRefundId,
          }),
        );
        return row;
      }
      // Taken for a refund whose relay had stopped while this call waited (recover-interrupted-refunds.ts; this
      // request's turn was lost, as with its database connection): its count was undone. Made, and WooCommerce keeps
      // the record it is about to be answered for: counted again.
      if (row?.state === 'unconfirmed') recount(deps, session.id, amountMinor, settledAt);
      const state = row?.state === 'succeeded' ? 'succeeded' : result.value.status;
      deps.refunds.settle(request.merchantOrderId, request.shopRefundId, { state, providerRefundId: result.value.providerRefundId }, settledAt);
      deps.stores.log.append(
        refundLogEntry(session, settledAt, `${name} ${result.value.status === 'pending' ? 'accepted' : 'made'} the refund of ${formatMoney(amountMinor, session.currency)} (refund ${result.value.providerRefundId}).`, {
          shopRefundId: request.shopRefundId,
          providerRefundId: result.value.providerRefundId,
        }),
      );
      return null;
    });
    if (refusedMeanwhile) return replay(refusedMeanwhile);
    return { ok: true, refund: deps.refunds.get(request.merchantOrderId, request.shopRefundId)!, replayed: false };
  }

  const lostAnswer = refundMayHaveBeenMade(result.error.code);
  const unavailable = result.error.kind === 'fallback';
  const message = lostAnswer
    ? `${name} could not be reached to refund, or its answer was lost (${result.error.message}): the refund may have been made. Refunding again is safe once ${LOST_REFUND_GRACE_MS / 1000} s have passed: Payrelay first asks ${name} whether this refund went through, and never makes it twice; if ${name} made it, it also appears on this order by itself.`
    : unavailable
      ? `${name} could not be reached to refund (${result.error.message}). Nothing was refunded.`
      : `${name} refused the refund: ${result.error.message.replace(/^provider refused (the request|our API key): /, '')}`;
  const settled = deps.unitOfWork.transaction((): Settlement => {
    const current = deps.stores.sessions.getForUpdate(session.id);
    deps.refunds.markAnswered(request.merchantOrderId, request.shopRefundId, settledAt);
    // Read under the session's row lock, which the provider's refund webhook takes before it settles this refund
    // (record-provider-event.ts): its word is seen here, or it comes after this transaction and finds the count
    // undone and the refund unconfirmed, and counts it itself like any lost refund it confirms.
    const row = deps.refunds.get(request.merchantOrderId, request.shopRefundId);
    // The webhook confirmed the refund while we waited: it is made, whatever became of the answer, and WooCommerce
    // keeps its record only if we say so.
    if (row?.state === 'succeeded' && lostAnswer) {
      deps.stores.log.append(
        refundLogEntry(session, settledAt, `${name}'s answer to the refund of ${formatMoney(amountMinor, session.currency)} was lost (${result.error.message}), but its refund webhook had confirmed the refund already: it is made.`, {
          shopRefundId: request.shopRefundId,
          code: result.error.code,
        }),
      );
      return { kind: 'confirmed', refund: row };
    }
    // The webhook said it was not made: it took the count off the total and told the merchant already. Taking it
    // off again would take another refund (one made in the provider's dashboard) off with it.
    if (row?.state === 'refused') return { kind: 'refused', refund: row };
    // Taken for a refund whose relay had stopped while this call waited: its count is undone already, and it is a
    // lost answer already; a refusal settles it as not made.
    if (row?.state === 'unconfirmed') {
      if (!lostAnswer) deps.refunds.settle(request.merchantOrderId, request.shopRefundId, { state: 'refused', message }, settledAt);
      deps.stores.log.append(refundLogEntry(session, settledAt, message, { shopRefundId: request.shopRefundId, code: result.error.code }, 'error'));
      return { kind: 'undone' };
    }
    // Undo only our own count, from the total as it is now: a refund webhook recorded meanwhile (a dashboard
    // refund) keeps its part.
    const counted = current ?? session;
    const { refundedMinor, status, waitingMinor } = withRefundUncounted(counted, amountMinor, statusBefore);
    deps.stores.sessions.update(session.id, { refundedMinor, ...(status !== counted.status ? { status } : {}) }, settledAt);
    deps.refunds.settle(request.merchantOrderId, request.shopRefundId, { state: lostAnswer ? 'unconfirmed' : 'refused', message }, settledAt);
    deps.stores.log.append(refundLogEntry(session, settledAt, message, { shopRefundId: request.shopRefundId, code: result.error.code }, 'error'));
    // WooCommerce removes this refund's record on our error answer: what waited for room goes on record now.
    if (waitingMinor > 0) queueWaitingRefundRecord(deps, session, request.shopRefundId, waitingMinor, refundedMinor, status, settledAt);
    return { kind: 'undone' };
  });
  if (settled.kind === 'confirmed') return { ok: true, refund: settled.refund, replayed: false };
  if (settled.kind === 'refused') return replay(settled.refund);
  return refuse(lostAnswer || unavailable ? 502 : 422, lostAnswer || unavailable ? 'provider_unavailable' : 'provider_refused', message);
}

/** Counts a refund again whose count was undone (at most what is left), refunded in full when nothing is left. */
function recount(deps: RefundDeps, sessionId: string, amountMinor: number, now: number): void {
  const current = deps.stores.sessions.getForUpdate(sessionId);
  if (!current) return;
  const { refundedMinor, full } = withRefundCounted(current, amountMinor);
  deps.stores.sessions.update(sessionId, { refundedMinor, ...(full ? { status: 'refunded' } : {}) }, now);
}

/**
 * The refund record of money a refund webhook counted while a refund from the shop was in flight, which the shop had
 * no room for beside that refund's record: added once that refund is refused or its answer lost (WooCommerce removes
 * its record on our error answer; the worker waits for that, execute-outbox-command.ts), or its relay stopped
 * (recover-interrupted-refunds.ts).
 */
export function queueWaitingRefundRecord(deps: Pick<RefundDeps, 'stores'>, session: PaymentSession, shopRefundId: string, waitingMinor: number, refundedMinor: number, status: PaymentSession['status'], now: number): void {
  const name = providerDisplayName(session.provider);
  const note = `Refund record of ${formatMoney(waitingMinor, session.currency)} added: refunded at ${name} while the refund asked for in the shop (WooCommerce refund ${shopRefundId}) was waiting for its answer. The shop had no room for it beside that refund's record, which WooCommerce removed when ${name} refused that refund or its answer was lost. ${formatMoney(refundedMinor, session.currency)} refunded in total.`;
  queueRefundRecord(deps, session, { eventId: `shop-refund-${shopRefundId}-not-made`, amountMinor: waitingMinor, refundedTotalMinor: refundedMinor, target: status === 'refunded' ? 'refunded' : 'paid', note }, now);
}

/**
 * Money back at the provider that the shop has no record of (WooCommerce removed it when told of an error, or never
 * had one): a refund record and its note for the worker to put on the order, once (ref `<provider>:<eventId>`).
 */
export function queueRefundRecord(
  deps: Pick<RefundDeps, 'stores'>,
  session: PaymentSession,
  record: { eventId: string; amountMinor: number; refundedTotalMinor: number; target: OrderWriteIntent['target']; note: string },
  now: number,
): void {
  deps.stores.outbox.enqueue(
    session.merchantOrderId,
    {
      kind: 'order_write',
      ref: `${session.provider}:${record.eventId}`,
      sessionId: session.id,
      intent: { target: record.target, transactionId: session.providerPaymentId, refundMinor: record.amountMinor, refundedTotalMinor: record.refundedTotalMinor, note: withRef(record.note, { provider: session.provider, eventId: record.eventId }) },
      expected: { amountMinor: session.amountMinor, currency: session.currency },
    },
    now,
  );
}

/** A failed call, settled from what the refund's webhook said meanwhile (made, not made) or by undoing the count. */
type Settlement = { kind: 'confirmed' | 'refused'; refund: ShopRefund } | { kind: 'undone' };

/** The check of what is left and the count, in one transaction: counted, too much, or this refund's row exists. */
type Reservation = { kind: 'counted'; statusBefore: PaymentSession['status'] } | { kind: 'exceeds'; session: PaymentSession; remaining: number } | { kind: 'exists' };

/**
 * The same WooCommerce refund asked again after its answer was lost, and the provider has since said it was not
 * made (settleLostRefund settled its row as refused just now): its row is asked for again, under the same key.
 */
function reopenedAfterNotMade(deps: RefundDeps, asked: ShopRefund | null, amountMinor: number, now: number): boolean {
  if (asked?.state !== 'unconfirmed' || asked.amountMinor !== amountMinor) return false;
  if (deps.refunds.get(asked.merchantOrderId, asked.shopRefundId)?.state !== 'refused') return false;
  deps.refunds.settle(asked.merchantOrderId, asked.shopRefundId, { state: 'requested', message: null }, now);
  return true;
}

/** The session that took the money: paid, or under review after payment (a dispute), or partly refunded. */
function refundableSession(sessions: PaymentSession[]): PaymentSession | null {
  return sessions.find((s) => s.status === 'paid' && s.providerPaymentId) ?? sessions.find((s) => (s.status === 'paid' || s.status === 'review' || s.status === 'refunded') && s.providerPaymentId) ?? null;
}

/** A payment log line about this session's refund (kind refund_requested unless it failed). */
function refundLogEntry(session: PaymentSession, at: number, message: string, data: Record<string, unknown>, kind: PaymentLogKind = 'refund_requested'): PaymentLogEntry {
  return { at, merchantOrderId: session.merchantOrderId, sessionId: session.id, provider: session.provider, kind, message, data };
}

function replay(existing: ShopRefund): RefundAnswer {
  if (existing.state === 'refused') return refuse(422, 'provider_refused', existing.message ?? 'the provider refused this refund');
  return { ok: true, refund: existing, replayed: true };
}

function refuse(status: RefundRefusal['status'], code: RefundRefusal['code'], message: string): RefundAnswer {
  return { ok: false, error: { status, code, message } };
}
