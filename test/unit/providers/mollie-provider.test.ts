import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { CreateCheckoutInput } from '../../../relay/src/ports/payment-provider';
import { MollieProvider } from '../../../relay/src/providers/mollie/mollie-provider';
import { PROVIDER_FIXTURES } from '../../helpers/provider-signers';

const API = 'http://mollie.test';
const NOW = 1_700_000_000_000;
const payment = (name: string) => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'mollie', 'payments', `${name}.json`), 'utf8'));
const provider = (timeoutMs = 2000) => new MollieProvider({ apiKey: 'test_abc', apiBase: API }, { clock: { now: () => NOW } }, { timeoutMs });
const ID = 'tr_44aKxzEbr8';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Mollie classic webhook', () => {
  it('an id=tr_… ping is a notification to fetch', () => {
    const raw = fs.readFileSync(path.join(PROVIDER_FIXTURES, 'mollie', 'legacy-webhook', 'request-payment-tr_44aKxzEbr8.json'), 'utf8');
    const body = Buffer.from(JSON.parse(raw).raw_body);
    expect(provider().verifyWebhook(body, { 'content-type': 'application/x-www-form-urlencoded' }, NOW)).toEqual({ ok: true, value: { kind: 'notification', providerPaymentRef: ID } });
  });

  it.each(['', 'id=', 'id=ord_123', 'id=tr_44aK&status=paid', 'id=tr_../../x', '{"id":"tr_44aKxzEbr8"}', 'foo=tr_44aKxzEbr8'])('%j is malformed', (body) => {
    expect(provider().verifyWebhook(Buffer.from(body), {}, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
  });

  it('a signed next-gen event without a configured secret is refused, not trusted', () => {
    const body = Buffer.from('{"resource":"event","id":"whe_1","type":"payment.paid","entityId":"tr_44aKxzEbr8"}');
    expect(provider().verifyWebhook(body, { 'x-mollie-signature': 'sha256=' + 'a'.repeat(64) }, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
  });
});

describe('MollieProvider.fetchStatus against recorded payments', () => {
  const table: Array<[fixture: string, status: string, extra: Record<string, unknown>]> = [
    ['payment-open', 'created', {}],
    ['payment-open-with-checkout-link', 'created', {}],
    ['payment-pending', 'pending', {}],
    ['payment-authorized', 'pending', {}],
    ['payment-paid', 'paid', {}],
    ['payment-paid-with-refunds-link', 'paid', {}],
    // Chargebacks listed but no amount in the recording: held for a person, not guessed.
    ['payment-paid-with-chargebacks-link', 'review', { eventId: `${ID}:paid:0.00:chargeback:listed`, reason: expect.stringContaining('Mollie lists a chargeback') }],
    ['payment-paid-fully-refunded', 'refunded', { refundedMinor: 2000 }],
    ['payment-canceled', 'cancelled', {}],
    ['payment-expired', 'expired', {}],
    ['payment-failed', 'failed', {}],
  ];

  it.each(table)('%s → %s', async (fixture, status, extra) => {
    const body = payment(fixture);
    nock(API).get(`/v2/payments/${ID}`).matchHeader('authorization', 'Bearer test_abc').reply(200, body);
    const result = await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' });
    expect(result).toEqual({
      ok: true,
      value: {
        event: expect.objectContaining({
          provider: 'mollie',
          status,
          providerSessionId: ID,
          providerPaymentId: ID,
          amountMinor: 2000,
          currency: 'EUR',
          livemode: false,
          occurredAt: NOW,
          eventId: `${ID}:${body.status}:${body.amountRefunded?.value ?? '0.00'}`,
          ...extra,
        }),
      },
    });
  });

  it('a chargeback (amountChargedBack) is money gone: a lost dispute with the running total and where to contest it', async () => {
    nock(API).get(`/v2/payments/${ID}`).reply(200, { ...payment('payment-paid-with-chargebacks-link'), amountChargedBack: { value: '20.00', currency: 'EUR' } });
    const result = await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' });
    expect(result.ok && result.value.event).toEqual(
      expect.objectContaining({
        status: 'dispute',
        eventId: `${ID}:paid:0.00:chargeback:20.00`,
        dispute: { phase: 'lost', disputeId: ID, amountMinor: 2000, totalChargedBackMinor: 2000, currency: 'EUR', respondAt: "the Mollie Dashboard (the payment's Chargebacks)" },
      }),
    );
  });

  it('a partial refund is refunded with the refunded amount', async () => {
    nock(API).get(`/v2/payments/${ID}`).reply(200, { ...payment('payment-paid'), amountRefunded: { value: '5.50', currency: 'EUR' }, metadata: { payrelay_session_id: 'ps_9', payrelay_order_id: '77' } });
    const result = await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_9' });
    expect(result.ok && result.value.event).toEqual(expect.objectContaining({ status: 'refunded', refundedMinor: 550, amountMinor: 2000, relaySessionId: 'ps_9', merchantOrderId: '77' }));
  });

  it('a refunded payment names the refunds asked for in the shop by the key in their metadata (a failed one is no refund); an unreadable list names none', async () => {
    const refunded = { ...payment('payment-paid'), amountRefunded: { value: '20.00', currency: 'EUR' } };
    nock(API).get(`/v2/payments/${ID}`).reply(200, refunded);
    nock(API).get(`/v2/payments/${ID}/refunds`).query({ limit: '250' }).reply(200, {
      count: 3,
      _embedded: {
        refunds: [
          { resource: 'refund', id: 're_ours', status: 'refunded', metadata: { payrelay_refund_key: 'payrelay-refund-77-11' } },
          { resource: 'refund', id: 're_dashboard', status: 'pending', metadata: null },
          { resource: 'refund', id: 're_failed', status: 'failed', metadata: { payrelay_refund_key: 'payrelay-refund-77-10' } },
        ],
      },
    });
    const result = await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' });
    expect(result.ok && result.value.event.refundReferences).toEqual(['payrelay-refund-77-11']);

    nock(API).get(`/v2/payments/${ID}`).reply(200, refunded);
    nock(API).get(`/v2/payments/${ID}/refunds`).query(true).reply(503, 'upstream');
    const unread = await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' });
    expect(unread.ok && unread.value.event).toEqual(expect.objectContaining({ status: 'refunded', refundedMinor: 2000 }));
    expect(unread.ok && 'refundReferences' in unread.value.event).toBe(false);
  });

  it.each([
    [404, { status: 404, title: 'Not Found', detail: 'No payment exists with token tr_44aKxzEbr8.' }, 'final', 'not_found'],
    [401, { status: 401, title: 'Unauthorized Request', detail: 'Missing authentication, or failed to authenticate' }, 'final', 'auth'],
    [500, { status: 500, title: 'Internal Server Error', detail: 'Something went wrong' }, 'fallback', 'server_error'],
    [429, { status: 429, title: 'Too Many Requests', detail: 'Slow down' }, 'fallback', 'rate_limited'],
  ])('HTTP %i → %s/%s', async (status, body, kind, code) => {
    nock(API).get(`/v2/payments/${ID}`).reply(status, body);
    expect(await provider().fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' })).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });

  it('a timeout falls back', async () => {
    nock(API).get(`/v2/payments/${ID}`).delay(500).reply(200, payment('payment-paid'));
    expect(await provider(100).fetchStatus({ providerSessionId: ID, relaySessionId: 'ps_1' })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'timeout' }) });
  });
});

describe('MollieProvider.createCheckout', () => {
  const input: CreateCheckoutInput = {
    relaySessionId: 'ps_abc',
    merchantOrderId: '1234',
    amountMinor: 2000,
    currency: 'EUR',
    customerEmail: null,
    customerCountry: 'NL',
    method: 'bank_transfer',
    returnUrl: 'https://shop.example/thanks',
    cancelUrl: 'https://shop.example/cart',
    locale: 'nl-NL',
    expiresAt: NOW + 3_600_000,
    idempotencyKey: 'order-1234-attempt-1',
    webhookUrl: 'https://relay.example/webhooks/mollie',
  };

  it('posts the payment with an idempotency key and returns the checkout link', async () => {
    let sent: Record<string, unknown> = {};
    nock(API)
      .post('/v2/payments', (body) => ((sent = body), true))
      .matchHeader('idempotency-key', 'order-1234-attempt-1')
      .reply(201, payment('payment-open-with-checkout-link'));
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: true, value: { providerSessionId: ID, checkoutUrl: 'https://example.com', expiresAt: input.expiresAt, providerPaymentId: ID } });
    expect(sent).toEqual({
      amount: { currency: 'EUR', value: '20.00' },
      description: 'Order 1234',
      redirectUrl: 'https://shop.example/thanks',
      cancelUrl: 'https://shop.example/cart',
      webhookUrl: 'https://relay.example/webhooks/mollie',
      metadata: { payrelay_session_id: 'ps_abc', payrelay_order_id: '1234' },
      method: 'ideal',
      locale: 'nl_NL',
    });
  });

  it.each([
    ['BE', 'bancontact'],
    ['DE', 'banktransfer'],
  ])('bank transfer in %s uses %s', async (country, method) => {
    let sent: Record<string, unknown> = {};
    nock(API).post('/v2/payments', (body) => ((sent = body), true)).reply(201, payment('payment-open-with-checkout-link'));
    await provider().createCheckout({ ...input, customerCountry: country });
    expect(sent.method).toBe(method);
  });

  it.each([
    ['EUR', 1000, '10.00'],
    ['JPY', 1000, '1000'],
    ['KWD', 1500, '1.500'],
    ['ISK', 1500, '1500'],
  ])('a %s amount of %d minor units is sent as the decimal string %s', async (currency, amountMinor, value) => {
    let sent: any;
    nock(API).post('/v2/payments', (body) => ((sent = body), true)).reply(201, payment('payment-open-with-checkout-link'));
    await provider().createCheckout({ ...input, currency, amountMinor });
    expect(sent.amount).toEqual({ currency, value });
  });

  it('a method Mollie has not activated falls back', async () => {
    nock(API).post('/v2/payments').reply(422, { status: 422, title: 'Unprocessable Entity', detail: 'The payment method is not activated on your account', field: 'method' });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'unsupported_payment' }) });
  });

  it('an invalid redirect URL is final', async () => {
    nock(API).post('/v2/payments').reply(422, { status: 422, title: 'Unprocessable Entity', detail: 'The redirect URL is invalid', field: 'redirectUrl' });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'final', code: 'bad_request' }) });
  });

  it('a refused connection falls back', async () => {
    nock(API).post('/v2/payments').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'network' }) });
  });
});

describe('MollieProvider.expireCheckout', () => {
  it('cancels a cancelable payment', async () => {
    nock(API).get(`/v2/payments/${ID}`).reply(200, { ...payment('payment-open'), isCancelable: true });
    const cancel = nock(API).delete(`/v2/payments/${ID}`).reply(200, { ...payment('payment-canceled') });
    expect(await provider().expireCheckout({ providerSessionId: ID })).toEqual({ ok: true, value: undefined });
    expect(cancel.isDone()).toBe(true);
  });

  it('leaves a payment that cannot be cancelled alone', async () => {
    nock(API).get(`/v2/payments/${ID}`).reply(200, payment('payment-paid'));
    expect(await provider().expireCheckout({ providerSessionId: ID })).toEqual({ ok: true, value: undefined });
  });
});
