import { PROVIDER_IDS } from '../../domain/provider-event';
import type { InboxStore } from '../../ports/inbox-store';
import { PRUNE_EVENTS, PRUNE_REJECTIONS, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import type { Db } from './open-database';

export function createSqliteInboxStore(db: Db): InboxStore {
  // ON CONFLICT DO NOTHING: the dedupe is the insert itself, so two concurrent deliveries cannot both pass.
  const insert = db.prepare(`
    INSERT INTO webhook_events (provider, event_id, event_type, session_id, merchant_order_id, raw_body, verification, outcome, received_at)
    VALUES (@provider, @eventId, @eventType, @sessionId, @merchantOrderId, @rawBody, @verification, @outcome, @receivedAt)
    ON CONFLICT (provider, event_id) DO NOTHING`);
  const settle = db.prepare(
    `UPDATE webhook_events SET outcome = ?, session_id = ?, merchant_order_id = ? WHERE provider = ? AND event_id = ? AND outcome = 'parked'`,
  );
  const rejection = db.prepare('INSERT INTO webhook_rejections (provider, code, message, received_at) VALUES (?, ?, ?, ?)');
  // One MAX per (provider, way of verifying), each a look-up in migration 13's webhook_events_last_accepted: a
  // GROUP BY read the whole index (170 ms at a million events, on the HTTP loop, for each diagnostics page).
  const lastReceivedBy = db.prepare<[string, string], { at: number | null }>(
    'SELECT MAX(received_at) AS at FROM webhook_events WHERE provider = ? AND verification = ?',
  );
  const lastReceived = (): Record<string, number> => {
    const last: Record<string, number> = {};
    for (const provider of PROVIDER_IDS) {
      for (const verification of ['signature', 'unsigned_notification']) {
        const at = lastReceivedBy.get(provider, verification)?.at;
        if (at != null && at > (last[provider] ?? -Infinity)) last[provider] = at;
      }
    }
    return last;
  };
  const pruneEvents = db.prepare(pruneBatchSql(PRUNE_EVENTS, 'sqlite'));
  const pruneRejections = db.prepare(pruneBatchSql(PRUNE_REJECTIONS, 'sqlite'));
  const countEvents = db.prepare<[number], { n: number }>(pruneCountSql(PRUNE_EVENTS, 'sqlite'));
  const countRejections = db.prepare<[number], { n: number }>(pruneCountSql(PRUNE_REJECTIONS, 'sqlite'));

  return {
    insertIfNew: (record) => insert.run(record).changes === 1,
    settleParked: (provider, eventId, outcome, sessionId, merchantOrderId) => {
      settle.run(outcome, sessionId, merchantOrderId, provider, eventId);
    },
    recordRejection: (provider, code, message, at) => {
      rejection.run(provider.slice(0, 40), code, message.slice(0, 500), at);
    },
    lastReceivedAt: lastReceived,
    pruneBatch: (before, limit) => {
      const events = pruneEvents.run(before, limit).changes;
      return events < limit ? events + pruneRejections.run(before, limit - events).changes : events;
    },
    countPrunable: (before) => countEvents.get(before)!.n + countRejections.get(before)!.n,
  };
}
