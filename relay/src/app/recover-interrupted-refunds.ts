import { formatMoney } from '../domain/money';
import { withRefundUncounted } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import type { ShopRefund } from '../ports/shop-refund-store';
import { queueWaitingRefundRecord, type RefundDeps } from './refund-order';

/**
 * How long a refund's row may stay `requested` before the schedule looks at it. A live request holds it so from its
 * count to the provider's answer: at most the provider timeout (60 s at most, config-schema.ts) after the turn
 * wait. The order's refund turn is what tells a live request from a dead one; this only keeps the schedule off rows
 * that are almost always live.
 */
export const INTERRUPTED_REFUND_AFTER_MS = 120_000;

/** Rows looked at per pass: a relay stopped mid-refund leaves one row per order it was refunding. */
const PASS_LIMIT = 50;

/**
 * A refund whose relay stopped (a crash, a kill, a deploy) between counting it and reading the provider's answer.
 * Its row stays `requested` and its amount counted as recorded in the shop, but the plugin's request failed with the
 * relay, so WooCommerce removed its refund record, and the provider may or may not have made the refund. Left so,
 * the money counts as refunded for good: less is left to refund than is, a full refund leaves the session
 * `refunded`, and the provider's webhook for it, if it was made, is taken for a refund the shop has on record and
 * writes none.
 *
 * It is what a lost answer is (refund-order.ts), and is settled as one: the count undone, the row `unconfirmed`.
 * Then the provider's webhook, if the refund was made, writes its record to the order, and the order's next refund
 * first asks the provider about it, so it is never made twice.
 *
 * Call it holding the order's refund turn (`refund:<order>`): every request holds that turn from its count to its
 * answer, so a row still `requested` then belongs to no live request. Returns whether it was settled so (a webhook
 * may have settled it first).
 */
export function recoverInterruptedRefundInTurn(deps: Pick<RefundDeps, 'stores' | 'refunds' | 'unitOfWork' | 'clock'>, refund: ShopRefund): boolean {
  const now = deps.clock.now();
  return deps.unitOfWork.transaction((): boolean => {
    // The session's row lock first, as the refund's webhook takes it before it settles the refund.
    const session = deps.stores.sessions.getForUpdate(refund.sessionId);
    const row = deps.refunds.get(refund.merchantOrderId, refund.shopRefundId);
    if (row?.state !== 'requested') return false;
    if (session) {
      const { refundedMinor, status, waitingMinor } = withRefundUncounted(session, row.amountMinor);
      deps.stores.sessions.update(session.id, { refundedMinor, ...(status !== session.status ? { status } : {}) }, now);
      // WooCommerce removed this refund's record when the request failed: what waited for room goes on record now.
      if (waitingMinor > 0) queueWaitingRefundRecord(deps, session, row.shopRefundId, waitingMinor, refundedMinor, status, now);
    }
    const name = providerDisplayName(row.provider);
    const amount = formatMoney(row.amountMinor, row.currency);
    deps.refunds.settle(row.merchantOrderId, row.shopRefundId, { state: 'unconfirmed', message: `Payrelay stopped while it asked ${name} for this refund; the answer was never read` }, now);
    deps.stores.log.append({
      at: now,
      merchantOrderId: row.merchantOrderId,
      sessionId: row.sessionId,
      provider: row.provider,
      kind: 'error',
      message:
        `Payrelay stopped while it was asking ${name} to refund ${amount} (WooCommerce refund ${row.shopRefundId}), so ${name}'s answer was never read and WooCommerce removed its refund record when the request failed. ` +
        `The refund may have been made: if ${name} made it, its refund webhook adds the record to this order; the next refund of this order first asks ${name} about it, so it is never made twice.`,
      data: { shopRefundId: row.shopRefundId, amountMinor: row.amountMinor, requestedAt: row.updatedAt },
    });
    return true;
  });
}

/**
 * The schedule's pass: each refund `requested` for longer than INTERRUPTED_REFUND_AFTER_MS, in its order's refund
 * turn when that turn is free at once (a turn held is a live request: `busy`, looked at again next pass).
 */
export async function recoverInterruptedRefunds(deps: Pick<RefundDeps, 'stores' | 'refunds' | 'unitOfWork' | 'clock' | 'orderLock'>): Promise<{ recovered: ShopRefund[]; busy: number }> {
  const recovered: ShopRefund[] = [];
  let busy = 0;
  for (const refund of deps.refunds.listRequestedBefore(deps.clock.now() - INTERRUPTED_REFUND_AFTER_MS, PASS_LIMIT)) {
    const turn = await deps.orderLock.run(`refund:${refund.merchantOrderId}`, 0, async () => recoverInterruptedRefundInTurn(deps, refund));
    if (!turn.acquired) busy += 1;
    else if (turn.value) recovered.push(refund);
  }
  return { recovered, busy };
}
