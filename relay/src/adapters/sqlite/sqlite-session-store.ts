import type { PaymentSession } from '../../domain/payment-session';
import type { PaymentStatus } from '../../domain/payment-status';
import type { ProviderId } from '../../domain/provider-event';
import type { NewPaymentSession, SessionPatch, SessionStore } from '../../ports/session-store';
import type { Statement } from 'better-sqlite3';
import { PATCH_COLUMNS, toSession, type SessionRow } from '../store-rows/session-rows';
import type { Db } from './open-database';

export function createSqliteSessionStore(db: Db): SessionStore {
  const insert = db.prepare(`
    INSERT INTO payment_sessions (id, merchant_order_id, order_key, provider, provider_session_id, provider_payment_id,
      customer_email, customer_country, method, amount_minor, currency, status, refunded_minor, livemode, checkout_url,
      return_url, cancel_url, status_token, idempotency_key, attempt, created_at, expires_at, updated_at)
    VALUES (@id, @merchantOrderId, @orderKey, @provider, @providerSessionId, @providerPaymentId, @customerEmail,
      @customerCountry, @method, @amountMinor, @currency, @status, @refundedMinor, @livemode, @checkoutUrl, @returnUrl,
      @cancelUrl, @statusToken, @idempotencyKey, @attempt, @createdAt, @expiresAt, @updatedAt)`);
  const byId = db.prepare<[string], SessionRow>('SELECT * FROM payment_sessions WHERE id = ?');
  const byProviderSession = db.prepare<[string, string], SessionRow>('SELECT * FROM payment_sessions WHERE provider = ? AND provider_session_id = ?');
  const byProviderPayment = db.prepare<[string, string], SessionRow>(
    'SELECT * FROM payment_sessions WHERE provider = ? AND provider_payment_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  const byIdempotencyKey = db.prepare<[string], SessionRow>('SELECT * FROM payment_sessions WHERE idempotency_key = ?');
  const byOrder = db.prepare<[string], SessionRow>('SELECT * FROM payment_sessions WHERE merchant_order_id = ? ORDER BY created_at, rowid');
  // `+status` keeps SQLite on the order index: through the status index this scans every paid session ever.
  const paidSibling = db.prepare<[string, string], { id: string; provider: ProviderId; providerPaymentId: string | null }>(
    `SELECT id, provider, provider_payment_id AS providerPaymentId FROM payment_sessions
     WHERE merchant_order_id = ? AND +status IN ('paid', 'review') AND id <> ? ORDER BY status = 'paid' DESC, created_at LIMIT 1`,
  );
  const countOrder = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM payment_sessions WHERE merchant_order_id = ?');
  const updates = new Map<string, Statement>();
  const openExpired = db.prepare<[number, number], SessionRow>(
    `SELECT * FROM payment_sessions WHERE status IN ('created', 'pending') AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
  );

  return {
    insert(session: NewPaymentSession): void {
      insert.run({ ...session, livemode: session.livemode ? 1 : 0 });
    },
    get: (id) => toSession(byId.get(id)),
    // The relay's transactions are IMMEDIATE (the write lock is taken at BEGIN): a plain read is locked already,
    // here and in the finds' `forUpdate`.
    getForUpdate: (id) => toSession(byId.get(id)),
    findByProviderSessionId: (provider, ref) => toSession(byProviderSession.get(provider, ref)),
    findByProviderPaymentId: (provider, ref) => toSession(byProviderPayment.get(provider, ref)),
    findByIdempotencyKey: (key) => toSession(byIdempotencyKey.get(key)),
    listByOrder: (orderId) => byOrder.all(orderId).map((row) => toSession(row) as PaymentSession),
    findPaidSibling: (orderId, exceptId) => paidSibling.get(orderId, exceptId) ?? null,
    countByOrder: (orderId) => countOrder.get(orderId)?.n ?? 0,
    listOpenExpiredBefore: (now, limit) => openExpired.all(now, limit).map((row) => toSession(row) as PaymentSession),
    listStale(statuses: PaymentStatus[], before: number, limit: number): PaymentSession[] {
      if (statuses.length === 0) return [];
      const marks = statuses.map(() => '?').join(', ');
      const rows = db
        .prepare(`SELECT * FROM payment_sessions WHERE status IN (${marks}) AND updated_at <= ? ORDER BY updated_at LIMIT ?`)
        .all(...statuses, before, limit) as SessionRow[];
      return rows.map((row) => toSession(row) as PaymentSession);
    },
    listUpdatedSince(statuses: PaymentStatus[], since: number, limit: number): PaymentSession[] {
      if (statuses.length === 0) return [];
      const marks = statuses.map(() => '?').join(', ');
      const rows = db
        .prepare(`SELECT * FROM payment_sessions WHERE status IN (${marks}) AND updated_at >= ? ORDER BY updated_at DESC LIMIT ?`)
        .all(...statuses, since, limit) as SessionRow[];
      return rows.map((row) => toSession(row) as PaymentSession);
    },
    update(id: string, patch: SessionPatch, now: number): void {
      const entries = Object.entries(patch).filter(([, value]) => value !== undefined) as Array<[keyof SessionPatch, unknown]>;
      const columns = entries.map(([key]) => PATCH_COLUMNS[key]).join(',');
      // Prepared once per column set: this runs for every applied webhook.
      let statement = updates.get(columns);
      if (!statement) {
        const sets = entries.map(([key]) => `${PATCH_COLUMNS[key]} = ?`);
        statement = db.prepare(`UPDATE payment_sessions SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ?`);
        updates.set(columns, statement);
      }
      statement.run(...entries.map(([, value]) => value), now, id);
    },
  };
}
