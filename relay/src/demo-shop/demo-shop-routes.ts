import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import express, { type Request, type Response } from 'express';
import { decimalToMinor } from '../domain/money';
import type { Clock } from '../ports/clock';
import { EmulatedShop } from './emulated-shop';
import { DEFAULT_FORM, renderMessagePage, type TimelineLink, renderOrderList, renderReturnPage, renderShopPage, type OrderFormValues } from './demo-shop-pages';
import { createSqliteDemoShopStore } from './sqlite-demo-shop-store';
import { woocommerceEmulatorRoutes } from './woocommerce-emulator';

/** Where the relay mounts the demo shop when WC_URL is not set. */
export const DEMO_SHOP_PATH = '/demo-shop';

/** Keys shaped like WooCommerce's (ck_/cs_ and 40 hex digits), new for every run of the relay. */
export function generateDemoKeys(): { consumerKey: string; consumerSecret: string } {
  return { consumerKey: `ck_${randomBytes(20).toString('hex')}`, consumerSecret: `cs_${randomBytes(20).toString('hex')}` };
}

/** The body of POST /v1/sessions the demo shop asks the relay for, as the WordPress plugin would send it. */
export type DemoSessionRequest = {
  order_id: string;
  order_key: string;
  /** Minor units. */
  amount: number;
  currency: string;
  customer: { email: string; country: string };
  method: string;
  return_url: string;
  cancel_url: string;
};

export interface DemoShopDeps {
  db: Database;
  consumerKey: string;
  consumerSecret: string;
  /** Where the demo shop is reached, e.g. http://localhost:8787/demo-shop; also the WC_URL the relay's client uses. */
  siteUrl: string;
  createSession: (order: DemoSessionRequest) => Promise<{ checkout_url: string } | { error: string }>;
  clock: Clock;
  /** Each order links to its payment timeline in the relay dashboard. */
  timelineUrl?: (orderId: number) => string;
}

const METHODS = new Set(['any', 'card', 'bank_transfer', 'wallet', 'crypto']);

/**
 * The demo shop `npm start` serves when no WooCommerce shop is configured: an emulated WooCommerce REST API at
 * `wp-json/wc/v3/…` (the relay writes to it with its real WooCommerce client), an order page, and a checkout form
 * that asks the relay for a session like the plugin does. Mount it at DEMO_SHOP_PATH. Never used when WC_URL is set.
 */
export function demoShopRoutes(deps: DemoShopDeps): express.Router {
  const shop = new EmulatedShop(createSqliteDemoShopStore(deps.db), deps.clock, deps.siteUrl);
  const site = deps.siteUrl.replace(/\/+$/, '');
  const router = express.Router();

  router.use(woocommerceEmulatorRoutes({ shop, credentials: { consumerKey: deps.consumerKey, consumerSecret: deps.consumerSecret }, siteUrl: site, clock: deps.clock }));

  // The page shows notes strictly newest first (the REST list keeps WooCommerce's order for notes of one second).
  const newestFirst = (id: number) => shop.notes(id).sort((a, b) => b.id - a.id);
  const ordersWithNotes = () => shop.listOrders(1, 50).orders.map((order) => ({ order, notes: newestFirst(order.id) }));
  const link: TimelineLink = deps.timelineUrl ?? null;
  const html = (res: Response, status: number, page: string) => res.status(status).set('Cache-Control', 'no-store').type('html').send(page);

  router.get('/', (req: Request, res: Response) => {
    // Relative links (the form, the list refresh) need the trailing slash.
    if (!req.originalUrl.split('?')[0].endsWith('/')) return res.redirect(301, `${req.originalUrl.split('?')[0]}/`);
    html(res, 200, renderShopPage(ordersWithNotes(), DEFAULT_FORM, [], link));
  });

  router.get('/orders-fragment', (_req, res) => html(res, 200, renderOrderList(ordersWithNotes(), link)));

  router.post('/orders', express.urlencoded({ extended: false, limit: '16kb' }), async (req: Request, res: Response) => {
    const form = readForm(req.body);
    const errors = validate(form);
    if (errors.length) return html(res, 400, renderShopPage(ordersWithNotes(), form, errors, link));
    const order = shop.createOrder({
      total: form.amount,
      currency: form.currency,
      status: 'pending',
      paymentMethod: 'payrelay',
      paymentMethodTitle: 'Payrelay',
      email: form.email,
      country: form.country,
    });
    const returnUrl = `${site}/order/${order.id}?key=${encodeURIComponent(order.orderKey)}`;
    let answer: { checkout_url: string } | { error: string };
    try {
      answer = await deps.createSession({
        order_id: String(order.id),
        order_key: order.orderKey,
        amount: decimalToMinor(order.total, order.currency) as number,
        currency: order.currency,
        customer: { email: form.email, country: form.country },
        method: form.method,
        return_url: returnUrl,
        cancel_url: `${returnUrl}&cancelled=1`,
      });
    } catch (error) {
      answer = { error: `the relay could not be reached (${(error as Error).message})` };
    }
    if ('checkout_url' in answer) return res.redirect(303, answer.checkout_url);
    // What the plugin does when the relay cannot start a checkout: the order stays pending, with a note why.
    shop.addNote(order.id, { note: `Payrelay could not start a checkout: ${answer.error}`, customer_note: false });
    html(res, 502, renderMessagePage('No checkout', `Order #${order.id} was created, but no checkout could be started: ${answer.error}`));
  });

  router.get('/order/:id(\\d+)', (req: Request, res: Response) => {
    const order = shop.getOrder(Number(req.params.id));
    // Like WooCommerce's order-received page, the order key is required to see an order.
    if (!order || req.query.key !== order.orderKey) return html(res, 404, renderMessagePage('Order not found', 'No order with this number and key.'));
    html(res, 200, renderReturnPage(order, newestFirst(order.id), req.query.cancelled === '1', link));
  });

  return router;
}

function readForm(body: unknown): OrderFormValues {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (key: keyof OrderFormValues) => (typeof b[key] === 'string' ? (b[key] as string).trim() : DEFAULT_FORM[key]);
  return { amount: text('amount'), currency: text('currency').toUpperCase(), email: text('email'), country: text('country').toUpperCase(), method: text('method') };
}

function validate(form: OrderFormValues): string[] {
  const errors: string[] = [];
  const currencyOk = /^[A-Z]{3}$/.test(form.currency);
  if (!currencyOk) errors.push('Currency must be a 3-letter code such as EUR.');
  const minor = currencyOk ? decimalToMinor(form.amount, form.currency) : null;
  if (currencyOk && (minor === null || minor <= 0)) errors.push(`Amount must be a positive ${form.currency} amount, e.g. 19.99.`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)) errors.push('Email must look like name@example.com.');
  if (!/^[A-Z]{2}$/.test(form.country)) errors.push('Country must be a 2-letter code such as NL.');
  if (!METHODS.has(form.method)) errors.push('Method must be one of any, card, bank_transfer, wallet, crypto.');
  return errors;
}
