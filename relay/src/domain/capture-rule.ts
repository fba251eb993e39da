import { assertNever, type PaymentStatus } from './payment-status';

/**
 * Whether to take the money of a payment the buyer approved (PayPal: approved is not paid, the relay captures),
 * given the session's status once the approval was recorded. `capture_late`: the session had expired or was
 * cancelled before the buyer approved; the buyer still means to pay, and "a payment after expiry is still money",
 * so it is captured and the late-payment rules decide what the order becomes (paid if it still awaits payment,
 * on hold with a note if it was cancelled or paid through another session).
 */
export type CaptureRule = 'capture' | 'capture_late' | 'none';

export function captureRule(statusAfterApproval: PaymentStatus): CaptureRule {
  switch (statusAfterApproval) {
    case 'pending':
      return 'capture';
    case 'expired':
    case 'cancelled':
      return 'capture_late';
    // Money taken already (paid, held, refunded), or an approval older than a decline (failed, kept as is).
    case 'created':
    case 'paid':
    case 'failed':
    case 'review':
    case 'refunded':
      return 'none';
    default:
      return assertNever(statusAfterApproval);
  }
}
