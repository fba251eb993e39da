import { envSchema } from '../../../relay/src/config/config-schema';
import { isRefundReference, LOST_REFUND_GRACE_MS, lostRefundNamedBy, REFUND_REFERENCE_MAX_LENGTH, lostRefundOutcome, lostRefundsConfirmedBy, refundMayHaveBeenMade, type RefundFailureCode } from '../../../relay/src/domain/lost-refund';

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

  const lostAt = 1_700_000_000_000;
  const lost = { amountMinor: 1000, currency: 'EUR', updatedAt: lostAt };
  const believed = lostAt + LOST_REFUND_GRACE_MS;
  it.each([
    [false, { amountMinor: 1000, currency: 'EUR' }, believed, 'not_made'],
    [false, { amountMinor: 500, currency: 'EUR' }, believed + 1, 'not_made'],
    [true, { amountMinor: 1000, currency: 'eur' }, lostAt, 'same_refund'],
    [true, { amountMinor: 500, currency: 'EUR' }, lostAt, 'other_refund'],
    [true, { amountMinor: 1000, currency: 'USD' }, believed, 'other_refund'],
    // The provider may still commit a call whose answer we lost: its "not made" waits out the grace period.
    [false, { amountMinor: 1000, currency: 'EUR' }, lostAt, 'maybe_in_flight'],
    [false, { amountMinor: 1000, currency: 'EUR' }, believed - 1, 'maybe_in_flight'],
  ] as const)('made at the provider: %s, asked now %o at %d → %s', (made, request, now, outcome) => {
    expect(lostRefundOutcome(lost, made, request, now)).toBe(outcome);
  });

  it('the grace period outlasts the longest provider timeout the configuration allows', () => {
    const longest = envSchema.extract('PAYRELAY_PROVIDER_TIMEOUT_MS').describe().rules.find((r: { name: string }) => r.name === 'max').args.limit;
    expect(LOST_REFUND_GRACE_MS).toBeGreaterThan(longest);
  });

  it('a refund webhook confirms the lost refunds that fit in what it refunds, oldest first', () => {
    const rows = [{ id: 'a', amountMinor: 1000, reference: 'payrelay-refund-1-a' }, { id: 'b', amountMinor: 700, reference: 'payrelay-refund-1-b' }, { id: 'c', amountMinor: 300, reference: 'payrelay-refund-1-c' }];
    expect(lostRefundsConfirmedBy(1000, rows).map((r) => r.id)).toEqual(['a']);
    expect(lostRefundsConfirmedBy(1300, rows).map((r) => r.id)).toEqual(['a', 'c']);
    expect(lostRefundsConfirmedBy(2000, rows).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(lostRefundsConfirmedBy(200, rows)).toEqual([]);
  });

  it('an event that names its refunds confirms only those: two lost refunds of one amount are told apart, a dashboard refund confirms none', () => {
    const rows = [{ id: 'a', amountMinor: 1000, reference: 'payrelay-refund-1-10' }, { id: 'b', amountMinor: 1000, reference: 'payrelay-refund-1-11' }];
    expect(lostRefundsConfirmedBy(1000, rows, ['payrelay-refund-1-11']).map((r) => r.id)).toEqual(['b']);
    expect(lostRefundsConfirmedBy(1000, rows, ['payrelay-refund-1-10']).map((r) => r.id)).toEqual(['a']);
    expect(lostRefundsConfirmedBy(1000, rows, [])).toEqual([]);
    expect(lostRefundsConfirmedBy(1000, rows, ['payrelay-refund-1-10', 'payrelay-refund-1-11']).map((r) => r.id)).toEqual(['a']);
    expect(lostRefundsConfirmedBy(1000, rows).map((r) => r.id)).toEqual(['a']);
  });

  it('a reference is our key as the provider kept it: PayPal\'s invoice_id keeps its first 127 characters', () => {
    const key = `payrelay-refund-${'o'.repeat(64)}-${'9'.repeat(64)}`;
    expect(isRefundReference(key, key.slice(0, REFUND_REFERENCE_MAX_LENGTH))).toBe(true);
    expect(isRefundReference(key, key)).toBe(true);
    expect(isRefundReference('payrelay-refund-1-10', 'payrelay-refund-1-1')).toBe(false);
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

