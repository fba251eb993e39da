import type { ParkedEvent, ParkedEventStore } from '../../ports/parked-event-store';
import { toParked } from '../sqlite/sqlite-parked-event-store';
import { PRUNE_SETTLED_PARKED, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import type { PgDb } from './pg-database';

type ParkedRow = Parameters<typeof toParked>[0];

export function createPostgresParkedEventStore(db: PgDb): ParkedEventStore {
  const parked = (where: string, params: unknown[]) => db.all<ParkedRow>(`SELECT * FROM parked_events WHERE state = 'parked' AND until >= $${params.length} AND ${where}`, params);
  return {
    park(record, now, until) {
      // A repeat (Stripe retrying, Mollie pinging again) updates the one row: a flood of pings is one row per payment.
      const row = db.get<{ seen: number }>(
        `INSERT INTO parked_events (provider, event_key, kind, relay_session_id, provider_session_id, provider_payment_id, event, parked_at, last_seen_at, until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
         ON CONFLICT (provider, event_key) DO UPDATE SET seen = parked_events.seen + 1, last_seen_at = excluded.last_seen_at
         RETURNING seen`,
        [record.provider, record.eventKey, record.kind, record.relaySessionId, record.providerSessionId, record.providerPaymentId, record.event ? JSON.stringify(record.event) : null, now, until],
      );
      return row?.seen === 1 ? 'parked' : 'again';
    },
    release(refs, now) {
      // One query for the three ways an early event names its session (each has its partial index): this runs for
      // every payment that teaches a session its payment id, and each statement is a round trip the batch waits for.
      const rows = parked('provider = $1 AND (relay_session_id = $2 OR provider_session_id = $3 OR provider_payment_id = $4) ORDER BY id', [
        refs.provider, refs.relaySessionId, refs.providerSessionId ?? null, refs.providerPaymentId ?? null, now,
      ]);
      const out: ParkedEvent[] = [];
      for (const row of rows) {
        // Marked in the same transaction as whatever applies it: released exactly once, whichever relay gets there.
        if (db.run(`UPDATE parked_events SET state = 'released', settled_at = $1 WHERE id = $2 AND state = 'parked'`, [now, row.id]) === 1) out.push(toParked(row));
      }
      return out;
    },
    expire(now) {
      // The inbox row of an event whose window passed says so too (by its unique key, in the same transaction).
      db.run(
        `UPDATE webhook_events e SET outcome = 'unknown_session' FROM parked_events p
         WHERE p.state = 'parked' AND p.until < $1 AND p.kind = 'event' AND e.provider = p.provider AND e.event_id = p.event_key AND e.outcome = 'parked'`,
        [now],
      );
      return db.run(`UPDATE parked_events SET state = 'expired', settled_at = $1 WHERE state = 'parked' AND until < $1`, [now]);
    },
    summary(limit) {
      const byState: Record<string, number> = {};
      for (const row of db.all<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM parked_events GROUP BY state')) byState[row.state] = row.n;
      const recent = db.all<{ provider: string; event_key: string; kind: 'event' | 'notification'; state: 'parked' | 'released' | 'expired'; parked_at: number; seen: number }>(
        `SELECT provider, event_key, kind, state, parked_at, seen FROM parked_events WHERE state <> 'released' ORDER BY id DESC LIMIT $1`,
        [limit],
      );
      return {
        parked: byState.parked ?? 0,
        expired: byState.expired ?? 0,
        recent: recent.map((row) => ({ provider: row.provider, eventKey: row.event_key, kind: row.kind, state: row.state, parkedAt: row.parked_at, seen: row.seen })),
      };
    },
    pruneBatch: (before, limit) => db.run(pruneBatchSql(PRUNE_SETTLED_PARKED, 'postgres'), [before, limit]),
    countPrunable: (before) => db.get<{ n: number }>(pruneCountSql(PRUNE_SETTLED_PARKED, 'postgres'), [before])!.n,
  };
}
