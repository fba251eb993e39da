import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signShopRequest } from '../../relay/src/http/request-signature';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { SandboxLedger } from '../../relay/src/providers/sandbox/sandbox-ledger';
import { SHOP_SECRET, startHarness, type Harness } from './relay-harness';
import { startStripeStandIn, type StripeStandIn } from './e2e-stripe-stand-in';

/**
 * The routing the end-to-end tests run with, written to a file and given to the relay as PAYRELAY_ROUTES:
 * cards try Stripe (the stand-in that fails on purpose) and fall back to the sandbox; wallets go straight to
 * the sandbox, so the expiry and reconciliation cases do not depend on Stripe's health; bank transfers have
 * Stripe alone, so "no provider could take it" can happen; crypto matches no rule at all.
 */
export const E2E_ROUTES = [
  { name: 'cards: Stripe first, the sandbox as fallback', match: { methods: ['card'] }, providers: ['stripe', 'sandbox'] },
  { name: 'wallets: the sandbox', match: { methods: ['wallet'] }, providers: ['sandbox'] },
  { name: 'bank transfers: Stripe only', match: { methods: ['bank_transfer'] }, providers: ['stripe'] },
];

export const STALE_AFTER_MINUTES = 15;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: any;
}

export interface E2E {
  h: Harness;
  stripe: StripeStandIn;
  /** The sandbox's "provider side": what the sandbox believes happened, whether or not a webhook got through. */
  ledger: SandboxLedger;
  /** A WooCommerce order in the stand-in, paid with Payrelay, still pending. */
  newOrder(amountMinor?: number, currency?: string): string;
  /** POST /v1/sessions as the plugin sends it: signed with the shop secret. */
  createSession(orderId: string, over?: Record<string, unknown>, idempotencyKey?: string): Promise<HttpAnswer>;
  sessionBody(orderId: string, over?: Record<string, unknown>): Record<string, unknown>;
  /** Any signed shop request (timeline, diagnostics, order check). */
  shopCall(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  timeline(orderId: string): Promise<{ sessions: any[]; entries: Array<{ kind: string; message: string; provider: string | null; session_id: string | null }> }>;
  /** A shopper clicking a button on the sandbox's hosted checkout page (the sandbox then sends its webhook). */
  click(sessionId: string, action: 'pay' | 'decline' | 'review' | 'abandon', delivery?: 'normal' | 'twice' | 'out_of_order'): Promise<number>;
  session(sessionId: string): PaymentSession;
  close(): Promise<void>;
}

export async function startE2E(env: Record<string, string> = {}): Promise<E2E> {
  const stripe = await startStripeStandIn();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-e2e-'));
  const routesFile = path.join(dir, 'routes.json');
  fs.writeFileSync(routesFile, JSON.stringify(E2E_ROUTES, null, 2));
  let h: Harness;
  try {
    h = await startHarness({
      PAYRELAY_ROUTES: routesFile,
      STRIPE_API_BASE: stripe.url,
      STRIPE_SECRET_KEY: 'sk_test_e2e_standin_0000000000',
      STRIPE_WEBHOOK_SECRET: 'whsec_e2e_standin_0000000000',
      PAYRELAY_PENDING_AFTER_MINUTES: String(STALE_AFTER_MINUTES),
      ...env,
    });
  } catch (error) {
    await stripe.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const ledger = h.relay.sandboxLedger;

  const shopCall: E2E['shopCall'] = async (method, pathWithQuery, body, headers = {}) => {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const timestamp = Math.floor(h.clock.now() / 1000);
    const response = await fetch(`${h.relay.url}${pathWithQuery}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-payrelay-timestamp': String(timestamp),
        'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, method, pathWithQuery, raw),
        ...headers,
      },
      body: method === 'POST' ? raw : undefined,
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON; kept as text for the assertion message
    }
    return { status: response.status, headers: response.headers, json };
  };

  const sessionBody = (orderId: string, over: Record<string, unknown> = {}) => {
    const order = h.shop.orders.getOrder(orderId);
    const amount = order ? Math.round(Number(order.total) * 100) : 1999;
    return {
      order_id: orderId,
      order_key: order?.orderKey || `wc_order_${orderId}`,
      amount,
      currency: order?.currency ?? 'EUR',
      customer: { email: 'ann@example.com', country: 'NL' },
      method: 'card',
      return_url: `http://shop.example/checkout/order-received/${orderId}/`,
      cancel_url: 'http://shop.example/cart/',
      site_url: h.shop.url,
      ...over,
    };
  };

  return {
    h,
    stripe,
    ledger,
    newOrder: (amountMinor = 1999, currency = 'EUR') =>
      h.shop.orders.createOrder({ total: (amountMinor / 100).toFixed(2), currency, payment_method: 'payrelay' }),
    sessionBody,
    createSession: (orderId, over = {}, idempotencyKey) =>
      shopCall('POST', '/v1/sessions', sessionBody(orderId, over), idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    shopCall,
    async timeline(orderId) {
      const answer = await shopCall('GET', `/v1/orders/${orderId}/timeline`);
      if (answer.status !== 200) throw new Error(`timeline for ${orderId}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
      return answer.json;
    },
    async click(sessionId, action, delivery = 'normal') {
      const response = await fetch(`${h.relay.url}/sandbox/checkout/${sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action, delivery }).toString(),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      return response.status;
    },
    session(sessionId) {
      const session = h.relay.stores.sessions.get(sessionId);
      if (!session) throw new Error(`the relay has no session ${sessionId}`);
      return session;
    },
    async close() {
      await h.close();
      await stripe.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
