/** What a webhook came to, as /metrics counts it. `failed` is a 5xx: not stored, the provider retries. */
export type WebhookOutcome = 'stored' | 'duplicate' | 'ignored' | 'rejected' | 'failed';

/** How one outbox command ended this attempt. */
export type CommandOutcome = 'done' | 'retry' | 'dead';

/**
 * Counters the relay increments where the answer is already known (the HTTP thread, the worker). Every method is
 * cheap and never throws: watching the relay must not slow or break the payment path.
 */
export interface RelayMetrics {
  /** One webhook event (a batch counts each of its events; a refused request counts once). */
  webhook(provider: string, outcome: WebhookOutcome, reason: string, seconds: number): void;
  /** One outbox command attempt: `shop` commands are writes to WooCommerce, the others provider calls. */
  command(kind: string, shop: boolean, outcome: CommandOutcome, seconds: number): void;
  /** One call to a provider's API (create, fetch, expire, …): `ok`, or the failure's kind. */
  providerCall(provider: string, method: string, outcome: string, seconds: number): void;
}

export const noMetrics: RelayMetrics = { webhook: () => {}, command: () => {}, providerCall: () => {} };
