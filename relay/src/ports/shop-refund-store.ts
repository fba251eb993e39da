import type { ProviderId } from '../domain/provider-event';

/**
 * `requested`: the provider is being asked (the amount already counts as reflected in the shop, so a refund
 * webhook arriving meanwhile is recognised as this refund); `succeeded`/`pending`: the provider took it;
 * `refused`: it did not, and the amount no longer counts. `unconfirmed`: the provider's answer was lost (timeout,
 * dropped connection, 5xx), so it may have refunded: the amount still counts against what is left to refund, but
 * not as recorded in the shop (WooCommerce deleted its record when told of the error), until the provider's
 * webhook or the next refund request's look-up at the provider settles it.
 */
export type ShopRefundState = 'requested' | 'succeeded' | 'pending' | 'refused' | 'unconfirmed';

/** A refund the merchant made in WooCommerce's order screen, keyed by WooCommerce's refund id. */
export interface ShopRefund {
  merchantOrderId: string;
  shopRefundId: string;
  sessionId: string;
  provider: ProviderId;
  amountMinor: number;
  currency: string;
  state: ShopRefundState;
  providerRefundId: string | null;
  message: string | null;
  createdAt: number;
  /** When its state last changed: for an `unconfirmed` refund, when its answer was lost. */
  updatedAt: number;
  /**
   * When the request that asked for it gave the plugin its answer (null while it is asking, or if its relay stopped
   * first). A webhook may settle the refund before that; only the answer tells whether WooCommerce keeps its record.
   */
  answeredAt: number | null;
}

/** Synchronous, so a refund row and the session's refunded total change in one transaction. */
export interface ShopRefundStore {
  get(merchantOrderId: string, shopRefundId: string): ShopRefund | null;
  /** false when a row for this WooCommerce refund exists already (a retried request). */
  /** A row inserted `requested` is unanswered; one inserted settled (a refund found made) is answered at once. */
  insertIfNew(refund: Omit<ShopRefund, 'providerRefundId' | 'message' | 'updatedAt' | 'answeredAt'>): boolean;
  /** Settling it `requested` again (the same WooCommerce refund asked again) makes it unanswered again. */
  settle(merchantOrderId: string, shopRefundId: string, patch: { state: ShopRefundState; providerRefundId?: string | null; message?: string | null }, now: number): void;
  listByOrder(merchantOrderId: string): ShopRefund[];
  /** The request that asked for it has given the plugin its answer (once: the first time stands). */
  markAnswered(merchantOrderId: string, shopRefundId: string, now: number): void;
  /**
   * Refunds whose request has not answered, asked for before `before`, oldest first: the candidates for
   * recover-interrupted-refunds.ts (a relay that stopped while it asked the provider leaves its row so).
   */
  listUnansweredBefore(before: number, limit: number): ShopRefund[];
}
