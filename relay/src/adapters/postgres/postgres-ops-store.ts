import type { DeadLetter, OpsStore } from '../../ports/ops-store';
import type { OutboxCommand } from '../../ports/outbox-store';
import { toSummary } from '../sqlite/sqlite-ops-store';
import type { PgDb } from './pg-database';

type SessionRow = Parameters<typeof toSummary>[0];

interface DeadRow {
  id: number;
  order_key: string;
  kind: string;
  command: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  dismissed_at: number | null;
}

const SESSION_COLUMNS = 'id, merchant_order_id, provider, status, amount_minor, currency, created_at, updated_at, expires_at';
const DEAD_COLUMNS = 'id, order_key, kind, command, attempts, last_error, created_at, updated_at, dismissed_at';

/** The operator's queries of sqlite-ops-store.ts, on PostgreSQL. */
export function createPostgresOpsStore(db: PgDb): OpsStore {
  return {
    oldestPendingAt: () => db.get<{ at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'")?.at ?? null,
    sessionsByStatus: () => Object.fromEntries(db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM payment_sessions GROUP BY status').map((r) => [r.status, r.n])),
    recentSessions: (limit) => db.all<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]).map(toSummary),
    sessionsOfOrder: (orderId) =>
      db.all<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM payment_sessions WHERE merchant_order_id = $1 ORDER BY created_at DESC, id DESC`, [orderId]).map(toSummary),
    deadLetters: (limit) => db.all<DeadRow>(`SELECT ${DEAD_COLUMNS} FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL ORDER BY id DESC LIMIT $1`, [limit]).map(toDeadLetter),
    deadLetterCount: () => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL")!.n,
    deadLetter: (id) => {
      const row = db.get<DeadRow>(`SELECT ${DEAD_COLUMNS} FROM outbox WHERE id = $1 AND state = 'dead'`, [id]);
      return row ? toDeadLetter(row) : null;
    },
    // A retried coalesced fetch gives up its key when a newer one is pending (see sqlite-ops-store.ts).
    retryDead: (id, now) =>
      db.run(
        `UPDATE outbox SET state = 'pending', attempts = 1, next_attempt_at = $2, updated_at = $2, rerun = 0, lease_owner = NULL, lease_until = NULL,
           coalesce_key = CASE WHEN EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.coalesce_key = outbox.coalesce_key) THEN NULL ELSE coalesce_key END
         WHERE id = $1 AND state = 'dead' AND dismissed_at IS NULL`,
        [id, now],
      ) === 1,
    dismissDead: (id, now) => db.run("UPDATE outbox SET dismissed_at = $2 WHERE id = $1 AND state = 'dead' AND dismissed_at IS NULL", [id, now]) === 1,
    openAlertCounts: () =>
      db.all<{ code: string; provider: string; count: number }>(
        `SELECT a.code, COALESCE(CASE WHEN a.alarm_key IS NOT NULL THEN substr(a.alarm_key, strpos(a.alarm_key, ':') + 1) END, s.provider, 'none') AS provider, COUNT(*) AS count
         FROM alerts a LEFT JOIN payment_sessions s ON s.id = a.session_id WHERE a.resolved = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      ),
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

function toDeadLetter(row: DeadRow): DeadLetter {
  const command = JSON.parse(row.command) as OutboxCommand;
  return {
    id: row.id,
    orderKey: row.order_key,
    kind: command.kind,
    command,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    dismissedAt: row.dismissed_at,
  };
}
