import type { WebhookHeaders } from '../ports/payment-provider';
import { ingestWebhook, type IngestDeps, type IngestResult } from './ingest-webhook';

/**
 * Where the HTTP layer hands a webhook's raw bytes and learns what to answer. Verification and parsing run on
 * the calling thread; the recorder decides where the transaction runs (in the relay, the recorder thread).
 */
export interface WebhookIntake {
  take(providerParam: string, raw: Buffer, headers: WebhookHeaders, receivedAt: number): Promise<IngestResult>;
}

export function createWebhookIntake(deps: IngestDeps): WebhookIntake {
  return { take: (providerParam, raw, headers, receivedAt) => ingestWebhook(deps, providerParam, raw, headers, receivedAt) };
}
