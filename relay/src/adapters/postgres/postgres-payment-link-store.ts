import type { PaymentLinkStore } from '../../ports/payment-link-store';
import { toLink } from '../sqlite/sqlite-payment-link-store';
import type { PgDb } from './pg-database';

type LinkRow = Parameters<typeof toLink>[0];

export function createPostgresPaymentLinkStore(db: PgDb): PaymentLinkStore {
  const get = (id: string) => {
    const row = db.get<LinkRow>('SELECT * FROM payment_links WHERE id = $1', [id]);
    return row ? toLink(row) : null;
  };
  return {
    insert: (l) => {
      db.run(
        `INSERT INTO payment_links (id, merchant_order_id, order_key, amount_minor, currency, customer_email, customer_country, method, return_url, cancel_url,
           created_at, expires_at, revoked_at, last_session_id, opened_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [l.id, l.merchantOrderId, l.orderKey, l.amountMinor, l.currency, l.customerEmail, l.customerCountry, l.method, l.returnUrl, l.cancelUrl, l.createdAt, l.expiresAt, l.revokedAt, l.lastSessionId, l.openedCount],
      );
    },
    get,
    listByOrder: (orderId) => db.all<LinkRow>('SELECT * FROM payment_links WHERE merchant_order_id = $1 ORDER BY created_at, id', [orderId]).map(toLink),
    revoke: (id, now) => {
      db.run('UPDATE payment_links SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [now, id]);
      return get(id);
    },
    recordOpen: (id, sessionId) => {
      db.run('UPDATE payment_links SET opened_count = opened_count + 1, last_session_id = COALESCE($1, last_session_id) WHERE id = $2', [sessionId, id]);
    },
  };
}
