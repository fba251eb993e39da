import type { PaymentSession } from '../../domain/payment-session';
import type { PaymentStatus } from '../../domain/payment-status';
import type { ProviderId } from '../../domain/provider-event';
import type { FindOptions, NewPaymentSession, SessionPatch, SessionStore } from '../../ports/session-store';
import { PATCH_COLUMNS, toSession, type SessionRow } from '../store-rows/session-rows';
import type { PgDb } from './pg-database';

const INSERT_COLUMNS = [
  'id', 'merchant_order_id', 'order_key', 'provider', 'provider_session_id', 'provider_payment_id', 'customer_email', 'customer_country', 'method',
  'amount_minor', 'currency', 'status', 'refunded_minor', 'livemode', 'checkout_url', 'return_url', 'cancel_url', 'status_token', 'idempotency_key',
  'attempt', 'created_at', 'expires_at', 'updated_at',
];
const INSERT = `INSERT INTO payment_sessions (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** Over table payment_sessions (PostgreSQL migration 1); the same queries as sqlite-session-store.ts. */
export function createPostgresSessionStore(db: PgDb): SessionStore {
  const one = (sql: string, params: unknown[]) => toSession(db.get<SessionRow>(sql, params));
  const many = (sql: string, params: unknown[]) => db.all<SessionRow>(sql, params).map((row) => toSession(row) as PaymentSession);
  const lock = (options?: FindOptions) => (options?.forUpdate ? ' FOR UPDATE' : '');
  const marks = (statuses: PaymentStatus[]) => statuses.map((_, i) => `$${i + 1}`).join(', ');
  return {
    insert(s: NewPaymentSession): void {
      db.run(INSERT, [
        s.id, s.merchantOrderId, s.orderKey, s.provider, s.providerSessionId, s.providerPaymentId, s.customerEmail, s.customerCountry, s.method,
        s.amountMinor, s.currency, s.status, s.refundedMinor, s.livemode ? 1 : 0, s.checkoutUrl, s.returnUrl, s.cancelUrl, s.statusToken, s.idempotencyKey,
        s.attempt, s.createdAt, s.expiresAt, s.updatedAt,
      ]);
    },
    get: (id) => one('SELECT * FROM payment_sessions WHERE id = $1', [id]),
    getForUpdate: (id) => one('SELECT * FROM payment_sessions WHERE id = $1 FOR UPDATE', [id]),
    findByProviderSessionId: (provider, ref, options) =>
      one(`SELECT * FROM payment_sessions WHERE provider = $1 AND provider_session_id = $2${lock(options)}`, [provider, ref]),
    // With LIMIT, FOR UPDATE locks only the row returned.
    findByProviderPaymentId: (provider, ref, options) =>
      one(`SELECT * FROM payment_sessions WHERE provider = $1 AND provider_payment_id = $2 ORDER BY created_at DESC LIMIT 1${lock(options)}`, [provider, ref]),
    findByIdempotencyKey: (key) => one('SELECT * FROM payment_sessions WHERE idempotency_key = $1', [key]),
    listByOrder: (orderId) => many('SELECT * FROM payment_sessions WHERE merchant_order_id = $1 ORDER BY created_at, seq', [orderId]),
    findPaidSibling: (orderId, exceptId) =>
      db.get<{ id: string; provider: ProviderId; providerPaymentId: string | null }>(
        `SELECT id, provider, provider_payment_id AS "providerPaymentId" FROM payment_sessions
         WHERE merchant_order_id = $1 AND status IN ('paid', 'review') AND id <> $2 ORDER BY status = 'paid' DESC, created_at LIMIT 1`,
        [orderId, exceptId],
      ) ?? null,
    countByOrder: (orderId) => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM payment_sessions WHERE merchant_order_id = $1', [orderId])?.n ?? 0,
    listOpenExpiredBefore: (now, limit) =>
      many(`SELECT * FROM payment_sessions WHERE status IN ('created', 'pending') AND expires_at <= $1 ORDER BY expires_at LIMIT $2`, [now, limit]),
    listStale(statuses, before, limit) {
      if (statuses.length === 0) return [];
      const n = statuses.length;
      return many(`SELECT * FROM payment_sessions WHERE status IN (${marks(statuses)}) AND updated_at <= $${n + 1} ORDER BY updated_at LIMIT $${n + 2}`, [...statuses, before, limit]);
    },
    listUpdatedSince(statuses, since, limit) {
      if (statuses.length === 0) return [];
      const n = statuses.length;
      return many(`SELECT * FROM payment_sessions WHERE status IN (${marks(statuses)}) AND updated_at >= $${n + 1} ORDER BY updated_at DESC LIMIT $${n + 2}`, [...statuses, since, limit]);
    },
    update(id, patch, now) {
      const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as Array<[keyof SessionPatch, unknown]>;
      const sets = entries.map(([key], i) => `${PATCH_COLUMNS[key]} = $${i + 1}`);
      const n = entries.length;
      db.run(`UPDATE payment_sessions SET ${[...sets, `updated_at = $${n + 1}`].join(', ')} WHERE id = $${n + 2}`, [...entries.map(([, value]) => value), now, id]);
    },
  };
}
