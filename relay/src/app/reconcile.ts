import { formatMoney } from '../domain/money';
import type { PaymentSession } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import type { Logger } from '../ports/logger';
import type { OrderGateway } from '../ports/order-gateway';
import { noteRef, withRef } from '../domain/decide';
import { refreshSessionFromProvider, type RefreshDeps } from './refresh-from-provider';

export interface ReconcileOptions {
  /** Sessions open (or in review) without news for this long are looked up at the provider. */
  staleAfterMs: number;
  /** How far back paid/closed sessions are compared with the shop. */
  compareWindowMs: number;
  limit: number;
  /** False when there is no shop to compare with (sandbox mode): the shop half is skipped, not counted as failures. */
  compareWithShop?: boolean;
  /** Called after each session checked (`npm run reconcile` draws its progress bar with it). */
  onProgress?: (progress: ReconcileProgress) => void;
}

export interface ReconcileProgress {
  phase: 'providers' | 'shop';
  done: number;
  total: number;
}

export interface ReconcileReport {
  lookedUp: number;
  repaired: number;
  providerErrors: number;
  comparedWithShop: number;
  raised: number;
  shopErrors: number;
}

const SHOP_SHOWS_UNPAID = new Set(['pending', 'cancelled', 'failed']);
const SHOP_SHOWS_PAID = new Set(['processing', 'completed']);

/**
 * Repairs what webhooks alone leave wrong: a lost webhook (the provider is asked about stale open sessions)
 * and a shop that disagrees with the relay (paid at the provider, pending or cancelled in the shop).
 */
export async function reconcile(deps: RefreshDeps & { gateway: OrderGateway; logger: Logger }, options: ReconcileOptions): Promise<ReconcileReport> {
  const report: ReconcileReport = { lookedUp: 0, repaired: 0, providerErrors: 0, comparedWithShop: 0, raised: 0, shopErrors: 0 };
  const now = deps.clock.now();

  const stale = deps.stores.sessions.listStale(['created', 'pending', 'review'], now - options.staleAfterMs, options.limit);
  for (const [index, session] of stale.entries()) {
    options.onProgress?.({ phase: 'providers', done: index, total: stale.length });
    report.lookedUp += 1;
    const refreshed = await refreshSessionFromProvider(deps, session);
    if (!refreshed.ok) {
      report.providerErrors += 1;
      continue;
    }
    if (refreshed.outcome.outcome === 'applied') {
      report.repaired += 1;
      deps.stores.log.append({
        at: deps.clock.now(),
        merchantOrderId: session.merchantOrderId,
        sessionId: session.id,
        provider: session.provider,
        kind: 'reconciled',
        message: `Reconciliation asked ${providerDisplayName(session.provider)} and found the payment ${refreshed.providerStatus}; the webhook for it never arrived, so the relay applied it now.`,
      });
    } else {
      // Nothing new: touch it so the next pass asks about other sessions first.
      deps.stores.sessions.update(session.id, {}, deps.clock.now());
    }
  }

  options.onProgress?.({ phase: 'providers', done: stale.length, total: stale.length });
  if (options.compareWithShop === false) return report;

  const recent = deps.stores.sessions.listUpdatedSince(['paid', 'failed', 'expired', 'cancelled'], now - options.compareWindowMs, options.limit);
  // An order with several sessions (a retry after an expired attempt) is read from the shop once per pass.
  const orders = new Map<string, ReturnType<OrderGateway['getOrder']>>();
  for (const [index, session] of recent.entries()) {
    options.onProgress?.({ phase: 'shop', done: index, total: recent.length });
    if (hasPendingWrites(deps, session)) continue;
    if (!orders.has(session.merchantOrderId)) orders.set(session.merchantOrderId, deps.gateway.getOrder(session.merchantOrderId));
    const order = await orders.get(session.merchantOrderId)!;
    report.comparedWithShop += 1;
    if (!order.ok) {
      report.shopErrors += 1;
      continue;
    }
    const shopStatus = order.value.status;
    if (session.status === 'paid' && SHOP_SHOWS_UNPAID.has(shopStatus)) {
      if (raiseOnce(deps, session, shopStatus, 'paid_not_in_shop',
        `${providerDisplayName(session.provider)} says order ${session.merchantOrderId} is paid (${formatMoney(session.amountMinor, session.currency)}, payment ${session.providerPaymentId ?? 'unknown'}) but the shop shows it ${shopStatus}. Payrelay is marking it paid; check stock before shipping.`,
        { target: 'paid' })) report.raised += 1;
    } else if (session.status !== 'paid' && SHOP_SHOWS_PAID.has(shopStatus) && !deps.stores.sessions.findPaidSibling(session.merchantOrderId, session.id)) {
      if (raiseOnce(deps, session, shopStatus, 'order_changed_by_hand',
        `The shop shows order ${session.merchantOrderId} ${shopStatus}, but Payrelay recorded the payment at ${providerDisplayName(session.provider)} as ${session.status}. It was changed in the shop; Payrelay leaves it as it is. Check that the money arrived.`,
        null)) report.raised += 1;
    }
  }
  options.onProgress?.({ phase: 'shop', done: recent.length, total: recent.length });
  return report;
}

function hasPendingWrites(deps: RefreshDeps, session: PaymentSession): boolean {
  // A queued write will bring the shop in line by itself; comparing now would raise a false alarm.
  return deps.stores.outbox.hasPending(session.merchantOrderId);
}

/** One alert and one note per (session, shop status): a mismatch is told once, not on every pass. */
function raiseOnce(
  deps: RefreshDeps,
  session: PaymentSession,
  shopStatus: string,
  code: 'paid_not_in_shop' | 'order_changed_by_hand',
  message: string,
  repair: { target: 'paid' } | null,
): boolean {
  const now = deps.clock.now();
  const eventId = `reconcile:${session.id}:${session.status}:${shopStatus}`;
  return deps.unitOfWork.transaction(() => {
    const isNew = deps.stores.inbox.insertIfNew({
      provider: session.provider,
      eventId,
      eventType: 'payrelay.reconcile_mismatch',
      sessionId: session.id,
      merchantOrderId: session.merchantOrderId,
      rawBody: Buffer.from(JSON.stringify({ session: session.id, relay: session.status, shop: shopStatus })),
      verification: 'fetched',
      outcome: 'mismatch_raised',
      receivedAt: now,
    });
    if (!isNew) return false;
    const note = withRef(`Payrelay reconciliation: ${message}`, { provider: session.provider, eventId });
    deps.stores.alerts.raise({ at: now, merchantOrderId: session.merchantOrderId, sessionId: session.id, code, message });
    deps.stores.log.append({ at: now, merchantOrderId: session.merchantOrderId, sessionId: session.id, provider: session.provider, kind: 'alert', message });
    const ref = noteRef({ provider: session.provider, eventId });
    if (repair) {
      deps.stores.outbox.enqueue(session.merchantOrderId, {
        kind: 'order_write',
        ref,
        sessionId: session.id,
        intent: { target: 'paid', transactionId: session.providerPaymentId, note },
        expected: { amountMinor: session.amountMinor, currency: session.currency },
      }, now);
    } else {
      deps.stores.outbox.enqueue(session.merchantOrderId, { kind: 'order_note', ref, sessionId: session.id, text: note }, now);
    }
    return true;
  });
}
