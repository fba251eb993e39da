import type { WebhookSecretStore } from '../../ports/webhook-secret-store';
import { isAlreadyCurrent, toStoredSecret, type WebhookSecretRow } from '../store-rows/webhook-secret-rows';
import type { PgDb } from './pg-database';

/** Over webhook_secrets. Read per delivery (one indexed query), so a secret stored by any relay verifies on all. */
export function createPostgresWebhookSecretStore(db: PgDb): WebhookSecretStore {
  const current = (provider: string) => db.get<WebhookSecretRow>('SELECT * FROM webhook_secrets WHERE provider = $1 AND valid_until IS NULL ORDER BY id DESC LIMIT 1', [provider]);
  return {
    activeSecrets: (provider, now) =>
      db.all<{ secret: string }>('SELECT secret FROM webhook_secrets WHERE provider = $1 AND (valid_until IS NULL OR valid_until > $2) ORDER BY id DESC', [provider, now]).map((r) => r.secret),
    current: (provider) => {
      const row = current(provider);
      return row ? toStoredSecret(row) : null;
    },
    replace: (secret, now, graceMs) =>
      db.transaction(() => {
        // Serialised per provider across relays: two providers:connect runs at once must not both insert a current secret.
        db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':webhook-secret:' || $1))", [secret.provider]);
        if (isAlreadyCurrent(current(secret.provider), secret)) return;
        db.run('UPDATE webhook_secrets SET valid_until = $1 WHERE provider = $2 AND valid_until IS NULL', [now + graceMs, secret.provider]);
        db.run('INSERT INTO webhook_secrets (provider, endpoint_id, url, secret, created_at, valid_until) VALUES ($1, $2, $3, $4, $5, NULL)', [
          secret.provider, secret.endpointId, secret.url, secret.secret, now,
        ]);
      }),
  };
}
