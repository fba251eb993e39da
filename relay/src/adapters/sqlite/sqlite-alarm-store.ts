import { PROVIDER_IDS } from '../../domain/provider-event';
import type { AlarmStore } from '../../ports/alarm-store';
import type { Db } from './open-database';

const ACCEPTED_VERIFICATIONS = ['signature', 'fetched', 'unsigned_notification'] as const;

export function createSqliteAlarmStore(db: Db): AlarmStore {
  const openKeys = db.prepare<[], { alarm_key: string }>('SELECT alarm_key FROM alerts WHERE alarm_key IS NOT NULL AND resolved = 0');
  // Alarms are about a provider or the shop, not an order: merchant_order_id is '' (the column is NOT NULL).
  const raise = db.prepare("INSERT INTO alerts (at, merchant_order_id, session_id, code, message, alarm_key) VALUES (?, '', NULL, ?, ?, ?)");
  const clear = db.prepare('UPDATE alerts SET resolved = 1 WHERE alarm_key = ? AND resolved = 0');
  const rejections = db.prepare<[number], { provider: string; code: string; at: number }>(
    'SELECT provider, code, received_at AS at FROM webhook_rejections WHERE received_at >= ? ORDER BY id',
  );
  // One MAX per (provider, way of verifying), each a single look-up in migration 13's index: a GROUP BY over
  // the table read every stored event (9 s at a million).
  const acceptedBy = db.prepare<[string, string], { at: number | null }>(
    'SELECT MAX(received_at) AS at FROM webhook_events WHERE provider = ? AND verification = ?',
  );
  const lastAccepted = (): Record<string, number> => {
    const last: Record<string, number> = {};
    for (const provider of PROVIDER_IDS) {
      for (const verification of ACCEPTED_VERIFICATIONS) {
        const at = acceptedBy.get(provider, verification)?.at;
        if (at != null && at > (last[provider] ?? -Infinity)) last[provider] = at;
      }
    }
    return last;
  };
  // Migration 14's payment_sessions_provider_created: a range per provider, as long as what came after its last
  // accepted webhook (none when webhooks flow), not a look-up per session of the day.
  const createdAfter = db.prepare<[string, number], { provider: string; createdAt: number }>(
    'SELECT provider, created_at AS createdAt FROM payment_sessions WHERE provider = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1000',
  );
  const dead = db.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL AND updated_at >= ?");
  return {
    openKeys: () => new Set(openKeys.all().map((r) => r.alarm_key)),
    raise: (alarm, at) => {
      raise.run(at, alarm.code, alarm.message, alarm.key);
    },
    clear: (key) => {
      clear.run(key);
    },
    facts: (since) => {
      const last = lastAccepted();
      return {
        rejections: rejections.all(since),
        lastAccepted: last,
        silentSessions: PROVIDER_IDS.flatMap((provider) => createdAfter.all(provider, Math.max(since - 1, last[provider] ?? since - 1))),
        deadLetters: dead.get(since)!.n,
      };
    },
  };
}
