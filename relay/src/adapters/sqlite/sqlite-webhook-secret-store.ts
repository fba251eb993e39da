import type { ProviderId } from '../../domain/provider-event';
import type { StoredWebhookSecret, WebhookSecretStore } from '../../ports/webhook-secret-store';
import type { Db } from './open-database';

interface Row {
  provider: string;
  endpoint_id: string;
  url: string;
  secret: string;
  created_at: number;
  valid_until: number | null;
}

/** Over table webhook_secrets (migration 4). Reads are one indexed query per delivery; no cache to go stale. */
export function createSqliteWebhookSecretStore(db: Db): WebhookSecretStore {
  const active = db.prepare<[string, number], { secret: string }>(
    'SELECT secret FROM webhook_secrets WHERE provider = ? AND (valid_until IS NULL OR valid_until > ?) ORDER BY id DESC',
  );
  const current = db.prepare<[string], Row>('SELECT * FROM webhook_secrets WHERE provider = ? AND valid_until IS NULL ORDER BY id DESC LIMIT 1');
  const retire = db.prepare('UPDATE webhook_secrets SET valid_until = ? WHERE provider = ? AND valid_until IS NULL');
  const insert = db.prepare('INSERT INTO webhook_secrets (provider, endpoint_id, url, secret, created_at, valid_until) VALUES (?, ?, ?, ?, ?, NULL)');
  const replace = db.transaction((secret: Omit<StoredWebhookSecret, 'validUntil' | 'createdAt'>, now: number, graceMs: number) => {
    const existing = current.get(secret.provider);
    if (existing && existing.secret === secret.secret && existing.endpoint_id === secret.endpointId && existing.url === secret.url) return;
    retire.run(now + graceMs, secret.provider);
    insert.run(secret.provider, secret.endpointId, secret.url, secret.secret, now);
  });
  return {
    activeSecrets: (provider, now) => active.all(provider, now).map((row) => row.secret),
    current: (provider) => {
      const row = current.get(provider);
      return row
        ? { provider: row.provider as ProviderId, endpointId: row.endpoint_id, url: row.url, secret: row.secret, createdAt: row.created_at, validUntil: row.valid_until }
        : null;
    },
    replace: (secret, now, graceMs) => replace(secret, now, graceMs),
  };
}
