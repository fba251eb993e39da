import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import express from 'express';
import { createWooCommerceGateway } from '../../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import { DEMO_SHOP_PATH, demoShopRoutes, generateDemoKeys, type DemoSessionRequest } from '../../relay/src/demo-shop/demo-shop-routes';

/** The demo shop as `npm start` mounts it, with the relay's real WooCommerce client writing to it. */
describe('demo shop', () => {
  let dir: string;
  let db: Database.Database;
  let server: http.Server;
  let base: string;
  let sessions: DemoSessionRequest[];
  let sessionAnswer: { checkout_url: string } | { error: string };
  const keys = generateDemoKeys();

  async function start(): Promise<void> {
    const app = express();
    const holder = { site: '' };
    // The site address needs the port: the router is built after listen.
    let demoRouter: express.Router = express.Router();
    app.use(DEMO_SHOP_PATH, (req, res, next) => demoRouter(req, res, next));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    holder.site = `${base}${DEMO_SHOP_PATH}`;
    demoRouter = demoShopRoutes({
      db,
      ...keys,
      siteUrl: holder.site,
      clock: { now: () => Date.now() },
      createSession: async (order) => {
        sessions.push(order);
        return sessionAnswer;
      },
    });
  }
  const stop = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-demo-'));
    db = new Database(path.join(dir, 'demo.db'));
    sessions = [];
    sessionAnswer = { checkout_url: 'http://127.0.0.1:1/sandbox/checkout/ps_1' };
    await start();
  });
  afterEach(async () => {
    await stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const placeOrder = (fields: Record<string, string>) =>
    fetch(`${base}${DEMO_SHOP_PATH}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ amount: '19.99', currency: 'EUR', email: 'ada@example.com', country: 'nl', method: 'card', ...fields }).toString(),
      redirect: 'manual',
    });

  it('is clearly labelled and redirects /demo-shop to /demo-shop/', async () => {
    const bare = await fetch(`${base}${DEMO_SHOP_PATH}`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe(`${DEMO_SHOP_PATH}/`);
    const page = await (await fetch(`${base}${DEMO_SHOP_PATH}/`)).text();
    expect(page).toContain('Demo shop — not a real store');
    expect(page).toContain('Place a demo order');
  });

  it('placing an order creates a pending payrelay order, asks for a session like the plugin, and redirects to the checkout', async () => {
    const res = await placeOrder({});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://127.0.0.1:1/sandbox/checkout/ps_1');
    expect(sessions).toHaveLength(1);
    const request = sessions[0];
    expect(request).toMatchObject({ amount: 1999, currency: 'EUR', customer: { email: 'ada@example.com', country: 'NL' }, method: 'card' });
    expect(request.order_key).toMatch(/^wc_order_/);
    expect(request.return_url).toBe(`${base}${DEMO_SHOP_PATH}/order/${request.order_id}?key=${request.order_key}`);

    const gateway = createWooCommerceGateway({ url: `${base}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    expect(await gateway.getOrder(request.order_id)).toMatchObject({ ok: true, value: { status: 'pending', paymentMethod: 'payrelay', totalMinor: 1999, currency: 'EUR' } });
  });

  it('the relay\'s client writes through the emulated REST API and the page shows status and notes, newest first', async () => {
    await placeOrder({});
    const id = sessions[0].order_id;
    const gateway = createWooCommerceGateway({ url: `${base}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    expect(await gateway.updateOrder(id, { set_paid: true, transaction_id: 'sbx_pay_1' })).toMatchObject({ ok: true, value: { status: 'processing' } });
    expect(await gateway.addNote(id, 'Payment confirmed by Sandbox <sbx_pay_1>.')).toMatchObject({ ok: true });
    const page = await (await fetch(`${base}${DEMO_SHOP_PATH}/`)).text();
    expect(page).toContain('status-processing');
    expect(page).toContain('Payment confirmed by Sandbox &lt;sbx_pay_1&gt;.');
    expect(page).not.toContain('<sbx_pay_1>');
    expect(page.indexOf('Payment confirmed by Sandbox')).toBeLessThan(page.indexOf('Order status changed from Pending payment to Processing.'));
    const fragment = await (await fetch(`${base}${DEMO_SHOP_PATH}/orders-fragment`)).text();
    expect(fragment).toContain('Payment confirmed by Sandbox');
  });

  it('refuses a client signed for another site address', async () => {
    await placeOrder({});
    const gateway = createWooCommerceGateway({ url: `${base.replace('127.0.0.1', 'localhost')}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    expect(await gateway.getOrder(sessions[0].order_id)).toMatchObject({ ok: false, error: { kind: 'permanent', httpStatus: 401 } });
  });

  it('the return page shows the live status and never changes the order', async () => {
    await placeOrder({});
    const { order_id: id, return_url: returnUrl } = sessions[0];
    const page = await (await fetch(returnUrl)).text();
    expect(page).toContain('we are confirming your payment');
    expect(page).toContain('http-equiv="refresh"');
    const gateway = createWooCommerceGateway({ url: `${base}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    expect(await gateway.getOrder(id)).toMatchObject({ ok: true, value: { status: 'pending' } });
    expect(await gateway.listNotes(id)).toEqual({ ok: true, value: [] });
    expect((await fetch(`${base}${DEMO_SHOP_PATH}/order/${id}?key=wrong`)).status).toBe(404);
  });

  it('invalid form input is shown back, escaped, and creates nothing', async () => {
    const res = await placeOrder({ amount: '-3', email: '"><script>x</script>' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('Amount must be a positive EUR amount');
    expect(page).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
    expect(sessions).toHaveLength(0);
  });

  it('when no checkout can be started, the order stays pending with a note saying why', async () => {
    sessionAnswer = { error: 'no provider can take this payment' };
    const res = await placeOrder({});
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('no provider can take this payment');
    const gateway = createWooCommerceGateway({ url: `${base}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    const notes = await gateway.listNotes(sessions[0].order_id);
    expect(notes).toMatchObject({ ok: true, value: [{ note: 'Payrelay could not start a checkout: no provider can take this payment' }] });
  });

  it('orders survive a restart (same SQLite file), and ids keep growing without reuse', async () => {
    await placeOrder({});
    const first = Number(sessions[0].order_id);
    await stop();
    await start();
    await placeOrder({});
    const second = Number(sessions[1].order_id);
    expect(second).toBeGreaterThan(first);
    const gateway = createWooCommerceGateway({ url: `${base}${DEMO_SHOP_PATH}`, ...keys, timeoutMs: 2000 });
    expect(await gateway.getOrder(String(first))).toMatchObject({ ok: true, value: { totalMinor: 1999 } });
    // A refund takes its id from the same sequence as orders, also after a restart.
    const refund = await gateway.createRefund(String(first), 500, 'EUR', 'refund');
    expect(refund.ok && Number(refund.value.id)).toBeGreaterThan(second);
  });
});
