import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { CreateCheckoutInput } from '../../../relay/src/ports/payment-provider';
import { httpsCertificateFetcher } from '../../../relay/src/providers/paypal/paypal-certificates';
import { parsePaypalEvent } from '../../../relay/src/providers/paypal/paypal-event-schema';
import { PaypalProvider, type PaypalConfig } from '../../../relay/src/providers/paypal/paypal-provider';
import { mapPaypalEvent } from '../../../relay/src/providers/paypal/paypal-status-map';
import { PROVIDER_FIXTURES, signPaypal } from '../../helpers/provider-signers';

const API = 'https://api-m.sandbox.paypal.com';
const NOW = Date.parse('2026-11-30T10:00:00Z');
const config: PaypalConfig = { clientId: 'client-id', clientSecret: 'client-secret', webhookIds: ['WH1'], apiBase: API, livemode: false, verification: 'local' };
const event = (name: string) => fs.readFileSync(path.join(PROVIDER_FIXTURES, 'paypal', 'events', 'composed-v2', name));

function provider(overrides: Partial<PaypalConfig> = {}, clock = { now: () => NOW }) {
  return new PaypalProvider({ ...config, ...overrides }, { clock, timeoutMs: 2000 });
}

function token(times = 1, expiresIn = 32400) {
  return nock(API).post('/v1/oauth2/token', 'grant_type=client_credentials').basicAuth({ user: 'client-id', pass: 'client-secret' }).times(times).reply(200, { access_token: 'A21AA-token', token_type: 'Bearer', expires_in: expiresIn });
}

const input: CreateCheckoutInput = {
  relaySessionId: 'ps_1',
  merchantOrderId: '1001',
  amountMinor: 2500,
  currency: 'EUR',
  customerEmail: 'buyer@example.com',
  customerCountry: 'NL',
  method: 'wallet',
  returnUrl: 'https://shop.example/thanks',
  cancelUrl: 'https://shop.example/cart',
  locale: 'nl_NL',
  expiresAt: NOW + 3_600_000,
  idempotencyKey: 'order-1001-attempt-1',
  webhookUrl: 'https://relay.example/webhooks/paypal',
};

const orderBody = (status: string, extra: object = {}) => ({
  id: '5O190127TN364715T',
  status,
  purchase_units: [{ reference_id: '1001', custom_id: 'ps_1', amount: { currency_code: 'EUR', value: '25.00' }, ...extra }],
  links: [{ href: 'https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T', rel: 'payer-action', method: 'GET' }],
});

afterEach(() => nock.cleanAll());
beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

describe('PayPal status map (event_type / resource.status → our vocabulary)', () => {
  const map = (name: string) => {
    const parsed = parsePaypalEvent(event(name));
    if (!parsed.ok) throw new Error(parsed.error.message);
    return mapPaypalEvent(parsed.value, true, NOW);
  };

  it.each([
    ['CHECKOUT.ORDER.APPROVED.json', 'pending'],
    ['PAYMENT.CAPTURE.COMPLETED.json', 'paid'],
    ['PAYMENT.CAPTURE.DENIED.json', 'failed'],
    ['PAYMENT.CAPTURE.PENDING.review.json', 'review'],
    ['PAYMENT.CAPTURE.PENDING.echeck.json', 'pending'],
    ['PAYMENT.CAPTURE.REFUNDED.partial.json', 'refunded'],
    ['PAYMENT.CAPTURE.REVERSED.json', 'refunded'],
  ])('%s → %s', (name, status) => expect(map(name).status).toBe(status));

  it('an approved order is pending and asks for a capture; it is never paid', () => {
    expect(map('CHECKOUT.ORDER.APPROVED.json')).toEqual(expect.objectContaining({ status: 'pending', awaitingCapture: true, providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_paypal_fixture', merchantOrderId: '1001', amountMinor: 2500 }));
  });

  it('a partial refund carries the refunded total and the capture it belongs to', () => {
    expect(map('PAYMENT.CAPTURE.REFUNDED.partial.json')).toEqual(expect.objectContaining({ status: 'refunded', refundedMinor: 1000, providerPaymentId: '3C679366HH908993F', relaySessionId: 'ps_paypal_fixture' }));
  });

  it('a reversal is a full refund (no total given)', () => {
    const mapped = map('PAYMENT.CAPTURE.REVERSED.json');
    expect(mapped.refundedMinor).toBeUndefined();
    expect(mapped.providerPaymentId).toBe('3C679366HH908993F');
  });

  it('the mode comes from the event\'s own links (sandbox = test)', () => expect(map('PAYMENT.CAPTURE.COMPLETED.json').livemode).toBe(false));

  it("a completed or denied capture is PayPal's verdict on a PENDING_REVIEW hold (issue 12)", () => {
    expect(map('PAYMENT.CAPTURE.COMPLETED.json')).toMatchObject({ status: 'paid', reviewVerdict: 'approved' });
    expect(map('PAYMENT.CAPTURE.DENIED.json')).toMatchObject({ status: 'failed', reviewVerdict: 'rejected' });
    expect(map('PAYMENT.CAPTURE.PENDING.review.json').reviewVerdict).toBeUndefined();
  });

  it('a dispute with its amount and id is a dispute (held until its outcome); without them, a review', () => {
    const dispute = (resource: Record<string, unknown>) =>
      mapPaypalEvent({ id: 'WH-1', eventType: 'CUSTOMER.DISPUTE.CREATED', createTime: '2026-01-01T00:00:00Z', livemode: false, resource: { disputed_transactions: [{ seller_transaction_id: '3C679366HH908993F' }], reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', ...resource } }, false, NOW);
    expect(dispute({ dispute_id: 'PP-D-1', dispute_amount: { currency_code: 'EUR', value: '19.99' }, seller_response_due_date: '2026-01-20T23:59:59Z' })).toMatchObject({
      status: 'dispute',
      providerPaymentId: '3C679366HH908993F',
      dispute: { phase: 'opened', disputeId: 'PP-D-1', amountMinor: 1999, currency: 'EUR', reason: 'merchandise or service not received', respondBy: Date.parse('2026-01-20T23:59:59Z'), respondAt: 'the PayPal Resolution Center' },
    });
    expect(dispute({})).toMatchObject({ status: 'review' });
  });

  it('a pending capture under review says why', () => expect(map('PAYMENT.CAPTURE.PENDING.review.json').reason).toMatch(/PENDING_REVIEW/));
});

describe('PayPal Orders v2 over nock', () => {
  it('creates an order with PayPal-Request-Id and returns the approval link as the checkout', async () => {
    token();
    const create = nock(API, { reqheaders: { 'paypal-request-id': 'order-1001-attempt-1', authorization: 'Bearer A21AA-token' } })
      .post('/v2/checkout/orders', (body) => body.intent === 'CAPTURE' && body.purchase_units[0].custom_id === 'ps_1' && body.purchase_units[0].amount.value === '25.00' && body.payment_source.paypal.experience_context.locale === 'nl-NL')
      .reply(200, orderBody('PAYER_ACTION_REQUIRED'));
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: true, value: { providerSessionId: '5O190127TN364715T', checkoutUrl: 'https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T', expiresAt: input.expiresAt, providerPaymentId: null } });
    expect(create.isDone()).toBe(true);
  });

  it('keeps the OAuth token until shortly before it expires, then asks again', async () => {
    let now = NOW;
    const p = provider({}, { now: () => now });
    const tokens = token(1, 3600);
    nock(API).get('/v2/checkout/orders/5O190127TN364715T').times(3).reply(200, orderBody('APPROVED'));
    await p.fetchStatus({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    now += 3000 * 1000;
    await p.fetchStatus({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    expect(tokens.isDone()).toBe(true);
    const second = token(1, 3600);
    now += 600 * 1000; // 3600 s later: inside the last minute of the token's life
    await p.fetchStatus({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    expect(second.isDone()).toBe(true);
  });

  it('a card payment is not PayPal\'s: fall back without calling it', async () => {
    expect(await provider().createCheckout({ ...input, method: 'card' })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'unsupported_payment' }) });
  });

  it('a 5xx on create falls back; a 422 currency refusal falls back as unsupported', async () => {
    token(2);
    nock(API).post('/v2/checkout/orders').reply(503, { name: 'SERVICE_UNAVAILABLE' });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'server_error' }) });
    nock(API).post('/v2/checkout/orders').reply(422, { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'CURRENCY_NOT_SUPPORTED', description: 'Currency code is not supported.' }] });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'unsupported_payment' }) });
  });

  it('fetch-back: an approved order is pending (to capture), a completed one paid with its capture id', async () => {
    token();
    nock(API).get('/v2/checkout/orders/5O190127TN364715T').reply(200, orderBody('APPROVED'));
    const approved = await provider().fetchStatus({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    expect(approved).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'pending', awaitingCapture: true }) } });
    nock(API)
      .get('/v2/checkout/orders/5O190127TN364715T')
      .reply(200, orderBody('COMPLETED', { payments: { captures: [{ id: '3C679366HH908993F', status: 'COMPLETED', amount: { currency_code: 'EUR', value: '25.00' } }] } }));
    const p = provider();
    token();
    const completed = await p.fetchStatus({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    expect(completed).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'paid', providerPaymentId: '3C679366HH908993F', amountMinor: 2500, eventId: 'sync:5O190127TN364715T:COMPLETED:COMPLETED:0' }) } });
  });

  it('captures with a request id derived from the order, so a retry captures once', async () => {
    token();
    const capture = nock(API, { reqheaders: { 'paypal-request-id': 'payrelay-capture-5O190127TN364715T' } })
      .post('/v2/checkout/orders/5O190127TN364715T/capture')
      .twice()
      .reply(201, orderBody('COMPLETED', { payments: { captures: [{ id: '3C679366HH908993F', status: 'COMPLETED', amount: { currency_code: 'EUR', value: '25.00' } }] } }));
    const p = provider();
    const first = await p.capture({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    const second = await p.capture({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' });
    expect(first).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'paid', providerPaymentId: '3C679366HH908993F' }) } });
    expect(second).toEqual(first);
    expect(capture.isDone()).toBe(true);
  });

  it('an order captured already is read back instead of failing', async () => {
    token();
    nock(API).post('/v2/checkout/orders/5O190127TN364715T/capture').reply(422, { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'ORDER_ALREADY_CAPTURED' }] });
    nock(API).get('/v2/checkout/orders/5O190127TN364715T').reply(200, orderBody('COMPLETED', { payments: { captures: [{ id: '3C6', status: 'COMPLETED' }] } }));
    expect(await provider().capture({ providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_1' })).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'paid' }) } });
  });

  it('refunds a capture with PayPal-Request-Id, our session in custom_id and our key in invoice_id; a refusal is final with PayPal\'s words', async () => {
    token();
    nock(API, { reqheaders: { 'paypal-request-id': 'wc-refund-1001-77' } })
      .post('/v2/payments/captures/3C679366HH908993F/refund', { amount: { value: '10.00', currency_code: 'EUR' }, custom_id: 'ps_1', invoice_id: 'wc-refund-1001-77', note_to_payer: 'damaged' })
      .reply(201, { id: '1JU08902781691411', status: 'COMPLETED' });
    const p = provider();
    const refund = { relaySessionId: 'ps_1', providerSessionId: '5O190127TN364715T', providerPaymentId: '3C679366HH908993F', amountMinor: 1000, currency: 'EUR', idempotencyKey: 'wc-refund-1001-77', reason: 'damaged' };
    expect(await p.refund(refund)).toEqual({ ok: true, value: { providerRefundId: '1JU08902781691411', status: 'succeeded' } });
    nock(API)
      .post('/v2/payments/captures/3C679366HH908993F/refund')
      .reply(422, { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'REFUND_AMOUNT_EXCEEDED', description: 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.' }] });
    expect(await p.refund({ ...refund, idempotencyKey: 'wc-refund-1001-78' })).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'final', message: expect.stringContaining('has not yet been refunded') }),
    });
  });
});

describe('PayPal webhook verification through the verify-webhook-signature API (the documented fallback)', () => {
  it('accepts what PayPal confirms and rejects what it does not', async () => {
    const body = event('PAYMENT.CAPTURE.COMPLETED.json');
    const headers = signPaypal('WH1', body, NOW);
    token();
    const verify = nock(API)
      .post('/v1/notifications/verify-webhook-signature', (b) => b.webhook_id === 'WH1' && b.transmission_id === headers['paypal-transmission-id'] && b.webhook_event.id === 'WH-2CD34567EF890123G-4HI56789JK012345L')
      .reply(200, { verification_status: 'SUCCESS' });
    const p = provider({ verification: 'api' });
    const result = await p.verifyWebhook(body, headers, NOW);
    expect(result).toEqual({ ok: true, value: { kind: 'events', events: [expect.objectContaining({ status: 'paid' })] } });
    expect(verify.isDone()).toBe(true);
    nock(API).post('/v1/notifications/verify-webhook-signature').reply(200, { verification_status: 'FAILURE' });
    expect(await p.verifyWebhook(body, headers, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
    nock(API).post('/v1/notifications/verify-webhook-signature').reply(500, {});
    expect(await p.verifyWebhook(body, headers, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'verification_unavailable' }) });
  });
});

describe('the certificate fetcher', () => {
  it('does not follow a redirect away from PayPal', async () => {
    nock('https://api.paypal.com').get('/v1/notifications/certs/CERT-1').reply(302, '', { Location: 'https://evil.example/cert.pem' });
    const evil = nock('https://evil.example').get('/cert.pem').reply(200, 'evil');
    await expect(httpsCertificateFetcher(1000)('https://api.paypal.com/v1/notifications/certs/CERT-1')).rejects.toThrow();
    expect(evil.isDone()).toBe(false);
  });
});
