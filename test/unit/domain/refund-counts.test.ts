import { withRefundCounted, withRefundUncounted } from '../../../relay/src/domain/payment-session';

const paid = { amountMinor: 5000, refundedMinor: 0, chargedBackMinor: 0, status: 'paid' as const };

describe("a refund from the shop in the session's count", () => {
  test('counted: what is left at most, full when nothing is left, never lowering a count above the payment', () => {
    expect(withRefundCounted(paid, 1000)).toEqual({ refundedMinor: 1000, full: false });
    expect(withRefundCounted({ ...paid, refundedMinor: 4000 }, 1000)).toEqual({ refundedMinor: 5000, full: true });
    expect(withRefundCounted({ ...paid, refundedMinor: 4500 }, 1000)).toEqual({ refundedMinor: 5000, full: true });
    expect(withRefundCounted({ ...paid, chargedBackMinor: 1000, refundedMinor: 3000 }, 2000)).toEqual({ refundedMinor: 4000, full: true });
    // A dashboard refund of 5.00 counted beside a full refund in flight: 55.00 stays 55.00.
    expect(withRefundCounted({ ...paid, refundedMinor: 5500, status: 'refunded' }, 1000)).toEqual({ refundedMinor: 5500, full: true });
  });

  test('uncounted: from the total as it is now, refunded no longer goes back, and what waited for room beside it', () => {
    expect(withRefundUncounted({ ...paid, refundedMinor: 1500 }, 1000)).toEqual({ refundedMinor: 500, status: 'paid', waitingMinor: 0 });
    expect(withRefundUncounted({ ...paid, refundedMinor: 5000, status: 'refunded' }, 5000, 'review')).toEqual({ refundedMinor: 0, status: 'review', waitingMinor: 0 });
    // Still refunded in full by what stays counted: a dashboard refund counted beside ours, 10.00 of it beyond the
    // payment (no room for its record) until ours goes.
    expect(withRefundUncounted({ ...paid, refundedMinor: 6000, status: 'refunded' }, 1000)).toEqual({ refundedMinor: 5000, status: 'refunded', waitingMinor: 1000 });
    // The shop's 50.00 in flight and a dashboard 5.00 counted beside it: the 5.00 waits for room, and gets it now.
    expect(withRefundUncounted({ ...paid, refundedMinor: 5500, status: 'refunded' }, 5000)).toEqual({ refundedMinor: 500, status: 'paid', waitingMinor: 500 });
    // After a chargeback of 10.00, 40.00 refunded is all of it.
    expect(withRefundUncounted({ ...paid, chargedBackMinor: 1000, refundedMinor: 4000, status: 'refunded' }, 1000)).toEqual({ refundedMinor: 3000, status: 'paid', waitingMinor: 0 });
    expect(withRefundUncounted({ ...paid, refundedMinor: 500 }, 1000)).toEqual({ refundedMinor: 0, status: 'paid', waitingMinor: 0 });
  });
});
