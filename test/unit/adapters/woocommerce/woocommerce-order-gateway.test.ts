import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { createWooCommerceGateway } from '../../../../relay/src/adapters/woocommerce/woocommerce-order-gateway';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'woocommerce');
const recorded = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as { status: number; body: Record<string, unknown> };

const HTTPS = 'https://shop.example';
const HTTP = 'http://shop.example';
const API = '/wp-json/wc/v3';
const creds = { consumerKey: 'ck_test', consumerSecret: 'cs_test' };

describe('WooCommerce order gateway (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const gateway = (url = HTTPS, timeoutMs = 2000) => createWooCommerceGateway({ url, ...creds, timeoutMs });

  it('reads a recorded order into minor units', async () => {
    const { status, body } = recorded('order-update-set-paid-200.json');
    nock(HTTPS).get(`${API}/orders/14`).basicAuth({ user: 'ck_test', pass: 'cs_test' }).reply(status, body);
    expect(await gateway().getOrder('14')).toEqual({
      ok: true,
      value: { id: '14', status: 'processing', currency: 'EUR', totalMinor: 1999, paymentMethod: 'payrelay', transactionId: 'pi_3PabcDEF123', datePaid: '2026-11-27T07:53:44', refunds: [] },
    });
  });

  it('signs with OAuth 1.0a (HMAC-SHA256) in the query over http', async () => {
    let query: Record<string, string> = {};
    nock(HTTP)
      .get(`${API}/orders/14`)
      .query((q) => {
        query = q as Record<string, string>;
        return true;
      })
      .reply(200, recorded('order-get-200.json').body);
    expect((await gateway(HTTP).getOrder('14')).ok).toBe(true);
    expect(query).toMatchObject({ oauth_consumer_key: 'ck_test', oauth_signature_method: 'HMAC-SHA256' });
    expect(query.oauth_signature).toBeTruthy();
  });

  it('PUTs only the fields it was given', async () => {
    let sent: unknown;
    nock(HTTPS)
      .put(`${API}/orders/14`, (b) => {
        sent = b;
        return true;
      })
      .reply(200, recorded('order-update-on-hold-200.json').body);
    const result = await gateway().updateOrder('14', { status: 'on-hold' });
    expect(sent).toEqual({ status: 'on-hold' });
    expect(result).toMatchObject({ ok: true, value: { status: 'on-hold' } });
  });

  it('adds a private note and lists notes', async () => {
    nock(HTTPS).post(`${API}/orders/14/notes`, { note: 'Paid.', customer_note: false }).reply(201, recorded('order-note-create-201.json').body);
    nock(HTTPS).get(`${API}/orders/14/notes`).query(true).reply(200, recorded('order-notes-list-200.json').body);
    expect(await gateway().addNote('14', 'Paid.')).toMatchObject({ ok: true, value: { id: '110', customerNote: false } });
    const notes = await gateway().listNotes('14');
    expect(notes.ok && notes.value.map((n) => n.id)).toEqual(['109', '110']);
  });

  it('creates a refund record with a decimal amount and api_refund false', async () => {
    nock(HTTPS)
      .post(`${API}/orders/14/refunds`, { amount: '5.00', reason: 'Partial refund at Stripe (re_123)', api_refund: false })
      .reply(201, recorded('order-refund-create-201.json').body);
    expect(await gateway().createRefund('14', 500, 'EUR', 'Partial refund at Stripe (re_123)')).toEqual({
      ok: true,
      value: { id: '15', amountMinor: 500, reason: 'Partial refund at Stripe (re_123)' },
    });
  });

  it('lists refunds from the order, in its currency', async () => {
    nock(HTTPS).get(`${API}/orders/14`).reply(200, recorded('order-get-after-partial-refund-200.json').body);
    const order = await gateway().getOrder('14');
    expect(order.ok && order.value.refunds).toEqual([{ id: '15', amountMinor: 500, reason: 'Partial refund at Stripe (re_123)' }]);
  });

  it('reads several orders in one GET orders?include=…&per_page=…, each shaped like GET orders/{id}', async () => {
    const order = recorded('order-get-200.json').body;
    const paid = recorded('order-update-set-paid-200.json').body;
    nock(HTTPS).get(`${API}/orders`).query({ include: '14,15', per_page: '2' }).reply(200, [{ ...paid, id: 15 }, order]);
    const read = await gateway().getOrders(['14', '15']);
    expect(read.ok && read.value.map((o) => [o.id, o.status, o.totalMinor])).toEqual([['15', 'processing', 1999], ['14', 'pending', 1999]]);
  });

  it('more orders than a list page holds (100): one GET per hundred; no ids, no request', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(1000 + i));
    const pages: string[][] = [];
    nock(HTTPS)
      .get(`${API}/orders`)
      .query(true)
      .times(2)
      .reply(200, (uri) => {
        const query = new URL(uri, HTTPS).searchParams;
        const include = query.get('include')!.split(',');
        pages.push(include);
        expect(query.get('per_page')).toBe(String(include.length));
        return include.map((id) => ({ ...recorded('order-get-200.json').body, id: Number(id) }));
      });
    const read = await gateway().getOrders(ids);
    expect(pages.map((page) => page.length)).toEqual([100, 50]);
    expect(read.ok && read.value.map((o) => o.id)).toEqual(ids);
    expect(await gateway().getOrders([])).toEqual({ ok: true, value: [] });
  });

  it('a list with an entry that is not an order is not read as a shorter list', async () => {
    nock(HTTPS).get(`${API}/orders`).query(true).reply(200, [recorded('order-get-200.json').body, { id: 15 }]);
    expect(await gateway().getOrders(['14', '15'])).toMatchObject({ ok: false, error: { kind: 'permanent', code: 'unexpected_response' } });
  });

  it('pings with orders?per_page=1', async () => {
    nock(HTTPS).get(`${API}/orders`).query({ per_page: '1' }).reply(200, []);
    expect(await gateway().ping()).toMatchObject({ ok: true, value: { latencyMs: expect.any(Number) } });
  });

  it.each([
    ['order-get-missing-404.json', 'not_found'],
    ['auth-none-401.json', 'permanent'],
  ])('classifies %s', async (file, kind) => {
    const { status, body } = recorded(file);
    nock(HTTPS).get(`${API}/orders/14`).reply(status, body);
    expect(await gateway().getOrder('14')).toMatchObject({ ok: false, error: { kind, httpStatus: status } });
  });

  it('honours Retry-After on a 503', async () => {
    nock(HTTPS).get(`${API}/orders/14`).reply(503, 'busy', { 'Retry-After': '30' });
    expect(await gateway().getOrder('14')).toMatchObject({ ok: false, error: { kind: 'retryable', retryAfterMs: 30_000 } });
  });

  it('a slow shop is a retryable timeout', async () => {
    nock(HTTPS).get(`${API}/orders/14`).delay(500).reply(200, recorded('order-get-200.json').body);
    expect(await gateway(HTTPS, 100).getOrder('14')).toMatchObject({ ok: false, error: { kind: 'retryable', code: 'timeout' } });
  });

  it('a reset connection is a retryable network failure', async () => {
    nock(HTTPS).get(`${API}/orders/14`).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(await gateway().getOrder('14')).toMatchObject({ ok: false, error: { kind: 'retryable', code: 'network' } });
  });

  it('a 200 that is not an order (a login page, a wrong URL) is permanent', async () => {
    nock(HTTPS).get(`${API}/orders/14`).reply(200, '<html>Log in</html>');
    expect(await gateway().getOrder('14')).toMatchObject({ ok: false, error: { kind: 'permanent', code: 'unexpected_response' } });
  });

  it('does not follow redirects (http → https would drop the body and change the auth scheme)', async () => {
    nock(HTTP).get(`${API}/orders/14`).query(true).reply(301, '', { Location: `${HTTPS}${API}/orders/14` });
    expect(await gateway(HTTP).getOrder('14')).toMatchObject({ ok: false, error: { kind: 'permanent', httpStatus: 301 } });
  });

  it('an unreadable total is null, not zero', async () => {
    const body = { ...recorded('order-get-200.json').body, total: 'n/a' };
    nock(HTTPS).get(`${API}/orders/14`).reply(200, body);
    expect(await gateway().getOrder('14')).toMatchObject({ ok: true, value: { totalMinor: null } });
  });
});
