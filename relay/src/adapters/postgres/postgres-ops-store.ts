import { PROVIDER_IDS } from '../../domain/provider-event';
import type { OpsStore } from '../../ports/ops-store';
import type { OutboxCommand } from '../../ports/outbox-store';
import {
  DEAD_LETTER_COLUMNS,
  SESSION_SUMMARY_COLUMNS,
  STORED_EVENT_COLUMNS,
  toDeadLetter,
  toQueuedCommand,
  toStoredEvent,
  toSummary,
  webhookCounts,
  type DeadLetterRow,
  type QueuedCommandRow,
  type SessionSummaryRow,
  type StoredEventRow,
} from '../store-rows/ops-rows';
import type { PgDb } from './pg-database';
import { DATABASE_NOW_MS } from './postgres-outbox-store';

/** The operator's queries of sqlite-ops-store.ts, on PostgreSQL. */
export function createPostgresOpsStore(db: PgDb): OpsStore {
  return {
    oldestPendingAt: () => db.get<{ at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'")?.at ?? null,
    sessionsByStatus: () => Object.fromEntries(db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM payment_sessions GROUP BY status').map((r) => [r.status, r.n])),
    recentSessions: (limit) => db.all<SessionSummaryRow>(`SELECT ${SESSION_SUMMARY_COLUMNS} FROM payment_sessions ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]).map(toSummary),
    sessionsOfOrder: (orderId) =>
      db.all<SessionSummaryRow>(`SELECT ${SESSION_SUMMARY_COLUMNS} FROM payment_sessions WHERE merchant_order_id = $1 ORDER BY created_at DESC, id DESC`, [orderId]).map(toSummary),
    deadLetters: (limit) => db.all<DeadLetterRow>(`SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL ORDER BY id DESC LIMIT $1`, [limit]).map(toDeadLetter),
    deadLetterCount: () => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL")!.n,
    deadLetter: (id) => {
      const row = db.get<DeadLetterRow>(`SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE id = $1 AND state = 'dead'`, [id]);
      return row ? toDeadLetter(row) : null;
    },
    retryDead: (id, now) => {
      // Not while a relay holds another command of its order (ops-store.ts). Its order's pending commands are
      // locked first, until this transaction ends: a relay claiming one this instant (FOR UPDATE SKIP LOCKED)
      // either got it first, and its lease shows here, or skips it and next time finds this one the head.
      const pending = db.all<{ id: number; leased: boolean }>(
        `SELECT p.id, COALESCE(p.lease_until > ${DATABASE_NOW_MS}, false) AS leased FROM outbox p
         WHERE p.state = 'pending' AND p.order_key = (SELECT d.order_key FROM outbox d WHERE d.id = $1 AND d.state = 'dead' AND d.dismissed_at IS NULL)
         ORDER BY p.id FOR UPDATE OF p`,
        [id],
      );
      const busy = pending.find((row) => row.leased);
      if (busy) return { kind: 'order_busy', commandId: busy.id };
      // A retried coalesced fetch gives up its key when a newer one is pending (see sqlite-ops-store.ts).
      const retried = db.run(
        `UPDATE outbox SET state = 'pending', attempts = 1, next_attempt_at = $2, updated_at = $2, rerun = 0, lease_owner = NULL, lease_until = NULL,
           coalesce_key = CASE WHEN EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.coalesce_key = outbox.coalesce_key) THEN NULL ELSE coalesce_key END
         WHERE id = $1 AND state = 'dead' AND dismissed_at IS NULL`,
        [id, now],
      );
      return retried === 1 ? { kind: 'retried' } : { kind: 'not_dead' };
    },
    dismissDead: (id, now) => db.run("UPDATE outbox SET dismissed_at = $2 WHERE id = $1 AND state = 'dead' AND dismissed_at IS NULL", [id, now]) === 1,
    openCommandsOf: (orderKeys) =>
      db
        .all<QueuedCommandRow>(
          `SELECT ${DEAD_LETTER_COLUMNS}, state, next_attempt_at FROM outbox WHERE state IN ('pending', 'dead') AND order_key = ANY(string_to_array($1, chr(31))) ORDER BY id`,
          [orderKeys.join('\u001f')],
        )
        .map(toQueuedCommand),
    storedEvent: (id) => {
      const row = db.get<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM webhook_events WHERE id = $1`, [id]);
      return row ? toStoredEvent(row) : null;
    },
    storedEventsByEventId: (eventId) =>
      db.all<StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM webhook_events WHERE provider IN (${PROVIDER_IDS.map((id) => `'${id}'`).join(', ')}) AND event_id = $1 ORDER BY id`, [eventId]).map(toStoredEvent),
    lockEventReplay: (ref) => void db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('replay:' || $1))", [ref]),
    commandsWithRef: (ref) =>
      db
        .all<{ id: number; order_key: string; kind: string; state: 'pending' | 'done' | 'dead' }>("SELECT id, order_key, kind, state FROM outbox WHERE (command::jsonb ->> 'ref') = $1 ORDER BY id", [ref])
        .map((row) => ({ id: row.id, orderKey: row.order_key, kind: row.kind as OutboxCommand['kind'], state: row.state })),
    requeueCopy: (id, now) =>
      db.get<{ id: number }>(
        `INSERT INTO outbox (order_key, kind, command, attempts, next_attempt_at, created_at, updated_at, replay_of)
         SELECT order_key, kind, command, 1, $2, $2, $2, COALESCE(replay_of, id) FROM outbox WHERE id = $1 RETURNING id`,
        [id, now],
      )?.id ?? null,
    openAlertCounts: () =>
      db.all<{ code: string; provider: string; count: number }>(
        `SELECT a.code, COALESCE(CASE WHEN a.alarm_key IS NOT NULL THEN substr(a.alarm_key, strpos(a.alarm_key, ':') + 1) END, s.provider, 'none') AS provider, COUNT(*) AS count
         FROM alerts a LEFT JOIN payment_sessions s ON s.id = a.session_id WHERE a.resolved = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
      ),
    webhookCountsSince: (since) =>
      webhookCounts(
        db.all<{ provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_events WHERE received_at >= $1 GROUP BY provider', [since]),
        db.all<{ provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_rejections WHERE received_at >= $1 GROUP BY provider', [since]),
      ),
  };
}
