import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { sessionRoutes } from '../../relay/src/http/session-routes';
import { failures, fakeProvider, type FakeProvider } from '../helpers/fake-provider';
import { assertMatchesOpenapi } from '../helpers/openapi-contract';
import { sessionHarness, type SessionHarness } from '../helpers/session-fixtures';

const SECRET = 'shop-secret-for-tests-0123456789';

const body = (over: Record<string, unknown> = {}) => ({
  order_id: 1001,
  order_key: 'wc_order_abc123',
  amount: 2500,
  currency: 'eur',
  customer: { email: 'ada@example.com', country: 'nl' },
  method: 'card',
  return_url: 'https://shop.example/checkout/order-received/1001/',
  cancel_url: 'https://shop.example/cart/',
  locale: 'nl_NL',
  ...over,
});

describe('session API over HTTP', () => {
  let server: Server;
  let base: string;
  let h: SessionHarness;
  let stripe: FakeProvider;
  let sandbox: FakeProvider;

  async function start(providers: FakeProvider[], shopSecret: string | null = SECRET): Promise<void> {
    h = sessionHarness(providers, { policy: { consecutiveFailures: 2, failureRate: 1, windowSize: 10, minimumCalls: 10, coolDownMs: 60_000, probeTimeoutMs: 120_000 } });
    const app = express();
    app.use(sessionRoutes({ ...h.deps, shopSecret, maxBodyBytes: 64 * 1024 }));
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    stripe?.release();
    sandbox?.release();
    await new Promise((resolve) => server.close(resolve));
  });

  async function call(method: 'GET' | 'POST', path: string, payload?: unknown, headers: Record<string, string> = {}, opts: { sign?: boolean; timestamp?: number } = {}) {
    const raw = payload === undefined ? '' : JSON.stringify(payload);
    const timestamp = opts.timestamp ?? Math.floor(h.clock.now() / 1000);
    const signature: Record<string, string> = opts.sign === false ? {} : { 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SECRET, timestamp, method, path, raw) };
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...signature, ...headers },
      body: method === 'POST' ? raw : undefined,
    });
    const json = (await res.json()) as any;
    assertMatchesOpenapi({ method, url: path, requestBody: payload, status: res.status, contentType: res.headers.get('content-type'), responseBody: json });
    return { status: res.status, headers: res.headers, json };
  }

  test('201 with the session, then the status endpoint and the timeline', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    const created = await call('POST', '/v1/sessions', body(), { 'idempotency-key': 'k1' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      session_id: 'ps_1',
      provider: 'stripe',
      checkout_url: 'https://stripe.example/pay/stripe_cs_1',
      expires_at: new Date(h.clock.now() + 3_600_000).toISOString(),
      status: 'created',
      status_token: expect.any(String),
    });
    expect(stripe.calls[0]).toMatchObject({ merchantOrderId: '1001', currency: 'EUR', customerCountry: 'NL', locale: 'nl_NL' });

    const status = await call('GET', `/v1/sessions/ps_1/status?token=${created.json.status_token}`, undefined, {}, { sign: false });
    expect(status.status).toBe(200);
    expect(status.json).toEqual({
      session_id: 'ps_1',
      status: 'created',
      final: false,
      message: 'We are waiting for your payment.',
      expires_at: created.json.expires_at,
    });
    expect(JSON.stringify(status.json)).not.toMatch(/ada@example|wc_order|stripe|1001/);

    const timeline = await call('GET', '/v1/orders/1001/timeline');
    expect(timeline.status).toBe(200);
    expect(timeline.json.sessions).toEqual([
      { session_id: 'ps_1', provider: 'stripe', status: 'created', amount: 2500, currency: 'EUR', created_at: new Date(h.clock.now()).toISOString(), expires_at: created.json.expires_at },
    ]);
    expect(timeline.json.entries.map((e: { kind: string }) => e.kind)).toEqual(['provider_selected', 'session_created', 'customer_redirected']);
    expect(timeline.json.entries[2]).toMatchObject({ message: 'Customer sent to Stripe checkout', session_id: 'ps_1', provider: 'stripe' });
  });

  test('the status endpoint rejects a wrong or missing token the same way as an unknown session', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    await call('POST', '/v1/sessions', body());
    const wrong = await call('GET', '/v1/sessions/ps_1/status?token=st_wrong', undefined, {}, { sign: false });
    const unknown = await call('GET', '/v1/sessions/ps_404/status?token=st_wrong', undefined, {}, { sign: false });
    expect(wrong).toMatchObject({ status: 404, json: { error: { code: 'session_not_found' } } });
    expect(unknown.json).toEqual(wrong.json);
    expect((await call('GET', '/v1/sessions/ps_1/status', undefined, {}, { sign: false })).status).toBe(400);
  });

  test('400 names every problem', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    const res = await call('POST', '/v1/sessions', {
      order_id: 'no spaces allowed',
      amount: 12.5,
      currency: 'EURO',
      customer: { email: 'not-an-email', country: 'NLD' },
      method: 'cheque',
      return_url: 'javascript:alert(1)',
      surprise: true,
    }, { 'idempotency-key': 'has space' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_request');
    const details: string[] = res.json.error.details;
    for (const field of ['Idempotency-Key', 'order_id', 'order_key', 'amount', 'currency', 'customer.email', 'customer.country', 'method', 'return_url', 'cancel_url', 'surprise']) {
      expect(details.some((d) => d.includes(field))).toBe(true);
    }
    expect(stripe.calls).toHaveLength(0);
  });

  test.each([
    ['a bad signature', { 'x-payrelay-signature': 'v1=' + '0'.repeat(64) }, {}],
    ['no signature', {}, { sign: false }],
    ['a signature older than 5 minutes', {}, { timestamp: 'old' }],
  ])('401 on %s', async (_name, headers, opts) => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    const o = opts as { sign?: boolean; timestamp?: string };
    const res = await call('POST', '/v1/sessions', body(), headers as Record<string, string>, {
      sign: o.sign,
      timestamp: o.timestamp === 'old' ? Math.floor(h.clock.now() / 1000) - 301 : undefined,
    });
    expect(res.status).toBe(401);
    expect(stripe.calls).toHaveLength(0);
    expect((await call('GET', '/v1/orders/1001/timeline', undefined, headers as Record<string, string>, { sign: o.sign, timestamp: o.timestamp === 'old' ? 1 : undefined })).status).toBe(401);
  });

  test('a signature for another path is refused (no replay across endpoints)', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    const ts = Math.floor(h.clock.now() / 1000);
    const res = await fetch(`${base}/v1/orders/1001/timeline`, {
      headers: { 'x-payrelay-timestamp': String(ts), 'x-payrelay-signature': signShopRequest(SECRET, ts, 'GET', '/v1/orders/1002/timeline', '') },
    });
    expect(res.status).toBe(401);
  });

  test('signed endpoints fail closed without a shop secret', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))], null);
    expect((await call('POST', '/v1/sessions', body())).status).toBe(401);
  });

  test('card route falls over to the second provider on a 5xx', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe', script: [{ do: 'fail', failure: failures.serverError }] })), (sandbox = fakeProvider({ id: 'sandbox' }))]);
    const res = await call('POST', '/v1/sessions', body());
    expect(res.status).toBe(201);
    expect(res.json.provider).toBe('sandbox');
  });

  test('idempotent repeats, also concurrent, return the same session; a different body is 409', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe', latencyMs: 20 }))]);
    const results = await Promise.all(Array.from({ length: 4 }, () => call('POST', '/v1/sessions', body(), { 'idempotency-key': 'same' })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.json.session_id)).size).toBe(1);
    expect(stripe.calls).toHaveLength(1);
    const conflict = await call('POST', '/v1/sessions', body({ amount: 2600 }), { 'idempotency-key': 'same' });
    expect(conflict).toMatchObject({ status: 409, json: { error: { code: 'idempotency_conflict' } } });
  });

  test('a new attempt expires the older open session', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe' }))]);
    await call('POST', '/v1/sessions', body(), { 'idempotency-key': 'a1' });
    const second = await call('POST', '/v1/sessions', body({ method: 'any' }), { 'idempotency-key': 'a2' });
    expect(second.json.session_id).toBe('ps_2');
    expect(stripe.expired).toEqual(['stripe_cs_1']);
    const timeline = await call('GET', '/v1/orders/1001/timeline');
    expect(timeline.json.sessions.map((s: { status: string }) => s.status)).toEqual(['expired', 'created']);
  });

  test('422 with reasons when no provider can take the payment', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe', capabilities: { methods: ['card'] } }))]);
    const res = await call('POST', '/v1/sessions', body({ method: 'bank_transfer' }));
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('no_provider_available');
    expect(res.json.error.details).toEqual(['Mollie: not configured', 'Stripe: does not offer bank transfer payments']);
    expect(stripe.calls[0]).toBeUndefined();
  });

  test('503 when every provider fails on 5xx, then the breaker skips the provider until the cool-down', async () => {
    await start([(stripe = fakeProvider({ id: 'stripe', then: { do: 'fail', failure: failures.serverError } }))]);
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', '/v1/sessions', body({ order_id: `o${i}` }));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
    }
    const skipped = await call('POST', '/v1/sessions', body({ order_id: 'o3' }));
    expect(skipped.status).toBe(503);
    expect(skipped.json.error.details[0]).toMatch(/^Stripe: circuit open/);
    expect(stripe.calls).toHaveLength(2);
    h.clock.advance(60_000);
    stripe.next({ do: 'succeed' });
    const probe = await call('POST', '/v1/sessions', body({ order_id: 'o4' }));
    expect(probe.status).toBe(201);
  });
});
