import nock from 'nock';
import type { RefundInput } from '../../../relay/src/ports/payment-provider';
import { MollieProvider } from '../../../relay/src/providers/mollie/mollie-provider';
import { StripeProvider } from '../../../relay/src/providers/stripe/stripe-provider';

const NOW = 1_700_000_000_000;
const refund = (providerPaymentId: string): RefundInput => ({
  relaySessionId: 'ps_1',
  providerSessionId: null,
  providerPaymentId,
  amountMinor: 1000,
  currency: 'EUR',
  idempotencyKey: 'payrelay-refund-1001-77',
  reason: 'damaged',
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('refunds at Stripe (POST /v1/refunds with Idempotency-Key)', () => {
  const stripe = new StripeProvider({ secretKey: 'sk_test_123', webhookSecrets: ['whsec_x'], apiBase: 'http://stripe.test', toleranceSeconds: 300 }, { clock: { now: () => NOW }, timeoutMs: 2000 });

  it('refunds the PaymentIntent with the key tied to the shop refund', async () => {
    const call = nock('http://stripe.test', { reqheaders: { 'idempotency-key': 'payrelay-refund-1001-77' } })
      .post('/v1/refunds', (body) => body.payment_intent === 'pi_1' && body.amount === '1000' && body['metadata[payrelay_session_id]'] === 'ps_1' && body['metadata[payrelay_refund_key]'] === 'payrelay-refund-1001-77')
      .reply(200, { id: 're_1', object: 'refund', status: 'succeeded', amount: 1000 });
    expect(await stripe.refund(refund('pi_1'))).toEqual({ ok: true, value: { providerRefundId: 're_1', status: 'succeeded' } });
    expect(call.isDone()).toBe(true);
  });

  it('a refund whose answer was lost is found by the key in its metadata; a failed one, or none, refunded nothing', async () => {
    const lookup = { relaySessionId: 'ps_1', providerPaymentId: 'pi_1', providerSessionId: 'cs_1', idempotencyKey: 'payrelay-refund-1001-77', amountMinor: 1000, currency: 'EUR' };
    const list = (data: unknown[]) => nock('http://stripe.test').get('/v1/refunds').query({ payment_intent: 'pi_1', limit: '100' }).reply(200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
    list([
      { id: 're_other', object: 'refund', status: 'succeeded', amount: 1000, metadata: { payrelay_refund_key: 'payrelay-refund-1001-76' } },
      { id: 're_ours', object: 'refund', status: 'pending', amount: 1000, metadata: { payrelay_refund_key: 'payrelay-refund-1001-77' } },
    ]);
    expect(await stripe.findRefund(lookup)).toEqual({ ok: true, value: { providerRefundId: 're_ours', status: 'pending' } });
    list([{ id: 're_ours', object: 'refund', status: 'failed', amount: 1000, metadata: { payrelay_refund_key: 'payrelay-refund-1001-77' } }]);
    expect(await stripe.findRefund(lookup)).toEqual({ ok: true, value: null });
    list([]);
    expect(await stripe.findRefund(lookup)).toEqual({ ok: true, value: null });
  });

  it('a refusal is final and carries Stripe\'s words', async () => {
    nock('http://stripe.test').post('/v1/refunds').reply(400, { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'Charge ch_1 has already been refunded.' } });
    expect(await stripe.refund(refund('pi_1'))).toEqual({ ok: false, error: expect.objectContaining({ kind: 'final', message: expect.stringContaining('already been refunded') }) });
  });
});

describe('refunds at Mollie (POST /v2/payments/:id/refunds with Idempotency-Key)', () => {
  const mollie = new MollieProvider({ apiKey: 'test_abc', apiBase: 'http://mollie.test' }, { clock: { now: () => NOW } }, { timeoutMs: 2000 });

  it('refunds the payment; a queued refund is pending', async () => {
    const call = nock('http://mollie.test', { reqheaders: { 'idempotency-key': 'payrelay-refund-1001-77' } })
      .post('/v2/payments/tr_44aKxzEbr8/refunds', { amount: { currency: 'EUR', value: '10.00' }, description: 'damaged', metadata: { payrelay_session_id: 'ps_1', payrelay_refund_key: 'payrelay-refund-1001-77' } })
      .reply(201, { resource: 'refund', id: 're_4qqhO89gsT', status: 'queued' });
    expect(await mollie.refund(refund('tr_44aKxzEbr8'))).toEqual({ ok: true, value: { providerRefundId: 're_4qqhO89gsT', status: 'pending' } });
    expect(call.isDone()).toBe(true);
  });

  it('a refund whose answer was lost is found by the key in its metadata; none means nothing was refunded', async () => {
    const lookup = { relaySessionId: 'ps_1', providerPaymentId: 'tr_44aKxzEbr8', providerSessionId: 'tr_44aKxzEbr8', idempotencyKey: 'payrelay-refund-1001-77', amountMinor: 1000, currency: 'EUR' };
    const list = (refunds: unknown[]) =>
      nock('http://mollie.test').get('/v2/payments/tr_44aKxzEbr8/refunds').query({ limit: '250' }).reply(200, { count: refunds.length, _embedded: { refunds } });
    list([
      { resource: 'refund', id: 're_other', status: 'refunded', metadata: null },
      { resource: 'refund', id: 're_4qqhO89gsT', status: 'refunded', metadata: { payrelay_session_id: 'ps_1', payrelay_refund_key: 'payrelay-refund-1001-77' } },
    ]);
    expect(await mollie.findRefund(lookup)).toEqual({ ok: true, value: { providerRefundId: 're_4qqhO89gsT', status: 'succeeded' } });
    list([{ resource: 'refund', id: 're_other', status: 'queued', metadata: { payrelay_refund_key: 'payrelay-refund-1001-76' } }]);
    expect(await mollie.findRefund(lookup)).toEqual({ ok: true, value: null });
    nock('http://mollie.test').get('/v2/payments/tr_44aKxzEbr8/refunds').query(true).reply(503, 'upstream');
    expect(await mollie.findRefund(lookup)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback' }) });
  });

  it('a 422 (too much) is a final refusal with Mollie\'s detail, never "try another provider"', async () => {
    nock('http://mollie.test').post('/v2/payments/tr_44aKxzEbr8/refunds').reply(422, { status: 422, title: 'Unprocessable Entity', detail: 'The refund amount is more than the remaining amount', field: 'amount' });
    expect(await mollie.refund(refund('tr_44aKxzEbr8'))).toEqual({ ok: false, error: expect.objectContaining({ kind: 'final', message: expect.stringContaining('more than the remaining amount') }) });
  });
});
