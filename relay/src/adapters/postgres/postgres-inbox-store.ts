import type { InboxStore } from '../../ports/inbox-store';
import { PRUNE_EVENTS, PRUNE_REJECTIONS, pruneBatchSql, pruneCountSql } from '../store-rows/prune-rules';
import { lastWebhookPerProvider } from './last-webhook-per-provider';
import type { PgDb } from './pg-database';

/** Over webhook_events and webhook_rejections: the dedupe is the insert itself (UNIQUE + ON CONFLICT DO NOTHING). */
export function createPostgresInboxStore(db: PgDb): InboxStore {
  return {
    // Two relays inserting one event at once: the second waits for the first's COMMIT, then inserts nothing.
    insertIfNew: (r) =>
      db.run(
        `INSERT INTO webhook_events (provider, event_id, event_type, session_id, merchant_order_id, raw_body, verification, outcome, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (provider, event_id) DO NOTHING`,
        [r.provider, r.eventId, r.eventType, r.sessionId, r.merchantOrderId, r.rawBody, r.verification, r.outcome, r.receivedAt],
      ) === 1,
    settleParked: (provider, eventId, outcome, sessionId, merchantOrderId) => {
      db.run(`UPDATE webhook_events SET outcome = $1, session_id = $2, merchant_order_id = $3 WHERE provider = $4 AND event_id = $5 AND outcome = 'parked'`, [
        outcome, sessionId, merchantOrderId, provider, eventId,
      ]);
    },
    recordRejection: (provider, code, message, at) => {
      db.run('INSERT INTO webhook_rejections (provider, code, message, received_at) VALUES ($1, $2, $3, $4)', [provider.slice(0, 40), code, message.slice(0, 500), at]);
    },
    lastReceivedAt: () => lastWebhookPerProvider(db, ['signature', 'unsigned_notification']),
    pruneBatch: (before, limit) => {
      const events = db.run(pruneBatchSql(PRUNE_EVENTS, 'postgres'), [before, limit]);
      return events < limit ? events + db.run(pruneBatchSql(PRUNE_REJECTIONS, 'postgres'), [before, limit - events]) : events;
    },
    countPrunable: (before) =>
      db.get<{ n: number }>(pruneCountSql(PRUNE_EVENTS, 'postgres'), [before])!.n + db.get<{ n: number }>(pruneCountSql(PRUNE_REJECTIONS, 'postgres'), [before])!.n,
  };
}
