/** A shop id: what goes in URLs, headers and file names (data/shops/<id>.db), so nothing that needs escaping. */
export const SHOP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Who serves a request on a relay with several shops. */
export type ShopRoute =
  /** The environment-configured shop (single-shop relays see only this). */
  | { kind: 'own' }
  /** A registered shop's relay, with the URL as that relay knows it. */
  | { kind: 'shop'; shopId: string; url: string }
  /** Refused before any shop's data is touched. */
  | { kind: 'refused'; status: 401 | 404; code: 'unknown_shop'; message: string };

const TENANT_WEBHOOK = /^\/webhooks\/([^/?#]+)\/([^/?#]+)\/?(\?.*)?$/;
const TENANT_PAGE = /^\/shops\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/;

/**
 * Picks the shop of a request: `/webhooks/<shop>/<provider>` (providers' deliveries), `/shops/<shop>/...` (that
 * shop's pages: payment links, the sandbox checkout, its dashboard; the prefix is its public URL), and the signed `/v1/...` API
 * with an `X-Payrelay-Shop` header. Only the named shop's relay sees the request, so a signature is checked with
 * that shop's secret alone; without a header it is the environment's shop, as on a single-shop relay.
 */
export function routeToShop(url: string, shopHeader: string | undefined, isShop: (id: string) => boolean): ShopRoute {
  const webhook = TENANT_WEBHOOK.exec(url);
  if (webhook) {
    const [, shopId, provider, query = ''] = webhook;
    return isShop(shopId) ? { kind: 'shop', shopId, url: `/webhooks/${provider}${query}` } : unknownShop(404, shopId);
  }
  const page = TENANT_PAGE.exec(url);
  if (page) {
    const [, shopId, rest = '/', query = ''] = page;
    if (!isShop(shopId)) return unknownShop(404, shopId);
    return { kind: 'shop', shopId, url: `${rest}${query}` };
  }
  if (shopHeader !== undefined && /^\/v1(\/|\?|$)/.test(url)) {
    const shopId = shopHeader.trim();
    return isShop(shopId) ? { kind: 'shop', shopId, url } : unknownShop(401, shopId);
  }
  return { kind: 'own' };
}

function unknownShop(status: 401 | 404, shopId: string): ShopRoute {
  const named = SHOP_ID.test(shopId) ? `"${shopId}"` : 'named';
  return { kind: 'refused', status, code: 'unknown_shop', message: `no shop ${named} is served by this relay (npm run shops:add)` };
}
