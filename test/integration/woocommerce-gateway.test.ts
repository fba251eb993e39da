import { createWooCommerceGateway } from '../../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import type { OrderGateway } from '../../relay/src/ports/order-gateway';
import { startWooCommerceStandIn, type WooCommerceStandIn } from '../helpers/woocommerce-stand-in';

/** The real gateway (and the real @woocommerce/woocommerce-rest-api client) against the stand-in over real HTTP. */
describe('WooCommerce gateway against the stand-in', () => {
  let shop: WooCommerceStandIn;
  let gateway: OrderGateway;

  beforeEach(async () => {
    shop = await startWooCommerceStandIn();
    gateway = createWooCommerceGateway({ url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret, timeoutMs: 1000 });
  });
  afterEach(() => shop.close());

  describe('authentication', () => {
    it('signs with OAuth 1.0a over http and is accepted', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      const result = await gateway.getOrder(id);
      expect(result).toEqual({
        ok: true,
        value: { id, status: 'pending', currency: 'EUR', totalMinor: 1999, paymentMethod: 'payrelay', transactionId: '', datePaid: null, refunds: [] },
      });
      expect(shop.requests[0].auth).toBe('oauth');
    });

    it('getOrders reads the orders asked for in one request, however @woocommerce/woocommerce-rest-api repeats its parameters; ids the shop does not have are left out', async () => {
      const ids = Array.from({ length: 12 }, () => shop.orders.createOrder({ total: '19.99', currency: 'EUR' }));
      shop.orders.setStatus(ids[3], 'on-hold');
      const result = await gateway.getOrders([...ids, '99999']);
      expect(result.ok && result.value.map((order) => order.id).sort()).toEqual([...ids].sort());
      expect(result.ok && result.value.find((order) => order.id === ids[3])?.status).toBe('on-hold');
      expect(shop.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /wp-json/wc/v3/orders']);
    });

    it('ping reports latency', async () => {
      shop.faults.add({ path: /orders/, fault: { kind: 'latency', ms: 60 } });
      const result = await gateway.ping();
      expect(result.ok).toBe(true);
      // At least the shop's own delay: measured, not made up.
      expect(result.ok && result.value.latencyMs).toBeGreaterThanOrEqual(60);
    });

    it.each([
      ['wrong key', { consumerKey: 'ck_wrong' }, 'Consumer key is invalid.', /WC_CONSUMER_KEY/],
      ['wrong secret', { consumerSecret: 'cs_wrong' }, 'Invalid signature - provided signature does not match.', /WC_CONSUMER_SECRET.*WC_URL/],
    ])('%s → permanent 401 telling the admin what to fix', async (_name, override, message, advice) => {
      const bad = createWooCommerceGateway({ url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret, timeoutMs: 1000, ...override });
      const result = await bad.getOrder('14');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject({ kind: 'permanent', code: 'woocommerce_rest_authentication_error', httpStatus: 401 });
      expect(result.error.message).toContain(message);
      expect(result.error.message).toMatch(advice);
    });

    it('a site that knows itself under another host name rejects the signature', async () => {
      const other = await startWooCommerceStandIn({ siteHost: 'localhost' });
      try {
        const g = createWooCommerceGateway({ url: other.url, consumerKey: other.consumerKey, consumerSecret: other.consumerSecret, timeoutMs: 1000 });
        const result = await g.ping();
        expect(result).toMatchObject({ ok: false, error: { kind: 'permanent', httpStatus: 401 } });
        if (!result.ok) expect(result.error.message).toMatch(/site address/);
      } finally {
        await other.close();
      }
    });

    it('a shop clock 20 minutes ahead rejects the timestamp', async () => {
      const skewed = await startWooCommerceStandIn({ clock: { now: () => Date.now() + 20 * 60 * 1000 } });
      try {
        const g = createWooCommerceGateway({ url: skewed.url, consumerKey: skewed.consumerKey, consumerSecret: skewed.consumerSecret, timeoutMs: 1000 });
        const result = await g.ping();
        expect(result).toMatchObject({ ok: false, error: { kind: 'permanent', httpStatus: 401 } });
        if (!result.ok) expect(result.error.message).toMatch(/Invalid timestamp.*clock/);
      } finally {
        await skewed.close();
      }
    });
  });

  describe('orders, notes and refunds', () => {
    it('set_paid on a pending order → processing, date_paid set, transaction id stored, status note added', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      const result = await gateway.updateOrder(id, { set_paid: true, transaction_id: 'pi_3PabcDEF123' });
      expect(result).toMatchObject({ ok: true, value: { status: 'processing', transactionId: 'pi_3PabcDEF123' } });
      if (result.ok) expect(result.value.datePaid).not.toBeNull();
      expect(shop.orders.notes(id).map((n) => n.note)).toEqual(['Order status changed from Pending payment to Processing.']);
    });

    it.each(['cancelled', 'on-hold'])('set_paid on a %s order is silently ignored; only the transaction id is stored', async (status) => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status });
      const result = await gateway.updateOrder(id, { set_paid: true, transaction_id: 'pi_late' });
      expect(result).toMatchObject({ ok: true, value: { status, transactionId: 'pi_late', datePaid: null } });
      expect(shop.orders.notes(id)).toEqual([]);
    });

    it('an explicit processing on a cancelled order sets date_paid', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status: 'cancelled' });
      const result = await gateway.updateOrder(id, { status: 'processing', transaction_id: 'pi_late' });
      expect(result).toMatchObject({ ok: true, value: { status: 'processing' } });
      if (result.ok) expect(result.value.datePaid).not.toBeNull();
      expect(shop.orders.notes(id).map((n) => n.note)).toEqual(['Order status changed from Cancelled to Processing.']);
    });

    it('adds and lists notes (customer_note false)', async () => {
      const id = shop.orders.createOrder({ total: '10.00', currency: 'EUR' });
      const added = await gateway.addNote(id, 'Payment confirmed by Stripe.');
      expect(added).toMatchObject({ ok: true, value: { note: 'Payment confirmed by Stripe.', customerNote: false } });
      const listed = await gateway.listNotes(id);
      expect(listed).toMatchObject({ ok: true, value: [{ note: 'Payment confirmed by Stripe.', customerNote: false }] });
      expect(shop.requests.find((r) => r.method === 'POST')?.body).toEqual({ note: 'Payment confirmed by Stripe.', customer_note: false });
    });

    it('partial refund record, then listed on the order in minor units; status unchanged', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status: 'processing' });
      const created = await gateway.createRefund(id, 500, 'EUR', 'Partial refund at Stripe (re_123)');
      expect(created).toMatchObject({ ok: true, value: { amountMinor: 500, reason: 'Partial refund at Stripe (re_123)' } });
      expect(shop.requests.find((r) => r.method === 'POST')?.body).toEqual({ amount: '5.00', reason: 'Partial refund at Stripe (re_123)', api_refund: false });
      const listed = await gateway.getOrder(id);
      expect(listed).toMatchObject({ ok: true, value: { refunds: [{ amountMinor: 500 }] } });
      expect(shop.orders.getOrder(id)?.status).toBe('processing');
    });

    it('zero-decimal currencies travel as whole numbers', async () => {
      const id = shop.orders.createOrder({ total: '1500', currency: 'JPY', status: 'processing' });
      expect(await gateway.getOrder(id)).toMatchObject({ ok: true, value: { totalMinor: 1500 } });
      expect(await gateway.createRefund(id, 500, 'JPY', 'part')).toMatchObject({ ok: true, value: { amountMinor: 500 } });
      expect(await gateway.getOrder(id)).toMatchObject({ ok: true, value: { refunds: [{ amountMinor: 500 }] } });
    });

    it('moving to refunded refunds the rest by itself; a later refund is a permanent failure', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status: 'processing' });
      expect(await gateway.updateOrder(id, { status: 'refunded' })).toMatchObject({ ok: true, value: { status: 'refunded' } });
      expect(shop.orders.refunds(id)).toMatchObject([{ amount: '19.99', reason: 'Order fully refunded.' }]);
      const again = await gateway.createRefund(id, 100, 'EUR', 'late');
      expect(again).toMatchObject({ ok: false, error: { kind: 'permanent', code: 'woocommerce_rest_cannot_create_order_refund', httpStatus: 500 } });
      if (!again.ok) expect(again.error.message).toContain('Invalid refund amount.');
    });

    it.each([
      ['getOrder', (g: OrderGateway) => g.getOrder('999'), 'woocommerce_rest_shop_order_invalid_id', 404],
      ['updateOrder', (g: OrderGateway) => g.updateOrder('999', { status: 'on-hold' }), 'woocommerce_rest_shop_order_invalid_id', 400],
      ['listNotes', (g: OrderGateway) => g.listNotes('999'), 'woocommerce_rest_order_invalid_id', 404],
      ['addNote', (g: OrderGateway) => g.addNote('999', 'x'), 'woocommerce_rest_order_invalid_id', 404],
    ])('%s of a missing order → not_found', async (_name, run, code, httpStatus) => {
      expect(await run(gateway)).toMatchObject({ ok: false, error: { kind: 'not_found', code, httpStatus } });
    });

    it('an empty note is a permanent 400', async () => {
      const id = shop.orders.createOrder({ total: '1.00', currency: 'EUR' });
      expect(await gateway.addNote(id, '')).toMatchObject({ ok: false, error: { kind: 'permanent', code: 'rest_missing_callback_param', httpStatus: 400 } });
    });

    it('order ids are not contiguous', () => {
      const a = Number(shop.orders.createOrder({ total: '1.00', currency: 'EUR' }));
      const b = Number(shop.orders.createOrder({ total: '1.00', currency: 'EUR' }));
      expect(b - a).toBeGreaterThan(1);
    });
  });

  describe('faults are classified', () => {
    const order = /\/orders\/\d+$/;
    it.each([
      ['500', { kind: 'status', status: 500 } as const, { kind: 'retryable', code: 'internal_server_error', httpStatus: 500 }],
      ['503', { kind: 'status', status: 503 } as const, { kind: 'retryable', httpStatus: 503 }],
      ['502 nginx html', { kind: 'bad_gateway' } as const, { kind: 'retryable', code: 'http_502', httpStatus: 502 }],
      ['429 Retry-After', { kind: 'rate_limited', retryAfter: 7 } as const, { kind: 'retryable', code: 'http_429', retryAfterMs: 7000 }],
      ['hang', { kind: 'hang' } as const, { kind: 'retryable', code: 'timeout' }],
      ['drop', { kind: 'drop' } as const, { kind: 'retryable', code: 'network' }],
    ])('%s', async (_name, fault, expected) => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      shop.faults.add({ method: 'GET', path: order, fault });
      const quick = createWooCommerceGateway({ url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret, timeoutMs: 300 });
      expect(await quick.getOrder(id)).toMatchObject({ ok: false, error: expected });
      // The fault was used up: the next call goes through.
      expect(await quick.getOrder(id)).toMatchObject({ ok: true });
    });

    it('latency below the timeout is only slow', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      shop.faults.add({ path: order, fault: { kind: 'latency', ms: 50 } });
      const started = Date.now();
      expect(await gateway.getOrder(id)).toMatchObject({ ok: true });
      // The fault was applied (the call was slow) and used up.
      expect(Date.now() - started).toBeGreaterThanOrEqual(50);
      expect(shop.requests.at(-1)?.fault).toBe('latency');
    });

    it('apply then drop: the note was written although the client saw a network failure', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      shop.faults.add({ method: 'POST', path: /\/notes$/, fault: { kind: 'apply_then_drop' } });
      expect(await gateway.addNote(id, 'Payment confirmed.')).toMatchObject({ ok: false, error: { kind: 'retryable', code: 'network' } });
      // What a careful retry sees before writing again: the note is already there.
      expect(await gateway.listNotes(id)).toMatchObject({ ok: true, value: [{ note: 'Payment confirmed.' }] });
    });

    it('a PUT that is applied then dropped has changed the order', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      shop.faults.add({ method: 'PUT', path: order, fault: { kind: 'apply_then_drop' } });
      expect(await gateway.updateOrder(id, { set_paid: true })).toMatchObject({ ok: false, error: { kind: 'retryable' } });
      expect(shop.orders.getOrder(id)?.status).toBe('processing');
    });

    it('each OAuth nonce is single-use, so a retry is signed afresh and accepted', async () => {
      const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
      shop.faults.add({ method: 'GET', path: order, fault: { kind: 'status', status: 503 } });
      await gateway.getOrder(id);
      expect(await gateway.getOrder(id)).toMatchObject({ ok: true });
      const nonces = shop.requests.map((r) => r.query.oauth_nonce);
      expect(new Set(nonces).size).toBe(nonces.length);
    });
  });
});
