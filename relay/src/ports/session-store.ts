import type { PaymentSession } from '../domain/payment-session';
import type { PaymentStatus } from '../domain/payment-status';
import type { ProviderId } from '../domain/provider-event';

export interface NewPaymentSession extends PaymentSession {
  /** The shop's Idempotency-Key (a double click returns the same session), if any. */
  idempotencyKey: string | null;
  /** 1 for the first session of an order, 2 for the customer's second try, … */
  attempt: number;
}

/** `forUpdate`: the row found is locked as getForUpdate locks it, in the same one read. */
export interface FindOptions {
  forUpdate?: boolean;
}

export type SessionPatch = Partial<
  Pick<
    PaymentSession,
    'status' | 'providerSessionId' | 'providerPaymentId' | 'refundedMinor' | 'checkoutUrl' | 'expiresAt' | 'provider' | 'chargedBackMinor' | 'disputedFrom' | 'lastEventAt'
  >
>;

/** Payment sessions: the provider references the relay keeps. Synchronous so it composes inside one transaction. */
export interface SessionStore {
  insert(session: NewPaymentSession): void;
  get(sessionId: string): PaymentSession | null;
  /**
   * The same, to change it in this transaction from what it holds now (the refunded total): on PostgreSQL the row
   * stays locked until the transaction ends, so no other relay's write falls between the read and the update;
   * SQLite's write transactions hold the file's write lock from their first statement already.
   */
  getForUpdate(sessionId: string): PaymentSession | null;
  findByProviderSessionId(provider: ProviderId, providerSessionId: string, options?: FindOptions): PaymentSession | null;
  /** The newest session carrying this payment id (a retried checkout may reuse one). */
  findByProviderPaymentId(provider: ProviderId, providerPaymentId: string, options?: FindOptions): PaymentSession | null;
  findByIdempotencyKey(key: string): PaymentSession | null;
  listByOrder(merchantOrderId: string): PaymentSession[];
  /** Another session of the same order that already took money (a second payment is a double payment). */
  /**
   * Another session of the order that took money: paid, or held for review (the money is taken, not released),
   * a paid one first. A payment on a second session is then a double payment.
   */
  findPaidSibling(merchantOrderId: string, exceptSessionId: string): { id: string; provider: ProviderId; providerPaymentId: string | null } | null;
  /** Sessions still open (created/pending) whose expires_at has passed. */
  listOpenExpiredBefore(now: number, limit: number): PaymentSession[];
  /** Sessions in one of `statuses` not updated since `before`: candidates for reconciliation. */
  listStale(statuses: PaymentStatus[], before: number, limit: number): PaymentSession[];
  /** Sessions in one of `statuses` updated at or after `since`, newest first: compared with the shop by reconciliation. */
  listUpdatedSince(statuses: PaymentStatus[], since: number, limit: number): PaymentSession[];
  update(sessionId: string, patch: SessionPatch, now: number): void;
  countByOrder(merchantOrderId: string): number;
}
