import type http from 'node:http';
import { routeToShop } from '../domain/shop-routing';

export interface MountedShop {
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
}

export interface ShopDoorways {
  /** Registered shops whose relay runs. */
  running: ReadonlyMap<string, MountedShop>;
  /** Registered shops whose relay could not start, with why (their webhooks get 503 so providers retry; the why is not sent). */
  failed: ReadonlyMap<string, string>;
}

/**
 * The server's first look at a request on a relay with registered shops: a request for one of them goes to that
 * shop's relay only (with the URL that relay knows), an unknown shop is refused before anything is read, and the
 * rest (no shop named) is the environment shop's. Returns true when it answered.
 */
export function createShopFrontDoor(shops: ShopDoorways): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  return (req, res) => {
    const header = req.headers['x-payrelay-shop'];
    const route = routeToShop(req.url ?? '/', Array.isArray(header) ? header[0] : header, (id) => shops.running.has(id) || shops.failed.has(id));
    if (route.kind === 'own') return false;
    if (route.kind === 'refused') {
      answer(res, route.status, route.code, route.message);
      return true;
    }
    const shop = shops.running.get(route.shopId);
    if (!shop) {
      // Why stays in the relay log and the shops API: a caller here may be anyone, and it is about settings.
      answer(res, 503, 'shop_unavailable', `shop "${route.shopId}" is registered but its relay did not start (the relay log and GET /admin/api/shops say why)`);
      return true;
    }
    req.url = route.url;
    shop.handle(req, res);
    return true;
  };
}

function answer(res: http.ServerResponse, status: number, code: string, message: string): void {
  // The body may still be arriving; answering without reading it is fine, the connection is closed after.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ error: { code, message } }));
}
