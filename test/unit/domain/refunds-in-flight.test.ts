import { decide } from '../../../relay/src/domain/decide';
import { refundsWithoutRoom, splitRunningTotal } from '../../../relay/src/domain/refunds-in-flight';
import { aSession, anEvent } from '../../helpers/builders';

const OURS = 'payrelay-refund-1042-77';
const ours = { amountMinor: 1000, reference: OURS };

/**
 * A running refunded total from the provider (PayPal, Stripe, Mollie) while a refund the shop asked for is counted
 * but not answered yet. Paid 50.00; "counted" is session.refundedMinor, in-flight refunds are part of it.
 */
describe('a running refunded total against refunds the shop asked for that are still in flight', () => {
  const cases: Array<{ name: string; counted: number; inFlight: Array<typeof ours>; total: number; refs?: string[]; complete?: boolean; newMinor: number; inTotal: string[] }> = [
    { name: 'a dashboard refund of 5.00 while the shop\'s 10.00 is in flight (total 5.00): the 5.00 is new', counted: 1000, inFlight: [ours], total: 500, refs: [], newMinor: 500, inTotal: [] },
    { name: 'the same without references (a poll, an old API version)', counted: 1000, inFlight: [ours], total: 500, newMinor: 500, inTotal: [] },
    { name: 'the shop\'s refund\'s own webhook (total 10.00, naming it): nothing new, it is in the total', counted: 1000, inFlight: [ours], total: 1000, refs: [OURS], newMinor: 0, inTotal: [OURS] },
    { name: 'the shop\'s refund\'s own webhook after the dashboard 5.00 was counted (total 15.00)', counted: 1500, inFlight: [ours], total: 1500, refs: [OURS], newMinor: 0, inTotal: [OURS] },
    { name: 'the dashboard\'s webhook when the shop\'s refund was made first (total 15.00): 5.00 new, ours in it', counted: 1000, inFlight: [ours], total: 1500, refs: [], newMinor: 500, inTotal: [OURS] },
    { name: 'the dashboard 5.00 seen again (a poll) after it was counted: nothing new', counted: 1500, inFlight: [ours], total: 500, newMinor: 0, inTotal: [] },
    { name: 'nothing in flight: what the total adds is new, as always', counted: 1000, inFlight: [], total: 1500, newMinor: 500, inTotal: [] },
    { name: 'a total that names our refund though it is short of it: nothing new, never less than nothing', counted: 1000, inFlight: [ours], total: 500, refs: [OURS], newMinor: 0, inTotal: [OURS] },
    { name: 'a dashboard refund of 15.00 on a list of every refund (Stripe) that does not name ours: all 15.00 is new, ours not made yet', counted: 1000, inFlight: [ours], total: 1500, refs: ['payrelay-other'], complete: true, newMinor: 1500, inTotal: [] },
    { name: 'the same list naming ours: 5.00 new', counted: 1000, inFlight: [ours], total: 1500, refs: [OURS], complete: true, newMinor: 500, inTotal: [OURS] },
    {
      name: 'two in flight, the total holds the older one only (by amount) and 2.00 more',
      counted: 1500,
      inFlight: [ours, { amountMinor: 500, reference: 'payrelay-refund-1042-78' }],
      total: 1200,
      newMinor: 200,
      inTotal: [OURS],
    },
  ];
  it.each(cases)('$name', ({ counted, inFlight, total, refs, complete, newMinor, inTotal }) => {
    const split = splitRunningTotal(total, counted, inFlight, refs, complete);
    expect({ newMinor: split.newMinor, inTotal: split.inTotal.map((r) => r.reference) }).toEqual({ newMinor, inTotal });
  });

  const paid = aSession({ status: 'paid', amountMinor: 5000, providerPaymentId: 'CAP_1' });
  const refundEvent = (refundedMinor: number, refundReferences?: string[]) =>
    anEvent({ provider: 'paypal', eventId: `WH-${refundedMinor}`, eventType: 'PAYMENT.CAPTURE.REFUNDED', status: 'refunded', providerPaymentId: 'CAP_1', refundedMinor, ...(refundReferences ? { refundReferences } : {}) });
  const context = { livemode: false, otherSessionPaid: null, refundsInFlight: [ours] };

  it('decide(): the dashboard refund\'s 5.00 is recorded (refund record, note, 15.00 counted) while the shop\'s 10.00 is in flight', () => {
    const decision = decide(refundEvent(500, []), { ...paid, refundedMinor: 1000 }, context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', refundedMinor: 1500, write: { refundMinor: 500, refundedTotalMinor: 1500 } });
    expect(decision.kind === 'apply' && decision.write.note).toBe('Partial refund at PayPal: 5.00 EUR of 50.00 EUR, payment CAP_1. 15.00 EUR refunded so far, with 10.00 EUR asked for in the shop still being made. [Payrelay ref paypal:WH-500]');
  });

  it('decide(): then the shop refund\'s own webhook (15.00) counts nothing twice', () => {
    expect(decide(refundEvent(1500, [OURS]), { ...paid, refundedMinor: 1500 }, context)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
    // Its answer came first: nothing is in flight, and 15.00 is what is counted.
    expect(decide(refundEvent(1500, [OURS]), { ...paid, refundedMinor: 1500 }, { ...context, refundsInFlight: [] })).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('decide(): a dashboard refund of the rest once the shop\'s refund is made refunds the order', () => {
    expect(decide(refundEvent(5000, []), { ...paid, refundedMinor: 1000 }, context)).toMatchObject({ kind: 'apply', to: 'refunded', refundedMinor: 5000 });
  });

  it('decide(): never more than what is left, whatever the total says', () => {
    expect(decide(refundEvent(5000, []), { ...paid, refundedMinor: 4500 }, { ...context, refundsInFlight: [{ amountMinor: 4500, reference: OURS }] })).toMatchObject({ kind: 'apply', refundedMinor: 5000 });
  });

  it('refundsWithoutRoom(): the ones the provider has no room left for, beside its total', () => {
    const full = { amountMinor: 5000, reference: OURS };
    expect(refundsWithoutRoom(500, 5000, [full])).toEqual([full]);
    expect(refundsWithoutRoom(0, 5000, [full])).toEqual([]);
    expect(refundsWithoutRoom(500, 5000, [ours])).toEqual([]);
    const second = { amountMinor: 4000, reference: 'payrelay-refund-1042-78' };
    expect(refundsWithoutRoom(500, 5000, [ours, second])).toEqual([second]);
  });

  // The shop's full refund of 50.00 counted: the session is refunded before PayPal answered.
  const fullInFlight = { amountMinor: 5000, reference: OURS };
  const refundedByCount = { ...paid, status: 'refunded' as const, refundedMinor: 5000 };
  const fullContext = { ...context, refundsInFlight: [fullInFlight] };

  it('decide(): a dashboard refund of 5.00 while the shop\'s full refund is in flight is counted, not ignored as final; the shop gets the note now, the record once ours is answered', () => {
    const decision = decide(refundEvent(500, []), refundedByCount, fullContext);
    expect(decision).toMatchObject({ kind: 'apply', to: 'refunded', why: 'partial_refund', refundedMinor: 5500, write: { target: 'paid', noteOnly: true } });
    expect(decision.kind === 'apply' && decision.write.refundMinor).toBeUndefined();
    expect(decision.kind === 'apply' && decision.write.note).toBe(
      'Partial refund at PayPal: 5.00 EUR of 50.00 EUR, payment CAP_1. 5.00 EUR refunded so far. Its refund record is added once PayPal has answered the refund of 50.00 EUR asked for in the shop, which PayPal has no room left for (45.00 EUR left): the shop holds that refund\'s record until then. [Payrelay ref paypal:WH-500]',
    );
    // Delivered again once counted: nothing new.
    expect(decide(refundEvent(500, []), { ...refundedByCount, refundedMinor: 5500 }, fullContext)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('decide(): the shop\'s full refund\'s own webhook (50.00) adds nothing, named or not', () => {
    expect(decide(refundEvent(5000, [OURS]), refundedByCount, fullContext)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
    expect(decide(refundEvent(5000), refundedByCount, fullContext)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('decide(): refunded with nothing in flight, a refund is final as before', () => {
    expect(decide(refundEvent(500, []), refundedByCount, { ...context, refundsInFlight: [] })).toMatchObject({ kind: 'ignore', reason: 'refund_is_final' });
  });

  it('decide(): the shop\'s 48.00 in flight and a dashboard 5.00: 2.00 on record now (all the shop has room for), 3.00 once ours is answered', () => {
    const decision = decide(refundEvent(500, []), { ...paid, refundedMinor: 4800 }, { ...context, refundsInFlight: [{ amountMinor: 4800, reference: OURS }] });
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', refundedMinor: 5300, write: { target: 'paid', refundMinor: 200, refundedTotalMinor: 5000 } });
  });
});
