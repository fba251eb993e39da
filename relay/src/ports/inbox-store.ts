import type { ProviderId } from '../domain/provider-event';

/** `parked`: no session yet (see ParkedEventStore); settled to applied or ignored if its session appears in time. */
export type InboxOutcome = 'applied' | 'ignored' | 'unknown_session' | 'parked' | 'notification' | 'mismatch_raised' | 'duplicate';

export interface InboxRecord {
  provider: ProviderId;
  eventId: string;
  eventType: string;
  sessionId: string | null;
  merchantOrderId: string | null;
  /** Exact bytes received, kept for replay and audit (never logged). */
  rawBody: Buffer;
  /** How it was verified: `signature`, `fetched` (asked the provider's API), `unsigned_notification`. */
  verification: 'signature' | 'fetched' | 'unsigned_notification' | 'expiry' | 'diagnostics';
  /** What the relay did with it, decided before the insert so one statement records both. */
  outcome: Exclude<InboxOutcome, 'duplicate'>;
  receivedAt: number;
}

/** Received webhooks, deduplicated at the storage boundary: UNIQUE(provider, event_id). */
export interface InboxStore {
  /** Inserts atomically; false when (provider, eventId) was already there: the caller stops. */
  insertIfNew(record: InboxRecord): boolean;
  /** Diagnostics: a webhook that failed verification (no body kept: nothing from it is trusted). */
  /** A parked event applied (or ignored) once its session appeared: the row says what finally happened. */
  settleParked(provider: ProviderId, eventId: string, outcome: 'applied' | 'ignored', sessionId: string, merchantOrderId: string): void;
  recordRejection(provider: string, code: string, message: string, receivedAt: number): void;
  lastReceivedAt(): Record<string, number>;
  /**
   * Removes up to `limit` of the oldest events received before `before`, then as many rejections as the limit
   * leaves room for; returns how many. Fewer than `limit`: nothing older is left. Short, so a prune never holds
   * the write lock for long (see app/prune-old-data.ts).
   */
  pruneBatch(before: number, limit: number): number;
  /** How many events and rejections pruneBatch would remove in all (a dry run: reads only). */
  countPrunable(before: number): number;
}
