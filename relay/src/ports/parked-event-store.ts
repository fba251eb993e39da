import type { ProviderEvent, ProviderId } from '../domain/provider-event';

/**
 * Events that arrived before the session they are about was written (a provider faster than the relay's own
 * session insert). Kept for a few minutes and re-evaluated when a session with one of their references
 * appears; after that they stay ignored, and visible.
 */
export interface ParkedRecord {
  provider: ProviderId;
  /** The provider's event id, or `notification:<ref>` for an unsigned ping (one row per payment, however many pings). */
  eventKey: string;
  kind: 'event' | 'notification';
  relaySessionId: string | null;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  /** The verified event (kind `event`); null for a ping, which carries nothing trusted. */
  event: ProviderEvent | null;
}

export interface ParkedEvent extends ParkedRecord {
  id: number;
  parkedAt: number;
  /** How many times it arrived while parked (pings repeat). */
  seen: number;
}

export interface SessionReferences {
  provider: ProviderId;
  relaySessionId: string;
  providerSessionId: string | null;
  providerPaymentId: string | null;
}

export interface ParkedSummary {
  parked: number;
  /** Parked events whose window passed without a session: ignored for good. */
  expired: number;
  recent: Array<{ provider: string; eventKey: string; kind: 'event' | 'notification'; state: 'parked' | 'released' | 'expired'; parkedAt: number; seen: number }>;
}

/** Synchronous, so parking and releasing compose inside the webhook's or the session insert's transaction. */
export interface ParkedEventStore {
  /** `again` when the same event (or a ping for the same payment) is already parked: only its count goes up. */
  park(record: ParkedRecord, now: number, until: number): 'parked' | 'again';
  /** Parked events (still in their window) matching any of the session's references, marked released. */
  release(refs: SessionReferences, now: number): ParkedEvent[];
  /** Parks past their window become `expired`; returns how many. */
  expire(now: number): number;
  summary(limit: number): ParkedSummary;
  /** Removes up to `limit` of the oldest released or expired parks settled before `before`; how many. */
  pruneBatch(before: number, limit: number): number;
  /** How many pruneBatch would remove in all (a dry run: reads only). */
  countPrunable(before: number): number;
}
