import { captureRule, type CaptureRule } from '../../../relay/src/domain/capture-rule';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../../relay/src/domain/payment-status';

describe('capturing an approved payment (PayPal), by the session status once the approval is recorded', () => {
  const expected: Record<PaymentStatus, CaptureRule> = {
    created: 'none',
    pending: 'capture',
    // A payment after expiry is still money: captured, then the late-payment rules decide.
    expired: 'capture_late',
    cancelled: 'capture_late',
    paid: 'none',
    failed: 'none',
    review: 'none',
    refunded: 'none',
  };
  it.each(PAYMENT_STATUSES.map((status) => [status, expected[status]] as const))('%s → %s', (status, rule) => {
    expect(captureRule(status)).toBe(rule);
  });
});
