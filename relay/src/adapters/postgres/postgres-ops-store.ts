import { PROVIDER_IDS } from '../../domain/provider-event';
import type { DeadLetter, OpsStore, StoredEvent } from '../../ports/ops-store';
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

interface EventRow {
  id: number;
  provider: string;
  event_id: string;
  event_type: string;
  session_id: string | null;
  merchant_order_id: string | null;
  outcome: string;
  verification: string;
  received_at: number;
}

const EVENT_COLUMNS = 'id, provider, event_id, event_type, session_id, merchant_order_id, outcome, verification, received_at';
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
    openCommandsOf: (orderKeys) =>
      db
        .all<DeadRow & { state: 'pending' | 'dead'; next_attempt_at: number }>(
          `SELECT ${DEAD_COLUMNS}, state, next_attempt_at FROM outbox WHERE state IN ('pending', 'dead') AND order_key = ANY(string_to_array($1, chr(31))) ORDER BY id`,
          [orderKeys.join('\u001f')],
        )
        .map((row) => ({ ...toDeadLetter(row), state: row.state, nextAttemptAt: row.next_attempt_at })),
    storedEvent: (id) => {
      const row = db.get<EventRow>(`SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE id = $1`, [id]);
      return row ? toStoredEvent(row) : null;
    },
    storedEventsByEventId: (eventId) =>
      db.all<EventRow>(`SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE provider IN (${PROVIDER_IDS.map((id) => `'${id}'`).join(', ')}) AND event_id = $1 ORDER BY id`, [eventId]).map(toStoredEvent),
    commandsWithRef: (ref) =>
      db
        .all<{ id: number; order_key: string; kind: string; state: 'pending' | 'done' | 'dead' }>("SELECT id, order_key, kind, state FROM outbox WHERE (command::jsonb ->> 'ref') = $1 ORDER BY id", [ref])
        .map((row) => ({ id: row.id, orderKey: row.order_key, kind: row.kind as OutboxCommand['kind'], state: row.state })),
    requeueCopy: (id, now) =>
      db.get<{ id: number }>(
        `INSERT INTO outbox (order_key, kind, command, attempts, next_attempt_at, created_at, updated_at)
         SELECT order_key, kind, command, 1, $2, $2, $2 FROM outbox WHERE id = $1 RETURNING id`,
        [id, now],
      )?.id ?? null,
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

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    provider: row.provider,
    eventId: row.event_id,
    eventType: row.event_type,
    sessionId: row.session_id,
    merchantOrderId: row.merchant_order_id,
    outcome: row.outcome,
    verification: row.verification,
    receivedAt: row.received_at,
  };
}
