import { decide } from '../../../relay/src/domain/decide';
import { aSession, anEvent } from '../../helpers/builders';

const context = { livemode: false, otherSessionPaid: null };

describe('decide(): what a verified event changes', () => {
  it('paid: applies, stores the payment id and writes a note with amount, provider and reference', () => {
    const decision = decide(anEvent(), aSession(), context);
    expect(decision).toMatchObject({ kind: 'apply', from: 'created', to: 'paid', providerPaymentId: 'pi_1' });
    if (decision.kind !== 'apply') throw new Error('expected apply');
    expect(decision.write).toMatchObject({ target: 'paid', transactionId: 'pi_1' });
    expect(decision.write.note).toBe('Payment received at Stripe: 19.99 EUR, payment pi_1. [Payrelay ref stripe:evt_1]');
  });

  it('sent twice: the same status again changes nothing', () => {
    expect(decide(anEvent({ eventId: 'evt_2' }), aSession({ status: 'paid' }), context)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('out of order: a pending after paid is ignored', () => {
    const decision = decide(anEvent({ status: 'pending', eventType: 'payment_intent.processing' }), aSession({ status: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'ignore', reason: 'no_regression' });
  });

  it('pending carries the provider\'s reason when it has one (crypto seen on the chain is not final)', () => {
    const decision = decide(anEvent({ status: 'pending', eventType: 'charge:pending', reason: 'crypto payment seen on the blockchain; not final yet' }), aSession(), context);
    expect(decision.kind === 'apply' && decision.write.note).toContain('Payment started at Stripe: crypto payment seen on the blockchain; not final yet (charge:pending)');
  });

  it('declined: failed carries the decline reason in words', () => {
    const decision = decide(anEvent({ status: 'failed', eventType: 'payment_intent.payment_failed', reason: 'Your card has insufficient funds.' }), aSession(), context);
    expect(decision.kind === 'apply' && decision.write.note).toContain('Payment failed at Stripe: Your card has insufficient funds.');
  });

  it('expired is not failed: the note says the checkout was abandoned', () => {
    const decision = decide(anEvent({ status: 'expired', eventType: 'checkout.session.expired', providerPaymentId: undefined }), aSession(), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'expired' });
    expect(decision.kind === 'apply' && decision.write.note).toContain('expired before the customer paid');
  });

  it('a payment after expiry is still money, and the note says so', () => {
    const decision = decide(anEvent(), aSession({ status: 'expired' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', why: 'late_payment' });
    expect(decision.kind === 'apply' && decision.write.note).toContain('after the session was expired');
  });

  it('amount mismatch puts the payment in review', () => {
    const decision = decide(anEvent({ amountMinor: 999 }), aSession(), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'review' });
    expect(decision.kind === 'apply' && decision.write.note).toContain('does not match the order (19.99 EUR)');
  });

  it('currency mismatch puts the payment in review', () => {
    expect(decide(anEvent({ currency: 'USD' }), aSession(), context)).toMatchObject({ kind: 'apply', to: 'review' });
  });

  it('a second payment for an already paid order goes to review, names both payments and asks to refund one', () => {
    const decision = decide(anEvent(), aSession(), { livemode: false, otherSessionPaid: { sessionId: 'ps_other', provider: 'Mollie', providerPaymentId: 'tr_first' } });
    expect(decision).toMatchObject({ kind: 'apply', to: 'review' });
    const note = decision.kind === 'apply' ? decision.write.note : '';
    expect(note).toContain('already paid by Mollie payment tr_first (session ps_other), and now by Stripe payment pi_1 (session ps_test_1)');
    expect(note).toContain('refund one of the two payments');
  });

  it('a review cleared by the provider on a second payment of the order stays held, and the note says why', () => {
    const other = { sessionId: 'ps_other', provider: 'Mollie', providerPaymentId: 'tr_first' };
    const cleared = decide(anEvent({ eventType: 'review.closed', reviewVerdict: 'approved' }), aSession({ status: 'review' }), { livemode: false, otherSessionPaid: other });
    expect(cleared).toMatchObject({ kind: 'apply', from: 'review', to: 'review', write: { target: 'review' } });
    expect(cleared.kind === 'apply' && cleared.write.note).toMatch(/Stripe cleared its review, but the customer paid twice.*tr_first.*pi_1/);
  });

  it('a second payment on a session that had expired or failed (a fallback) is a double payment too, never ignored', () => {
    const other = { sessionId: 'ps_other', provider: 'Mollie', providerPaymentId: 'tr_first' };
    for (const status of ['created', 'pending', 'failed', 'expired', 'cancelled'] as const) {
      expect(decide(anEvent(), aSession({ status }), { livemode: false, otherSessionPaid: other })).toMatchObject({ kind: 'apply', to: 'review' });
    }
  });

  it('under review: review opened then cleared', () => {
    const opened = decide(anEvent({ status: 'review', eventType: 'review.opened', reason: 'Radar rule: high risk' }), aSession({ status: 'paid' }), context);
    expect(opened).toMatchObject({ kind: 'apply', to: 'review' });
    expect(opened.kind === 'apply' && opened.write.note).toContain('Radar rule: high risk');
    expect(decide(anEvent({ status: 'paid', eventType: 'review.closed', eventId: 'evt_9', reviewVerdict: 'approved' }), aSession({ status: 'review' }), context)).toMatchObject({ kind: 'apply', to: 'paid', why: 'review_cleared' });
  });

  it('a status poll never clears a review: paid from a poll is refused and the order stays on hold', () => {
    const poll = anEvent({ eventId: 'sync:cs_test_1:complete:paid', eventType: 'checkout.session.sync', source: 'poll' });
    const decision = decide(poll, aSession({ status: 'review' }), context);
    expect(decision).toMatchObject({ kind: 'ignore', reason: 'hold_needs_verdict' });
    expect(decision.kind === 'ignore' && decision.message).toContain("only Stripe's own decision on the review");
    // Not even when the poll claims a verdict: a poll reads a state, it does not rule on a hold.
    expect(decide({ ...poll, reviewVerdict: 'approved' }, aSession({ status: 'review' }), context)).toMatchObject({ kind: 'ignore', reason: 'hold_needs_verdict' });
  });

  it('a late checkout.session.completed is not a review verdict either', () => {
    expect(decide(anEvent({ eventId: 'evt_late' }), aSession({ status: 'review' }), context)).toMatchObject({ kind: 'ignore', reason: 'hold_needs_verdict' });
  });

  it('a review rejected by the provider fails the payment; a plain failed does not', () => {
    const rejected = decide(anEvent({ status: 'failed', eventType: 'review.closed', reviewVerdict: 'rejected', reason: 'fraud' }), aSession({ status: 'review' }), context);
    expect(rejected).toMatchObject({ kind: 'apply', to: 'failed', why: 'review_rejected' });
    expect(rejected.kind === 'apply' && rejected.write.note).toContain('Payment rejected after review at Stripe: fraud');
    expect(decide(anEvent({ status: 'failed' }), aSession({ status: 'review' }), context)).toMatchObject({ kind: 'ignore', reason: 'hold_needs_verdict' });
  });
});

describe('decide(): the provider clock tells a stale event from a new attempt', () => {
  const T = 1_700_000_500_000;

  it('a stale pending after a decline changes nothing', () => {
    const decision = decide(anEvent({ status: 'pending', eventType: 'payment_intent.processing', occurredAt: T - 5000 }), aSession({ status: 'failed', lastEventAt: T }), context);
    expect(decision).toMatchObject({ kind: 'ignore', reason: 'stale_event' });
    expect(decision.kind === 'ignore' && decision.message).toContain('older than the last event applied');
  });

  it('a newer pending after a decline is a new attempt and applies', () => {
    const decision = decide(anEvent({ status: 'pending', eventType: 'payment_intent.processing', occurredAt: T + 1000 }), aSession({ status: 'failed', lastEventAt: T }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'pending', lastEventAt: T + 1000 });
  });

  it('money still wins: an older paid is never dropped as stale', () => {
    expect(decide(anEvent({ occurredAt: T - 60_000 }), aSession({ status: 'failed', lastEventAt: T }), context)).toMatchObject({ kind: 'apply', to: 'paid', lastEventAt: T });
    const refund = anEvent({ status: 'refunded', refundedMinor: 1999, occurredAt: T - 60_000 });
    expect(decide(refund, aSession({ status: 'paid', lastEventAt: T }), context)).toMatchObject({ kind: 'apply', to: 'refunded' });
  });

  it('a stale review opened after the review was approved does not hold the order again', () => {
    const decision = decide(anEvent({ status: 'review', eventType: 'review.opened', occurredAt: T - 1000 }), aSession({ status: 'paid', lastEventAt: T }), context);
    expect(decision).toMatchObject({ kind: 'ignore', reason: 'stale_event' });
  });

  it('the same second is not stale (Stripe counts in seconds): the transition table decides', () => {
    expect(decide(anEvent({ status: 'pending', occurredAt: T }), aSession({ status: 'failed', lastEventAt: T }), context)).toMatchObject({ kind: 'apply', to: 'pending' });
  });

  it("a poll is never stale and does not move the provider's clock", () => {
    const poll = anEvent({ status: 'failed', source: 'poll', occurredAt: T - 5000 });
    expect(decide(poll, aSession({ status: 'pending', lastEventAt: T }), context)).toMatchObject({ kind: 'apply', to: 'failed', lastEventAt: T });
    expect(decide(anEvent({ source: 'poll', occurredAt: T + 9000 }), aSession({ lastEventAt: null }), context)).toMatchObject({ kind: 'apply', lastEventAt: null });
  });
});

describe('decide(): disputes and chargebacks', () => {
  const DUE = Date.UTC(2024, 7, 14, 23, 59, 59);
  const dispute = (phase: 'opened' | 'won' | 'lost', over: Record<string, unknown> = {}) =>
    anEvent({
      eventId: `evt_dispute_${phase}`,
      eventType: phase === 'opened' ? 'charge.dispute.created' : 'charge.dispute.closed',
      status: 'dispute',
      dispute: { phase, disputeId: 'dp_1', amountMinor: 1999, currency: 'EUR', reason: 'fraudulent', respondBy: DUE, respondAt: 'the Stripe Dashboard (Payments → Disputes)', ...over },
    });

  it('a dispute puts the order on hold with what support needs: amount, reason, deadline, where to respond', () => {
    const decision = decide(dispute('opened'), aSession({ status: 'paid', providerPaymentId: 'pi_1' }), context);
    expect(decision).toMatchObject({ kind: 'apply', from: 'paid', to: 'review', why: 'dispute_opened', disputedFrom: 'paid', write: { target: 'review' } });
    expect(decision.kind === 'apply' && decision.write.note).toBe(
      "Dispute opened at Stripe: the customer's bank disputes 19.99 EUR (reason: fraudulent), dispute dp_1, payment pi_1. Respond by 2024-08-14 23:59 UTC with evidence in the Stripe Dashboard (Payments → Disputes), or accept it there. Do not ship until it is resolved. [Payrelay ref stripe:evt_dispute_opened]",
    );
  });

  it("a won dispute restores the order's status", () => {
    const decision = decide(dispute('won'), aSession({ status: 'review', disputedFrom: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', why: 'dispute_won', disputedFrom: null, write: { target: 'paid', releasesHold: true } });
    expect(decision.kind === 'apply' && decision.write.note).toContain('Dispute won at Stripe');
    // Disputed during a review: a win goes back to the review, which still holds the order.
    expect(decide(dispute('won'), aSession({ status: 'review', disputedFrom: 'review' }), context)).toMatchObject({ kind: 'apply', to: 'review', disputedFrom: null });
  });

  it('a lost dispute records the money as gone', () => {
    const decision = decide(dispute('lost'), aSession({ status: 'review', disputedFrom: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'refunded', why: 'dispute_lost', chargedBackMinor: 1999, refundedMinor: 0, disputedFrom: null, write: { target: 'refunded', refundMinor: 1999 } });
    expect(decision.kind === 'apply' && decision.write.note).toContain('the dispute was lost (reason: fraudulent); the customer\'s bank took back 19.99 EUR');
    expect(decision.kind === 'apply' && decision.write.note).toContain('refund marked chargeback and the order is refunded');
  });

  it('a partly lost dispute keeps the rest paid and releases the hold', () => {
    const decision = decide(dispute('lost', { amountMinor: 500 }), aSession({ status: 'review', disputedFrom: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', chargedBackMinor: 500, write: { target: 'paid', refundMinor: 500, releasesHold: true } });
    expect(decision.kind === 'apply' && decision.write.note).toContain('14.99 EUR of 19.99 EUR stay paid');
  });

  it('a chargeback without a dispute first (Mollie) takes the money and says where to contest it', () => {
    const chargeback = anEvent({ provider: 'mollie', eventId: 'tr_1:paid:0.00:chargeback:19.99', status: 'dispute', source: 'poll', dispute: { phase: 'lost', disputeId: 'tr_1', amountMinor: 1999, totalChargedBackMinor: 1999, currency: 'EUR', respondAt: 'the Mollie Dashboard' } });
    const decision = decide(chargeback, aSession({ provider: 'mollie', status: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'refunded', chargedBackMinor: 1999, write: { refundMinor: 1999 } });
    expect(decision.kind === 'apply' && decision.write.note).toContain('It can still be contested in the Mollie Dashboard.');
    // The same running total seen again takes nothing twice.
    expect(decide({ ...chargeback, eventId: 'again' }, aSession({ provider: 'mollie', status: 'paid', chargedBackMinor: 1999 }), context)).toMatchObject({ kind: 'ignore' });
  });

  describe('money a chargeback took coming back', () => {
    const refundedByChargeback = aSession({ status: 'refunded', chargedBackMinor: 1999, providerPaymentId: 'pi_1' });

    it('after a full loss (Stripe funds reinstated): on hold with one note saying the money is back, never straight to processing', () => {
      const decision = decide({ ...dispute('won'), eventType: 'charge.dispute.funds_reinstated' }, refundedByChargeback, context);
      expect(decision).toMatchObject({ kind: 'apply', from: 'refunded', to: 'review', why: 'chargeback_reversed', chargedBackMinor: 0, disputedFrom: null, write: { target: 'review', moneyReturned: true } });
      const note = decision.kind === 'apply' ? decision.write.note : '';
      expect(note).toContain("Chargeback reversed at Stripe: the customer's bank gave back 19.99 EUR (dispute dp_1, payment pi_1)");
      expect(note).toContain('may have been restocked');
      // Reinstated, then closed as won: the second is no new money.
      const after = aSession({ status: 'review', chargedBackMinor: 0, providerPaymentId: 'pi_1' });
      expect(decide({ ...dispute('won'), eventId: 'evt_closed_won' }, after, context)).toMatchObject({ kind: 'ignore' });
    });

    it('Mollie: the running total charged back going down is a reversal of the difference', () => {
      const reversal = anEvent({ provider: 'mollie', eventId: 'tr_1:paid:0.00:chargeback:0.00', status: 'dispute', source: 'poll', dispute: { phase: 'lost', disputeId: 'tr_1', amountMinor: 0, totalChargedBackMinor: 0, currency: 'EUR', respondAt: 'the Mollie Dashboard' } });
      const decision = decide(reversal, aSession({ provider: 'mollie', status: 'refunded', chargedBackMinor: 1999 }), context);
      expect(decision).toMatchObject({ kind: 'apply', to: 'review', why: 'chargeback_reversed', chargedBackMinor: 0 });
      expect(decision.kind === 'apply' && decision.write.note).toContain("the customer's bank gave back 19.99 EUR");
    });

    it('after a partial chargeback: the part comes back, the order stays paid, a note says so', () => {
      const decision = decide(dispute('won', { amountMinor: 500 }), aSession({ status: 'paid', chargedBackMinor: 500 }), context);
      expect(decision).toMatchObject({ kind: 'apply', to: 'paid', why: 'chargeback_reversed', chargedBackMinor: 0, write: { target: 'paid' } });
      expect(decision.kind === 'apply' && decision.write.refundMinor).toBeUndefined();
    });

    it('a won dispute for a payment with nothing charged back is not a reversal (nothing to give back)', () => {
      expect(decide(dispute('won'), aSession({ status: 'paid' }), context)).toMatchObject({ kind: 'ignore', reason: 'no_open_dispute' });
      expect(decide(dispute('won'), aSession({ status: 'refunded', refundedMinor: 1999 }), context)).toMatchObject({ kind: 'ignore', reason: 'refund_is_final' });
    });
  });

  it('a late paid after a lost dispute changes nothing', () => {
    expect(decide(anEvent({ eventId: 'evt_late_paid' }), aSession({ status: 'refunded', chargedBackMinor: 1999 }), context)).toMatchObject({ kind: 'ignore', reason: 'refund_is_final' });
    // Partly lost: the rest is paid, and a late paid is the same status again.
    expect(decide(anEvent({ eventId: 'evt_late_paid' }), aSession({ status: 'paid', chargedBackMinor: 500 }), context)).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('while disputed, neither a payment nor a review verdict releases the hold', () => {
    const disputed = aSession({ status: 'review', disputedFrom: 'paid' });
    expect(decide(anEvent({ eventId: 'evt_x' }), disputed, context)).toMatchObject({ kind: 'ignore', reason: 'dispute_open' });
    expect(decide(anEvent({ eventId: 'evt_y', reviewVerdict: 'approved' }), disputed, context)).toMatchObject({ kind: 'ignore', reason: 'dispute_open' });
  });

  it('a dispute event without its details is not applied (fail closed)', () => {
    expect(decide(anEvent({ status: 'dispute' }), aSession({ status: 'paid' }), context)).toMatchObject({ kind: 'ignore', reason: 'unsupported_event' });
  });

  it('a refund after a chargeback refunds only what is left', () => {
    const decision = decide(anEvent({ status: 'refunded', refundedMinor: 1999 }), aSession({ status: 'paid', chargedBackMinor: 500 }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'refunded', refundedMinor: 1499 });
  });
});

describe('decide(): refunds, modes and unknown events', () => {

  it('refunded: a full refund moves to refunded', () => {
    const decision = decide(anEvent({ status: 'refunded', eventType: 'charge.refunded', refundedMinor: 1999 }), aSession({ status: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'refunded', refundedMinor: 1999 });
  });

  it('refunded: a partial refund keeps the payment paid and asks for a refund record', () => {
    const decision = decide(anEvent({ status: 'refunded', eventType: 'charge.refunded', refundedMinor: 500 }), aSession({ status: 'paid' }), context);
    expect(decision).toMatchObject({ kind: 'apply', to: 'paid', refundedMinor: 500, write: { refundMinor: 500 } });
    const second = decide(anEvent({ status: 'refunded', refundedMinor: 1999, eventId: 'evt_r2' }), aSession({ status: 'paid', refundedMinor: 500 }), context);
    expect(second).toMatchObject({ kind: 'apply', to: 'refunded', refundedMinor: 1999 });
    expect(second.kind === 'apply' && second.write.note).toContain('14.99 EUR');
  });

  it('refunded by increment (Adyen REFUND items carry only this refund): the total adds up over two partial refunds', () => {
    const first = decide(anEvent({ status: 'refunded', refundIncrementMinor: 500 }), aSession({ status: 'paid' }), context);
    expect(first).toMatchObject({ kind: 'apply', to: 'paid', refundedMinor: 500, write: { refundMinor: 500 } });
    const second = decide(anEvent({ status: 'refunded', refundIncrementMinor: 1499, eventId: 'evt_r2' }), aSession({ status: 'paid', refundedMinor: 500 }), context);
    expect(second).toMatchObject({ kind: 'apply', to: 'refunded', refundedMinor: 1999 });
  });

  it('a refund repeated with the same total changes nothing', () => {
    const decision = decide(anEvent({ status: 'refunded', refundedMinor: 500 }), aSession({ status: 'paid', refundedMinor: 500 }), context);
    expect(decision).toMatchObject({ kind: 'ignore', reason: 'duplicate_status' });
  });

  it('refund for a payment never paid is not applied', () => {
    expect(decide(anEvent({ status: 'refunded', refundedMinor: 1999 }), aSession({ status: 'pending' }), context)).toMatchObject({ kind: 'ignore', reason: 'refund_without_payment' });
  });

  it('a live event reaching a test relay (or the reverse) is ignored', () => {
    expect(decide(anEvent({ livemode: true }), aSession(), context)).toMatchObject({ kind: 'ignore', reason: 'mode_mismatch' });
    expect(decide(anEvent({ livemode: false }), aSession(), { ...context, livemode: true })).toMatchObject({ kind: 'ignore', reason: 'mode_mismatch' });
  });

  it('an unknown event type is never paid', () => {
    expect(decide(anEvent({ status: 'unsupported', eventType: 'customer.created' }), aSession(), context)).toMatchObject({ kind: 'ignore', reason: 'unsupported_event' });
  });
});
