import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { CreateCheckoutInput, VerifiedWebhook } from '../../../relay/src/ports/payment-provider';
import { CoinbaseCommerceProvider } from '../../../relay/src/providers/coinbase-commerce/coinbase-commerce-provider';
import { COINBASE_TEST_SECRET, PROVIDER_FIXTURES, signCoinbase } from '../../helpers/provider-signers';

const API = 'http://coinbase.test';
const NOW = 1_700_000_000_000;
const dir = path.join(PROVIDER_FIXTURES, 'coinbase-commerce');
const raw = (...parts: string[]) => fs.readFileSync(path.join(dir, ...parts));
const provider = (timeoutMs = 2000, live = false) =>
  new CoinbaseCommerceProvider({ apiKey: 'cc_api_key_test', webhookSecrets: [COINBASE_TEST_SECRET], apiBase: API, live }, { clock: { now: () => NOW }, timeoutMs });

function events(result: ReturnType<CoinbaseCommerceProvider['verifyWebhook']>): Extract<VerifiedWebhook, { kind: 'events' }>['events'] {
  if (!result.ok || result.value.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result.value.events;
}

/** The SDK's test payload with another type, timeline, pricing and payments: signed at run time. */
function webhook(type: string, charge: Record<string, unknown>): Buffer {
  const base = JSON.parse(raw('webhooks', 'sdk-test-charge-created.raw.json').toString());
  base.event.type = type;
  base.event.data = { ...base.event.data, metadata: { payrelay_session_id: 'ps_cc_1', payrelay_order_id: '1001' }, pricing: { local: { amount: '10.00', currency: 'EUR' } }, ...charge };
  return Buffer.from(JSON.stringify(base));
}
const verify = (body: Buffer) => provider().verifyWebhook(body, signCoinbase(COINBASE_TEST_SECRET, body), NOW);
const payment = (local: string, crypto = '0.00025') => ({ network: 'bitcoin', transaction_id: 'tx_1', status: 'CONFIRMED', value: { local: { amount: local, currency: 'EUR' }, crypto: { amount: crypto, currency: 'BTC' } } });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Coinbase Commerce status map over the signed fixtures', () => {
  it.each([
    ['sdk-test-charge-created.raw.json', 'charge:created', 'created'],
    ['derived/charge_pending.raw.json', 'charge:pending', 'pending'],
    ['derived/charge_confirmed.raw.json', 'charge:confirmed', 'paid'],
    ['derived/charge_resolved.raw.json', 'charge:resolved', 'paid'],
    // Paid after expiry (timeline UNRESOLVED, context DELAYED): money wins.
    ['derived/charge_delayed.raw.json', 'charge:delayed', 'paid'],
    // Nothing arrived before the charge expired: expired, not failed.
    ['derived/charge_failed.raw.json', 'charge:failed', 'expired'],
    ['derived/charge_failed-from-api-fixture.raw.json', 'charge:failed', 'expired'],
  ])('%s → %s → %s', (file, type, status) => {
    const body = raw('webhooks', file);
    const [event] = events(verify(body));
    const envelope = JSON.parse(body.toString());
    expect(event).toEqual(expect.objectContaining({ provider: 'coinbase-commerce', eventId: envelope.event.id, eventType: type, status, providerSessionId: envelope.event.data.code, livemode: false }));
  });

  it('pending says the funds were seen and are not final', () => {
    const [event] = events(verify(webhook('charge:pending', { payments: [payment('10.00')], timeline: [{ status: 'NEW' }, { status: 'PENDING' }] })));
    expect(event.status).toBe('pending');
    expect(event.reason).toMatch(/seen on the blockchain.*not final.*received 0\.00025 BTC \(10\.00 EUR\)/);
  });

  it('a late payment says it was late, and carries the charge amount for the order check', () => {
    const [event] = events(verify(webhook('charge:delayed', { payments: [payment('10.00')], timeline: [{ status: 'NEW' }, { status: 'EXPIRED' }, { status: 'UNRESOLVED', context: 'DELAYED' }] })));
    expect(event).toEqual(expect.objectContaining({ status: 'paid', amountMinor: 1000, currency: 'EUR', relaySessionId: 'ps_cc_1', merchantOrderId: '1001' }));
    expect(event.reason).toContain('arrived after the charge had expired; a late payment is still money');
  });

  it.each([
    ['UNDERPAID', '7.50', /underpaid.*received 0\.00025 BTC \(7\.50 EUR\), 10\.00 EUR expected/],
    ['OVERPAID', '12.00', /overpaid.*\(12\.00 EUR\), 10\.00 EUR expected/],
    ['DELAYED', '7.50', /paid late, and not the amount asked.*\(7\.50 EUR\), 10\.00 EUR expected/],
  ])('delayed and %s → review with both amounts', (context, local, reason) => {
    const [event] = events(verify(webhook('charge:delayed', { payments: [payment(local)], timeline: [{ status: 'NEW' }, { status: 'UNRESOLVED', context }] })));
    expect(event.status).toBe('review');
    expect(event.reason).toMatch(reason);
    expect(event.amountMinor).toBeUndefined();
  });

  it('failed with an underpayment is not "expired": money arrived, a person decides', () => {
    const [event] = events(verify(webhook('charge:failed', { payments: [payment('3.00')], timeline: [{ status: 'NEW' }, { status: 'EXPIRED' }] })));
    expect(event.status).toBe('review');
    expect(event.reason).toMatch(/3\.00 EUR.*10\.00 EUR expected.*refund the customer in crypto/);
  });

  it('an unknown type is unsupported, and so is a resource that is not a charge', () => {
    expect(events(verify(webhook('charge:teleported', {})))[0].status).toBe('unsupported');
    const other = Buffer.from(JSON.stringify({ id: 2, event: { id: 'evt_x', type: 'invoice:created', data: { code: 'INV1' } } }));
    expect(events(verify(other))[0].status).toBe('unsupported');
  });

  it('a signed charge event without a charge code is malformed', () => {
    const body = webhook('charge:confirmed', { code: undefined });
    expect(verify(body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
  });

  it('Coinbase Commerce has no test mode: events carry the relay mode', () => {
    const body = raw('webhooks', 'derived', 'charge_confirmed.raw.json');
    expect(events(provider(2000, true).verifyWebhook(body, signCoinbase(COINBASE_TEST_SECRET, body), NOW))[0].livemode).toBe(true);
  });
});

const input: CreateCheckoutInput = {
  relaySessionId: 'ps_cc_1',
  merchantOrderId: '1001',
  amountMinor: 1000,
  currency: 'eur',
  customerEmail: 'jane@example.com',
  customerCountry: 'NL',
  method: 'crypto',
  returnUrl: 'https://shop.example/checkout/order-received/1001/',
  cancelUrl: 'https://shop.example/cart/',
  locale: null,
  expiresAt: NOW + 3600_000,
  idempotencyKey: 'payrelay:1001:1',
  webhookUrl: 'https://relay.example/webhooks/coinbase-commerce',
};
const chargeFixture = () => JSON.parse(raw('api-fixtures', 'charge.json').toString());

describe('CoinbaseCommerceProvider against the API (nock)', () => {
  it('creates a fixed-price charge with our session in metadata; the hosted_url is the checkout', async () => {
    let sent: any;
    nock(API)
      .post('/charges', (body) => ((sent = body), true))
      .matchHeader('x-cc-api-key', 'cc_api_key_test')
      .matchHeader('x-cc-version', '2018-03-22')
      .reply(201, chargeFixture());
    expect(await provider().createCheckout(input)).toEqual({
      ok: true,
      value: { providerSessionId: '7C7V5ECK', checkoutUrl: 'https://commerce.coinbase.com/charges/7C7V5ECK', expiresAt: Date.parse('2018-07-24T07:48:35Z'), providerPaymentId: '7C7V5ECK' },
    });
    expect(sent).toEqual(expect.objectContaining({
      pricing_type: 'fixed_price',
      local_price: { amount: '10.00', currency: 'EUR' },
      redirect_url: input.returnUrl,
      cancel_url: input.cancelUrl,
      metadata: { payrelay_session_id: 'ps_cc_1', payrelay_order_id: '1001', payrelay_idempotency_key: 'payrelay:1001:1' },
    }));
  });

  it('a retried creation sends the same body, so either charge leads to the same session', async () => {
    const bodies: unknown[] = [];
    nock(API).post('/charges', (body) => (bodies.push(body), true)).times(2).reply(201, chargeFixture());
    await provider().createCheckout(input);
    await provider().createCheckout(input);
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('cards, bank payments and wallets are not asked at all', async () => {
    for (const method of ['card', 'bank_transfer', 'wallet'] as const) {
      expect(await provider().createCheckout({ ...input, method })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'unsupported_payment' }) });
    }
  });

  it.each([
    [500, 'fallback', 'server_error'],
    [503, 'fallback', 'server_error'],
    [429, 'fallback', 'rate_limited'],
    [401, 'final', 'auth'],
    [400, 'final', 'bad_request'],
  ])('HTTP %i → %s %s', async (status, kind, code) => {
    nock(API).post('/charges').reply(status, { error: { type: 'some_error', message: 'something went wrong' } });
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });

  it('a slow answer is a timeout (fallback)', async () => {
    nock(API).post('/charges').delay(500).reply(201, chargeFixture());
    expect(await provider(100).createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'timeout' }) });
  });

  it('fetch-back: the recorded charge (NEW → EXPIRED, no payment) is expired, with a stable id per state', async () => {
    nock(API).get('/charges/7C7V5ECK').reply(200, chargeFixture());
    expect(await provider().fetchStatus({ providerSessionId: '7C7V5ECK', relaySessionId: 'ps_cc_1' })).toEqual({
      ok: true,
      value: { event: expect.objectContaining({ provider: 'coinbase-commerce', status: 'expired', eventId: '7C7V5ECK:EXPIRED', occurredAt: NOW }) },
    });
  });

  it.each([
    [[{ status: 'NEW' }], 'created'],
    [[{ status: 'NEW' }, { status: 'PENDING' }], 'pending'],
    [[{ status: 'NEW' }, { status: 'PENDING' }, { status: 'COMPLETED' }], 'paid'],
    [[{ status: 'NEW' }, { status: 'UNRESOLVED', context: 'UNDERPAID' }], 'review'],
    [[{ status: 'NEW' }, { status: 'UNRESOLVED', context: 'UNDERPAID' }, { status: 'RESOLVED' }], 'paid'],
    [[{ status: 'NEW' }, { status: 'CANCELED' }], 'cancelled'],
  ])('fetch-back timeline %j → %s', async (timeline, status) => {
    const body = chargeFixture();
    body.data.timeline = timeline;
    nock(API).get('/charges/7C7V5ECK').reply(200, body);
    const result = await provider().fetchStatus({ providerSessionId: '7C7V5ECK', relaySessionId: 'ps_cc_1' });
    expect(result.ok && result.value.event.status).toBe(status);
  });

  it('fetch-back refuses an answer about another charge', async () => {
    const body = chargeFixture();
    body.data.code = 'OTHER123';
    nock(API).get('/charges/7C7V5ECK').reply(200, body);
    expect(await provider().fetchStatus({ providerSessionId: '7C7V5ECK', relaySessionId: 'ps_1' })).toEqual({ ok: false, error: expect.objectContaining({ code: 'server_error' }) });
  });

  it('closing: a NEW charge is cancelled; one that is no longer NEW is left alone', async () => {
    nock(API).post('/charges/7C7V5ECK/cancel').reply(200, chargeFixture());
    expect(await provider().expireCheckout({ providerSessionId: '7C7V5ECK' })).toEqual({ ok: true, value: undefined });
    nock(API).post('/charges/7C7V5ECK/cancel').reply(400, { error: { type: 'invalid_request', message: 'Charge cannot be canceled' } });
    expect(await provider().expireCheckout({ providerSessionId: '7C7V5ECK' })).toEqual({ ok: true, value: undefined });
  });
});
