import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { PaypalApi } from '../../relay/src/providers/paypal/paypal-api';
import { PaypalWebhookRegistrar } from '../../relay/src/providers/paypal/paypal-webhook-registrar';
import { PAYPAL_HANDLED_EVENT_TYPES } from '../../relay/src/providers/paypal/paypal-status-map';
import { createStripeClient } from '../../relay/src/providers/stripe/stripe-provider';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../relay/src/providers/stripe/stripe-status-map';
import { StripeWebhookRegistrar } from '../../relay/src/providers/stripe/stripe-webhook-registrar';
import { startPaypalStandIn, testPaypalCertificates, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { PROVIDER_FIXTURES, signPaypal, signStripe } from '../helpers/provider-signers';
import { SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';

const STRIPE = 'http://stripe.connect.test';
const paypalEvent = fs.readFileSync(path.join(PROVIDER_FIXTURES, 'paypal', 'events', 'composed-v2', 'PAYMENT.CAPTURE.COMPLETED.json'), 'utf8');
const stripeEvent = JSON.stringify({ id: 'evt_connect_1', object: 'event', type: 'payment_intent.succeeded', livemode: false, created: 1, data: { object: { id: 'pi_unknown', object: 'payment_intent', amount: 100, currency: 'eur', metadata: {} } } });

/** Webhooks registered for the merchant: POST /v1/providers/connect against a PayPal stand-in and Stripe over nock. */
describe('providers:connect registers the relay\'s webhooks and keeps what verifies them (no restart)', () => {
  let h: Harness;
  let paypal: PaypalStandIn;
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });
  afterAll(() => nock.enableNetConnect());
  beforeEach(async () => {
    paypal = await startPaypalStandIn();
    const clock = { now: () => Date.now() };
    h = await startHarness(
      // No PAYPAL_WEBHOOK_ID and no STRIPE_WEBHOOK_SECRET: both come from connect.
      { PAYPAL_CLIENT_ID: 'client-id', PAYPAL_CLIENT_SECRET: 'client-secret', PAYPAL_API_BASE: paypal.url, STRIPE_SECRET_KEY: 'sk_test_connect', STRIPE_API_BASE: STRIPE },
      {
        paypalCertificates: testPaypalCertificates(),
        webhookRegistrars: [new StripeWebhookRegistrar(createStripeClient('sk_test_connect', STRIPE, 2000)), new PaypalWebhookRegistrar(new PaypalApi({ clientId: 'client-id', clientSecret: 'client-secret', apiBase: paypal.url }, clock, 2000))],
      },
    );
  });
  afterEach(async () => {
    nock.cleanAll();
    await h.close();
    await paypal.close();
  });

  async function connect(body: Record<string, unknown> = {}) {
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(h.clock.now() / 1000);
    const response = await fetch(`${h.relay.url}/v1/providers/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, 'POST', '/v1/providers/connect', raw) },
      body: raw,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  const stripeEndpoint = (id: string, url: string, events: readonly string[], secret?: string) => ({ id, object: 'webhook_endpoint', url, enabled_events: events, status: 'enabled', ...(secret ? { secret } : {}) });
  const ourStripeUrl = () => `${h.relay.url}/webhooks/stripe`;
  const deliverStripe = (secret: string) => h.post(stripeEvent, signStripe(secret, stripeEvent, h.clock.now()), 'stripe');

  it('PayPal: creates the webhook with exactly the handled events, reports a stale staging URL, and its id verifies deliveries at once', async () => {
    paypal.webhooks.push({ id: 'OLD-STAGING', url: 'https://staging.shop.example/webhooks/paypal', event_types: [{ name: 'PAYMENT.CAPTURE.COMPLETED' }] });
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [], has_more: false });
    nock(STRIPE).post('/v1/webhook_endpoints').reply(200, stripeEndpoint('we_new', 'x', STRIPE_HANDLED_EVENT_TYPES, 'whsec_created'));

    // Before: no webhook id anywhere, so PayPal's deliveries cannot verify.
    expect((await h.post(paypalEvent, signPaypal('ANY', paypalEvent, h.clock.now()), 'paypal')).status).toBe(401);

    const answer = await connect();
    expect(answer.status).toBe(200);
    const report = answer.body.providers.find((p: any) => p.provider === 'paypal');
    expect(report).toMatchObject({ action: 'created', url: `${h.relay.url}/webhooks/paypal`, elsewhere: [expect.objectContaining({ id: 'OLD-STAGING' })] });
    const created = paypal.webhooks.find((w) => w.url === `${h.relay.url}/webhooks/paypal`)!;
    expect(created.event_types.map((t) => t.name).sort()).toEqual([...PAYPAL_HANDLED_EVENT_TYPES].sort());
    expect(answer.body.summary.join('\n')).toMatch(/staging\.shop\.example.*stale staging URL/);
    expect(JSON.stringify(answer.body)).not.toContain('whsec_created');

    expect((await h.post(paypalEvent, signPaypal(created.id, paypalEvent, h.clock.now()), 'paypal')).status).toBe(200);

    // Again: nothing to change. Then someone trims the event list in the dashboard: connect puts it back.
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).twice().reply(200, { object: 'list', data: [stripeEndpoint('we_new', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES)], has_more: false });
    expect((await connect()).body.providers.find((p: any) => p.provider === 'paypal')).toMatchObject({ action: 'unchanged', endpointId: created.id });
    created.event_types = [{ name: 'CHECKOUT.ORDER.APPROVED' }];
    expect((await connect()).body.providers.find((p: any) => p.provider === 'paypal')).toMatchObject({ action: 'updated' });
    expect(created.event_types).toHaveLength(PAYPAL_HANDLED_EVENT_TYPES.length);
  });

  it('Stripe: creates the endpoint, keeps its secret, and deliveries signed with it verify without a restart', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [stripeEndpoint('we_staging', 'https://staging.shop.example/webhooks/stripe', ['*'])], has_more: false });
    const create = nock(STRIPE)
      .post('/v1/webhook_endpoints', (body) => body.url === ourStripeUrl() && Object.keys(body).filter((k) => k.startsWith('enabled_events')).length === STRIPE_HANDLED_EVENT_TYPES.length)
      .reply(200, stripeEndpoint('we_relay', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES, 'whsec_from_connect'));
    expect((await deliverStripe('whsec_from_connect')).status).toBe(401);

    const answer = await connect();
    expect(create.isDone()).toBe(true);
    expect(answer.body.providers.find((p: any) => p.provider === 'stripe')).toMatchObject({ action: 'created', endpointId: 'we_relay', elsewhere: [expect.objectContaining({ id: 'we_staging' })] });
    expect((await deliverStripe('whsec_from_connect')).status).toBe(200);
    expect((await deliverStripe('whsec_someone_else')).status).toBe(401);
  });

  it('Stripe: an existing endpoint with missing events is updated, duplicates are reported, an unknown secret is said so', async () => {
    nock(STRIPE)
      .get('/v1/webhook_endpoints')
      .query(true)
      .reply(200, { object: 'list', data: [stripeEndpoint('we_a', ourStripeUrl(), ['checkout.session.completed']), stripeEndpoint('we_b', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES)], has_more: false });
    const update = nock(STRIPE).post('/v1/webhook_endpoints/we_a').reply(200, stripeEndpoint('we_a', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES));
    const stripe = (await connect()).body.providers.find((p: any) => p.provider === 'stripe');
    expect(update.isDone()).toBe(true);
    expect(stripe).toMatchObject({ action: 'updated', endpointId: 'we_a', duplicates: [expect.objectContaining({ id: 'we_b' })], warnings: [expect.stringContaining('signing secret is not known to this relay')] });
  });

  it('rotation: a new secret verifies at once and the old one keeps verifying for the grace period, then not', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [], has_more: false });
    nock(STRIPE).post('/v1/webhook_endpoints').reply(200, stripeEndpoint('we_1', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES, 'whsec_first'));
    await connect();
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [stripeEndpoint('we_1', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES)], has_more: false });
    nock(STRIPE).post('/v1/webhook_endpoints').reply(200, stripeEndpoint('we_2', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES, 'whsec_second'));
    const removed = nock(STRIPE).delete('/v1/webhook_endpoints/we_1').reply(200, { id: 'we_1', object: 'webhook_endpoint', deleted: true });
    const answer = await connect({ rotate: true });
    expect(answer.body.providers.find((p: any) => p.provider === 'stripe')).toMatchObject({ action: 'rotated', endpointId: 'we_2' });
    expect(removed.isDone()).toBe(true);

    expect((await deliverStripe('whsec_second')).status).toBe(200);
    expect((await deliverStripe('whsec_first')).status).toBe(200);
    h.clock.advance(25 * 3600_000);
    expect((await deliverStripe('whsec_first')).status).toBe(401);
    expect((await deliverStripe('whsec_second')).status).toBe(200);
  });

  it('rotation whose old endpoint cannot be deleted: the new endpoint\'s secret is kept all the same (Stripe shows it only once) and the old endpoint is reported', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [], has_more: false });
    nock(STRIPE).post('/v1/webhook_endpoints').reply(200, stripeEndpoint('we_1', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES, 'whsec_first'));
    await connect();
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(200, { object: 'list', data: [stripeEndpoint('we_1', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES)], has_more: false });
    nock(STRIPE).post('/v1/webhook_endpoints').reply(200, stripeEndpoint('we_2', ourStripeUrl(), STRIPE_HANDLED_EVENT_TYPES, 'whsec_second'));
    nock(STRIPE).delete('/v1/webhook_endpoints/we_1').times(5).reply(500, { error: { type: 'api_error', message: 'boom' } });
    const stripe = (await connect({ rotate: true })).body.providers.find((p: any) => p.provider === 'stripe');
    expect(stripe).toMatchObject({ action: 'rotated', endpointId: 'we_2', duplicates: [expect.objectContaining({ id: 'we_1' })], warnings: [expect.stringContaining('we_1 could not be deleted')] });
    // Stripe delivers to we_2 from now on, signed with the secret shown once: the relay has it.
    expect((await deliverStripe('whsec_second')).status).toBe(200);
    expect((await deliverStripe('whsec_first')).status).toBe(200);
  });

  it('a provider that cannot be reached is reported, the others still connect', async () => {
    nock(STRIPE).get('/v1/webhook_endpoints').query(true).reply(500, { error: { type: 'api_error', message: 'boom' } });
    const answer = await connect();
    expect(answer.body.providers).toEqual(expect.arrayContaining([expect.objectContaining({ provider: 'stripe', action: 'failed' }), expect.objectContaining({ provider: 'paypal', action: 'created' })]));
  });

  it('is signed like every shop request', async () => {
    const response = await fetch(`${h.relay.url}/v1/providers/connect`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
  });
});
