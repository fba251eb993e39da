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
import type { Db } from './open-database';

export function createSqliteOpsStore(db: Db): OpsStore {
  // outbox_pending (state, …) narrows to the pending rows; the queue is short when the relay is healthy.
  const oldestPending = db.prepare<[], { at: number | null }>("SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'");
  const byStatus = db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM payment_sessions GROUP BY status');
  const recent = db.prepare<[number], SessionSummaryRow>(`SELECT ${SESSION_SUMMARY_COLUMNS} FROM payment_sessions ORDER BY created_at DESC, id DESC LIMIT ?`);
  const ofOrder = db.prepare<[string], SessionSummaryRow>(`SELECT ${SESSION_SUMMARY_COLUMNS} FROM payment_sessions WHERE merchant_order_id = ? ORDER BY created_at DESC, id DESC`);
  const dead = db.prepare<[number], DeadLetterRow>(`SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL ORDER BY id DESC LIMIT ?`);
  const deadCount = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL");
  const deadById = db.prepare<[number], DeadLetterRow>(`SELECT ${DEAD_LETTER_COLUMNS} FROM outbox WHERE id = ? AND state = 'dead'`);
  // A Mollie fetch is coalesced (one pending per payment): when a newer one is queued meanwhile, the retried one
  // gives up its key rather than break the unique index; both run, and each reads the latest state.
  // Not while a worker holds another command of its order (ops-store.ts): checked in the same statement, and a
  // worker's claim (markAttempt) is one statement that takes only a head, so the two cannot cross.
  const inFlightBeside = `SELECT b.id FROM outbox b WHERE b.state = 'pending' AND b.order_key = outbox.order_key AND b.id <> outbox.id AND b.lease_until > @now`;
  const retry = db.prepare(`UPDATE outbox SET state = 'pending', attempts = 1, next_attempt_at = @now, updated_at = @now, rerun = 0,
      lease_owner = NULL, lease_until = NULL,
      coalesce_key = CASE WHEN EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.coalesce_key = outbox.coalesce_key) THEN NULL ELSE coalesce_key END
    WHERE id = @id AND state = 'dead' AND dismissed_at IS NULL AND NOT EXISTS (${inFlightBeside})`);
  const busyWith = db.prepare<[{ id: number; now: number }], { id: number }>(
    `SELECT (${inFlightBeside} ORDER BY b.id LIMIT 1) AS id FROM outbox WHERE id = @id AND state = 'dead' AND dismissed_at IS NULL`,
  );
  const dismiss = db.prepare("UPDATE outbox SET dismissed_at = @now WHERE id = @id AND state = 'dead' AND dismissed_at IS NULL");
  const openOf = db.prepare<[string], QueuedCommandRow>(
    `SELECT ${DEAD_LETTER_COLUMNS}, state, next_attempt_at FROM outbox WHERE state IN ('pending', 'dead') AND order_key IN (SELECT value FROM json_each(?)) ORDER BY id`,
  );
  const eventById = db.prepare<[number], StoredEventRow>(`SELECT ${STORED_EVENT_COLUMNS} FROM webhook_events WHERE id = ?`);
  // Every provider named, so SQLite walks UNIQUE (provider, event_id) instead of every stored body.
  const eventsByEventId = db.prepare<[string], StoredEventRow>(
    `SELECT ${STORED_EVENT_COLUMNS} FROM webhook_events WHERE provider IN (${PROVIDER_IDS.map((id) => `'${id}'`).join(', ')}) AND event_id = ? ORDER BY id`,
  );
  // A scan of the outbox: a person runs this now and then, and refs live inside the command's JSON.
  const withRef = db.prepare<[string], { id: number; order_key: string; kind: OutboxCommand['kind']; state: 'pending' | 'done' | 'dead' }>(
    "SELECT id, order_key, kind, state FROM outbox WHERE json_extract(command, '$.ref') = ? ORDER BY id",
  );
  // A copy of a copy keeps the first one's place (replay_of): the event's.
  const copy = db.prepare(`INSERT INTO outbox (order_key, kind, command, attempts, next_attempt_at, created_at, updated_at, replay_of)
    SELECT order_key, kind, command, 1, @now, @now, @now, COALESCE(replay_of, id) FROM outbox WHERE id = @id`);
  const accepted = db.prepare<[number], { provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_events WHERE received_at >= ? GROUP BY provider');
  const rejected = db.prepare<[number], { provider: string; n: number }>('SELECT provider, COUNT(*) AS n FROM webhook_rejections WHERE received_at >= ? GROUP BY provider');

  // An alarm's key is `${code}:${provider}` (domain/webhook-alarms.ts); other alerts belong to a session.
  const openAlerts = db.prepare<[], { code: string; provider: string; count: number }>(
    `SELECT a.code, COALESCE(CASE WHEN a.alarm_key IS NOT NULL THEN substr(a.alarm_key, instr(a.alarm_key, ':') + 1) END, s.provider, 'none') AS provider, COUNT(*) AS count
     FROM alerts a LEFT JOIN payment_sessions s ON s.id = a.session_id WHERE a.resolved = 0 GROUP BY 1, 2 ORDER BY 1, 2`,
  );

  return {
    oldestPendingAt: () => oldestPending.get()?.at ?? null,
    sessionsByStatus: () => Object.fromEntries(byStatus.all().map((row) => [row.status, row.n])),
    recentSessions: (limit) => recent.all(limit).map(toSummary),
    sessionsOfOrder: (orderId) => ofOrder.all(orderId).map(toSummary),
    deadLetters: (limit) => dead.all(limit).map(toDeadLetter),
    deadLetterCount: () => deadCount.get()!.n,
    deadLetter: (id) => {
      const row = deadById.get(id);
      return row ? toDeadLetter(row) : null;
    },
    retryDead: (id, now) => {
      if (retry.run({ id, now }).changes === 1) return { kind: 'retried' };
      const busy = busyWith.get({ id, now })?.id;
      return busy ? { kind: 'order_busy', commandId: busy } : { kind: 'not_dead' };
    },
    dismissDead: (id, now) => dismiss.run({ id, now }).changes === 1,
    openAlertCounts: () => openAlerts.all(),
    openCommandsOf: (orderKeys) =>
      openOf.all(JSON.stringify(orderKeys)).map(toQueuedCommand),
    storedEvent: (id) => {
      const row = eventById.get(id);
      return row ? toStoredEvent(row) : null;
    },
    storedEventsByEventId: (eventId) => eventsByEventId.all(eventId).map(toStoredEvent),
    // The replay's transaction is BEGIN IMMEDIATE: a second one waits for the write lock, then sees the copies.
    lockEventReplay: () => undefined,
    commandsWithRef: (ref) => withRef.all(ref).map((row) => ({ id: row.id, orderKey: row.order_key, kind: row.kind, state: row.state })),
    requeueCopy: (id, now) => {
      const result = copy.run({ id, now });
      return result.changes === 1 ? Number(result.lastInsertRowid) : null;
    },
    webhookCountsSince: (since) => webhookCounts(accepted.all(since), rejected.all(since)),
  };
}
