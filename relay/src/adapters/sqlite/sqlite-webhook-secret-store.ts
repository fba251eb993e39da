import type { StoredWebhookSecret, WebhookSecretStore } from '../../ports/webhook-secret-store';
import { isAlreadyCurrent, toStoredSecret, type WebhookSecretRow } from '../store-rows/webhook-secret-rows';
import type { Db } from './open-database';

/** Over table webhook_secrets (migration 4). Reads are one indexed query per delivery; no cache to go stale. */
export function createSqliteWebhookSecretStore(db: Db): WebhookSecretStore {
  const active = db.prepare<[string, number], { secret: string }>(
    'SELECT secret FROM webhook_secrets WHERE provider = ? AND (valid_until IS NULL OR valid_until > ?) ORDER BY id DESC',
  );
  const current = db.prepare<[string], WebhookSecretRow>('SELECT * FROM webhook_secrets WHERE provider = ? AND valid_until IS NULL ORDER BY id DESC LIMIT 1');
  const retire = db.prepare('UPDATE webhook_secrets SET valid_until = ? WHERE provider = ? AND valid_until IS NULL');
  const insert = db.prepare('INSERT INTO webhook_secrets (provider, endpoint_id, url, secret, created_at, valid_until) VALUES (?, ?, ?, ?, ?, NULL)');
  const replace = db.transaction((secret: Omit<StoredWebhookSecret, 'validUntil' | 'createdAt'>, now: number, graceMs: number) => {
    if (isAlreadyCurrent(current.get(secret.provider), secret)) return;
    retire.run(now + graceMs, secret.provider);
    insert.run(secret.provider, secret.endpointId, secret.url, secret.secret, now);
  });
  return {
    activeSecrets: (provider, now) => active.all(provider, now).map((row) => row.secret),
    current: (provider) => {
      const row = current.get(provider);
      return row ? toStoredSecret(row) : null;
    },
    replace: (secret, now, graceMs) => replace(secret, now, graceMs),
  };
}
