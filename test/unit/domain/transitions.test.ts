import { PAYMENT_STATUSES, type PaymentStatus } from '../../../relay/src/domain/payment-status';
import { transitionRule } from '../../../relay/src/domain/transitions';

// Every (current × incoming) pair and what must happen. A = applies, = = same status, - = refused.
// Rows: current status. Columns: created pending paid failed expired cancelled review refunded.
const TABLE: Record<PaymentStatus, string> = {
  created: '=  A  A  A  A  A  A  -',
  pending: '-  =  A  A  A  A  A  -',
  paid: '-  -  =  -  -  -  A  A',
  failed: '-  A  A  =  A  A  A  -',
  expired: '-  -  A  -  =  -  A  -',
  cancelled: '-  -  A  -  -  =  A  -',
  review: '-  -  A  A  -  -  =  A',
  refunded: '-  -  -  -  -  -  -  =',
};

const expectedVerdict = { A: 'apply', '=': 'same', '-': 'refuse' } as const;

describe('status transitions: a rule for every pair', () => {
  const cases = PAYMENT_STATUSES.flatMap((current) => {
    const marks = TABLE[current].split(/\s+/);
    return PAYMENT_STATUSES.map((incoming, i) => [current, incoming, expectedVerdict[marks[i] as keyof typeof expectedVerdict]] as const);
  });

  it('covers all 64 pairs', () => expect(cases).toHaveLength(64));

  it.each(cases)('%s then %s → %s', (current, incoming, verdict) => {
    expect(transitionRule(current, incoming).verdict).toBe(verdict);
  });

  it('a late pending after paid does not regress the order', () => {
    expect(transitionRule('paid', 'pending')).toEqual({ verdict: 'refuse', why: 'no_regression' });
  });

  it('failed after paid does not undo the payment', () => {
    expect(transitionRule('paid', 'failed')).toEqual({ verdict: 'refuse', why: 'money_already_taken' });
  });

  it('a payment after expiry or cancellation is still money and wins', () => {
    expect(transitionRule('expired', 'paid')).toEqual({ verdict: 'apply', why: 'late_payment' });
    expect(transitionRule('cancelled', 'paid')).toEqual({ verdict: 'apply', why: 'late_payment' });
  });

  it('refunded only after money was taken', () => {
    for (const current of ['created', 'pending', 'failed', 'expired', 'cancelled'] as const) {
      expect(transitionRule(current, 'refunded')).toEqual({ verdict: 'refuse', why: 'refund_without_payment' });
    }
    expect(transitionRule('paid', 'refunded').verdict).toBe('apply');
    expect(transitionRule('review', 'refunded').verdict).toBe('apply');
  });

  it('expired is not failed: a session that expires after a decline is recorded as expired', () => {
    expect(transitionRule('failed', 'expired')).toEqual({ verdict: 'apply', why: 'expired_after_failure' });
    expect(transitionRule('expired', 'failed').verdict).toBe('refuse');
  });
});
