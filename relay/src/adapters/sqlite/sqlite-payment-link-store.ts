import type { RequestedMethod } from '../../domain/payment-session';
import type { PaymentLink, PaymentLinkStore } from '../../ports/payment-link-store';
import type { Db } from './open-database';

export function createSqlitePaymentLinkStore(db: Db): PaymentLinkStore {
  const insert = db.prepare(`INSERT INTO payment_links
    (id, merchant_order_id, order_key, amount_minor, currency, customer_email, customer_country, method, return_url, cancel_url, created_at, expires_at, revoked_at, last_session_id, opened_count)
    VALUES (@id, @merchantOrderId, @orderKey, @amountMinor, @currency, @customerEmail, @customerCountry, @method, @returnUrl, @cancelUrl, @createdAt, @expiresAt, @revokedAt, @lastSessionId, @openedCount)`);
  const get = db.prepare<[string], LinkRow>('SELECT * FROM payment_links WHERE id = ?');
  const byOrder = db.prepare<[string], LinkRow>('SELECT * FROM payment_links WHERE merchant_order_id = ? ORDER BY created_at, id');
  const revoke = db.prepare('UPDATE payment_links SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?');
  const opened = db.prepare('UPDATE payment_links SET opened_count = opened_count + 1, last_session_id = COALESCE(?, last_session_id) WHERE id = ?');
  return {
    insert: (link) => {
      insert.run(link);
    },
    get: (id) => {
      const row = get.get(id);
      return row ? toLink(row) : null;
    },
    listByOrder: (orderId) => byOrder.all(orderId).map(toLink),
    revoke: (id, now) => {
      revoke.run(now, id);
      const row = get.get(id);
      return row ? toLink(row) : null;
    },
    recordOpen: (id, sessionId) => {
      opened.run(sessionId, id);
    },
  };
}

interface LinkRow {
  id: string;
  merchant_order_id: string;
  order_key: string;
  amount_minor: number;
  currency: string;
  customer_email: string;
  customer_country: string;
  method: string;
  return_url: string;
  cancel_url: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_session_id: string | null;
  opened_count: number;
}

export function toLink(row: LinkRow): PaymentLink {
  return {
    id: row.id,
    merchantOrderId: row.merchant_order_id,
    orderKey: row.order_key,
    amountMinor: row.amount_minor,
    currency: row.currency,
    customerEmail: row.customer_email,
    customerCountry: row.customer_country,
    method: row.method as RequestedMethod,
    returnUrl: row.return_url,
    cancelUrl: row.cancel_url,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastSessionId: row.last_session_id,
    openedCount: row.opened_count,
  };
}
