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

  it('a second payment for an already paid order goes to review and asks for a refund', () => {
    const decision = decide(anEvent(), aSession(), { livemode: false, otherSessionPaid: { sessionId: 'ps_other', provider: 'Mollie' } });
    expect(decision).toMatchObject({ kind: 'apply', to: 'review' });
    expect(decision.kind === 'apply' && decision.write.note).toContain('refund one of the payments');
  });

  it('under review: review opened then cleared', () => {
    const opened = decide(anEvent({ status: 'review', eventType: 'review.opened', reason: 'Radar rule: high risk' }), aSession({ status: 'paid' }), context);
    expect(opened).toMatchObject({ kind: 'apply', to: 'review' });
    expect(opened.kind === 'apply' && opened.write.note).toContain('Radar rule: high risk');
    expect(decide(anEvent({ status: 'paid', eventType: 'review.closed', eventId: 'evt_9' }), aSession({ status: 'review' }), context)).toMatchObject({ kind: 'apply', to: 'paid', why: 'review_cleared' });
  });

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
