import type { PaymentStatus } from './payment-status';

/** What opening a payment link does. Pure: the use case gathers the facts and carries the decision out. */
export type LinkOpenDecision =
  | { do: 'refuse'; reason: 'revoked' | 'expired' | 'already_paid' | 'order_closed'; message: string }
  | { do: 'reuse'; sessionId: string }
  | { do: 'create' };

export interface LinkFacts {
  revokedAt: number | null;
  expiresAt: number;
  lastSessionId: string | null;
}

export interface SessionFacts {
  id: string;
  status: PaymentStatus;
  expiresAt: number;
}

/** WooCommerce statuses of an order that took its money (paid by any gateway, or marked paid by hand). */
const PAID_ORDER_STATUSES = new Set(['processing', 'completed', 'refunded']);
/** Statuses in which WooCommerce takes no payment for the order any more. */
const CLOSED_ORDER_STATUSES = new Set(['cancelled', 'trash', 'draft', 'checkout-draft']);
/** A session reused must leave the customer time to pay; closer to its end a fresh one is made. */
export const REUSE_MARGIN_MS = 5 * 60_000;

/**
 * Paid is checked twice: in the relay's sessions (a webhook may be in the outbox, not yet in the shop) and in the
 * live order (paid another way, or by hand). Either one means "already paid", never a second charge.
 */
export function decideLinkOpen(
  link: LinkFacts,
  now: number,
  orderSessions: readonly SessionFacts[],
  liveOrder: { status: string; datePaid: string | null },
): LinkOpenDecision {
  if (link.revokedAt !== null) {
    return { do: 'refuse', reason: 'revoked', message: 'This payment link was withdrawn by the shop. Please contact the shop for a new one.' };
  }
  if (now >= link.expiresAt) {
    return { do: 'refuse', reason: 'expired', message: 'This payment link has expired. Please contact the shop for a new one.' };
  }
  const moneyTaken = orderSessions.some((s) => s.status === 'paid' || s.status === 'refunded' || s.status === 'review');
  if (moneyTaken || PAID_ORDER_STATUSES.has(liveOrder.status) || liveOrder.datePaid) {
    return { do: 'refuse', reason: 'already_paid', message: 'This order has already been paid. Thank you! Nothing more is charged.' };
  }
  if (CLOSED_ORDER_STATUSES.has(liveOrder.status)) {
    return { do: 'refuse', reason: 'order_closed', message: 'This order is no longer open for payment. Please contact the shop.' };
  }
  const last = link.lastSessionId ? orderSessions.find((s) => s.id === link.lastSessionId) : undefined;
  if (last && (last.status === 'created' || last.status === 'pending') && last.expiresAt - now > REUSE_MARGIN_MS) {
    return { do: 'reuse', sessionId: last.id };
  }
  return { do: 'create' };
}
