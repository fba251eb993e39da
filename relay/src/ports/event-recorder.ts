import type { ProviderEvent, ProviderId } from '../domain/provider-event';

export type RecordOutcome = {
  eventId: string;
  /** `parked`: no session has its references yet; kept a few minutes in case the session is still being written. */
  outcome: 'applied' | 'ignored' | 'duplicate' | 'parked';
  sessionId: string | null;
  status: string | null;
};

/** What an unsigned ping did: queued a fetch, or nothing new (one is queued, or will run again), or parked. */
export type NotificationOutcome = 'queued' | 'already_queued' | 'rerun_requested' | 'parked';

/**
 * Where verified webhooks become durable: dedupe, decide, session update, payment log and outbox command in one
 * transaction, resolved only once that transaction is on disk. The webhook is acknowledged after it resolves.
 */
export interface EventRecorder {
  recordEvents(events: ProviderEvent[], rawBody: Buffer, receivedAt: number): Promise<RecordOutcome[]>;
  /** An unsigned "go and look" ping (Mollie): a fetch queued for the worker (one per payment), or parked. */
  recordNotification(provider: ProviderId, providerPaymentRef: string, rawBody: Buffer, receivedAt: number): Promise<NotificationOutcome>;
  /** A refused attempt, for diagnostics (no body kept). Shares the next group commit: a flood costs no fsyncs of its own. */
  recordRejection(provider: string, code: string, message: string, receivedAt: number): Promise<void>;
}
