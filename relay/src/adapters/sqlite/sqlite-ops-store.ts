import type { DeadLetter, OpsStore, SessionSummary } from '../../ports/ops-store';
import type { Db } from './open-database';

interface SessionRow {
  id: string;
  merchant_order_id: string;
  provider: string;
  status: string;
  amount_minor: number;
  currency: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

const SESSION_COLUMNS = 'id, merchant_order_id, provider, status, amount_minor, currency, created_at, updated_at, expires_at';

export function createSqliteOpsStore(db: Db): OpsStore {
  // outbox_pending (state, …) narrows to the pending rows; the queue is short when the relay is healthy.
  const oldestPending = db.prepare<[], { at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'");
  const byStatus = db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM payment_sessions GROUP BY status');
  const recent = db.prepare<[number], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions ORDER BY created_at DESC, id DESC LIMIT ?`);
  const ofOrder = db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions WHERE merchant_order_id = ? ORDER BY created_at DESC, id DESC`);
  const dead = db.prepare<[number], { id: number; order_key: string; kind: string; attempts: number; last_error: string | null; created_at: number; updated_at: number }>(
    "SELECT id, order_key, kind, attempts, last_error, created_at, updated_at FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?",
  );
  const retry = db.prepare("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'");
  const accepted = db.prepare<[number], { provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_events WHERE received_at >= ? GROUP BY provider');
  const rejected = db.prepare<[number], { provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_rejections WHERE received_at >= ? GROUP BY provider');

  return {
    oldestPendingAt: () => oldestPending.get()?.at ?? null,
    sessionsByStatus: () => Object.fromEntries(byStatus.all().map((row) => [row.status, row.n])),
    recentSessions: (limit) => recent.all(limit).map(toSummary),
    sessionsOfOrder: (orderId) => ofOrder.all(orderId).map(toSummary),
    deadLetters: (limit): DeadLetter[] =>
      dead.all(limit).map((row) => ({ id: row.id, orderKey: row.order_key, kind: row.kind, attempts: row.attempts, lastError: row.last_error, createdAt: row.created_at, updatedAt: row.updated_at })),
    retryDead: (id, now) => retry.run(now, now, id).changes === 1,
    webhookCountsSince: (since) => {
      const counts: Record<string, { accepted: number; rejected: number }> = {};
      for (const row of accepted.all(since)) (counts[row.provider] ??= { accepted: 0, rejected: 0 }).accepted = row.n;
      for (const row of rejected.all(since)) (counts[row.provider] ??= { accepted: 0, rejected: 0 }).rejected = row.n;
      return counts;
    },
  };
}

function toSummary(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    merchantOrderId: row.merchant_order_id,
    provider: row.provider,
    status: row.status,
    amountMinor: row.amount_minor,
    currency: row.currency,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}
