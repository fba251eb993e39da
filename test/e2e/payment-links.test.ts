import { signShopRequest } from '../../relay/src/http/request-signature';
import { SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';

/**
 * Payment links end to end: the real relay (composition root, SQLite file, sandbox provider) over the WooCommerce
 * stand-in, with a clock the test moves. Opening a link is a plain GET, as from the customer's e-mail.
 */
describe('payment links', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  async function signed(method: 'POST' | 'GET', pathname: string, body?: unknown) {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const timestamp = Math.floor(h.clock.now() / 1000);
    const response = await fetch(`${h.relay.url}${pathname}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, method, pathname, raw) },
      body: method === 'POST' ? raw : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function sendLink(orderId: string, lifetimeDays = 7) {
    const answer = await signed('POST', `/v1/orders/${orderId}/payment-links`, {
      order_key: `wc_order_${orderId}`,
      amount: 4250,
      currency: 'EUR',
      customer: { email: 'phone.customer@example.com', country: 'NL' },
      method: 'card',
      return_url: `${h.shop.url}/checkout/order-received/${orderId}/`,
      cancel_url: `${h.shop.url}/checkout/order-pay/${orderId}/`,
      lifetime_days: lifetimeDays,
      site_url: h.shop.url,
    });
    expect(answer.status).toBe(201);
    return answer.body as { link_id: string; url: string; expires_at: string };
  }

  async function open(url: string) {
    const response = await fetch(url, { redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  const newOrder = () => h.shop.orders.createOrder({ total: '42.50', currency: 'EUR', payment_method: 'payrelay' });

  test('sent, opened twice (one session), paid by webhook, opened again: "already paid"; every step in the timeline', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId, 5);
    expect(link.url).toMatch(new RegExp(`^${h.relay.url}/pay/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    expect(link.url).not.toContain('sandbox/checkout');
    expect(Date.parse(link.expires_at) - h.clock.now()).toBe(5 * 86_400_000);
    // Sending creates nothing at any provider: the checkout is made when the customer opens the link.
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);

    const first = await open(link.url);
    expect(first.status).toBe(303);
    expect(first.location).toMatch(/\/sandbox\/checkout\/ps_/);
    const second = await open(link.url);
    expect(second.status).toBe(303);
    expect(second.location).toBe(first.location);
    const sessions = h.relay.stores.sessions.listByOrder(orderId);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ amountMinor: 4250, currency: 'EUR', customerEmail: 'phone.customer@example.com', status: 'created' });

    expect((await h.send(sessions[0], 'paid')).status).toBe(200);
    // Paid in the relay, the shop not written yet: still "already paid", nothing created.
    const beforeShop = await open(link.url);
    expect(beforeShop.status).toBe(200);
    expect(beforeShop.text).toContain('already been paid');
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)?.status).toBe('processing');
    const afterShop = await open(link.url);
    expect(afterShop.status).toBe(200);
    expect(afterShop.text).toContain('data-code="already_paid"');
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(1);

    const entries = h.relay.stores.log.listByOrder(orderId);
    const steps = entries.filter((e) => e.kind === 'payment_link').map((e) => `${e.data?.step}${e.data?.outcome ? `:${e.data.outcome}` : ''}`);
    expect(steps).toEqual(['sent', 'opened:new_session', 'session_created', 'opened:reused', 'opened:already_paid', 'opened:already_paid']);
    expect(entries.some((e) => e.kind === 'status_changed' && /paid/.test(e.message))).toBe(true);
  });

  test('two opens at the same moment still make one session', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId);
    const [a, b] = await Promise.all([open(link.url), open(link.url)]);
    expect(a.location).toBe(b.location);
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(1);
  });

  test('an order paid in the shop another way (or marked paid by hand) is "already paid", nothing created', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId);
    h.shop.orders.setStatus(orderId, 'processing');
    const answer = await open(link.url);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('already been paid');
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);
  });

  test('a revoked link says so and creates nothing', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId);
    const revoked = await signed('POST', `/v1/payment-links/${link.link_id}/revoke`, {});
    expect(revoked).toMatchObject({ status: 200, body: { link_id: link.link_id, revoked: true } });
    const answer = await open(link.url);
    expect(answer.status).toBe(410);
    expect(answer.text).toContain('withdrawn by the shop');
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);
    expect(h.relay.stores.log.listByOrder(orderId).map((e) => e.data?.step)).toEqual(expect.arrayContaining(['sent', 'revoked', 'opened']));
    expect((await signed('POST', '/v1/payment-links/pl_unknown/revoke', {})).status).toBe(404);
  });

  test('an expired link says so and creates nothing', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId, 1);
    h.clock.advance(86_400_000 + 1);
    const answer = await open(link.url);
    expect(answer.status).toBe(410);
    expect(answer.text).toContain('has expired');
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);
  });

  test('a tampered or made-up token is refused before anything is looked up', async () => {
    const orderId = newOrder();
    const link = await sendLink(orderId);
    const [payload, mac] = link.url.split('/pay/')[1].split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), o: '1' })).toString('base64url');
    for (const token of [`${other}.${mac}`, 'nonsense', `${payload}.${'A'.repeat(43)}`]) {
      const answer = await open(`${h.relay.url}/pay/${token}`);
      expect(answer.status).toBe(404);
      expect(answer.text).toContain('not valid');
    }
    expect(h.relay.stores.sessions.listByOrder(orderId)).toHaveLength(0);
  });

  test('a link is refused to another site (a staging copy cannot send links for the live shop)', async () => {
    const answer = await signed('POST', '/v1/orders/7/payment-links', { site_url: 'https://staging.shop.example' });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('site_mismatch');
  });
});
