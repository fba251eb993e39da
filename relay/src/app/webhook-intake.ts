import type { WebhookHeaders } from '../ports/payment-provider';
import { ingestWebhook, type IngestDeps, type IngestResult } from './ingest-webhook';

/**
 * Where the HTTP layer hands a webhook's raw bytes and learns what to answer. The relay runs it in an ingest
 * thread (adapters/ingest-thread); tests that inject providers, and a :memory: database, run it in process.
 */
export interface WebhookIntake {
  take(providerParam: string, raw: Buffer, headers: WebhookHeaders, receivedAt: number): Promise<IngestResult>;
  close(): Promise<void>;
}

export function createInProcessIntake(deps: IngestDeps): WebhookIntake {
  return {
    take: (providerParam, raw, headers, receivedAt) => ingestWebhook(deps, providerParam, raw, headers, receivedAt),
    close: async () => {},
  };
}
