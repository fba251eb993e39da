import { SESSION_STATES, TRANSITION_EVENTS, transitionRule, type SessionState } from '../../../relay/src/domain/transitions';

// Every (current state × incoming event) pair and what must happen. A = applies, = = same status, - = refused.
// Rows: the eight statuses, and `disputed` (status review with an open dispute: a flag, not a ninth status).
// Columns: created pending paid failed expired cancelled review refunded | review_approved review_rejected |
//          dispute_opened dispute_won dispute_lost chargeback_reversed
const TABLE: Record<SessionState, string> = {
  //         c  p  pd f  e  x  r  rf | ra rr | do dw dl cr
  created:   '=  A  A  A  A  A  A  -  | A  A  | A  -  -  -',
  pending:   '-  =  A  A  A  A  A  -  | A  A  | A  -  -  -',
  paid:      '-  -  =  -  -  -  A  A  | =  -  | A  -  A  A',
  failed:    '-  A  A  =  A  A  A  -  | A  =  | A  -  -  -',
  expired:   '-  -  A  -  =  -  A  -  | A  -  | A  -  -  -',
  cancelled: '-  -  A  -  -  =  A  -  | A  -  | A  -  -  -',
  review:    '-  -  -  -  -  -  =  A  | A  A  | A  -  A  A',
  refunded:  '-  -  -  -  -  -  -  =  | -  -  | -  -  -  A',
  disputed:  '-  -  -  -  -  -  =  A  | -  -  | =  A  A  A',
};

const expectedVerdict = { A: 'apply', '=': 'same', '-': 'refuse' } as const;

describe('status transitions: a rule for every pair', () => {
  const cases = SESSION_STATES.flatMap((current) => {
    const marks = TABLE[current].split(/[\s|]+/).filter(Boolean);
    expect(marks).toHaveLength(TRANSITION_EVENTS.length);
    return TRANSITION_EVENTS.map((incoming, i) => [current, incoming, expectedVerdict[marks[i] as keyof typeof expectedVerdict]] as const);
  });

  it('covers all 126 pairs (9 states × 14 events)', () => expect(cases).toHaveLength(126));

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

  it('a review ends only through the provider verdict: a plain paid or failed leaves it held', () => {
    expect(transitionRule('review', 'paid')).toEqual({ verdict: 'refuse', why: 'hold_needs_verdict' });
    expect(transitionRule('review', 'failed')).toEqual({ verdict: 'refuse', why: 'hold_needs_verdict' });
    expect(transitionRule('review', 'review_approved')).toEqual({ verdict: 'apply', why: 'review_cleared' });
    expect(transitionRule('review', 'review_rejected')).toEqual({ verdict: 'apply', why: 'review_rejected' });
  });

  it('a dispute ends only through its outcome: neither a payment nor a review verdict releases it', () => {
    for (const incoming of ['paid', 'review_approved', 'review_rejected', 'failed', 'pending'] as const) {
      expect(transitionRule('disputed', incoming)).toEqual({ verdict: 'refuse', why: 'dispute_open' });
    }
    expect(transitionRule('disputed', 'dispute_won')).toEqual({ verdict: 'apply', why: 'dispute_won' });
    expect(transitionRule('disputed', 'dispute_lost')).toEqual({ verdict: 'apply', why: 'dispute_lost' });
  });

  it('money a chargeback took coming back is applied even after the chargeback refunded the order; never before money was taken', () => {
    for (const current of ['paid', 'review', 'refunded', 'disputed'] as const) {
      expect(transitionRule(current, 'chargeback_reversed')).toEqual({ verdict: 'apply', why: 'chargeback_reversed' });
    }
    for (const current of ['created', 'pending', 'failed', 'expired', 'cancelled'] as const) {
      expect(transitionRule(current, 'chargeback_reversed')).toEqual({ verdict: 'refuse', why: 'no_chargeback' });
    }
  });

  it('a dispute proves the money was taken: it holds an order the relay had not seen paid', () => {
    expect(transitionRule('expired', 'dispute_opened')).toEqual({ verdict: 'apply', why: 'dispute_opened' });
    expect(transitionRule('refunded', 'dispute_opened')).toEqual({ verdict: 'refuse', why: 'refund_is_final' });
  });

  it('a late paid after a lost dispute changes nothing', () => {
    expect(transitionRule('refunded', 'paid')).toEqual({ verdict: 'refuse', why: 'refund_is_final' });
    expect(transitionRule('paid', 'dispute_won')).toEqual({ verdict: 'refuse', why: 'no_open_dispute' });
  });
});
