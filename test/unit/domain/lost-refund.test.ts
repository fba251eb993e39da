import { lostRefundNamedBy, lostRefundOutcome, lostRefundsConfirmedBy, refundMayHaveBeenMade, type RefundFailureCode } from '../../../relay/src/domain/lost-refund';

describe('refunds whose answer was lost', () => {
  const failures: Array<[RefundFailureCode, boolean]> = [
    ['timeout', true],
    ['network', true],
    ['server_error', true],
    ['rate_limited', false],
    ['unsupported_payment', false],
    ['bad_request', false],
    ['auth', false],
    ['not_found', false],
  ];
  it.each(failures)('a refund call failing with %s may have refunded: %s', (code, ambiguous) => {
    expect(refundMayHaveBeenMade(code)).toBe(ambiguous);
  });

  const lost = { amountMinor: 1000, currency: 'EUR' };
  it.each([
    [false, { amountMinor: 1000, currency: 'EUR' }, 'not_made'],
    [false, { amountMinor: 500, currency: 'EUR' }, 'not_made'],
    [true, { amountMinor: 1000, currency: 'eur' }, 'same_refund'],
    [true, { amountMinor: 500, currency: 'EUR' }, 'other_refund'],
    [true, { amountMinor: 1000, currency: 'USD' }, 'other_refund'],
  ] as const)('made at the provider: %s, asked now %o → %s', (made, request, outcome) => {
    expect(lostRefundOutcome(lost, made, request)).toBe(outcome);
  });

  it('a refund webhook confirms the lost refunds that fit in what it refunds, oldest first', () => {
    const rows = [{ id: 'a', amountMinor: 1000 }, { id: 'b', amountMinor: 700 }, { id: 'c', amountMinor: 300 }];
    expect(lostRefundsConfirmedBy(1000, rows).map((r) => r.id)).toEqual(['a']);
    expect(lostRefundsConfirmedBy(1300, rows).map((r) => r.id)).toEqual(['a', 'c']);
    expect(lostRefundsConfirmedBy(2000, rows).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(lostRefundsConfirmedBy(200, rows)).toEqual([]);
  });

  it('a provider\'s "not made" names a lost refund only by our reference, on the same session, while it is unconfirmed', () => {
    const rows = [
      { id: 'a', sessionId: 'ps_1', state: 'unconfirmed', reference: 'payrelay-refund-1-10' },
      { id: 'b', sessionId: 'ps_1', state: 'pending', reference: 'payrelay-refund-1-11' },
      { id: 'c', sessionId: 'ps_2', state: 'unconfirmed', reference: 'payrelay-refund-1-12' },
    ];
    expect(lostRefundNamedBy({ reference: 'payrelay-refund-1-10' }, 'ps_1', rows)?.id).toBe('a');
    expect(lostRefundNamedBy({ reference: 'payrelay-refund-1-11' }, 'ps_1', rows)).toBeNull();
    expect(lostRefundNamedBy({ reference: 'payrelay-refund-1-12' }, 'ps_1', rows)).toBeNull();
    expect(lostRefundNamedBy({}, 'ps_1', rows)).toBeNull();
    expect(lostRefundNamedBy(undefined, 'ps_1', rows)).toBeNull();
  });
});

