import fs from 'node:fs';
import { registerShop } from '../../relay/src/app/register-shop';
import { loadConfig } from '../../relay/src/config/load-config';
import type { RelayHandle } from '../../relay/src/relay';
import { assertMatchesOpenapi } from '../helpers/openapi-contract';
import { ManualClock } from '../helpers/relay-harness';
import { callSigned, sendSandboxWebhook, startShopsRelay, type ShopsRelay } from '../helpers/shops-relay';
import { TEST_STORE } from '../helpers/test-store';

/** Runs one shop's outbox until nothing is pending, moving the test clock over backoff waits. */
async function drain(relay: RelayHandle, clock: ManualClock): Promise<void> {
  for (let pass = 0; pass < 100; pass += 1) {
    if ((await relay.worker.runOnce()) > 0) continue;
    const due = relay.worker.nextWakeAt();
    if (due === null) return;
    clock.advance(Math.max(1, due - clock.now()));
  }
  throw new Error('outbox did not drain');
}

const ADMIN_TOKEN = 'admin_token_of_the_relay_0123456789abcdef';

const sessionRequest = (orderId: string, siteUrl: string) => ({
  order_id: orderId,
  order_key: `wc_order_${orderId}`,
  amount: 1999,
  currency: 'EUR',
  customer: { email: 'ann@example.com', country: 'NL' },
  method: 'card',
  return_url: 'https://shop.example/return',
  cancel_url: 'https://shop.example/cancel',
  site_url: siteUrl,
});

describe('many shops on one relay: each shop sees only its own data', () => {
  let relay: ShopsRelay;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    relay = await startShopsRelay([{ id: 'alpha' }, { id: 'beta' }], { clock, env: { PAYRELAY_ADMIN_TOKEN: ADMIN_TOKEN } });
  });
  afterEach(() => relay.close());

  (TEST_STORE === 'sqlite' ? test : test.skip)('each registered shop has its own database file next to the main one', () => {
    expect(fs.existsSync(`${relay.dir}/shops/alpha.db`)).toBe(true);
    expect(fs.existsSync(`${relay.dir}/shops/beta.db`)).toBe(true);
    expect(relay.shop('alpha').relay.db.name).not.toBe(relay.shop('beta').relay.db.name);
    expect(relay.failed.size).toBe(0);
  });

  (TEST_STORE === 'postgres' ? test : test.skip)("each registered shop has its own schema beside the main one, with the relay's tables in it", () => {
    const main = relay.relay.pg!.schema;
    for (const id of ['alpha', 'beta']) {
      const schema = relay.shop(id).relay.pg!.schema;
      expect(schema).toBe(`${main}_shop_${id}`);
      expect(relay.registry.placeOf(id)).toEqual({ kind: 'schema', schema });
      expect(relay.env.sql.get("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('webhook_events', 'outbox', 'payment_sessions')", schema)).toEqual({ n: 3 });
    }
    // The main schema keeps the registry and the environment shop's tables; no shop's rows are there.
    expect(relay.env.sql.get('SELECT COUNT(*) AS n FROM shops')).toEqual({ n: 2 });
    expect(relay.failed.size).toBe(0);
  });

  test("a webhook at /webhooks/<shop>/<provider> is stored in that shop's relay and written to that shop's WooCommerce", async () => {
    const alpha = relay.shop('alpha');
    const beta = relay.shop('beta');
    // Through the shop's recorder, as by default (a thread on SQLite, a process on PostgreSQL): a recorder in the
    // wrong store once acknowledged a shop's webhook and parked it in the main schema.
    expect(loadConfig(relay.relayEnv).ingestThread).toBe(true);
    const session = alpha.seed();
    const answer = await sendSandboxWebhook(relay.url, '/webhooks/alpha/sandbox', alpha.sandboxSecret, session, 'paid', clock.now());
    expect(answer.status).toBe(200);
    await drain(alpha.relay, clock);
    expect(alpha.woo.orders.getOrder(session.merchantOrderId)?.status).toBe('processing');
    expect(alpha.relay.stores.outbox.counts()).toMatchObject({ pending: 0 });
    // Nothing reached the other shop or the environment shop.
    expect(beta.woo.requests).toHaveLength(0);
    expect(relay.env.woo.requests).toHaveLength(0);
    expect(beta.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
    expect(relay.env.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
  });

  test("a webhook signed with shop alpha's provider secret is refused at beta's URL, and nothing is stored there", async () => {
    const beta = relay.shop('beta');
    const session = beta.seed();
    const answer = await sendSandboxWebhook(relay.url, '/webhooks/beta/sandbox', relay.shop('alpha').sandboxSecret, session, 'paid', clock.now());
    expect(answer.status).toBe(401);
    expect(beta.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
    expect(beta.relay.stores.outbox.counts()).toMatchObject({ pending: 0 });
    expect(beta.relay.stores.sessions.get(session.id)?.status).toBe('created');
  });

  test('a webhook for a shop that is not registered is 404 and stored nowhere', async () => {
    const session = relay.shop('alpha').seed();
    const answer = await sendSandboxWebhook(relay.url, '/webhooks/gamma/sandbox', relay.shop('alpha').sandboxSecret, session, 'paid', clock.now());
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'unknown_shop' } } });
    expect(relay.shop('alpha').sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
  });

  test("the signed API answers a shop with its own data, and refuses alpha's secret naming beta (401, nothing read)", async () => {
    const alpha = relay.shop('alpha');
    const beta = relay.shop('beta');
    const betaSession = beta.seed();
    await sendSandboxWebhook(relay.url, '/webhooks/beta/sandbox', beta.sandboxSecret, betaSession, 'paid', clock.now());
    const timeline = `/v1/orders/${betaSession.merchantOrderId}/timeline`;

    const own = await callSigned(relay.url, 'GET', timeline, beta.shopSecret, 'beta', undefined, {}, clock.now());
    expect(own.status).toBe(200);
    expect(own.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([betaSession.id]);
    assertMatchesOpenapi({ method: 'GET', url: timeline, status: own.status, contentType: own.contentType, responseBody: own.body });

    const crossed = await callSigned(relay.url, 'GET', timeline, alpha.shopSecret, 'beta', undefined, {}, clock.now());
    expect(crossed).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    assertMatchesOpenapi({ method: 'GET', url: timeline, status: crossed.status, contentType: crossed.contentType, responseBody: crossed.body });

    // Alpha asking its own relay for the same order number reads alpha's store, where beta's session is not.
    const ownStore = await callSigned(relay.url, 'GET', timeline, alpha.shopSecret, 'alpha', undefined, {}, clock.now());
    // A 404 from alpha's store, not any failure: a refused or broken read would also lack beta's session.
    expect(ownStore).toMatchObject({ status: 404, body: { error: { code: 'order_not_found' } } });
    expect(ownStore.body?.sessions ?? []).not.toContainEqual(expect.objectContaining({ session_id: betaSession.id }));

    // Without the header it is the environment shop, whose secret alpha's is not.
    const noHeader = await callSigned(relay.url, 'GET', timeline, alpha.shopSecret, null, undefined, {}, clock.now());
    expect(noHeader.status).toBe(401);

    const unknown = await callSigned(relay.url, 'GET', timeline, alpha.shopSecret, 'gamma', undefined, {}, clock.now());
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'unknown_shop' } } });
    assertMatchesOpenapi({ method: 'GET', url: timeline, status: unknown.status, contentType: unknown.contentType, responseBody: unknown.body });
  });

  test("alpha cannot create a session for beta's order: 401 naming beta, 403 naming itself with beta's site", async () => {
    const alpha = relay.shop('alpha');
    const beta = relay.shop('beta');
    const orderId = beta.woo.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
    const asBeta = await callSigned(relay.url, 'POST', '/v1/sessions', alpha.shopSecret, 'beta', sessionRequest(orderId, beta.woo.url), { 'idempotency-key': 'k-cross-1' }, clock.now());
    expect(asBeta.status).toBe(401);
    const asAlpha = await callSigned(relay.url, 'POST', '/v1/sessions', alpha.shopSecret, 'alpha', sessionRequest(orderId, beta.woo.url), { 'idempotency-key': 'k-cross-2' }, clock.now());
    expect(asAlpha).toMatchObject({ status: 403, body: { error: { code: 'site_mismatch' } } });
    expect(beta.sql.get('SELECT COUNT(*) AS n FROM payment_sessions')).toEqual({ n: 0 });
    expect(alpha.sql.get('SELECT COUNT(*) AS n FROM payment_sessions')).toEqual({ n: 0 });
  });

  test('a shop creates its own sessions with its secret and header; its checkout lives under /shops/<id>/', async () => {
    const alpha = relay.shop('alpha');
    const orderId = alpha.woo.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
    const created = await callSigned(relay.url, 'POST', '/v1/sessions', alpha.shopSecret, 'alpha', sessionRequest(orderId, alpha.woo.url), { 'idempotency-key': 'k-alpha-1' }, clock.now());
    expect(created.status).toBe(201);
    assertMatchesOpenapi({ method: 'POST', url: '/v1/sessions', requestBody: sessionRequest(orderId, alpha.woo.url), status: created.status, contentType: created.contentType, responseBody: created.body });
    expect(created.body.checkout_url.startsWith(`${relay.url}/shops/alpha/sandbox/checkout/`)).toBe(true);
    const page = await fetch(created.body.checkout_url);
    expect(page.status).toBe(200);
    // The same session id is unknown to beta's checkout.
    const elsewhere = await fetch(created.body.checkout_url.replace('/shops/alpha/', '/shops/beta/'));
    expect(elsewhere.status).toBe(404);
    expect(relay.shop('beta').relay.stores.sessions.get(created.body.session_id)).toBeNull();
  });

  test("a shop's payment link opens only under that shop: the same token is no link at another shop or the environment's", async () => {
    const alpha = relay.shop('alpha');
    const orderId = alpha.woo.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
    const request = { ...sessionRequest(orderId, alpha.woo.url), order_key: alpha.woo.orders.getOrderJson(orderId)?.order_key ?? `wc_order_${orderId}` };
    delete (request as Record<string, unknown>).order_id;
    delete (request as Record<string, unknown>).method;
    const created = await callSigned(relay.url, 'POST', `/v1/orders/${orderId}/payment-links`, alpha.shopSecret, 'alpha', request, {}, clock.now());
    expect(created.status).toBe(201);
    const link = new URL(created.body.url);
    expect(link.pathname.startsWith('/shops/alpha/pay/')).toBe(true);
    const token = link.pathname.split('/').pop()!;

    for (const elsewhere of [`/shops/beta/pay/${token}`, `/pay/${token}`]) {
      const page = await fetch(`${relay.url}${elsewhere}`, { redirect: 'manual' });
      expect({ elsewhere, status: page.status }).toEqual({ elsewhere, status: 404 });
      expect(await page.text()).toContain('data-code="invalid_link"');
    }
    const own = await fetch(created.body.url, { redirect: 'manual' });
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toContain('/shops/alpha/sandbox/checkout/');
    expect(relay.shop('beta').sql.get('SELECT COUNT(*) AS n FROM payment_sessions')).toEqual({ n: 0 });

    // Beta's secret cannot make a link for alpha's order either.
    const crossed = await callSigned(relay.url, 'POST', `/v1/orders/${orderId}/payment-links`, relay.shop('beta').shopSecret, 'alpha', request, {}, clock.now());
    expect(crossed.status).toBe(401);
  });

  test('a shop added to the registry while the relay runs is served after a sync; removed, it is refused again', async () => {
    const woo = relay.shop('alpha').woo;
    const { registry, relayEnv } = relay;
    const add = (secret: string) =>
      registerShop(
        registry,
        { id: 'gamma', settings: { WC_URL: `${woo.url}/`, WC_CONSUMER_KEY: woo.consumerKey, WC_CONSUMER_SECRET: woo.consumerSecret, PAYRELAY_SHOP_SECRET: secret, PAYRELAY_SANDBOX: '1', SANDBOX_WEBHOOK_SECRET: 'sandbox_secret_of_gamma_0123456789' } },
        { env: relayEnv, config: loadConfig(relayEnv) },
        clock.now(),
      );
    const ping = (secret: string) => callSigned(relay.url, 'POST', '/v1/ping', secret, 'gamma', {}, {}, clock.now());
    const first = 'first_secret_of_shop_gamma_0123456789';
    const second = 'second_secret_of_shop_gamma_012345678';

    expect((await ping(first)).body.error.code).toBe('unknown_shop');
    expect(add(first).ok).toBe(true);
    expect(await relay.syncShops()).toEqual({ started: ['gamma'], stopped: [] });
    expect((await ping(first)).status).toBe(200);
    expect(await relay.syncShops()).toEqual({ started: [], stopped: [] });

    // Its settings changed (removed and added again): the next sync restarts it with the new ones.
    registry.remove('gamma');
    clock.advance(1);
    expect(add(second).ok).toBe(true);
    expect(await relay.syncShops()).toEqual({ started: ['gamma'], stopped: ['gamma'] });
    expect((await ping(first)).status).toBe(401);
    expect((await ping(second)).status).toBe(200);

    registry.remove('gamma');
    expect(await relay.syncShops()).toEqual({ started: [], stopped: ['gamma'] });
    expect((await ping(second)).body.error.code).toBe('unknown_shop');
    expect(relay.shops.has('alpha')).toBe(true);
  });

  test('a registered shop whose settings no longer pass is answered 503 (providers retry) and the others are served', async () => {
    const { registry } = relay;
    // As if edited by hand in the database: shops:add would have refused it.
    registry.add({ id: 'broken', wcUrl: 'https://broken.example', shopSecret: 'short', settings: { WC_CONSUMER_KEY: 'nope', WC_CONSUMER_SECRET: 'cs_x' }, createdAt: clock.now() });
    expect(await relay.syncShops()).toEqual({ started: ['broken'], stopped: [] });
    expect(relay.failed.get('broken')).toContain('WC_CONSUMER_KEY');
    const session = relay.shop('alpha').seed();
    const answer = await sendSandboxWebhook(relay.url, '/webhooks/broken/sandbox', relay.shop('alpha').sandboxSecret, session, 'paid', clock.now());
    expect(answer).toMatchObject({ status: 503, body: { error: { code: 'shop_unavailable' } } });
    // Why it did not start is for the operator (log, shops API), not for whoever posts to its URL.
    expect(JSON.stringify(answer.body)).not.toContain('WC_CONSUMER_KEY');
    expect((await sendSandboxWebhook(relay.url, '/webhooks/alpha/sandbox', relay.shop('alpha').sandboxSecret, session, 'paid', clock.now())).status).toBe(200);
  });

  test("the dashboard is the environment shop's: a registered shop's order is not found there, nor its sessions listed", async () => {
    const alpha = relay.shop('alpha');
    const session = alpha.seed();
    await sendSandboxWebhook(relay.url, '/webhooks/alpha/sandbox', alpha.sandboxSecret, session, 'paid', clock.now());
    const login = await fetch(`${relay.url}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${ADMIN_TOKEN}` });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const timeline = await fetch(`${relay.url}/admin/orders/${session.merchantOrderId}`, { headers: { cookie } });
    expect(timeline.status).toBe(404);
    const sessions = await fetch(`${relay.url}/admin/`, { headers: { cookie } });
    expect(sessions.status).toBe(200);
    expect(await sessions.text()).not.toContain(session.id);
  });

  test("a registered shop's dashboard under /shops/<id>/admin/ shows that shop only, with its own login cookie", async () => {
    const alpha = relay.shop('alpha');
    const beta = relay.shop('beta');
    const alphaSession = alpha.seed();
    const betaSession = beta.seed();
    const logIn = (root: string) => fetch(`${relay.url}${root}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${ADMIN_TOKEN}` });
    const login = await logIn('/shops/alpha/admin');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/shops/alpha/admin/');
    const setCookie = login.headers.get('set-cookie')!;
    // The browser sends it to alpha's dashboard only.
    expect(setCookie).toContain('Path=/shops/alpha/admin;');
    const cookie = setCookie.split(';')[0];

    const sessions = await fetch(`${relay.url}/shops/alpha/admin/`, { headers: { cookie } });
    const page = await sessions.text();
    expect(sessions.status).toBe(200);
    expect(page).toContain(`href="/shops/alpha/admin/orders/${alphaSession.merchantOrderId}"`);
    expect(page).toContain('data-testid="dashboard-shop">shop alpha<');
    expect(page).toContain('href="/shops/alpha/admin/alerts"');
    expect(page).toContain('href="/admin/"');
    expect(page).not.toContain(betaSession.id);
    const order = await fetch(`${relay.url}/shops/alpha/admin/orders/${alphaSession.merchantOrderId}`, { headers: { cookie } });
    expect(await order.text()).toContain(alphaSession.id);

    // Beta's dashboard wants its own login, and its order of the same number is beta's (order numbers are per shop).
    const noLogin = await fetch(`${relay.url}/shops/beta/admin/`, { redirect: 'manual' });
    expect(noLogin.headers.get('location')).toBe('/shops/beta/admin/login');
    expect(betaSession.merchantOrderId).toBe(alphaSession.merchantOrderId);
    const betaCookie = (await logIn('/shops/beta/admin')).headers.get('set-cookie')!.split(';')[0];
    const crossed = await fetch(`${relay.url}/shops/beta/admin/orders/${alphaSession.merchantOrderId}`, { headers: { cookie: betaCookie } });
    const crossedPage = await crossed.text();
    expect(crossedPage).toContain(betaSession.id);
    expect(crossedPage).not.toContain(alphaSession.id);

    // The environment shop's dashboard links to each shop's.
    const envCookie = (await logIn('/admin')).headers.get('set-cookie')!.split(';')[0];
    const envPage = await (await fetch(`${relay.url}/admin/`, { headers: { cookie: envCookie } })).text();
    expect(envPage).toContain('href="/shops/alpha/admin/"');
    expect(envPage).toContain('href="/shops/beta/admin/"');
    expect(envPage).not.toContain(alphaSession.id);
  });

  test('the environment shop works as on a single-shop relay', async () => {
    const session = relay.env.seed();
    const answer = await sendSandboxWebhook(relay.url, '/webhooks/sandbox', relay.env.sandboxSecret, session, 'paid', clock.now());
    expect(answer.status).toBe(200);
    await drain(relay.env.relay, clock);
    expect(relay.env.woo.orders.getOrder(session.merchantOrderId)?.status).toBe('processing');
    const ping = await callSigned(relay.url, 'POST', '/v1/ping', relay.env.shopSecret, null, {}, {}, clock.now());
    expect(ping.status).toBe(200);
    // Each shop's readiness is its own: alpha's WooCommerce down makes alpha's /readyz 503, not the relay's.
    relay.shop('alpha').woo.faults.add({ path: /.*/, fault: { kind: 'status', status: 503 }, count: 100 });
    expect((await fetch(`${relay.url}/shops/alpha/readyz`)).status).toBe(503);
    expect((await fetch(`${relay.url}/shops/beta/readyz`)).status).toBe(200);
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
  });
});
