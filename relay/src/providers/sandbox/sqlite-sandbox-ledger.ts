import type { Database } from 'better-sqlite3';
import { sandboxPaymentId, type SandboxLedger, type SandboxPayment } from './sandbox-ledger';
import { toSandboxPayment, type SandboxPaymentRow } from './sandbox-payment-row';

/**
 * The sandbox ledger in the relay's SQLite file. It owns its table (created if missing) rather than joining the
 * relay's migrations: it is the stand-in provider's storage, not the relay's.
 */
export class SqliteSandboxLedger implements SandboxLedger {
  constructor(private readonly db: Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS sandbox_payments (
      session_id TEXT PRIMARY KEY,
      payment_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL,
      currency TEXT NOT NULL,
      status TEXT NOT NULL,
      refunded_minor INTEGER NOT NULL DEFAULT 0,
      reason TEXT,
      expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`);
  }

  open(input: { relaySessionId: string; amountMinor: number; currency: string; expiresAt: number }, now: number): SandboxPayment {
    this.db
      .prepare(
        `INSERT INTO sandbox_payments (session_id, payment_id, amount_minor, currency, status, refunded_minor, reason, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'created', 0, NULL, ?, ?, ?) ON CONFLICT(session_id) DO NOTHING`,
      )
      .run(input.relaySessionId, sandboxPaymentId(input.relaySessionId), input.amountMinor, input.currency.toUpperCase(), input.expiresAt, now, now);
    const payment = this.get(input.relaySessionId);
    if (!payment) throw new Error('sandbox ledger: row vanished after insert');
    return payment;
  }

  get(relaySessionId: string): SandboxPayment | null {
    const row = this.db.prepare('SELECT * FROM sandbox_payments WHERE session_id = ?').get(relaySessionId) as SandboxPaymentRow | undefined;
    return row ? toSandboxPayment(row) : null;
  }

  record(relaySessionId: string, outcome: { status: SandboxPayment['status']; reason?: string | null; refundedMinor?: number }, now: number): SandboxPayment | null {
    // RETURNING: the changed row comes back from the UPDATE, not from a second read.
    const row = this.db
      .prepare('UPDATE sandbox_payments SET status = ?, reason = ?, refunded_minor = COALESCE(?, refunded_minor), updated_at = ? WHERE session_id = ? RETURNING *')
      .get(outcome.status, outcome.reason ?? null, outcome.refundedMinor ?? null, now, relaySessionId) as SandboxPaymentRow | undefined;
    return row ? toSandboxPayment(row) : null;
  }
}
