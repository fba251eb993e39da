import type { RequestedMethod } from '../domain/payment-session';

/** A payment link a merchant sent: enough of the order to start a fresh checkout whenever it is opened. */
export interface PaymentLink {
  id: string;
  merchantOrderId: string;
  orderKey: string;
  amountMinor: number;
  currency: string;
  customerEmail: string;
  customerCountry: string;
  method: RequestedMethod;
  returnUrl: string;
  cancelUrl: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The session the latest open made (reused while it is still open). */
  lastSessionId: string | null;
  openedCount: number;
}

/** Payment links. Synchronous so it composes inside one transaction. */
export interface PaymentLinkStore {
  insert(link: PaymentLink): void;
  get(id: string): PaymentLink | null;
  listByOrder(merchantOrderId: string): PaymentLink[];
  /** Marks a link revoked; the link as it is now, or null when there is none with that id. Revoking twice keeps the first time. */
  revoke(id: string, now: number): PaymentLink | null;
  /** Counts an open and remembers the session it led to (null: it led to none). */
  recordOpen(id: string, sessionId: string | null): void;
}
