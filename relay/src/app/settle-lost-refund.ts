import { lostRefundOutcome, notMadeBelievedFrom } from '../domain/lost-refund';
import { formatMoney } from '../domain/money';
import { shopRefundKey } from '../domain/own-refund-outcome';
import { leftToRefundMinor, withRefundCounted } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import type { ProviderRefund } from '../ports/payment-provider';
import type { ShopRefund } from '../ports/shop-refund-store';
import { queueRefundRecord, type RefundAnswer, type RefundDeps, type RefundRequest } from './refund-order';

/**
 * Ask the provider about a refund whose answer was lost. Returns the answer to the current request when the lost
 * refund decides it (made: this request is answered with it, or refused if it asks for another amount; the
 * provider cannot say: nothing is refunded now), or null to go on with the request (it was not made).
 */
export async function settleLostRefund(deps: RefundDeps, lost: ShopRefund, request: RefundRequest, amountMinor: number): Promise<RefundAnswer | null> {
  const session = deps.stores.sessions.get(lost.sessionId);
  if (!session?.providerPaymentId) return null;
  // The lost refund's own provider (an order can have sessions at several).
  const provider = deps.providers.get(session.provider);
  const name = providerDisplayName(session.provider);
  const lostAmount = formatMoney(lost.amountMinor, lost.currency);
  const found = provider?.findRefund
    ? await provider.findRefund({ relaySessionId: session.id, providerPaymentId: session.providerPaymentId, providerSessionId: session.providerSessionId, idempotencyKey: shopRefundKey(lost.merchantOrderId, lost.shopRefundId), amountMinor: lost.amountMinor, currency: lost.currency })
    : { ok: false as const, error: { message: `${name} has no way to look a refund up` } };
  if (!found.ok) {
    return refusal(
      502,
      'provider_unavailable',
      `${name} could not be asked whether the refund of ${lostAmount} asked for earlier (WooCommerce refund ${lost.shopRefundId}, whose answer was lost) went through (${found.error.message}), so nothing was refunded now, to never refund twice. Try again in a moment, or check the payment in the ${name} dashboard.`,
    );
  }
  const now = deps.clock.now();
  const outcome = lostRefundOutcome(lost, found.value !== null, { amountMinor, currency: request.currency }, now);
  if (outcome === 'maybe_in_flight') {
    const from = notMadeBelievedFrom(lost.updatedAt);
    const seconds = Math.ceil((from - now) / 1000);
    const message = `${name} does not list the refund of ${lostAmount} asked for earlier (WooCommerce refund ${lost.shopRefundId}), but its answer was lost only ${Math.floor((now - lost.updatedAt) / 1000)} s ago and ${name} may still be making it. Nothing was refunded now, to never refund twice: try again in ${seconds} s (after ${new Date(from).toISOString().slice(11, 19)} UTC), when Payrelay can be sure whether it went through.`;
    deps.stores.log.append({ at: now, merchantOrderId: lost.merchantOrderId, sessionId: session.id, provider: session.provider, kind: 'refund_requested', message: `WooCommerce refund ${request.shopRefundId} refused for now: ${message}`, data: { shopRefundId: request.shopRefundId, lostShopRefundId: lost.shopRefundId, retryAt: from } });
    return { ok: false, error: { status: 409, code: 'earlier_refund_in_flight', message, retryAfterSeconds: seconds } };
  }
  if (outcome === 'not_made') {
    deps.unitOfWork.transaction(() => {
      const message = `${name} has no refund for WooCommerce refund ${lost.shopRefundId}: it was not made.`;
      deps.refunds.settle(lost.merchantOrderId, lost.shopRefundId, { state: 'refused', message }, now);
      deps.stores.log.append({ at: now, merchantOrderId: lost.merchantOrderId, sessionId: session.id, provider: session.provider, kind: 'refund_requested', message: `Asked ${name} about the refund of ${lostAmount} whose answer was lost (WooCommerce refund ${lost.shopRefundId}): it was not made.`, data: { shopRefundId: lost.shopRefundId } });
    });
    return null;
  }
  const made = found.value as ProviderRefund;
  return deps.unitOfWork.transaction((): RefundAnswer | null => {
    // The session's row first: a refund webhook that confirms the lost refund writes it too, so from here on its
    // settlement is either seen below or comes after this transaction.
    const current = deps.stores.sessions.getForUpdate(session.id) ?? session;
    // The refund's webhook settled it while the provider was asked (refunds of one order take turns, webhooks do
    // not): it is counted and on the order already; adding it again would write a second refund record.
    if (deps.refunds.get(lost.merchantOrderId, lost.shopRefundId)?.state !== 'unconfirmed') return null;
    // Counted as in the shop from now on, from the total as it is now: the provider's webhook for it then finds
    // nothing new to write.
    const { refundedMinor, full } = withRefundCounted(current, lost.amountMinor);
    const left = leftToRefundMinor({ ...current, refundedMinor });
    deps.stores.sessions.update(session.id, { refundedMinor, ...(full ? { status: 'refunded', disputedFrom: null } : {}) }, now);
    const madeText = `The refund of ${lostAmount} asked for earlier (WooCommerce refund ${lost.shopRefundId}), whose answer from ${name} was lost, is made at ${name} (refund ${made.providerRefundId})`;
    if (outcome === 'same_refund') {
      const message = `${madeText}; this refund is that one, so nothing was refunded twice.`;
      deps.refunds.settle(lost.merchantOrderId, lost.shopRefundId, { state: made.status, providerRefundId: made.providerRefundId, message: `made at ${name}; recorded in the shop as WooCommerce refund ${request.shopRefundId}` }, now);
      deps.refunds.insertIfNew({ merchantOrderId: request.merchantOrderId, shopRefundId: request.shopRefundId, sessionId: session.id, provider: session.provider, amountMinor, currency: session.currency, state: made.status, createdAt: now });
      deps.refunds.settle(request.merchantOrderId, request.shopRefundId, { state: made.status, providerRefundId: made.providerRefundId, message }, now);
      deps.stores.log.append({ at: now, merchantOrderId: session.merchantOrderId, sessionId: session.id, provider: session.provider, kind: 'refund_requested', message: `${madeText}. WooCommerce refund ${request.shopRefundId} asked again for the same amount and was answered with it: nothing refunded twice.`, data: { shopRefundId: request.shopRefundId, lostShopRefundId: lost.shopRefundId, providerRefundId: made.providerRefundId } });
      return { ok: true, refund: deps.refunds.get(request.merchantOrderId, request.shopRefundId)!, replayed: false, message };
    }
    // Another amount: WooCommerce no longer has a record of the refund made, so the relay adds it, and this
    // request is refused for the merchant to decide again with what is now left.
    const note = `${madeText}. WooCommerce had removed its record of it when told of the error, so Payrelay added it to this order.`;
    deps.refunds.settle(lost.merchantOrderId, lost.shopRefundId, { state: made.status, providerRefundId: made.providerRefundId, message: 'made at the provider; Payrelay added the refund record to the order' }, now);
    queueRefundRecord(deps, session, { eventId: `shop-refund-${lost.shopRefundId}`, amountMinor: lost.amountMinor, refundedTotalMinor: refundedMinor, target: full ? 'refunded' : current.status, note }, now);
    const message = `${madeText}, so nothing more was refunded now: Payrelay adds that refund of ${lostAmount} to this order. ${formatMoney(left, session.currency)} is left to refund; refund again if more should go back.`;
    deps.stores.log.append({ at: now, merchantOrderId: session.merchantOrderId, sessionId: session.id, provider: session.provider, kind: 'refund_requested', message, data: { shopRefundId: request.shopRefundId, lostShopRefundId: lost.shopRefundId, providerRefundId: made.providerRefundId } });
    return refusal(409, 'earlier_refund_made', message);
  });
}

function refusal(status: 409 | 502, code: 'provider_unavailable' | 'earlier_refund_made', message: string): RefundAnswer {
  return { ok: false, error: { status, code, message } };
}
