import { lostRefundOutcome, lostRefundsConfirmedBy, refundMayHaveBeenMade, type RefundFailureCode } from '../../../relay/src/domain/lost-refund';

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
});
