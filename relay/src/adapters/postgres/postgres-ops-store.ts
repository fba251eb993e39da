import type { DeadLetter, OpsStore } from '../../ports/ops-store';
import { toSummary } from '../sqlite/sqlite-ops-store';
import type { PgDb } from './pg-database';

type SessionRow = Parameters<typeof toSummary>[0];

const SESSION_COLUMNS = 'id, merchant_order_id, provider, status, amount_minor, currency, created_at, updated_at, expires_at';

export function createPostgresOpsStore(db: PgDb): OpsStore {
  return {
    oldestPendingAt: () => db.get<{ at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'")?.at ?? null,
    sessionsByStatus: () => Object.fromEntries(db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM payment_sessions GROUP BY status').map((r) => [r.status, r.n])),
    recentSessions: (limit) => db.all<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]).map(toSummary),
    sessionsOfOrder: (orderId) =>
      db.all<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions WHERE merchant_order_id = $1 ORDER BY created_at DESC, id DESC`, [orderId]).map(toSummary),
    deadLetters: (limit): DeadLetter[] =>
      db
        .all<{ id: number; order_key: string; kind: string; attempts: number; last_error: string | null; created_at: number; updated_at: number }>(
          "SELECT id, order_key, kind, attempts, last_error, created_at, updated_at FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT $1",
          [limit],
        )
        .map((row) => ({ id: row.id, orderKey: row.order_key, kind: row.kind, attempts: row.attempts, lastError: row.last_error, createdAt: row.created_at, updatedAt: row.updated_at })),
    retryDead: (id, now) => db.run("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1 WHERE id = $2 AND state = 'dead'", [now, id]) === 1,
    webhookCountsSince: (since) => {
      const counts: Record<string, { accepted: number; rejected: number }> = {};
      for (const row of db.all<{ provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_events WHERE received_at >= $1 GROUP BY provider', [since]))
        (counts[row.provider] ??= { accepted: 0, rejected: 0 }).accepted = row.n;
      for (const row of db.all<{ provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_rejections WHERE received_at >= $1 GROUP BY provider', [since]))
        (counts[row.provider] ??= { accepted: 0, rejected: 0 }).rejected = row.n;
      return counts;
    },
  };
}
