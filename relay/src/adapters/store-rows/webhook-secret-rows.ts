import type { ProviderId } from '../../domain/provider-event';
import type { StoredWebhookSecret } from '../../ports/webhook-secret-store';

/** A webhook_secrets row as both stores read it, how it becomes a StoredWebhookSecret, and when replace() is a no-op. */
export interface WebhookSecretRow {
  provider: string;
  endpoint_id: string;
  url: string;
  secret: string;
  created_at: number;
  valid_until: number | null;
}

export function toStoredSecret(row: WebhookSecretRow): StoredWebhookSecret {
  return { provider: row.provider as ProviderId, endpointId: row.endpoint_id, url: row.url, secret: row.secret, createdAt: row.created_at, validUntil: row.valid_until };
}

/** A repeated providers:connect that got the same endpoint and secret back: nothing to rotate. */
export function isAlreadyCurrent(current: WebhookSecretRow | undefined, secret: Pick<StoredWebhookSecret, 'secret' | 'endpointId' | 'url'>): boolean {
  return !!current && current.secret === secret.secret && current.endpoint_id === secret.endpointId && current.url === secret.url;
}
