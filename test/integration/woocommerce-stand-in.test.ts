import fs from 'node:fs';
import path from 'node:path';
import axios, { type AxiosRequestConfig } from 'axios';
import OAuth from 'oauth-1.0a';
import { createHmac } from 'node:crypto';
import { startWooCommerceStandIn, type WooCommerceStandIn } from '../helpers/woocommerce-stand-in';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'woocommerce');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as { status: number; body: any };

/** The stand-in itself, spoken to with raw requests, compared with what the real shop recorded. */
describe('WooCommerce stand-in behaves like the recorded shop', () => {
  let shop: WooCommerceStandIn;
  beforeEach(async () => {
    shop = await startWooCommerceStandIn();
  });
  afterEach(() => shop.close());

  const oauth = () =>
    new OAuth({
      consumer: { key: shop.consumerKey, secret: shop.consumerSecret },
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    });
  const signed = (method: string, endpoint: string, data?: unknown, params?: OAuth.Data): AxiosRequestConfig => {
    const url = `${shop.url}/wp-json/wc/v3/${endpoint}`;
    return { method, url, params: params ?? oauth().authorize({ url, method }), data, validateStatus: () => true };
  };

  it('Basic auth over http is ignored: the request is anonymous', async () => {
    const res = await axios.get(`${shop.url}/wp-json/wc/v3/orders`, {
      auth: { username: shop.consumerKey, password: shop.consumerSecret },
      validateStatus: () => true,
    });
    expect({ status: res.status, body: res.data }).toEqual(fixture('auth-none-401.json'));
  });

  it('query-string keys over http are ignored too', async () => {
    const res = await axios.get(`${shop.url}/wp-json/wc/v3/orders`, {
      params: { consumer_key: shop.consumerKey, consumer_secret: shop.consumerSecret },
      validateStatus: () => true,
    });
    expect(res.status).toBe(401);
    expect(res.data.code).toBe('woocommerce_rest_cannot_view');
  });

  it('GET orders?include=…: only those orders, newest first, a page of per_page; each parameter sent twice (as the client does over http) is read once, as PHP reads it', async () => {
    const ids = Array.from({ length: 5 }, () => shop.orders.createOrder({ total: '1.00', currency: 'EUR' }));
    // What @woocommerce/woocommerce-rest-api sends over http: the parameters in the signed URL, then again beside the OAuth ones.
    const url = `${shop.url}/wp-json/wc/v3/orders?include=${ids.slice(0, 4).join(',')}&per_page=3`;
    const res = await axios({ method: 'GET', url, params: { include: ids.slice(0, 4).join(','), per_page: '3', ...oauth().authorize({ url, method: 'GET' }) }, validateStatus: () => true });
    expect(res.status).toBe(200);
    expect(res.data.map((order: { id: number }) => String(order.id))).toEqual([ids[3], ids[2], ids[1]]);
    expect(res.headers['x-wp-total']).toBe('4');
  });

  it('a replayed nonce is refused', async () => {
    const config = signed('GET', 'orders');
    expect((await axios(config)).status).toBe(200);
    const again = await axios(config);
    expect(again.status).toBe(401);
    expect(again.data).toEqual({ code: 'woocommerce_rest_authentication_error', message: 'Invalid nonce - nonce has already been used.', data: { status: 401 } });
  });

  it('HMAC-SHA1 is accepted as well', async () => {
    const url = `${shop.url}/wp-json/wc/v3/orders`;
    const sha1 = new OAuth({
      consumer: { key: shop.consumerKey, secret: shop.consumerSecret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
    });
    expect((await axios.get(url, { params: sha1.authorize({ url, method: 'GET' }) })).status).toBe(200);
  });

  it('an order has the recorded shape', async () => {
    const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
    const res = await axios(signed('GET', `orders/${id}`));
    const recorded = fixture('order-get-200.json').body;
    expect(Object.keys(res.data).sort()).toEqual(Object.keys(recorded).sort());
    expect(res.data).toMatchObject({ status: 'pending', total: '19.99', currency: 'EUR', payment_method: 'payrelay', date_paid: null });
    expect(res.data.order_key).toMatch(/^wc_order_[A-Za-z0-9]{13}$/);
  });

  it.each([
    ['GET missing order', () => signed('GET', 'orders/999'), 'order-get-missing-404.json'],
    ['PUT missing order', () => signed('PUT', 'orders/999', { status: 'processing' }), 'order-update-missing-400.json'],
    ['notes of missing order', () => signed('GET', 'orders/999/notes'), 'order-note-missing-order-404.json'],
  ])('%s answers as recorded', async (_name, config, file) => {
    const res = await axios(config());
    expect({ status: res.status, body: res.data }).toEqual(fixture(file));
  });

  it('an invalid status and an empty note answer as recorded', async () => {
    const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
    const bad = await axios(signed('PUT', `orders/${id}`, { status: 'paid' }));
    expect({ status: bad.status, body: bad.data }).toEqual(fixture('order-update-invalid-status-400.json'));
    const empty = await axios(signed('POST', `orders/${id}/notes`, { note: '' }));
    expect({ status: empty.status, body: empty.data }).toEqual(fixture('order-note-empty-400.json'));
  });

  it('a refund without api_refund:false asks for a gateway that does not exist (500, nothing recorded)', async () => {
    const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status: 'processing' });
    const res = await axios(signed('POST', `orders/${id}/refunds`, { amount: '5.00', reason: 'x' }));
    expect(res.status).toBe(500);
    expect(res.data).toEqual({
      code: 'woocommerce_rest_cannot_create_order_refund',
      message: 'The payment gateway for this order does not exist.',
      data: { status: 500 },
    });
    expect(shop.orders.refunds(id)).toEqual([]);
  });

  it('a refund of the whole remaining amount moves the order to refunded', async () => {
    const id = shop.orders.createOrder({ total: '10.00', currency: 'EUR', status: 'processing' });
    expect((await axios(signed('POST', `orders/${id}/refunds`, { amount: '4.00', api_refund: false }))).status).toBe(201);
    expect(shop.orders.getOrder(id)?.status).toBe('processing');
    const last = await axios(signed('POST', `orders/${id}/refunds`, { amount: '6.00', api_refund: false }));
    expect(last.status).toBe(201);
    expect(Object.keys(last.data).sort()).toEqual(Object.keys(fixture('order-refund-create-201.json').body).sort());
    expect(shop.orders.getOrder(id)?.status).toBe('refunded');
    const over = await axios(signed('POST', `orders/${id}/refunds`, { amount: '0.01', api_refund: false }));
    expect(over.data.message).toBe('Invalid refund amount.');
  });

  it('status changes add WooCommerce notes; notes list newest first and do not touch date_modified', async () => {
    const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR' });
    await axios(signed('PUT', `orders/${id}`, { set_paid: true, transaction_id: 'pi_1' }));
    const before = shop.orders.getOrder(id)?.dateModified;
    await axios(signed('POST', `orders/${id}/notes`, { note: 'Mine', customer_note: false }));
    expect(shop.orders.getOrder(id)?.dateModified).toBe(before);
    const res = await axios(signed('GET', `orders/${id}/notes`));
    expect(res.data.map((n: { note: string; author: string }) => [n.note, n.author])).toEqual(
      expect.arrayContaining([
        ['Order status changed from Pending payment to Processing.', 'WooCommerce'],
        ['Mine', 'WooCommerce'],
      ]),
    );
    expect(Object.keys(res.data[0]).sort()).toEqual(Object.keys(fixture('order-note-create-201.json').body).sort());
  });

  it('a person changing the status in wp-admin is visible to the client', async () => {
    const id = shop.orders.createOrder({ total: '19.99', currency: 'EUR', status: 'processing' });
    shop.orders.setStatus(id, 'completed');
    const res = await axios(signed('GET', `orders/${id}`));
    expect(res.data.status).toBe('completed');
    expect(res.data.date_completed).not.toBeNull();
  });

  it('unknown routes answer rest_no_route', async () => {
    const res = await axios(signed('GET', 'nothing-here'));
    expect(res.status).toBe(404);
    expect(res.data.code).toBe('rest_no_route');
  });

  it('logs each request with how it authenticated, and faults can be cleared', async () => {
    shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 500 }, count: 3 });
    expect(shop.faults.pending()).toHaveLength(1);
    shop.faults.clear();
    await axios(signed('GET', 'orders'));
    expect(shop.requests).toMatchObject([{ method: 'GET', path: '/wp-json/wc/v3/orders', auth: 'oauth', status: 200 }]);
  });
});
