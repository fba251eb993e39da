import type { ProviderId } from '../domain/provider-event';

/** A webhook endpoint the relay registered at a provider, with what verifies its deliveries. */
export interface StoredWebhookSecret {
  provider: ProviderId;
  endpointId: string;
  url: string;
  /** Stripe: the endpoint's signing secret (whsec_…). PayPal: the webhook id its signatures cover. */
  secret: string;
  createdAt: number;
  /** null while current; set when a newer secret replaced it (the grace period of a rotation). */
  validUntil: number | null;
}

/**
 * Secrets `providers:connect` got back from providers. Read on every delivery, so a new secret works without a
 * restart; the environment's secrets are used as well (they win by coming first).
 */
export interface WebhookSecretStore {
  /** Secrets that verify deliveries now: the current one and any still inside their grace period. */
  activeSecrets(provider: ProviderId, now: number): string[];
  current(provider: ProviderId): StoredWebhookSecret | null;
  /** Store a new current secret; the previous ones stay valid until `now + graceMs`. */
  replace(secret: Omit<StoredWebhookSecret, 'validUntil' | 'createdAt'>, now: number, graceMs: number): void;
}
