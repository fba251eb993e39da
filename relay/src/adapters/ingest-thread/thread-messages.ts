import type { IngestResult } from '../../app/ingest-webhook';
import type { RelayConfig } from '../../config/config-schema';
import type { WebhookHeaders } from '../../ports/payment-provider';

/** What the HTTP thread starts the ingest thread with: plain data, since a thread shares no objects. */
export interface IngestThreadSetup {
  config: RelayConfig;
  publicUrl: string;
}

export interface IntakeRequest {
  id: number;
  provider: string;
  raw: Uint8Array;
  headers: WebhookHeaders;
  receivedAt: number;
}

export type LogLevel = RelayConfig['logLevel'];

/** Log records travel back with the answers, so the relay writes one log through one logger. */
export interface ForwardedLog {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface IntakeReplies {
  answers: Array<{ id: number; result: IngestResult }>;
  logs: ForwardedLog[];
}

export type ToIngestThread = { kind: 'requests'; requests: IntakeRequest[] } | { kind: 'close' };
