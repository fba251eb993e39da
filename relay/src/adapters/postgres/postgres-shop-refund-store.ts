import type { ShopRefundStore } from '../../ports/shop-refund-store';
import { toRefund } from '../sqlite/sqlite-shop-refund-store';
import type { PgDb } from './pg-database';

type Row = Parameters<typeof toRefund>[0];

/** Over shop_refunds: UNIQUE(merchant_order_id, shop_refund_id) makes a retry (on any relay) find its row. */
export function createPostgresShopRefundStore(db: PgDb): ShopRefundStore {
  return {
    get: (orderId, refundId) => {
      const row = db.get<Row>('SELECT * FROM shop_refunds WHERE merchant_order_id = $1 AND shop_refund_id = $2', [orderId, refundId]);
      return row ? toRefund(row) : null;
    },
    insertIfNew: (r) =>
      db.run(
        `INSERT INTO shop_refunds (merchant_order_id, shop_refund_id, session_id, provider, amount_minor, currency, state, created_at, updated_at, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (merchant_order_id, shop_refund_id) DO NOTHING`,
        [r.merchantOrderId, r.shopRefundId, r.sessionId, r.provider, r.amountMinor, r.currency, r.state, r.createdAt, r.state === 'requested' ? null : r.createdAt],
      ) === 1,
    settle: (orderId, refundId, patch, now) => {
      db.run(
        `UPDATE shop_refunds SET state = $1, provider_refund_id = COALESCE($2, provider_refund_id), message = $3, updated_at = $4,
           answered_at = CASE WHEN $1 = 'requested' THEN NULL ELSE answered_at END
         WHERE merchant_order_id = $5 AND shop_refund_id = $6`,
        [patch.state, patch.providerRefundId ?? null, patch.message ?? null, now, orderId, refundId],
      );
    },
    listByOrder: (orderId) => db.all<Row>('SELECT * FROM shop_refunds WHERE merchant_order_id = $1 ORDER BY id', [orderId]).map(toRefund),
    markAnswered: (orderId, refundId, now) => {
      db.run('UPDATE shop_refunds SET answered_at = COALESCE(answered_at, $1) WHERE merchant_order_id = $2 AND shop_refund_id = $3', [now, orderId, refundId]);
    },
    // By shop_refunds_unanswered (PG migration 11).
    listUnansweredBefore: (before, limit) =>
      db.all<Row>('SELECT * FROM shop_refunds WHERE answered_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2', [before, limit]).map(toRefund),
  };
}
