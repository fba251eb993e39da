import type { ProviderId } from '../../domain/provider-event';
import type { ShopRefund, ShopRefundState, ShopRefundStore } from '../../ports/shop-refund-store';
import type { Db } from './open-database';

interface Row {
  merchant_order_id: string;
  shop_refund_id: string;
  session_id: string;
  provider: string;
  amount_minor: number;
  currency: string;
  state: string;
  provider_refund_id: string | null;
  message: string | null;
  created_at: number;
  updated_at: number;
  answered_at: number | null;
}

/** Over table shop_refunds (migration 4): UNIQUE(merchant_order_id, shop_refund_id) makes a retry find its row. */
export function createSqliteShopRefundStore(db: Db): ShopRefundStore {
  const get = db.prepare<[string, string], Row>('SELECT * FROM shop_refunds WHERE merchant_order_id = ? AND shop_refund_id = ?');
  const insert = db.prepare(
    `INSERT INTO shop_refunds (merchant_order_id, shop_refund_id, session_id, provider, amount_minor, currency, state, created_at, updated_at, answered_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_order_id, shop_refund_id) DO NOTHING`,
  );
  const settle = db.prepare(
    `UPDATE shop_refunds SET state = ?, provider_refund_id = COALESCE(?, provider_refund_id), message = ?, updated_at = ?,
       answered_at = CASE WHEN ? = 'requested' THEN NULL ELSE answered_at END
     WHERE merchant_order_id = ? AND shop_refund_id = ?`,
  );
  const markAnswered = db.prepare('UPDATE shop_refunds SET answered_at = COALESCE(answered_at, ?) WHERE merchant_order_id = ? AND shop_refund_id = ?');
  const byOrder = db.prepare<[string], Row>('SELECT * FROM shop_refunds WHERE merchant_order_id = ? ORDER BY id');
  // By shop_refunds_unanswered (migration 17): a range of the few rows waiting for an answer, never the whole table.
  const unansweredBefore = db.prepare<[number, number], Row>('SELECT * FROM shop_refunds WHERE answered_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?');
  return {
    get: (orderId, refundId) => {
      const row = get.get(orderId, refundId);
      return row ? toRefund(row) : null;
    },
    insertIfNew: (r) =>
      insert.run(r.merchantOrderId, r.shopRefundId, r.sessionId, r.provider, r.amountMinor, r.currency, r.state, r.createdAt, r.createdAt, r.state === 'requested' ? null : r.createdAt).changes === 1,
    settle: (orderId, refundId, patch, now) => {
      settle.run(patch.state, patch.providerRefundId ?? null, patch.message ?? null, now, patch.state, orderId, refundId);
    },
    listByOrder: (orderId) => byOrder.all(orderId).map(toRefund),
    markAnswered: (orderId, refundId, now) => {
      markAnswered.run(now, orderId, refundId);
    },
    listUnansweredBefore: (before, limit) => unansweredBefore.all(before, limit).map(toRefund),
  };
}

export function toRefund(row: Row): ShopRefund {
  return {
    merchantOrderId: row.merchant_order_id,
    shopRefundId: row.shop_refund_id,
    sessionId: row.session_id,
    provider: row.provider as ProviderId,
    amountMinor: row.amount_minor,
    currency: row.currency,
    state: row.state as ShopRefundState,
    providerRefundId: row.provider_refund_id,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    answeredAt: row.answered_at === null ? null : Number(row.answered_at),
  };
}
