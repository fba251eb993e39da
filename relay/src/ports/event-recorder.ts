import type { ProviderEvent, ProviderId } from '../domain/provider-event';

export type RecordOutcome = {
  eventId: string;
  outcome: 'applied' | 'ignored' | 'duplicate' | 'unknown_session';
  sessionId: string | null;
  status: string | null;
};

/**
 * Where verified webhooks become durable: dedupe, decide, session update, payment log and outbox command in one
 * transaction, resolved only once that transaction is on disk. The webhook is acknowledged after it resolves.
 */
export interface EventRecorder {
  recordEvents(events: ProviderEvent[], rawBody: Buffer, receivedAt: number): Promise<RecordOutcome[]>;
  /** An unsigned "go and look" ping (Mollie): stored, and a fetch queued for the worker. */
  recordNotification(provider: ProviderId, providerPaymentRef: string, rawBody: Buffer, receivedAt: number): Promise<void>;
  /** A refused attempt, for diagnostics (no body kept). Shares the next group commit: a flood costs no fsyncs of its own. */
  recordRejection(provider: string, code: string, message: string, receivedAt: number): Promise<void>;
}
