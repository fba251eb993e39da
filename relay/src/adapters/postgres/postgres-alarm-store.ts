import { PROVIDER_IDS } from '../../domain/provider-event';
import type { AlarmStore } from '../../ports/alarm-store';
import { lastWebhookPerProvider } from './last-webhook-per-provider';
import type { PgDb } from './pg-database';

const ACCEPTED = ['signature', 'fetched', 'unsigned_notification'] as const;

export function createPostgresAlarmStore(db: PgDb): AlarmStore {
  return {
    openKeys: () => new Set(db.all<{ alarm_key: string }>('SELECT alarm_key FROM alerts WHERE alarm_key IS NOT NULL AND resolved = 0').map((r) => r.alarm_key)),
    // Alarms are about a provider or the shop, not an order: merchant_order_id is '' (the column is NOT NULL).
    raise: (alarm, at) => {
      db.run("INSERT INTO alerts (at, merchant_order_id, session_id, code, message, alarm_key) VALUES ($1, '', NULL, $2, $3, $4)", [at, alarm.code, alarm.message, alarm.key]);
    },
    clear: (key) => {
      db.run('UPDATE alerts SET resolved = 1 WHERE alarm_key = $1 AND resolved = 0', [key]);
    },
    facts: (since) => {
      const lastAccepted = lastWebhookPerProvider(db, ACCEPTED);
      return {
        rejections: db.all<{ provider: string; code: string; at: number }>('SELECT provider, code, received_at AS at FROM webhook_rejections WHERE received_at >= $1 ORDER BY id', [since]),
        lastAccepted,
        // Sessions created after the provider's last accepted webhook (migration 7's (provider, created_at) range).
        silentSessions: PROVIDER_IDS.flatMap((provider) =>
          db.all<{ provider: string; createdAt: number }>(
            `SELECT provider, created_at AS "createdAt" FROM payment_sessions WHERE provider = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1000`,
            [provider, Math.max(since - 1, lastAccepted[provider] ?? since - 1)],
          ),
        ),
        deadLetters: db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead' AND dismissed_at IS NULL AND updated_at >= $1", [since])!.n,
      };
    },
  };
}
