import { assertMatchesOpenapi } from '../helpers/openapi-contract';
import { callSigned, startShopsRelay, type ShopsRelay } from '../helpers/shops-relay';

const ADMIN_TOKEN = 'admin_token_for_the_shops_api_0123456789';

describe('the shops API (/admin/api/shops): add, list, remove shops over HTTP with the admin token', () => {
  let relay: ShopsRelay;

  beforeEach(async () => {
    relay = await startShopsRelay([{ id: 'alpha' }], { env: { PAYRELAY_ADMIN_TOKEN: ADMIN_TOKEN } });
  });
  afterEach(() => relay.close());

  async function call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, token: string | null = ADMIN_TOKEN) {
    const response = await fetch(`${relay.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as any;
    assertMatchesOpenapi({ method, url, requestBody: body, status: response.status, contentType: response.headers.get('content-type'), responseBody: json });
    return { status: response.status, json, text: JSON.stringify(json) };
  }

  const gamma = () => ({
    id: 'gamma',
    settings: {
      WC_URL: relay.shop('alpha').woo.url,
      WC_CONSUMER_KEY: relay.shop('alpha').woo.consumerKey,
      WC_CONSUMER_SECRET: relay.shop('alpha').woo.consumerSecret,
      PAYRELAY_SHOP_SECRET: 'gamma_shop_secret_from_the_api_01234567',
    },
  });

  test('without the token nothing is read or changed (401)', async () => {
    expect((await call('GET', '/admin/api/shops', undefined, null)).status).toBe(401);
    expect((await call('GET', '/admin/api/shops', undefined, 'wrong-token')).status).toBe(401);
    expect((await call('POST', '/admin/api/shops', gamma(), 'wrong-token')).status).toBe(401);
    expect((await call('DELETE', '/admin/api/shops/alpha', undefined, null)).status).toBe(401);
    expect(relay.shops.has('alpha')).toBe(true);
    expect(relay.shops.has('gamma')).toBe(false);
  });

  test('lists the shops without secrets or keys', async () => {
    const listed = await call('GET', '/admin/api/shops');
    expect(listed.status).toBe(200);
    expect(listed.json.shops).toEqual([expect.objectContaining({ id: 'alpha', serving: true, webhooks_url: `${relay.url}/webhooks/alpha/{provider}` })]);
    expect(listed.text).not.toContain(relay.shop('alpha').shopSecret);
    expect(listed.text).not.toContain(relay.shop('alpha').woo.consumerSecret);
    expect(listed.text).not.toContain(relay.shop('alpha').sandboxSecret);
  });

  test('a shop added is served at once (its signed API answers), removed it is refused again', async () => {
    const added = await call('POST', '/admin/api/shops', gamma());
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ id: 'gamma', serving: true });
    expect(added.text).not.toContain(gamma().settings.PAYRELAY_SHOP_SECRET);
    expect((await callSigned(relay.url, 'POST', '/v1/ping', gamma().settings.PAYRELAY_SHOP_SECRET, 'gamma', {})).status).toBe(200);

    const again = await call('POST', '/admin/api/shops', gamma());
    expect(again.status).toBe(400);
    expect(again.json.error.details.join(' ')).toContain('registered already');

    expect((await call('DELETE', '/admin/api/shops/gamma')).status).toBe(200);
    expect((await callSigned(relay.url, 'POST', '/v1/ping', gamma().settings.PAYRELAY_SHOP_SECRET, 'gamma', {})).status).toBe(401);
    expect((await call('DELETE', '/admin/api/shops/gamma')).status).toBe(404);
  });

  test('a shop with problems is refused with every one listed', async () => {
    const bad = await call('POST', '/admin/api/shops', { id: 'Bad Id', settings: { PAYRELAY_PORT: '1', PAYRELAY_SHOP_SECRET: relay.shop('alpha').shopSecret } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_shop');
    expect(bad.json.error.details).toEqual(
      expect.arrayContaining([expect.stringContaining('shop id'), expect.stringContaining('PAYRELAY_PORT'), expect.stringContaining("already another shop's"), expect.stringContaining('WooCommerce address')]),
    );
    expect(bad.text).not.toContain(relay.shop('alpha').shopSecret);
  });
});
