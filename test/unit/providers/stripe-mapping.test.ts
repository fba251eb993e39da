import fs from 'node:fs';
import path from 'node:path';
import { parseStripeEvent } from '../../../relay/src/providers/stripe/stripe-event-schema';
import { mapStripeEvent } from '../../../relay/src/providers/stripe/stripe-status-map';
import { PROVIDER_FIXTURES } from '../../helpers/provider-signers';

const EVENTS = path.join(PROVIDER_FIXTURES, 'stripe', 'events');

function mapFile(file: string) {
  const parsed = parseStripeEvent(fs.readFileSync(path.join(EVENTS, file)));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  return mapStripeEvent(parsed.value);
}

/** Every event fixture and the status it must give. */
const TABLE: Array<[file: string, status: string]> = [
  ['community-stripe-ruby-mock/charge.failed.json', 'unsupported'],
  ['community-stripe-ruby-mock/charge.refunded.json', 'refunded'],
  ['community-stripe-ruby-mock/charge.succeeded.json', 'unsupported'],
  ['community-stripe-ruby-mock/checkout.session.completed.json', 'paid'],
  ['community-stripe-ruby-mock/checkout.session.completed.payment_mode.json', 'paid'],
  ['community-stripe-ruby-mock/payment_intent.canceled.json', 'cancelled'],
  ['community-stripe-ruby-mock/payment_intent.payment_failed.json', 'failed'],
  ['community-stripe-ruby-mock/payment_intent.processing.json', 'pending'],
  ['community-stripe-ruby-mock/payment_intent.succeeded.json', 'paid'],
  ['composed-from-openapi-fixtures/charge.dispute.closed.json', 'dispute'],
  ['composed-from-openapi-fixtures/charge.dispute.created.json', 'dispute'],
  ['composed-from-openapi-fixtures/charge.refunded.json', 'refunded'],
  ['composed-from-openapi-fixtures/checkout.session.async_payment_failed.json', 'failed'],
  ['composed-from-openapi-fixtures/checkout.session.async_payment_succeeded.json', 'paid'],
  ['composed-from-openapi-fixtures/checkout.session.completed.json', 'paid'],
  ['composed-from-openapi-fixtures/checkout.session.expired.json', 'expired'],
  ['composed-from-openapi-fixtures/payment_intent.payment_failed.json', 'failed'],
  ['composed-from-openapi-fixtures/review.closed.json', 'paid'],
  ['composed-from-openapi-fixtures/review.opened.json', 'review'],
];

describe('Stripe event → status', () => {
  it('covers every fixture on disk', () => {
    const onDisk = fs.readdirSync(EVENTS).flatMap((dir) => fs.readdirSync(path.join(EVENTS, dir)).map((f) => `${dir}/${f}`)).sort();
    expect(TABLE.map(([file]) => file).sort()).toEqual(onDisk);
  });

  it.each(TABLE)('%s → %s', (file, status) => {
    const event = mapFile(file);
    expect(event.status).toBe(status);
    expect(event.provider).toBe('stripe');
    expect(event.livemode).toBe(false);
  });

  it('copies ids, amount and time from a checkout session', () => {
    expect(mapFile('community-stripe-ruby-mock/checkout.session.completed.json')).toEqual(
      expect.objectContaining({
        eventId: 'evt_000000000000000000000000',
        eventType: 'checkout.session.completed',
        providerSessionId: 'cs_test_0000000000000000000000000000000000000000000000000000000000',
        providerPaymentId: 'pi_000000000000000000000000',
        amountMinor: 3000,
        currency: 'USD',
        occurredAt: 1648319959000,
      }),
    );
  });

  it('puts the decline reason in words', () => {
    expect(mapFile('community-stripe-ruby-mock/payment_intent.payment_failed.json').reason).toBe('Your card was declined. (generic decline)');
  });

  it('gives the refunded amount', () => {
    expect(mapFile('community-stripe-ruby-mock/charge.refunded.json')).toEqual(expect.objectContaining({ refundedMinor: 100, amountMinor: 100, currency: 'USD' }));
  });

  it('names the refunds asked for in the shop that the refunded charge lists (their metadata key), when it lists all of them', () => {
    const charge = (refunds: unknown) =>
      mapStripeEvent({ id: 'evt_r', type: 'charge.refunded', livemode: false, created: 10, object: { object: 'charge', id: 'ch_1', payment_intent: 'pi_1', amount: 2500, amount_refunded: 2000, currency: 'eur', ...(refunds ? { refunds } : {}) } });
    const refund = (id: string, status: string, key?: string) => ({ id, object: 'refund', status, amount: 1000, metadata: key ? { payrelay_refund_key: key } : {} });
    const listed = { object: 'list', has_more: false, data: [refund('re_1', 'succeeded', 'payrelay-refund-7-10'), refund('re_2', 'pending', 'payrelay-refund-7-11'), refund('re_3', 'failed', 'payrelay-refund-7-12'), refund('re_4', 'succeeded')] };
    expect(charge(listed).refundReferences).toEqual(['payrelay-refund-7-10', 'payrelay-refund-7-11']);
    expect(charge(listed).refundReferencesComplete).toBe(true);
    // API versions from 2022-11-15 leave the list out; a first page says nothing of the rest.
    expect(charge(undefined).refundReferences).toBeUndefined();
    expect(charge({ ...listed, has_more: true }).refundReferences).toBeUndefined();
    expect(charge({ ...listed, has_more: true }).refundReferencesComplete).toBeUndefined();
  });

  const session = (type: string, fields: Record<string, unknown>) =>
    mapStripeEvent({ id: 'evt_x', type, livemode: true, created: 10, object: { object: 'checkout.session', id: 'cs_x', ...fields } });

  it.each([
    ['checkout.session.completed', { payment_status: 'paid' }, 'paid'],
    ['checkout.session.completed', { payment_status: 'unpaid' }, 'pending'],
    ['checkout.session.completed', { payment_status: 'no_payment_required' }, 'paid'],
    ['checkout.session.completed', { payment_status: 'something_new' }, 'unsupported'],
    ['checkout.session.async_payment_succeeded', {}, 'paid'],
    ['checkout.session.async_payment_failed', {}, 'failed'],
    ['checkout.session.expired', {}, 'expired'],
    ['checkout.session.something_new', {}, 'unsupported'],
  ])('%s %j → %s', (type, fields, status) => {
    expect(session(type, fields).status).toBe(status);
  });

  it('reads the relay session and order from metadata and client_reference_id', () => {
    expect(session('checkout.session.completed', { payment_status: 'paid', client_reference_id: '1234', metadata: { payrelay_session_id: 'ps_1', payrelay_order_id: '999' } })).toEqual(
      expect.objectContaining({ relaySessionId: 'ps_1', merchantOrderId: '1234', livemode: true }),
    );
  });

  const review = (type: string, fields: Record<string, unknown>) =>
    mapStripeEvent({ id: 'evt_r', type, livemode: false, created: 10, object: { object: 'review', id: 'prv_1', payment_intent: 'pi_1', ...fields } });

  it.each([
    ['review.opened', { opened_reason: 'rule' }, 'review'],
    ['review.closed', { reason: 'approved' }, 'paid'],
    ['review.closed', { reason: 'refunded_as_fraud' }, 'review'],
    ['review.closed', { reason: 'disputed' }, 'review'],
  ])('%s %j → %s', (type, fields, status) => {
    const event = review(type, fields);
    expect(event.status).toBe(status);
    expect(event.providerPaymentId).toBe('pi_1');
    expect(event.reason).toEqual(expect.any(String));
  });

  it("review.closed approved is Stripe's verdict on the review; review.opened is not", () => {
    expect(mapFile('composed-from-openapi-fixtures/review.closed.json')).toMatchObject({ status: 'paid', reviewVerdict: 'approved' });
    expect(mapFile('composed-from-openapi-fixtures/review.opened.json').reviewVerdict).toBeUndefined();
    expect(review('review.closed', { reason: 'refunded_as_fraud' }).reviewVerdict).toBeUndefined();
  });

  it('a dispute: amount, reason, deadline to respond (evidence_details.due_by) and where', () => {
    expect(mapFile('composed-from-openapi-fixtures/charge.dispute.created.json')).toMatchObject({
      status: 'dispute',
      amountMinor: 1000,
      currency: 'USD',
      dispute: { phase: 'opened', disputeId: 'dp_1Pgc71B7WZ01zgkWMevJiAUx', amountMinor: 1000, currency: 'USD', reason: 'general', respondBy: 1723679999000, respondAt: 'the Stripe Dashboard (Payments → Disputes)' },
    });
    expect(mapFile('composed-from-openapi-fixtures/charge.dispute.closed.json').dispute).toMatchObject({ phase: 'lost' });
  });

  const dispute = (type: string, fields: Record<string, unknown>) =>
    mapStripeEvent({ id: 'evt_d', type, livemode: false, created: 10, object: { object: 'dispute', id: 'dp_1', payment_intent: 'pi_1', amount: 500, currency: 'eur', reason: 'fraudulent', ...fields } });

  it.each([
    ['charge.dispute.closed', { status: 'won' }, 'won'],
    ['charge.dispute.closed', { status: 'warning_closed' }, 'won'],
    ['charge.dispute.closed', { status: 'lost' }, 'lost'],
    ['charge.dispute.funds_reinstated', { status: 'won' }, 'won'],
  ])('%s %j → dispute %s', (type, fields, phase) => {
    expect(dispute(type, fields)).toMatchObject({ status: 'dispute', providerPaymentId: 'pi_1', dispute: { phase, amountMinor: 500, currency: 'EUR', reason: 'fraudulent' } });
  });

  it('a dispute event that does not say how it ended, or lacks its amount, is not applied', () => {
    expect(dispute('charge.dispute.closed', { status: 'under_review' }).status).toBe('unsupported');
    expect(dispute('charge.dispute.updated', { status: 'under_review' }).status).toBe('unsupported');
    expect(dispute('charge.dispute.created', { amount: null }).status).toBe('unsupported');
  });

  it('never maps an unknown type to paid, even with a paid-looking object', () => {
    expect(session('checkout.session.paid_for_real', { payment_status: 'paid' }).status).toBe('unsupported');
    expect(mapStripeEvent({ id: 'e', type: 'invoice.paid', livemode: false, created: 1, object: { object: 'invoice', status: 'paid' } }).status).toBe('unsupported');
  });
});
