import { routeToShop, type ShopRoute } from '../../../relay/src/domain/shop-routing';

const registered = new Set(['alpha', 'beta-2']);
const isShop = (id: string) => registered.has(id);

describe('routeToShop: which shop serves a request', () => {
  const cases: Array<[string, string, string | undefined, ShopRoute | ShopRoute['kind']]> = [
    ['a webhook for a registered shop', '/webhooks/alpha/stripe', undefined, { kind: 'shop', shopId: 'alpha', url: '/webhooks/stripe' }],
    ['its query string kept', '/webhooks/beta-2/mollie?x=1', undefined, { kind: 'shop', shopId: 'beta-2', url: '/webhooks/mollie?x=1' }],
    ['a trailing slash', '/webhooks/alpha/sandbox/', undefined, { kind: 'shop', shopId: 'alpha', url: '/webhooks/sandbox' }],
    ['the environment shop webhook', '/webhooks/stripe', undefined, 'own'],
    ['an unknown shop webhook', '/webhooks/gamma/stripe', undefined, 'refused'],
    ['a header does not move a webhook', '/webhooks/stripe', 'alpha', 'own'],
    ['a shop page', '/shops/alpha/pay/tok_1', undefined, { kind: 'shop', shopId: 'alpha', url: '/pay/tok_1' }],
    ['the shop page root', '/shops/alpha', undefined, { kind: 'shop', shopId: 'alpha', url: '/' }],
    ['a sandbox checkout with a query', '/shops/alpha/sandbox/checkout/ps_1?x=2', undefined, { kind: 'shop', shopId: 'alpha', url: '/sandbox/checkout/ps_1?x=2' }],
    ['an unknown shop page', '/shops/gamma/pay/tok_1', undefined, 'refused'],
    ['the signed API naming a shop', '/v1/sessions', 'alpha', { kind: 'shop', shopId: 'alpha', url: '/v1/sessions' }],
    ['the signed API with a query', '/v1/methods?currency=EUR', 'beta-2', { kind: 'shop', shopId: 'beta-2', url: '/v1/methods?currency=EUR' }],
    ['the signed API without a header', '/v1/sessions', undefined, 'own'],
    ['the signed API naming an unknown shop', '/v1/sessions', 'gamma', 'refused'],
    ['an empty header is a shop named ""', '/v1/sessions', '', 'refused'],
    ['the dashboard with a header stays the environment shop', '/admin/', 'alpha', 'own'],
    ['/v1ish paths are not the API', '/v1x', 'alpha', 'own'],
  ];
  test.each(cases)('%s: %s', (_what, url, header, expected) => {
    const route = routeToShop(url, header, isShop);
    if (typeof expected === 'string') expect(route.kind).toBe(expected);
    else expect(route).toEqual(expected);
  });

  test('an unknown shop is 404 on webhooks and pages, 401 on the signed API, with code unknown_shop', () => {
    expect(routeToShop('/webhooks/gamma/stripe', undefined, isShop)).toMatchObject({ status: 404, code: 'unknown_shop' });
    expect(routeToShop('/shops/gamma/', undefined, isShop)).toMatchObject({ status: 404, code: 'unknown_shop' });
    expect(routeToShop('/v1/ping', 'gamma', isShop)).toMatchObject({ status: 401, code: 'unknown_shop' });
  });

  test("a registered shop's dashboard is that shop's relay's", () => {
    expect(routeToShop('/shops/alpha/admin/orders/1', undefined, isShop)).toEqual({ kind: 'shop', shopId: 'alpha', url: '/admin/orders/1' });
    expect(routeToShop('/admin/orders/1', undefined, isShop)).toEqual({ kind: 'own' });
  });

  test('a header that is not a shop id is not echoed back', () => {
    const route = routeToShop('/v1/ping', '<script>', isShop);
    // Refused first: `false` (not refused) would pass the not.toContain below.
    expect(route).toMatchObject({ kind: 'refused', status: 401, message: expect.not.stringContaining('<script>') });
    expect(route.kind === 'refused' && route.message).not.toContain('<script>');
  });
});
