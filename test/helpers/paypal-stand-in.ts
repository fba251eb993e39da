import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { PaypalCertificateCache } from '../../relay/src/providers/paypal/paypal-certificates';
import { PAYPAL_TEST_CHAIN } from './provider-signers';
import { startHarness, type Harness } from './relay-harness';

/**
 * `hang` and `drop` fail before PayPal does anything; `apply_then_hang` / `apply_then_drop` make the call (a refund
 * is made) and then lose the answer, the ambiguous outcome a timeout really is.
 */
type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'drop' | 'apply_then_hang' | 'apply_then_drop' | HeldFault;

/**
 * The call waits until `released` (a test orders webhooks around a refund whose answer has not come yet). `apply`:
 * PayPal makes the refund when the call arrives (`on_arrival`), only when released (`on_release`), or not at all
 * (`never`); then it `answer`s, loses the answer (`drop`), or refuses (`refuse`: 422, nothing made).
 */
export interface HeldFault {
  released: Promise<void>;
  apply: 'on_arrival' | 'on_release' | 'never';
  then: 'answer' | 'drop' | 'refuse';
}

export interface StandInOrder {
  id: string;
  status: 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED';
  customId: string;
  referenceId: string;
  currency: string;
  value: string;
  captureId: string | null;
  refunds: Array<{ id: string; value: string; requestId: string; invoiceId: string | null }>;
}

export interface PaypalWebhookRecord {
  id: string;
  url: string;
  event_types: Array<{ name: string }>;
}

/**
 * PayPal's REST API as the relay sees it (OAuth token, Orders v2, capture, capture refunds, webhooks), a real
 * HTTP server shaped like PayPal's documented answers. Request ids are honoured like PayPal's: the same
 * PayPal-Request-Id returns the first answer again. `fault(path, …)` makes the next call to a path fail.
 */
export interface PaypalStandIn {
  url: string;
  orders: Map<string, StandInOrder>;
  webhooks: PaypalWebhookRecord[];
  calls: Array<{ method: string; path: string; requestId: string | undefined }>;
  tokenRequests: number;
  /** An order the buyer has approved, as if created by the relay earlier. */
  addApprovedOrder(order: Partial<StandInOrder> & { id: string; customId: string; value: string; currency?: string }): StandInOrder;
  fault(pathPrefix: string, fault: Fault, times?: number): void;
  close(): Promise<void>;
}

function holdCall(fault: HeldFault, req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (fault.apply === 'never' && fault.then === 'drop') {
    void fault.released.then(() => req.socket.destroy());
    return;
  }
  if (fault.apply === 'never' || fault.then === 'refuse') {
    void fault.released.then(() => res.status(422).json({ name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'REFUND_NOT_ALLOWED', description: 'Refund refused.' }] }));
    return;
  }
  const send = res.json.bind(res);
  res.json = ((body: unknown) => {
    void fault.released.then(() => (fault.then === 'drop' ? req.socket.destroy() : send(body)));
    return res;
  }) as typeof res.json;
  if (fault.apply === 'on_arrival') next();
  else void fault.released.then(() => next());
}

export async function startPaypalStandIn(): Promise<PaypalStandIn> {
  const app = express();
  app.use(express.json());
  const orders = new Map<string, StandInOrder>();
  const webhooks: PaypalWebhookRecord[] = [];
  const calls: PaypalStandIn['calls'] = [];
  const replays = new Map<string, { status: number; body: unknown }>();
  const faults: Array<{ prefix: string; fault: Fault; times: number }> = [];
  let tokenRequests = 0;
  let counter = 0;

  app.use((req, res, next) => {
    calls.push({ method: req.method, path: req.path, requestId: req.header('paypal-request-id') });
    const index = faults.findIndex((f) => req.path.startsWith(f.prefix));
    if (index >= 0) {
      const { fault } = faults[index];
      if (--faults[index].times <= 0) faults.splice(index, 1);
      if (typeof fault === 'object' && 'released' in fault) return void holdCall(fault, req, res, next);
      if (fault === 'hang') return;
      if (fault === 'drop') return void req.socket.destroy();
      if (fault === 'apply_then_hang' || fault === 'apply_then_drop') {
        // The handler runs (and changes state); its answer never leaves.
        res.json = (() => {
          if (fault === 'apply_then_drop') req.socket.destroy();
          return res;
        }) as typeof res.json;
      } else {
        return void res.status(fault.status).set(fault.headers ?? {}).json(fault.body ?? { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.' });
      }
    }
    if (req.path !== '/v1/oauth2/token' && req.header('authorization') !== 'Bearer A21AA-standin') {
      return void res.status(401).json({ error: 'invalid_token', error_description: 'Token signature verification failed' });
    }
    next();
  });

  /** The same PayPal-Request-Id on the same path answers what it answered the first time. */
  const idempotent = (handler: (req: express.Request) => { status: number; body: unknown }) => (req: express.Request, res: express.Response) => {
    const key = `${req.path}|${req.header('paypal-request-id') ?? ''}`;
    const replay = req.header('paypal-request-id') ? replays.get(key) : undefined;
    const answer = replay ?? handler(req);
    if (req.header('paypal-request-id') && answer.status < 500) replays.set(key, answer);
    res.status(answer.status).json(answer.body);
  };

  const orderBody = (order: StandInOrder) => ({
    id: order.id,
    intent: 'CAPTURE',
    status: order.status,
    purchase_units: [
      {
        reference_id: order.referenceId,
        custom_id: order.customId,
        amount: { currency_code: order.currency, value: order.value },
        ...(order.captureId
          ? {
              payments: {
                captures: [
                  { id: order.captureId, status: order.refunds.length ? (refundedCents(order) >= cents(order.value) ? 'REFUNDED' : 'PARTIALLY_REFUNDED') : 'COMPLETED', amount: { currency_code: order.currency, value: order.value } },
                ],
                refunds: order.refunds.map((r) => ({ id: r.id, status: 'COMPLETED', amount: { currency_code: order.currency, value: r.value }, ...(r.invoiceId ? { invoice_id: r.invoiceId } : {}) })),
              },
            }
          : {}),
      },
    ],
    links: [
      { href: `https://www.sandbox.paypal.com/checkoutnow?token=${order.id}`, rel: 'payer-action', method: 'GET' },
      { href: `https://api.sandbox.paypal.com/v2/checkout/orders/${order.id}`, rel: 'self', method: 'GET' },
    ],
  });

  app.post('/v1/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
    tokenRequests += 1;
    if (req.body?.grant_type !== 'client_credentials') return void res.status(400).json({ error: 'unsupported_grant_type' });
    res.json({ scope: 'https://uri.paypal.com/services/payments/payment', access_token: 'A21AA-standin', token_type: 'Bearer', app_id: 'APP-80W284485P519543T', expires_in: 32400, nonce: 'n' });
  });

  app.post('/v2/checkout/orders', idempotent((req) => {
    counter += 1;
    const unit = req.body.purchase_units[0];
    const order: StandInOrder = { id: `5O19${String(counter).padStart(4, '0')}TN364715T`, status: 'PAYER_ACTION_REQUIRED', customId: unit.custom_id, referenceId: unit.reference_id, currency: unit.amount.currency_code, value: unit.amount.value, captureId: null, refunds: [] };
    orders.set(order.id, order);
    return { status: 200, body: orderBody(order) };
  }));

  app.get('/v2/checkout/orders/:id', (req, res) => {
    const order = orders.get(req.params.id);
    if (!order) return void res.status(404).json({ name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID', description: 'Specified resource ID does not exist.' }] });
    res.json(orderBody(order));
  });

  app.post('/v2/checkout/orders/:id/capture', idempotent((req) => {
    const order = orders.get(req.params.id);
    if (!order) return { status: 404, body: { name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID' }] } };
    if (order.status === 'COMPLETED') return { status: 422, body: { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'ORDER_ALREADY_CAPTURED', description: 'Order already captured.' }] } };
    if (order.status !== 'APPROVED') return { status: 422, body: { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'ORDER_NOT_APPROVED', description: 'Payer has not yet approved the Order for payment.' }] } };
    counter += 1;
    order.status = 'COMPLETED';
    order.captureId = `3C6${String(counter).padStart(4, '0')}HH908993F`;
    return { status: 201, body: orderBody(order) };
  }));

  app.post('/v2/payments/captures/:id/refund', idempotent((req) => {
    const order = [...orders.values()].find((o) => o.captureId === req.params.id);
    if (!order) return { status: 404, body: { name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID' }] } };
    const amount = req.body.amount;
    if (amount.currency_code !== order.currency) {
      return { status: 422, body: { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'CURRENCY_MISMATCH', description: 'Refund must be in the same currency as the capture.' }] } };
    }
    if (refundedCents(order) + cents(amount.value) > cents(order.value)) {
      return { status: 422, body: { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'REFUND_AMOUNT_EXCEEDED', description: 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.' }] } };
    }
    counter += 1;
    const refund = { id: `1JU0${String(counter).padStart(4, '0')}781691411`, value: amount.value, requestId: req.header('paypal-request-id') ?? '', invoiceId: typeof req.body.invoice_id === 'string' ? req.body.invoice_id : null };
    order.refunds.push(refund);
    return { status: 201, body: { id: refund.id, status: 'COMPLETED', amount, custom_id: req.body.custom_id, ...(refund.invoiceId ? { invoice_id: refund.invoiceId } : {}) } };
  }));

  app.get('/v1/notifications/webhooks', (_req, res) => res.json({ webhooks: webhooks.map((w) => ({ ...w, links: [] })) }));
  app.post('/v1/notifications/webhooks', (req, res) => {
    if (webhooks.some((w) => w.url === req.body.url)) return void res.status(400).json({ name: 'WEBHOOK_URL_ALREADY_EXISTS', message: 'Webhook URL already exists' });
    counter += 1;
    const hook = { id: `0EH${String(counter).padStart(5, '0')}X687430LKGECATA`, url: req.body.url, event_types: req.body.event_types.map((t: { name: string }) => ({ name: t.name })) };
    webhooks.push(hook);
    res.status(201).json(hook);
  });
  app.patch('/v1/notifications/webhooks/:id', (req, res) => {
    const hook = webhooks.find((w) => w.id === req.params.id);
    if (!hook) return void res.status(404).json({ name: 'INVALID_RESOURCE_ID' });
    for (const op of req.body as Array<{ op: string; path: string; value: unknown }>) {
      if (op.op === 'replace' && op.path === '/event_types') hook.event_types = op.value as Array<{ name: string }>;
      if (op.op === 'replace' && op.path === '/url') hook.url = op.value as string;
    }
    res.json(hook);
  });

  const server: http.Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    orders,
    webhooks,
    calls,
    get tokenRequests() {
      return tokenRequests;
    },
    addApprovedOrder(partial) {
      const order: StandInOrder = { status: 'APPROVED', referenceId: '', currency: 'EUR', captureId: null, refunds: [], ...partial };
      orders.set(order.id, order);
      return order;
    },
    fault(prefix, fault, times = 1) {
      faults.push({ prefix, fault, times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

function cents(value: string): number {
  return Math.round(Number(value) * 100);
}

function refundedCents(order: StandInOrder): number {
  return order.refunds.reduce((sum, r) => sum + cents(r.value), 0);
}

/** Certificates from the test chain, trusted only by a relay built with this cache. */
export function testPaypalCertificates(): PaypalCertificateCache {
  return new PaypalCertificateCache(async () => fs.readFileSync(path.join(PAYPAL_TEST_CHAIN, 'leaf.pem'), 'utf8'), {
    roots: [fs.readFileSync(path.join(PAYPAL_TEST_CHAIN, 'root.pem'), 'utf8')],
    intermediates: [],
  });
}

/** The webhook id the PayPal test deliveries are signed for (the relay's PAYPAL_WEBHOOK_ID in these tests). */
export const TEST_PAYPAL_WEBHOOK_ID = '8PT597110X687430LKGECATA';

/** A relay harness configured for PayPal against a fresh stand-in, trusting the test certificate chain. */
export async function startPaypalHarness(env: Record<string, string> = {}): Promise<{ h: Harness; paypal: PaypalStandIn; close(): Promise<void> }> {
  const paypal = await startPaypalStandIn();
  const h = await startHarness(
    { PAYPAL_CLIENT_ID: 'client-id', PAYPAL_CLIENT_SECRET: 'client-secret', PAYPAL_WEBHOOK_ID: TEST_PAYPAL_WEBHOOK_ID, PAYPAL_API_BASE: paypal.url, ...env },
    { paypalCertificates: testPaypalCertificates() },
  );
  return {
    h,
    paypal,
    async close() {
      await h.close();
      await paypal.close();
    },
  };
}
