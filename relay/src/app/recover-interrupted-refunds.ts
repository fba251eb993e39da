import { formatMoney } from '../domain/money';
import { withRefundUncounted } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import type { ShopRefund } from '../ports/shop-refund-store';
import { queueRefundRecord, queueWaitingRefundRecord, type RefundDeps } from './refund-order';

/**
 * How long a refund may go without its request's answer before the schedule looks at it. A live request answers
 * within the turn wait and the provider timeout (60 s at most, config-schema.ts). The order's refund turn is what tells a live request from a dead one; this only keeps the schedule off rows
 * that are almost always live.
 */
export const INTERRUPTED_REFUND_AFTER_MS = 120_000;

/** Rows looked at per pass: a relay stopped mid-refund leaves one row per order it was refunding. */
const PASS_LIMIT = 50;

/**
 * A refund whose relay stopped (a crash, a kill, a deploy) before its request gave the plugin the provider's answer.
 * The plugin's request failed with the relay, so WooCommerce removed its refund record, while the relay's row says:
 * - `requested`: counted as recorded in the shop, and the provider may or may not have made it. Left so, the money
 *   counts as refunded for good, and the provider's webhook, if it was made, is taken for a refund the shop has on
 *   record and writes none. It is what a lost answer is (refund-order.ts), and is settled as one: the count undone,
 *   the row `unconfirmed`; the webhook then writes its record, and the next refund asks the provider first.
 * - made (the provider's webhook confirmed it while the call waited): counted, but on record nowhere. Its record
 *   goes on the order now.
 * - not made (its webhook said so, and took the count off): nothing is missing.
 *
 * Call it holding the order's refund turn (`refund:<order>`): every request holds that turn until it has answered,
 * so a row without an answer then belongs to no live request. Returns whether it was settled here (it may have been
 * answered since it was listed).
 */
export function recoverInterruptedRefundInTurn(deps: Pick<RefundDeps, 'stores' | 'refunds' | 'unitOfWork' | 'clock'>, refund: ShopRefund): boolean {
  const now = deps.clock.now();
  return deps.unitOfWork.transaction((): boolean => {
    // The session's row lock first, as the refund's webhook takes it before it settles the refund.
    const session = deps.stores.sessions.getForUpdate(refund.sessionId);
    const row = deps.refunds.get(refund.merchantOrderId, refund.shopRefundId);
    if (!row || row.answeredAt !== null) return false;
    deps.refunds.markAnswered(row.merchantOrderId, row.shopRefundId, now);
    const name = providerDisplayName(row.provider);
    const asked = `Payrelay stopped while it was asking ${name} to refund ${formatMoney(row.amountMinor, row.currency)} (WooCommerce refund ${row.shopRefundId}), so its answer never reached WooCommerce, which removed its refund record when the request failed.`;
    const data = { shopRefundId: row.shopRefundId, amountMinor: row.amountMinor, requestedAt: row.createdAt };
    if (row.state === 'requested') {
      if (session) {
        const { refundedMinor, status, waitingMinor } = withRefundUncounted(session, row.amountMinor);
        deps.stores.sessions.update(session.id, { refundedMinor, ...(status !== session.status ? { status } : {}) }, now);
        // What waited for room beside this refund's record goes on record now that the record is gone.
        if (waitingMinor > 0) queueWaitingRefundRecord(deps, session, row.shopRefundId, waitingMinor, refundedMinor, status, now);
      }
      deps.refunds.settle(row.merchantOrderId, row.shopRefundId, { state: 'unconfirmed', message: `Payrelay stopped while it asked ${name} for this refund; the answer was never read` }, now);
      const message = `${asked} The refund may have been made: if ${name} made it, its refund webhook adds the record to this order; the next refund of this order first asks ${name} about it, so it is never made twice.`;
      deps.stores.log.append({ at: now, merchantOrderId: row.merchantOrderId, sessionId: row.sessionId, provider: row.provider, kind: 'error', message, data });
      return true;
    }
    if ((row.state === 'succeeded' || row.state === 'pending') && session) {
      const note = `${asked} ${name} made the refund (its webhook said so), so Payrelay added the refund record to this order.`;
      queueRefundRecord(deps, session, { eventId: `shop-refund-${row.shopRefundId}-unanswered`, amountMinor: row.amountMinor, refundedTotalMinor: session.refundedMinor, target: session.status === 'refunded' ? 'refunded' : 'paid', note }, now);
      deps.stores.log.append({ at: now, merchantOrderId: row.merchantOrderId, sessionId: row.sessionId, provider: row.provider, kind: 'error', message: note, data });
    }
    return true;
  });
}

/**
 * The schedule's pass: each refund without an answer for longer than INTERRUPTED_REFUND_AFTER_MS, in its order's refund
 * turn when that turn is free at once (a turn held is a live request: `busy`, looked at again next pass).
 */
export async function recoverInterruptedRefunds(deps: Pick<RefundDeps, 'stores' | 'refunds' | 'unitOfWork' | 'clock' | 'orderLock'>): Promise<{ recovered: ShopRefund[]; busy: number }> {
  const recovered: ShopRefund[] = [];
  let busy = 0;
  for (const refund of deps.refunds.listUnansweredBefore(deps.clock.now() - INTERRUPTED_REFUND_AFTER_MS, PASS_LIMIT)) {
    const turn = await deps.orderLock.run(`refund:${refund.merchantOrderId}`, 0, async () => recoverInterruptedRefundInTurn(deps, refund));
    if (!turn.acquired) busy += 1;
    else if (turn.value) recovered.push(refund);
  }
  return { recovered, busy };
}
