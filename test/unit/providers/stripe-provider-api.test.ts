import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { CreateCheckoutInput } from '../../../relay/src/ports/payment-provider';
import { StripeProvider } from '../../../relay/src/providers/stripe/stripe-provider';
import { PROVIDER_FIXTURES } from '../../helpers/provider-signers';

const API = 'http://stripe.test';
const NOW = 1_700_000_000_000;
const objectFixture = (name: string) => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'objects', 'openapi-fixtures3', `${name}.json`), 'utf8'));
const session = objectFixture('checkout.session');
const CS = session.id as string;

function provider(timeoutMs = 2000) {
  return new StripeProvider({ secretKey: 'sk_test_123', webhookSecrets: ['whsec_x'], apiBase: API, toleranceSeconds: 300 }, { clock: { now: () => NOW }, timeoutMs });
}

const input: CreateCheckoutInput = {
  relaySessionId: 'ps_abc',
  merchantOrderId: '1234',
  amountMinor: 1999,
  currency: 'EUR',
  customerEmail: 'jo@example.com',
  customerCountry: 'NL',
  method: 'card',
  returnUrl: 'https://shop.example/thanks',
  cancelUrl: 'https://shop.example/cart',
  locale: 'nl_NL',
  expiresAt: NOW + 60 * 60 * 1000,
  idempotencyKey: 'order-1234-attempt-1',
  webhookUrl: 'https://relay.example/webhooks/stripe',
};

const stripeError = (type: string, code: string, message: string, param?: string) => ({ error: { type, code, message, ...(param ? { param } : {}) } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('StripeProvider.createCheckout', () => {
  it('creates one payment-mode session with the order in client_reference_id and metadata, idempotently', async () => {
    let form: URLSearchParams | null = null;
    let idempotencyKey: string | undefined;
    nock(API)
      .post('/v1/checkout/sessions', (body) => {
        form = new URLSearchParams(typeof body === 'string' ? body : new URLSearchParams(body).toString());
        return true;
      })
      .reply(function () {
        idempotencyKey = this.req.headers['idempotency-key'] as string;
        return [200, { ...session, expires_at: Math.floor(input.expiresAt / 1000) }];
      });
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: true, value: { providerSessionId: CS, checkoutUrl: session.url, expiresAt: Math.floor(input.expiresAt / 1000) * 1000, providerPaymentId: session.payment_intent } });
    expect(idempotencyKey).toBe('order-1234-attempt-1');
    const f = form as unknown as URLSearchParams;
    expect(Object.fromEntries(f.entries())).toEqual(
      expect.objectContaining({
        mode: 'payment',
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'eur',
        'line_items[0][price_data][unit_amount]': '1999',
        'line_items[0][price_data][product_data][name]': 'Order 1234',
        client_reference_id: '1234',
        'metadata[payrelay_session_id]': 'ps_abc',
        'metadata[payrelay_order_id]': '1234',
        'payment_intent_data[metadata][payrelay_session_id]': 'ps_abc',
        customer_email: 'jo@example.com',
        success_url: 'https://shop.example/thanks',
        cancel_url: 'https://shop.example/cart',
        expires_at: String(Math.floor(input.expiresAt / 1000)),
        locale: 'nl',
        'allowed_payment_method_types[0]': 'card',
      }),
    );
  });

  it.each([
    [400, stripeError('invalid_request_error', 'parameter_invalid_integer', 'Invalid integer: abc', 'line_items[0][price_data][unit_amount]'), 'final', 'bad_request'],
    [401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***123' } }, 'final', 'auth'],
    [400, stripeError('invalid_request_error', 'payment_method_unactivated', 'The payment method type provided: ideal is invalid.', 'allowed_payment_method_types'), 'fallback', 'unsupported_payment'],
    [400, stripeError('invalid_request_error', 'amount_too_small', 'Amount must be at least €0.50 eur'), 'fallback', 'unsupported_payment'],
    [429, stripeError('invalid_request_error', 'rate_limit', 'Too many requests'), 'fallback', 'rate_limited'],
    [500, { error: { type: 'api_error', message: 'An unknown error occurred' } }, 'fallback', 'server_error'],
    [503, { error: { type: 'api_error', message: 'Service unavailable' } }, 'fallback', 'server_error'],
  ])('HTTP %i %j → %s/%s', async (status, body, kind, code) => {
    nock(API).post('/v1/checkout/sessions').reply(status, body);
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });

  it('a timeout falls back', async () => {
    nock(API).post('/v1/checkout/sessions').delay(500).reply(200, session);
    const result = await provider(100).createCheckout(input);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'timeout' }) });
  });

  it('a dropped connection falls back', async () => {
    // Twice: stripe-node retries a closed connection once even with retries off.
    nock(API).post('/v1/checkout/sessions').times(2).replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'network' }) });
  });

  it('refuses crypto and non-EUR bank payments without calling Stripe', async () => {
    expect(await provider().createCheckout({ ...input, method: 'crypto' })).toEqual({ ok: false, error: expect.objectContaining({ code: 'unsupported_payment' }) });
    expect(await provider().createCheckout({ ...input, method: 'bank_transfer', currency: 'USD' })).toEqual({ ok: false, error: expect.objectContaining({ code: 'unsupported_payment' }) });
  });

  it('without a secret key it fails final (configuration), not silently', async () => {
    const p = new StripeProvider({ secretKey: null, webhookSecrets: ['whsec_x'], apiBase: API, toleranceSeconds: 300 }, { clock: { now: () => NOW } });
    expect(await p.createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'final', code: 'auth' }) });
  });
});

describe('StripeProvider.fetchStatus', () => {
  const pi = objectFixture('payment_intent');
  const charge = objectFixture('charge');
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['open session', { status: 'open', payment_status: 'unpaid', payment_intent: pi }, 'created'],
    ['paid session', { status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded', latest_charge: charge } }, 'paid'],
    ['refunded session', { status: 'complete', payment_status: 'paid', amount_total: 100, payment_intent: { ...pi, status: 'succeeded', latest_charge: { ...charge, amount_refunded: 40 } } }, 'refunded'],
    ['async payment settling', { status: 'complete', payment_status: 'unpaid', payment_intent: { ...pi, status: 'processing' } }, 'pending'],
    ['async payment failed', { status: 'complete', payment_status: 'unpaid', payment_intent: { ...pi, status: 'requires_payment_method' } }, 'failed'],
    ['expired session', { status: 'expired', payment_status: 'unpaid', payment_intent: null }, 'expired'],
    ['cancelled payment', { status: 'open', payment_status: 'unpaid', payment_intent: { ...pi, status: 'canceled' } }, 'cancelled'],
    // The Checkout Session says paid while Radar holds the charge or the customer disputes it.
    ['paid session, charge under an open review', { status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded', latest_charge: { ...charge, review: { ...objectFixture('review'), open: true } } } }, 'review'],
    ['paid session, review as a bare id', { status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded', latest_charge: { ...charge, review: 'prv_1' } } }, 'review'],
    ['paid session, review closed', { status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded', latest_charge: { ...charge, review: { ...objectFixture('review'), open: false, closed_reason: 'approved' } } } }, 'paid'],
    ['paid session, charge disputed', { status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded', latest_charge: { ...charge, disputed: true } } }, 'review'],
  ];

  it.each(cases)('%s → %s', async (_name, fields, status) => {
    nock(API).get(`/v1/checkout/sessions/${CS}`).query(true).reply(200, { ...session, ...fields, metadata: { payrelay_session_id: 'ps_abc' } });
    const result = await provider().fetchStatus({ providerSessionId: CS, relaySessionId: 'ps_abc' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.event).toEqual(expect.objectContaining({ provider: 'stripe', status, providerSessionId: CS, relaySessionId: 'ps_abc', occurredAt: NOW }));
    expect(result.value.event.eventId).toMatch(new RegExp(`^sync:${CS}:`));
    if (status === 'refunded') expect(result.value.event.refundedMinor).toBe(40);
  });

  it("asks for the charge's review with the session, to see whether it is still open", async () => {
    let asked: unknown;
    nock(API).get(`/v1/checkout/sessions/${CS}`).query((query) => ((asked = query), true)).reply(200, { ...session, status: 'open', payment_status: 'unpaid', payment_intent: pi });
    await provider().fetchStatus({ providerSessionId: CS, relaySessionId: 'ps_abc' });
    expect(JSON.stringify(asked)).toContain('payment_intent.latest_charge.review');
  });

  it('gives the same event id for the same state and a new one for a new state', async () => {
    const reply = (fields: Record<string, unknown>) => nock(API).get(`/v1/checkout/sessions/${CS}`).query(true).reply(200, { ...session, ...fields });
    reply({ status: 'open', payment_status: 'unpaid', payment_intent: pi });
    reply({ status: 'open', payment_status: 'unpaid', payment_intent: pi });
    reply({ status: 'complete', payment_status: 'paid', payment_intent: { ...pi, status: 'succeeded' } });
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await provider().fetchStatus({ providerSessionId: CS, relaySessionId: 'ps_abc' });
      ids.push(r.ok ? r.value.event.eventId : 'error');
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('an unknown session is final not_found', async () => {
    nock(API).get(`/v1/checkout/sessions/${CS}`).query(true).reply(404, stripeError('invalid_request_error', 'resource_missing', `No such checkout.session: '${CS}'`, 'session'));
    expect(await provider().fetchStatus({ providerSessionId: CS, relaySessionId: 'ps_abc' })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'final', code: 'not_found' }) });
  });
});

describe('StripeProvider.expireCheckout', () => {
  it('expires an open session', async () => {
    const scope = nock(API).post(`/v1/checkout/sessions/${CS}/expire`).reply(200, { ...session, status: 'expired' });
    expect(await provider().expireCheckout({ providerSessionId: CS })).toEqual({ ok: true, value: undefined });
    expect(scope.isDone()).toBe(true);
  });

  it.each(['complete', 'expired'])('a session already %s is a success', async (status) => {
    nock(API).post(`/v1/checkout/sessions/${CS}/expire`).reply(400, stripeError('invalid_request_error', 'checkout_session_not_open', 'Only Checkout Sessions with a status in ["open"] can be expired.'));
    nock(API).get(`/v1/checkout/sessions/${CS}`).reply(200, { ...session, status });
    expect(await provider().expireCheckout({ providerSessionId: CS })).toEqual({ ok: true, value: undefined });
  });

  it('a 500 is reported, to be tried again later', async () => {
    nock(API).post(`/v1/checkout/sessions/${CS}/expire`).reply(500, { error: { type: 'api_error', message: 'boom' } });
    expect(await provider().expireCheckout({ providerSessionId: CS })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'server_error' }) });
  });
});
