import express, { type NextFunction, type Request, type Response } from 'express';
import type { Clock } from '../ports/clock';
import type { EmulatedShop } from './emulated-shop';
import { wooErrors, type WooErrorReply } from './woocommerce-error-bodies';
import { authenticateWooRequest, NonceBook, type ShopCredentials } from './woocommerce-oauth-verifier';

export interface WooCommerceEmulatorDeps {
  shop: EmulatedShop;
  credentials: ShopCredentials;
  /** The site address as WordPress knows it; OAuth signatures are checked over it, so a client must use the same. */
  siteUrl: string;
  clock: Clock;
  nonces?: NonceBook;
}

/**
 * The wc/v3 routes the relay uses (orders, notes, refunds), answering like WooCommerce 8.9 does. Mount it at the
 * site's root: it serves `/wp-json/wc/v3/...` below wherever it is mounted.
 */
export function woocommerceEmulatorRoutes(deps: WooCommerceEmulatorDeps): express.Router {
  const nonces = deps.nonces ?? new NonceBook();
  const { shop } = deps;
  const router = express.Router();

  // Authentication runs before routing, as in WordPress: bad credentials are 401 whatever the route.
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/wp-json/')) return next();
    const query: Record<string, string> = {};
    for (const [k, v] of new URL(req.originalUrl, 'http://emulated.invalid').searchParams) query[k] = v;
    const outcome = authenticateWooRequest(
      { method: req.method, siteUrl: deps.siteUrl, path: req.path, query, authorization: req.headers.authorization, nowSeconds: Math.floor(deps.clock.now() / 1000) },
      deps.credentials,
      nonces,
    );
    if (outcome.kind === 'rejected') return send(res, outcome.error);
    res.locals.wooAuthenticated = outcome.kind === 'authenticated';
    next();
  });

  const api = express.Router();
  api.use(express.json({ limit: '1mb', type: () => true }));
  api.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error) return send(res, wooErrors.invalidJson());
    next();
  });

  /** WordPress checks permissions per route: anonymous requests get the route's own "not allowed" answer. */
  const allowed = (res: Response, denied: () => WooErrorReply): boolean => {
    if (res.locals.wooAuthenticated === true) return true;
    send(res, denied());
    return false;
  };
  const body = (req: Request): Record<string, unknown> =>
    typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  const id = (req: Request) => Number(req.params.id);

  api.get('/orders', (req, res) => {
    if (!allowed(res, wooErrors.cannotView)) return;
    const query = phpQuery(req.originalUrl);
    const perPage = clampInt(query.per_page, 10, 1, 100);
    const page = clampInt(query.page, 1, 1, 10_000);
    const include = idList(query.include);
    const { orders, total } = include ? shop.listOrdersById(include, page, perPage) : shop.listOrders(page, perPage);
    res.set('X-WP-Total', String(total)).set('X-WP-TotalPages', String(Math.max(1, Math.ceil(total / perPage))));
    res.json(orders.map((o) => shop.orderJson(o)));
  });

  api.post('/orders', (req, res) => {
    if (!allowed(res, wooErrors.cannotCreate)) return;
    const input = body(req);
    const billing = (typeof input.billing === 'object' && input.billing !== null ? input.billing : {}) as Record<string, unknown>;
    const currency = typeof input.currency === 'string' ? input.currency : 'EUR';
    let order = shop.createOrder({
      // WooCommerce computes the total from line items; the emulator has one item, so it takes the total directly.
      total: typeof input.total === 'string' ? input.total : lineItemsTotal(input.line_items),
      currency,
      status: 'pending',
      paymentMethod: typeof input.payment_method === 'string' ? input.payment_method : '',
      paymentMethodTitle: typeof input.payment_method_title === 'string' ? input.payment_method_title : undefined,
      email: typeof billing.email === 'string' ? billing.email : undefined,
      firstName: typeof billing.first_name === 'string' ? billing.first_name : undefined,
      lastName: typeof billing.last_name === 'string' ? billing.last_name : undefined,
      country: typeof billing.country === 'string' ? billing.country : undefined,
    });
    const rest = { ...input };
    delete rest.total;
    if (rest.status !== undefined || rest.set_paid !== undefined || rest.transaction_id !== undefined) {
      const updated = shop.updateOrder(order.id, rest);
      if (!updated.ok) return send(res, updated.error);
      order = updated.value;
    }
    res.status(201).json(shop.orderJson(order));
  });

  api.get('/orders/:id(\\d+)', (req, res) => {
    if (!allowed(res, wooErrors.cannotView)) return;
    const order = shop.getOrder(id(req));
    if (!order) return send(res, wooErrors.orderInvalidId(404));
    res.json(shop.orderJson(order));
  });

  const update = (req: Request, res: Response) => {
    if (!allowed(res, wooErrors.cannotEdit)) return;
    const result = shop.updateOrder(id(req), body(req));
    if (!result.ok) return send(res, result.error);
    res.json(shop.orderJson(result.value));
  };
  api.put('/orders/:id(\\d+)', update);
  api.patch('/orders/:id(\\d+)', update);
  api.post('/orders/:id(\\d+)', update);

  api.get('/orders/:id(\\d+)/notes', (req, res) => {
    if (!allowed(res, wooErrors.cannotView)) return;
    if (!shop.getOrder(id(req))) return send(res, wooErrors.noteOrderInvalidId());
    const requested = phpQuery(req.originalUrl).type;
    const type = typeof requested === 'string' ? requested : 'any';
    const notes = shop.notes(id(req)).filter((n) => type === 'any' || (type === 'customer' ? n.customerNote : !n.customerNote));
    res.json(notes.map((n) => shop.noteJson(n)));
  });

  api.post('/orders/:id(\\d+)/notes', (req, res) => {
    if (!allowed(res, wooErrors.cannotCreate)) return;
    const result = shop.addNote(id(req), body(req));
    if (!result.ok) return send(res, result.error);
    res.status(201).json(shop.noteJson(result.value));
  });

  api.get('/orders/:id(\\d+)/refunds', (req, res) => {
    if (!allowed(res, wooErrors.cannotView)) return;
    if (!shop.getOrder(id(req))) return send(res, wooErrors.refundOrderInvalidId());
    // Newest first, like WooCommerce.
    res.json(shop.refunds(id(req)).reverse().map((r) => shop.refundJson(r)));
  });

  api.post('/orders/:id(\\d+)/refunds', (req, res) => {
    if (!allowed(res, wooErrors.cannotCreate)) return;
    const result = shop.createRefund(id(req), body(req));
    if (!result.ok) return send(res, result.error);
    res.status(201).json(shop.refundJson(result.value));
  });

  api.get('/system_status', (_req, res) => {
    if (!allowed(res, wooErrors.cannotView)) return;
    res.json({ environment: { site_url: deps.siteUrl, home_url: deps.siteUrl, version: '8.9.1', wp_version: '6.5.3' } });
  });

  router.use('/wp-json/wc/v3', api);
  router.use('/wp-json', (_req, res) => send(res, wooErrors.noRoute()));
  return router;
}

function send(res: Response, error: WooErrorReply): void {
  res.status(error.status).json(error.body);
}

/**
 * The query string as PHP reads it into $_GET: a repeated plain key keeps its last value, `key[]` collects a list.
 * @woocommerce/woocommerce-rest-api over http sends every parameter twice (in the signed URL and again beside the
 * OAuth ones); express would make each an array, which no WordPress ever sees.
 */
function phpQuery(originalUrl: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(originalUrl, 'http://emulated.invalid').searchParams) {
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      const list = query[name];
      query[name] = Array.isArray(list) ? [...list, value] : [value];
    } else query[key] = value;
  }
  return query;
}

/** WordPress reads an array argument as `include=1,2` or `include[]=1&include[]=2`. */
function idList(value: unknown): number[] | null {
  if (value === undefined) return null;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',') : []));
  return parts.filter((part) => /^\d+$/.test(part.trim())).map((part) => Number(part.trim()));
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : fallback;
  return Math.min(max, Math.max(min, n));
}

function lineItemsTotal(items: unknown): string {
  if (!Array.isArray(items)) return '0.00';
  const cents = items.reduce((sum: number, item) => {
    const total = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).total : undefined;
    return sum + (typeof total === 'string' && /^\d+(\.\d+)?$/.test(total) ? Math.round(Number(total) * 100) : 0);
  }, 0);
  return (cents / 100).toFixed(2);
}
