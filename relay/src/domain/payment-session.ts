import type { PaymentStatus } from './payment-status';
import type { ProviderId } from './provider-event';

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet', 'crypto'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type RequestedMethod = PaymentMethod | 'any';

/** The relay's record of one hosted checkout session: the provider references the mission asks us to keep. */
export interface PaymentSession {
  /** The relay's own id (`ps_…`), given to the shop and to the provider as metadata. */
  id: string;
  merchantOrderId: string;
  orderKey: string;
  provider: ProviderId;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  customerEmail: string | null;
  customerCountry: string | null;
  method: RequestedMethod;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  refundedMinor: number;
  /**
   * Money the customer's bank took back (lost disputes, chargebacks), kept apart from refunds because
   * providers report refund totals without it. Optional only so older callers compile; absent = 0.
   */
  chargedBackMinor?: number;
  /**
   * A dispute is open: the payment is held (status `review`) and this is the status it goes back to when the
   * dispute is won. A flag on the session rather than a ninth status: the shop sees a dispute exactly as a
   * review (on hold, do not ship); only how the hold ends differs. Absent or null = no open dispute.
   */
  disputedFrom?: PaymentStatus | null;
  /**
   * The provider's time (ms) of the last event applied from a webhook: an older non-money event that arrives
   * later is stale. Polls do not move it (their time is ours, not the provider's). Absent or null = none yet.
   */
  lastEventAt?: number | null;
  livemode: boolean;
  checkoutUrl: string | null;
  returnUrl: string | null;
  cancelUrl: string | null;
  /** Shown to the shop's thank-you page so it can poll the status without any personal data. */
  statusToken: string;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
}

/**
 * What can still go back to the customer: the payment less what is refunded and what a chargeback took (that
 * money went back through the bank already). The refund request's limit, and zero means fully refunded.
 */
export function leftToRefundMinor(session: Pick<PaymentSession, 'amountMinor' | 'refundedMinor' | 'chargedBackMinor'>): number {
  return session.amountMinor - session.refundedMinor - (session.chargedBackMinor ?? 0);
}

/** What refunds can return at all: the payment less what a chargeback took. */
export function refundableMinor(session: Pick<PaymentSession, 'amountMinor' | 'chargedBackMinor'>): number {
  return session.amountMinor - (session.chargedBackMinor ?? 0);
}

type RefundCounts = Pick<PaymentSession, 'amountMinor' | 'refundedMinor' | 'chargedBackMinor' | 'status'>;

/**
 * A refund from the shop counted (again) as made: never beyond what is left, never lowering the count (it may stand
 * above the payment for a moment, a dashboard refund counted beside a full refund in flight). `full`: nothing left.
 */
export function withRefundCounted(session: RefundCounts, amountMinor: number): { refundedMinor: number; full: boolean } {
  const refundedMinor = session.refundedMinor + Math.max(0, Math.min(amountMinor, leftToRefundMinor(session)));
  return { refundedMinor, full: leftToRefundMinor({ ...session, refundedMinor }) <= 0 };
}

/**
 * A refund from the shop's count taken off again (the provider refused it, its answer was lost, its relay stopped),
 * from the total as it is now: refunds recorded since keep theirs. Refunded no longer, the session goes back to
 * `statusBefore`. `waitingMinor`: what stays counted beyond the payment, a refund webhook counted beside this one
 * while the shop had no room for its record (decideRefund), to be put on record now that this refund's record goes.
 */
export function withRefundUncounted(session: RefundCounts, amountMinor: number, statusBefore: PaymentSession['status'] = 'paid'): { refundedMinor: number; status: PaymentSession['status']; waitingMinor: number } {
  const refundable = refundableMinor(session);
  const refundedMinor = Math.max(0, session.refundedMinor - amountMinor);
  const status = session.status === 'refunded' && refundedMinor < refundable ? statusBefore : session.status;
  return { refundedMinor, status, waitingMinor: Math.max(0, Math.min(refundedMinor, session.refundedMinor - refundable)) };
}
