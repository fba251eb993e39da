import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import type { CreateCheckoutInput, VerifiedWebhook } from '../../../relay/src/ports/payment-provider';
import { signAdyenItem } from '../../../relay/src/providers/adyen/adyen-hmac';
import { AdyenProvider } from '../../../relay/src/providers/adyen/adyen-provider';
import { ADYEN_TEST_HMAC_KEY, PROVIDER_FIXTURES, signedAdyenNotification } from '../../helpers/provider-signers';

const API = 'http://adyen.test';
const NOW = 1_700_000_000_000;
const LINK = 'PL61C53A8B97E6915A';
const fixtureJson = (...parts: string[]) => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', ...parts), 'utf8'));
const provider = (timeoutMs = 2000) =>
  new AdyenProvider({ apiKey: 'AQE_test_key', merchantAccount: 'PayrelayShop_ECOM', hmacKeys: [ADYEN_TEST_HMAC_KEY], apiBase: API, live: false }, { clock: { now: () => NOW }, timeoutMs });

/** The first item of a fixture notification, re-signed with the test key (the published mocks carry unknown keys). */
function fixtureItem(file: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body = fixtureJson('notifications', file);
  const item = body.notificationItems ? body.notificationItems[0].NotificationRequestItem : body;
  return { ...item, ...overrides };
}

function verify(items: Array<Record<string, unknown>>, options: { badItems?: number[]; live?: boolean } = {}) {
  return provider().verifyWebhook(signedAdyenNotification(items, options), {}, NOW);
}

function eventsOf(result: ReturnType<typeof verify>): Extract<VerifiedWebhook, { kind: 'events' }> {
  if (!result.ok || result.value.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result.value;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Adyen status map: eventCode × success → status', () => {
  const table: Array<[file: string, overrides: Record<string, unknown>, status: string]> = [
    ['openapi-examples/AUTHORISATION.json', {}, 'paid'],
    ['derived/AUTHORISATION-success-false.json', {}, 'failed'],
    ['openapi-examples/AUTHORISATION.json', { additionalData: { fraudManualReview: 'true' } }, 'review'],
    ['openapi-examples/CAPTURE.json', {}, 'paid'],
    ['sdk-node-mocks/captureFalse.json', {}, 'failed'],
    ['openapi-examples/CAPTURE_FAILED.json', {}, 'failed'],
    ['openapi-examples/CANCELLATION.json', {}, 'cancelled'],
    ['openapi-examples/CANCELLATION.json', { success: 'false' }, 'unsupported'],
    ['openapi-examples/TECHNICAL_CANCEL.json', {}, 'cancelled'],
    ['openapi-examples/CANCEL_OR_REFUND.json', {}, 'cancelled'],
    ['openapi-examples/CANCEL_OR_REFUND.json', { additionalData: { 'modification.action': 'refund' } }, 'refunded'],
    ['openapi-examples/OFFER_CLOSED.json', {}, 'expired'],
    ['sdk-java-mocks/offer-closed.json', {}, 'expired'],
    ['openapi-examples/EXPIRE.json', {}, 'expired'],
    ['sdk-node-mocks/refundTrue.json', {}, 'refunded'],
    // A REFUND with success=false is a refund Adyen refused: nothing changes (openapi REFUND example).
    ['openapi-examples/REFUND.json', {}, 'unsupported'],
    ['openapi-examples/REFUND_FAILED.json', {}, 'review'],
    ['openapi-examples/REFUNDED_REVERSED.json', {}, 'review'],
    // Disputes (issue 12): a chargeback holds the order until it is reversed or finally lost.
    ['openapi-examples/CHARGEBACK.json', {}, 'dispute'],
    ['sdk-java-mocks/chargeback.json', {}, 'dispute'],
    ['openapi-examples/CHARGEBACK_REVERSED.json', {}, 'dispute'],
    ['openapi-examples/NOTIFICATION_OF_FRAUD.json', {}, 'review'],
    ['openapi-examples/MANUAL_REVIEW_ACCEPT.json', {}, 'paid'],
    ['openapi-examples/MANUAL_REVIEW_REJECT.json', {}, 'failed'],
    ['sdk-node-mocks/accountHolderCreated.json', {}, 'malformed'],
    ['openapi-examples/AUTHORISATION.json', { eventCode: 'REPORT_AVAILABLE' }, 'unsupported'],
  ];

  it.each(table)('%s %j → %s', (file, overrides, status) => {
    const item = fixtureItem(file, overrides);
    const result = verify([item]);
    if (status === 'malformed') {
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
      return;
    }
    const [event] = eventsOf(result).events;
    expect(event).toEqual(expect.objectContaining({ provider: 'adyen', status, eventId: `${item.pspReference}:${item.eventCode}:${item.success}`, livemode: false }));
    if (status === 'review' || status === 'failed') expect(event.reason).toEqual(expect.any(String));
  });

  it('a chargeback says why, with its reason code and defence deadline', () => {
    const [event] = eventsOf(verify([fixtureItem('openapi-examples/CHARGEBACK.json')])).events;
    expect(event.reason).toMatch(/disputed the payment \(chargeback, reason code 4853.*defended until 2021-07-31/);
  });

  it('a chargeback is an open dispute with its amount and defence deadline; a reversal wins it, a second chargeback loses it', () => {
    const [opened] = eventsOf(verify([fixtureItem('openapi-examples/CHARGEBACK.json')])).events;
    expect(opened.dispute).toEqual(expect.objectContaining({ phase: 'opened', amountMinor: 1000, currency: 'EUR', respondBy: Date.parse('2021-07-31T03:03:07+02:00'), respondAt: 'the Adyen Customer Area (Disputes)' }));
    expect(eventsOf(verify([fixtureItem('openapi-examples/CHARGEBACK_REVERSED.json')])).events[0].dispute?.phase).toBe('won');
    expect(eventsOf(verify([fixtureItem('openapi-examples/CHARGEBACK.json', { eventCode: 'SECOND_CHARGEBACK' })])).events[0].dispute?.phase).toBe('lost');
    expect(eventsOf(verify([fixtureItem('openapi-examples/MANUAL_REVIEW_ACCEPT.json')])).events[0].reviewVerdict).toBe('approved');
  });

  it('a refund item carries its own amount as an increment, never as the total', () => {
    const [event] = eventsOf(verify([fixtureItem('sdk-node-mocks/refundTrue.json')])).events;
    expect(event).toEqual(expect.objectContaining({ status: 'refunded', refundIncrementMinor: 1500, currency: 'EUR', providerPaymentId: 'ORIGINAL_PSP' }));
    expect(event.refundedMinor).toBeUndefined();
    expect(event.amountMinor).toBeUndefined();
  });

  it('our ps_ reference leads to the session; the payment link id comes from additionalData', () => {
    const item = fixtureItem('openapi-examples/AUTHORISATION.json', { merchantReference: 'ps_abc123', additionalData: { paymentLinkId: LINK } });
    const [event] = eventsOf(verify([item], { live: true })).events;
    expect(event).toEqual(expect.objectContaining({ relaySessionId: 'ps_abc123', providerSessionId: LINK, providerPaymentId: 'QFQTPCQ8HXSKGK82', amountMinor: 1000, livemode: true }));
    expect(event.occurredAt).toBe(Date.parse('2021-01-01T01:00:00+01:00'));
  });

  it('dedupe key: the same psp and code with another success is another event', () => {
    const item = fixtureItem('openapi-examples/AUTHORISATION.json');
    const ids = eventsOf(verify([item, { ...item, success: 'false' }])).events.map((e) => e.eventId);
    expect(ids).toEqual(['QFQTPCQ8HXSKGK82:AUTHORISATION:true', 'QFQTPCQ8HXSKGK82:AUTHORISATION:false']);
  });
});

describe('Adyen batches: HMAC per item', () => {
  it('the derived fixture (second item signed with notValidSign) gives the first item and one rejection', () => {
    const raw = fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', 'notifications', 'derived', 'batch-two-items-second-bad.json'));
    const keyed = new AdyenProvider({ apiKey: 'k_test_1234', merchantAccount: 'M', hmacKeys: ['DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00'], apiBase: API, live: false }, { clock: { now: () => NOW } });
    const value = eventsOf(keyed.verifyWebhook(raw, {}, NOW));
    expect(value.events.map((e) => [e.eventType, e.status])).toEqual([['CANCELLATION', 'cancelled']]);
    expect(value.rejected).toEqual([{ code: 'bad_signature', message: expect.stringContaining('item 2 (QFQTPCQ8HXSKGK82 OFFER_CLOSED)') }]);
    expect(value.acknowledgement).toBe('[accepted]');
  });

  it('one malformed item does not sink its neighbours', () => {
    const good = fixtureItem('openapi-examples/CAPTURE.json');
    const raw = JSON.parse(signedAdyenNotification([good, good]).toString());
    delete raw.notificationItems[1].NotificationRequestItem.eventCode;
    const value = eventsOf(provider().verifyWebhook(Buffer.from(JSON.stringify(raw)), {}, NOW));
    expect(value.events).toHaveLength(1);
    expect(value.rejected).toEqual([{ code: 'malformed', message: expect.stringContaining('item 2') }]);
  });

  it('a batch where every item is bad is refused as a whole (401), so Adyen retries it', () => {
    const item = fixtureItem('openapi-examples/CAPTURE.json');
    expect(verify([item, item], { badItems: [0, 1] })).toEqual({ ok: false, error: { code: 'bad_signature', message: expect.stringContaining('all 2 items refused') } });
  });

  it('a body that is not a notification envelope is malformed', () => {
    for (const body of ['[]', '{"live":"false"}', '{"live":"false","notificationItems":[]}', 'not json']) {
      expect(provider().verifyWebhook(Buffer.from(body), {}, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
    }
  });

  it('a tampered amount fails that item only', () => {
    const item = fixtureItem('openapi-examples/CAPTURE.json');
    const raw = JSON.parse(signedAdyenNotification([item, item]).toString());
    raw.notificationItems[0].NotificationRequestItem.amount.value = 1;
    const value = eventsOf(provider().verifyWebhook(Buffer.from(JSON.stringify(raw)), {}, NOW));
    expect(value.events).toHaveLength(1);
    expect(value.rejected?.[0].message).toContain('item 1');
  });
});

const input: CreateCheckoutInput = {
  relaySessionId: 'ps_adyen_fixture_1',
  merchantOrderId: '1001',
  amountMinor: 4200,
  currency: 'eur',
  customerEmail: 'jane@example.com',
  customerCountry: 'NL',
  method: 'bank_transfer',
  returnUrl: 'https://shop.example/checkout/order-received/1001/',
  cancelUrl: 'https://shop.example/cart/',
  locale: 'nl_NL',
  expiresAt: Date.parse('2026-12-01T22:00:00Z'),
  idempotencyKey: 'payrelay:1001:1',
  webhookUrl: 'https://relay.example/webhooks/adyen',
};

describe('AdyenProvider against the Checkout API (nock)', () => {
  it('creates a payment link with the idempotency key, our reference and the local method for the country', async () => {
    let sent: any;
    nock(API)
      .post('/v71/paymentLinks', (body) => ((sent = body), true))
      .matchHeader('x-api-key', 'AQE_test_key')
      .matchHeader('idempotency-key', 'payrelay:1001:1')
      .reply(201, fixtureJson('api-fixtures', 'payment-link-active.json'));
    const result = await provider().createCheckout(input);
    expect(result).toEqual({ ok: true, value: { providerSessionId: LINK, checkoutUrl: `https://test.adyen.link/${LINK}`, expiresAt: Date.parse('2026-12-01T22:00:00Z'), providerPaymentId: null } });
    expect(sent).toEqual(expect.objectContaining({
      reference: 'ps_adyen_fixture_1',
      merchantAccount: 'PayrelayShop_ECOM',
      amount: { value: 4200, currency: 'EUR' },
      allowedPaymentMethods: ['ideal'],
      countryCode: 'NL',
      shopperLocale: 'nl-NL',
      captureDelayHours: 0,
      expiresAt: '2026-12-01T22:00:00Z',
      metadata: { payrelay_session_id: 'ps_adyen_fixture_1', payrelay_order_id: '1001' },
    }));
  });

  it('a retried creation sends the same key and body (Adyen answers the first link again)', async () => {
    const bodies: unknown[] = [];
    const keys: string[] = [];
    nock(API).post('/v71/paymentLinks', (body) => (bodies.push(body), true)).times(2).reply(function reply() {
      keys.push(String(this.req.headers['idempotency-key']));
      return [201, fixtureJson('api-fixtures', 'payment-link-active.json')];
    });
    const first = await provider().createCheckout(input);
    const second = await provider().createCheckout(input);
    expect(second).toEqual(first);
    expect(keys).toEqual(['payrelay:1001:1', 'payrelay:1001:1']);
    expect(bodies[0]).toEqual(bodies[1]);
  });

  it.each([
    ['card', 'NL', ['scheme']],
    ['bank_transfer', 'BE', ['bcmc', 'bcmc_mobile']],
    ['bank_transfer', 'DE', ['klarna_paynow', 'paybybank']],
    ['wallet', 'NL', ['applepay', 'googlepay']],
  ] as const)('%s in %s → %j', async (method, country, methods) => {
    let sent: any;
    nock(API).post('/v71/paymentLinks', (body) => ((sent = body), true)).reply(201, fixtureJson('api-fixtures', 'payment-link-active.json'));
    await provider().createCheckout({ ...input, method, customerCountry: country });
    expect(sent.allowedPaymentMethods).toEqual(methods);
  });

  it('crypto is not asked at all: fallback, unsupported', async () => {
    expect(await provider().createCheckout({ ...input, method: 'crypto' })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'unsupported_payment' }) });
  });

  it.each([
    [500, {}, 'fallback', 'server_error'],
    [503, {}, 'fallback', 'server_error'],
    [429, {}, 'fallback', 'rate_limited'],
    [401, fixtureJson('api-fixtures', 'error-401.json'), 'final', 'auth'],
    [422, fixtureJson('api-fixtures', 'error-422-invalid-currency.json'), 'final', 'bad_request'],
    [422, { status: 422, errorCode: '905', message: 'Payment details are not supported', errorType: 'validation' }, 'fallback', 'unsupported_payment'],
  ])('HTTP %i → %s %s', async (status, body, kind, code) => {
    nock(API).post('/v71/paymentLinks').reply(status, body);
    expect(await provider().createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });

  it('a slow answer is a timeout (fallback)', async () => {
    nock(API).post('/v71/paymentLinks').delay(500).reply(201, fixtureJson('api-fixtures', 'payment-link-active.json'));
    expect(await provider(100).createCheckout(input)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'fallback', code: 'timeout' }) });
  });

  it.each([
    ['active', 'created'],
    ['paymentPending', 'pending'],
    ['completed', 'paid'],
    ['expired', 'expired'],
    ['something_new', 'unsupported'],
  ])('fetch-back: link %s → %s, with a stable id per state', async (linkStatus, status) => {
    nock(API).get(`/v71/paymentLinks/${LINK}`).reply(200, { ...fixtureJson('api-fixtures', 'payment-link-active.json'), status: linkStatus });
    const result = await provider().fetchStatus({ providerSessionId: LINK, relaySessionId: 'ps_adyen_fixture_1' });
    expect(result).toEqual({
      ok: true,
      value: { event: expect.objectContaining({ provider: 'adyen', status, eventId: `${LINK}:link:${linkStatus}`, relaySessionId: 'ps_adyen_fixture_1', merchantOrderId: '1001', amountMinor: 4200, currency: 'EUR', occurredAt: NOW }) },
    });
  });

  it('fetch-back refuses an answer about another link', async () => {
    nock(API).get(`/v71/paymentLinks/${LINK}`).reply(200, { ...fixtureJson('api-fixtures', 'payment-link-active.json'), id: 'PLOTHER0000000' });
    expect(await provider().fetchStatus({ providerSessionId: LINK, relaySessionId: 'ps_1' })).toEqual({ ok: false, error: expect.objectContaining({ code: 'server_error' }) });
  });

  it('expires an open link; a link that is no longer active is already closed', async () => {
    nock(API).patch(`/v71/paymentLinks/${LINK}`, { status: 'expired' }).reply(200, { ...fixtureJson('api-fixtures', 'payment-link-active.json'), status: 'expired' });
    expect(await provider().expireCheckout({ providerSessionId: LINK })).toEqual({ ok: true, value: undefined });
    nock(API).patch(`/v71/paymentLinks/${LINK}`).reply(422, { status: 422, errorCode: '14_030', message: 'Payment link is not active' });
    nock(API).get(`/v71/paymentLinks/${LINK}`).reply(200, { ...fixtureJson('api-fixtures', 'payment-link-active.json'), status: 'completed' });
    expect(await provider().expireCheckout({ providerSessionId: LINK })).toEqual({ ok: true, value: undefined });
  });

  it('signs nothing it does not verify: an item signed with the published key for another account still needs our key', () => {
    const item = fixtureItem('openapi-examples/AUTHORISATION.json');
    const raw = Buffer.from(JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: { ...item, additionalData: { hmacSignature: signAdyenItem('DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00', item) } } }] }));
    expect(provider().verifyWebhook(raw, {}, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
  });
});
