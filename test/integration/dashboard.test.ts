import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { listDeadLetters } from '../../relay/src/app/dead-letters';
import { assertMatchesOpenapi } from '../helpers/openapi-contract';
import { startHarness, type Harness } from '../helpers/relay-harness';

const ADMIN_TOKEN = 'admin_token_for_dashboard_tests_0123';

interface Page {
  status: number;
  location: string | null;
  cookie: string | null;
  body: string;
  headers: Headers;
}

/** One request to the dashboard, checked against shared/openapi.yaml like every other HTTP answer. */
async function request(base: string, method: 'GET' | 'POST', url: string, options: { cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
  const response = await fetch(`${base}${url}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...options.headers,
    },
    body: options.form ? new URLSearchParams(options.form).toString() : undefined,
  });
  const body = await response.text();
  assertMatchesOpenapi({ method, url, status: response.status, contentType: response.headers.get('content-type'), responseBody: body });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, location: response.headers.get('location'), cookie: setCookie ? setCookie.split(';')[0] : null, body, headers: response.headers };
}

const csrfOf = (body: string): string => {
  const match = /name="csrf" value="([^"]+)"/.exec(body);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
};

describe('dashboard with PAYRELAY_ADMIN_TOKEN: login, cookie, CSRF', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ PAYRELAY_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterEach(() => h.close());

  const get = (url: string, cookie?: string) => request(h.relay.url, 'GET', url, { cookie });
  const post = (url: string, form: Record<string, string>, cookie?: string) => request(h.relay.url, 'POST', url, { form, cookie });

  async function logIn(): Promise<string> {
    const answer = await post('/admin/login', { token: ADMIN_TOKEN });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/admin/');
    return answer.cookie!;
  }

  test('without a session every page sends the browser to the login form', async () => {
    for (const url of ['/admin/', '/admin/alerts', '/admin/dead-letters', '/admin/providers', '/admin/orders/1']) {
      const answer = await get(url);
      expect([url, answer.status, answer.location]).toEqual([url, 303, '/admin/login']);
    }
    const form = await get('/admin/login');
    expect(form.status).toBe(200);
    expect(form.body).toContain('name="token"');
    expect(form.headers.get('cache-control')).toBe('no-store');
    expect(form.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  test('the right token sets an HttpOnly, SameSite=Strict cookie that opens the pages; it never contains the token', async () => {
    const response = await fetch(`${h.relay.url}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${ADMIN_TOKEN}` });
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^payrelay_admin=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const cookie = setCookie.split(';')[0];
    const home = await get('/admin/', cookie);
    expect(home.status).toBe(200);
    expect(home.body).toContain('Recent checkout sessions');
    expect(home.body).toContain('Log out');
  });

  test('a wrong token is refused with the form again, and attempts are rate-limited per address (the injected clock refills)', async () => {
    const wrong = await post('/admin/login', { token: 'not_the_admin_token_at_all' });
    expect(wrong.status).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(wrong.body).toContain('That is not the admin token.');
    for (let i = 0; i < 4; i += 1) expect((await post('/admin/login', { token: `wrong_${i}` })).status).toBe(401);
    // Five used up: even the right token waits now, so guessing costs 12 s a try.
    const limited = await post('/admin/login', { token: ADMIN_TOKEN });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.cookie).toBeNull();
    h.clock.advance(12_000);
    expect((await post('/admin/login', { token: ADMIN_TOKEN })).status).toBe(303);
  });

  test('the cookie expires after 8 hours of the relay clock; a tampered or foreign cookie is refused', async () => {
    const cookie = await logIn();
    h.clock.advance(8 * 3_600_000 - 1000);
    expect((await get('/admin/', cookie)).status).toBe(200);
    h.clock.advance(1000);
    const expired = await get('/admin/', cookie);
    expect([expired.status, expired.location]).toEqual([303, '/admin/login']);

    const fresh = await logIn();
    const [name, value] = fresh.split('=');
    const [expiresAt, id, mac] = value.split('.');
    expect((await get('/admin/', `${name}=${Number(expiresAt) + 3_600_000}.${id}.${mac}`)).status).toBe(303);
    expect((await get('/admin/', `${name}=${expiresAt}.${id}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`)).status).toBe(303);
  });

  test('a POST without the CSRF token (or with another session’s) changes nothing; with it the alert is dismissed and logged', async () => {
    const session = h.seed();
    h.relay.stores.alerts.raise({ at: h.clock.now(), merchantOrderId: session.merchantOrderId, sessionId: session.id, code: 'double_payment', message: 'Order paid twice' });
    const [alert] = h.relay.stores.alerts.listOpen(10);
    const cookie = await logIn();
    const page = await get('/admin/alerts', cookie);
    expect(page.body).toContain('Order paid twice');
    expect(page.body).toContain('What to do:');

    const missing = await post(`/admin/alerts/${alert.id}/dismiss`, {}, cookie);
    expect(missing.status).toBe(403);
    const other = await logIn();
    const foreign = await post(`/admin/alerts/${alert.id}/dismiss`, { csrf: csrfOf((await get('/admin/alerts', other)).body) }, cookie);
    expect(foreign.status).toBe(403);
    expect(h.relay.stores.alerts.listOpen(10)).toHaveLength(1);

    const done = await post(`/admin/alerts/${alert.id}/dismiss`, { csrf: csrfOf(page.body) }, cookie);
    expect([done.status, done.location]).toEqual([303, `/admin/alerts?done=alert-dismissed&id=${alert.id}`]);
    expect(h.relay.stores.alerts.listOpen(10)).toEqual([]);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message)).toContain('Alert dismissed in the relay dashboard: Order paid twice');
    expect((await get(done.location!, cookie)).body).toContain(`Alert ${alert.id} dismissed.`);
  });

  test('a POST after the session expired gets the login form (401), not the action', async () => {
    const cookie = await logIn();
    const csrf = csrfOf((await get('/admin/alerts', cookie)).body);
    h.clock.advance(8 * 3_600_000);
    const answer = await post('/admin/logout', { csrf }, cookie);
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('Your login has expired');
  });

  test('log out clears the cookie', async () => {
    const cookie = await logIn();
    const answer = await post('/admin/logout', { csrf: csrfOf((await get('/admin/', cookie)).body) }, cookie);
    expect([answer.status, answer.location]).toEqual([303, '/admin/login']);
    expect(answer.headers.get('set-cookie')).toMatch(/^payrelay_admin=; .*Max-Age=0/);
  });

  test('every value is escaped: a shop answer with <script> shows as text on the alerts, dead letters and timeline pages', async () => {
    const evil = '<script>alert("owned")</script> & <img src=x onerror=alert(1)>';
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: evil, data: { status: 400 } } }, count: 1 });
    expect((await h.send(session, 'paid')).status).toBe(200);
    await h.drain();
    expect(h.relay.stores.outbox.counts().dead).toBe(1);
    const cookie = await logIn();
    for (const url of ['/admin/alerts', '/admin/dead-letters', `/admin/orders/${session.merchantOrderId}`]) {
      const page = await get(url, cookie);
      expect([url, page.status]).toEqual([url, 200]);
      expect(page.body).not.toContain('<script');
      expect(page.body).not.toContain('<img');
      expect(page.body).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    }
  });

  test('sessions page: expired is shown apart from failed; the timeline holds what GET /v1/orders/:id/timeline holds', async () => {
    const declined = h.seed();
    // No provider reference: expiry does not ask the sandbox (the session was seeded, not opened there).
    const abandoned = h.seed({ providerSessionId: null, expiresAt: h.clock.now() + 60_000 });
    await h.send(declined, 'failed');
    h.clock.advance(61_000);
    await h.relay.runExpiry();
    const cookie = await logIn();
    const home = await get('/admin/', cookie);
    expect(home.body).toMatch(new RegExp(`data-order="${declined.merchantOrderId}">.*?<span class="st st-failed"[^>]*data-status="failed">failed`, 's'));
    expect(home.body).toMatch(new RegExp(`data-order="${abandoned.merchantOrderId}">.*?<span class="st st-expired"[^>]*data-status="expired">expired`, 's'));

    const timeline = await get(`/admin/orders/${abandoned.merchantOrderId}`, cookie);
    expect(timeline.body).toContain('expired unpaid: not a decline; the order stays payable');
    const entries = h.relay.stores.log.listByOrder(abandoned.merchantOrderId);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(timeline.body).toContain(`data-kind="${entry.kind}"`);
    expect(timeline.body).toContain('expired unpaid at');
    expect((await get('/admin/orders/no-such-order', cookie)).status).toBe(404);
  });

  /** A paid webhook whose shop write the stand-in refuses once: the outbox gives it up (a dead letter). */
  async function deadLetterFor(): Promise<{ orderId: string; id: number }> {
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: 'Invalid parameter(s): status', data: { status: 400 } } }, count: 1 });
    await h.send(session, 'paid');
    await h.drain();
    const [letter] = listDeadLetters({ ops: h.ops, sessions: h.relay.stores.sessions }).letters;
    expect(letter?.merchantOrderId).toBe(session.merchantOrderId);
    return { orderId: session.merchantOrderId, id: letter.id };
  }

  test('Retry on a dead letter (CSRF checked) queues it again; the worker writes the order once and its alert is dismissed', async () => {
    const { orderId, id } = await deadLetterFor();
    expect(h.shop.orders.getOrder(orderId)?.status).toBe('pending');
    const cookie = await logIn();
    const page = await get('/admin/dead-letters', cookie);
    expect(page.body).toContain(`data-dead-letter="${id}"`);
    expect(page.body).toContain(`mark shop order ${orderId} paid`);
    expect(page.body).toContain('Invalid parameter(s): status');

    expect((await post(`/admin/dead-letters/${id}/retry`, {}, cookie)).status).toBe(403);
    expect(h.relay.stores.outbox.counts().dead).toBe(1);
    const retried = await post(`/admin/dead-letters/${id}/retry`, { csrf: csrfOf(page.body) }, cookie);
    expect([retried.status, retried.location]).toEqual([303, `/admin/dead-letters?done=dead-letter-retried&id=${id}`]);
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)?.status).toBe('processing');
    expect(h.ourNotes(orderId)).toHaveLength(1);
    expect(h.relay.stores.alerts.listOpen(10).filter((a) => a.code === 'dead_letter')).toEqual([]);
    expect(h.relay.stores.log.listByOrder(orderId).map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^Dead letter ${id} .* retried from the dashboard`))]));
    const after = await get(retried.location!, cookie);
    expect(after.body).toContain(`Dead letter ${id} is queued again`);
    expect(after.body).toContain('No dead letters.');
    // Clicked twice (a second tab): nothing more happens.
    expect((await post(`/admin/dead-letters/${id}/retry`, { csrf: csrfOf(page.body) }, cookie)).location).toBe(`/admin/dead-letters?done=dead-letter-gone&id=${id}`);
  });

  test('Retry while another command of the order is being written: not retried, the page says why; a moment later it is', async () => {
    const { orderId, id } = await deadLetterFor();
    const session = h.relay.stores.sessions.get(h.ops.sessionsOfOrder(orderId)[0].id)!;
    await h.send(session, 'review');
    h.shop.faults.add({ method: 'GET', path: /orders\/\d+$/, fault: { kind: 'latency', ms: 600 } });
    const gets = h.shop.requests.filter((r) => r.method === 'GET').length;
    const writing = h.relay.worker.runOnce();
    while (h.shop.requests.filter((r) => r.method === 'GET').length === gets) await new Promise((resolve) => setTimeout(resolve, 10));

    const cookie = await logIn();
    const csrf = csrfOf((await get('/admin/dead-letters', cookie)).body);
    const refused = await post(`/admin/dead-letters/${id}/retry`, { csrf }, cookie);
    expect(refused.location).toBe(`/admin/dead-letters?done=dead-letter-busy&id=${id}`);
    expect((await get(refused.location!, cookie)).body).toContain(`Dead letter ${id} was not retried: another command of its order is being written right now`);
    expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'dead' });

    await writing;
    expect((await post(`/admin/dead-letters/${id}/retry`, { csrf }, cookie)).location).toBe(`/admin/dead-letters?done=dead-letter-retried&id=${id}`);
    await h.drain();
    // The newer hold stands: the old "paid" adds its note only.
    expect(h.shop.orders.getOrder(orderId)?.status).toBe('on-hold');
  });

  test('Dismiss on a dead letter keeps it out of the list and out of the queue', async () => {
    const { orderId, id } = await deadLetterFor();
    const cookie = await logIn();
    const csrf = csrfOf((await get('/admin/dead-letters', cookie)).body);
    expect((await post(`/admin/dead-letters/${id}/dismiss`, { csrf }, cookie)).location).toBe(`/admin/dead-letters?done=dead-letter-dismissed&id=${id}`);
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)?.status).toBe('pending');
    expect(h.relay.stores.outbox.counts().dead).toBe(0);
    expect((await get('/admin/dead-letters', cookie)).body).not.toContain(`data-dead-letter="${id}"`);
  });

  test('a webhook alarm shows on the alerts page with what to do, and leaves it when its cause is fixed', async () => {
    for (let i = 0; i < 20; i += 1) await h.post(JSON.stringify({ id: `evt_${i}` }), { 'payrelay-sandbox-signature': `t=${Math.floor(h.clock.now() / 1000)},v1=${'0'.repeat(64)}` });
    h.relay.runAlarms();
    const cookie = await logIn();
    const open = await get('/admin/alerts', cookie);
    expect(open.body).toContain('<code>webhook_bad_signatures</code>');
    expect(open.body).toContain('Paste the provider’s current signing secret');
    h.clock.advance(1000);
    await h.send(h.seed(), 'paid');
    h.relay.runAlarms();
    const cleared = await get('/admin/alerts', cookie);
    expect(cleared.body).not.toContain('webhook_bad_signatures');
    expect(cleared.body).toContain('No open alerts.');
  });

  test('providers page: breaker state, webhook counts, last webhook and the URL to paste', async () => {
    await h.send(h.seed(), 'paid');
    await h.post('{}', { 'payrelay-sandbox-signature': 't=1,v1=00' });
    const cookie = await logIn();
    const page = await get('/admin/providers', cookie);
    expect(page.status).toBe(200);
    const row = /<tr data-provider="sandbox">(.*?)<\/tr>/s.exec(page.body)![1];
    expect(row).toContain('br-closed');
    expect(row).toMatch(/<td class="num">1<\/td><td class="num">1<\/td><td class="num">50\.0 %<\/td>/);
    expect(row).toContain(new Date(h.clock.now()).toISOString().slice(0, 10));
    expect(page.body).toContain(`<code>${h.relay.url}/webhooks/sandbox</code>`);
  });
});

describe('dashboard without PAYRELAY_ADMIN_TOKEN', () => {
  test('a relay with a real shop refuses with a page saying how to set the token', async () => {
    const h = await startHarness();
    try {
      const answer = await request(h.relay.url, 'GET', '/admin/');
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('PAYRELAY_ADMIN_TOKEN');
      expect(answer.body).toContain('openssl rand -hex 24');
      expect((await request(h.relay.url, 'GET', '/admin/alerts')).status).toBe(403);
    } finally {
      await h.close();
    }
  });

  test('with a real shop the sandbox checkout offers no "expire now" (a fast-forward is for the demo shop only)', async () => {
    const h = await startHarness();
    try {
      const session = h.seed();
      const page = await (await fetch(session.checkoutUrl!)).text();
      expect(page).toContain('id="abandon"');
      expect(page).not.toContain('expire-now');
      const answer = await fetch(session.checkoutUrl!, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=expire_now' });
      expect(answer.status).toBe(409);
      expect(h.relay.stores.sessions.get(session.id)?.status).toBe('created');
    } finally {
      await h.close();
    }
  });

  describe('sandbox mode (no WC_URL)', () => {
    let dir: string;
    let relay: RelayHandle;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-dashboard-'));
      relay = await startRelay(loadConfig({ PAYRELAY_PORT: '0', PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'relay.db') }), { logger: silentLogger, background: false });
    });
    afterAll(async () => {
      await relay.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('direct local requests are served without a login, still with CSRF on every button', async () => {
      const home = await request(relay.url, 'GET', '/admin/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('open to this machine only');
      expect(home.body).toContain(`href="${relay.demoShopUrl}"`);
      relay.stores.alerts.raise({ at: Date.now(), merchantOrderId: '7', sessionId: null, code: 'paid_not_in_shop', message: 'Paid but not in the shop' });
      const [alert] = relay.stores.alerts.listOpen(1);
      expect((await request(relay.url, 'POST', `/admin/alerts/${alert.id}/dismiss`, { form: {} })).status).toBe(403);
      const csrf = csrfOf((await request(relay.url, 'GET', '/admin/alerts')).body);
      expect((await request(relay.url, 'POST', `/admin/alerts/${alert.id}/dismiss`, { form: { csrf } })).status).toBe(303);
      expect(relay.stores.alerts.listOpen(1)).toEqual([]);
    });

    test('a request relayed by a proxy is not local: refused with how to set the token', async () => {
      const answer = await request(relay.url, 'GET', '/admin/', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('only to direct requests from its own machine');
      expect(answer.body).toContain('PAYRELAY_ADMIN_TOKEN');
    });
  });
});
