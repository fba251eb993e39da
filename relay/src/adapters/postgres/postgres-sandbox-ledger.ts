import { sandboxPaymentId, type SandboxLedger, type SandboxPayment } from '../../providers/sandbox/sandbox-ledger';
import type { PgDb } from './pg-database';
import { toSandboxPayment, type SandboxPaymentRow } from '../../providers/sandbox/sandbox-payment-row';

/**
 * The sandbox provider's ledger in the relay's PostgreSQL database, so every relay of a fleet sees the same
 * sandbox payments. Like the SQLite one it owns its table (created if missing) rather than joining the relay's
 * migrations: it is the stand-in provider's storage, not the relay's.
 */
export function createPostgresSandboxLedger(db: PgDb): SandboxLedger {
  // Under the migration lock: relays of a fleet starting together would race CREATE TABLE IF NOT EXISTS.
  db.transaction(() => {
    db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':payrelay-migrate'))");
    db.exec(`CREATE TABLE IF NOT EXISTS sandbox_payments (
    session_id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    reason TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`);
  });
  const get = (relaySessionId: string): SandboxPayment | null => {
    const row = db.get<SandboxPaymentRow>('SELECT * FROM sandbox_payments WHERE session_id = $1', [relaySessionId]);
    return row ? toSandboxPayment(row) : null;
  };
  return {
    open(input, now) {
      db.run(
        `INSERT INTO sandbox_payments (session_id, payment_id, amount_minor, currency, status, refunded_minor, reason, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'created', 0, NULL, $5, $6, $6) ON CONFLICT (session_id) DO NOTHING`,
        [input.relaySessionId, sandboxPaymentId(input.relaySessionId), input.amountMinor, input.currency.toUpperCase(), input.expiresAt, now],
      );
      const payment = get(input.relaySessionId);
      if (!payment) throw new Error('sandbox ledger: row vanished after insert');
      return payment;
    },
    get,
    record(relaySessionId, outcome, now) {
      const row = db.get<SandboxPaymentRow>('UPDATE sandbox_payments SET status = $1, reason = $2, refunded_minor = COALESCE($3, refunded_minor), updated_at = $4 WHERE session_id = $5 RETURNING *', [
        outcome.status, outcome.reason ?? null, outcome.refundedMinor ?? null, now, relaySessionId,
      ]);
      return row ? toSandboxPayment(row) : null;
    },
  };
}
