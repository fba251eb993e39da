import type { ProviderEvent } from '../../domain/provider-event';
import type { ParkedEvent, ParkedEventStore } from '../../ports/parked-event-store';
import { PRUNE_SETTLED_PARKED, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import type { Db } from './open-database';

interface ParkedRow {
  id: number;
  provider: string;
  event_key: string;
  kind: 'event' | 'notification';
  relay_session_id: string | null;
  provider_session_id: string | null;
  provider_payment_id: string | null;
  event: string | null;
  parked_at: number;
  seen: number;
}

export function createSqliteParkedEventStore(db: Db): ParkedEventStore {
  // A repeat (Stripe retrying, Mollie pinging again) updates the one row: a flood of pings is one row per payment.
  const park = db.prepare<[{ provider: string; eventKey: string; kind: string; relaySessionId: string | null; providerSessionId: string | null; providerPaymentId: string | null; event: string | null; now: number; until: number }]>(`
    INSERT INTO parked_events (provider, event_key, kind, relay_session_id, provider_session_id, provider_payment_id, event, parked_at, last_seen_at, until)
    VALUES (@provider, @eventKey, @kind, @relaySessionId, @providerSessionId, @providerPaymentId, @event, @now, @now, @until)
    ON CONFLICT (provider, event_key) DO UPDATE SET seen = seen + 1, last_seen_at = excluded.last_seen_at
    RETURNING seen`);
  // Three lookups, each on its partial index (an OR across columns would read the whole table).
  const byRelaySession = db.prepare<[string, number], ParkedRow>(`SELECT * FROM parked_events WHERE relay_session_id = ? AND state = 'parked' AND until >= ?`);
  const bySession = db.prepare<[string, string, number], ParkedRow>(`SELECT * FROM parked_events WHERE provider = ? AND provider_session_id = ? AND state = 'parked' AND until >= ?`);
  const byPayment = db.prepare<[string, string, number], ParkedRow>(`SELECT * FROM parked_events WHERE provider = ? AND provider_payment_id = ? AND state = 'parked' AND until >= ?`);
  const released = db.prepare(`UPDATE parked_events SET state = 'released', settled_at = ? WHERE id = ? AND state = 'parked'`);
  const expire = db.prepare(`UPDATE parked_events SET state = 'expired', settled_at = ? WHERE state = 'parked' AND until < ?`);
  // The inbox row of an event whose window passed says so too (by its unique key, in the same transaction).
  const dueEvents = db.prepare<[number], { provider: string; event_key: string }>(
    `SELECT provider, event_key FROM parked_events WHERE state = 'parked' AND until < ? AND kind = 'event'`,
  );
  const expireInbox = db.prepare(`UPDATE webhook_events SET outcome = 'unknown_session' WHERE provider = ? AND event_id = ? AND outcome = 'parked'`);
  const counts = db.prepare<[], { state: string; n: number }>(`SELECT state, COUNT(*) AS n FROM parked_events GROUP BY state`);
  const recent = db.prepare<[number], { provider: string; event_key: string; kind: 'event' | 'notification'; state: 'parked' | 'released' | 'expired'; parked_at: number; seen: number }>(
    `SELECT provider, event_key, kind, state, parked_at, seen FROM parked_events WHERE state <> 'released' ORDER BY id DESC LIMIT ?`,
  );
  const prune = db.prepare(pruneBatchSql(PRUNE_SETTLED_PARKED, 'sqlite'));
  const countPrunable = db.prepare<[number], { n: number }>(pruneCountSql(PRUNE_SETTLED_PARKED, 'sqlite'));

  return {
    park(record, now, until) {
      const row = park.get({
        provider: record.provider,
        eventKey: record.eventKey,
        kind: record.kind,
        relaySessionId: record.relaySessionId,
        providerSessionId: record.providerSessionId,
        providerPaymentId: record.providerPaymentId,
        event: record.event ? JSON.stringify(record.event) : null,
        now,
        until,
      }) as { seen: number } | undefined;
      return row?.seen === 1 ? 'parked' : 'again';
    },
    release(refs, now) {
      const rows = new Map<number, ParkedRow>();
      for (const row of byRelaySession.all(refs.relaySessionId, now)) if (row.provider === refs.provider) rows.set(row.id, row);
      if (refs.providerSessionId) for (const row of bySession.all(refs.provider, refs.providerSessionId, now)) rows.set(row.id, row);
      if (refs.providerPaymentId) for (const row of byPayment.all(refs.provider, refs.providerPaymentId, now)) rows.set(row.id, row);
      const out: ParkedEvent[] = [];
      for (const row of [...rows.values()].sort((a, b) => a.id - b.id)) {
        // Marked in the same transaction as whatever applies it: released exactly once.
        if (released.run(now, row.id).changes === 1) out.push(toParked(row));
      }
      return out;
    },
    expire(now) {
      for (const row of dueEvents.all(now)) expireInbox.run(row.provider, row.event_key);
      return expire.run(now, now).changes;
    },
    summary(limit) {
      const byState: Record<string, number> = {};
      for (const row of counts.all()) byState[row.state] = row.n;
      return {
        parked: byState.parked ?? 0,
        expired: byState.expired ?? 0,
        recent: recent.all(limit).map((row) => ({ provider: row.provider, eventKey: row.event_key, kind: row.kind, state: row.state, parkedAt: row.parked_at, seen: row.seen })),
      };
    },
    pruneBatch: (before, limit) => prune.run(before, limit).changes,
    countPrunable: (before) => countPrunable.get(before)!.n,
  };
}

export function toParked(row: ParkedRow): ParkedEvent {
  return {
    id: row.id,
    provider: row.provider as ParkedEvent['provider'],
    eventKey: row.event_key,
    kind: row.kind,
    relaySessionId: row.relay_session_id,
    providerSessionId: row.provider_session_id,
    providerPaymentId: row.provider_payment_id,
    event: row.event ? (JSON.parse(row.event) as ProviderEvent) : null,
    parkedAt: row.parked_at,
    seen: row.seen,
  };
}
