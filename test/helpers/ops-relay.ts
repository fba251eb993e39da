import { readBody } from './read-body';
import { assertMatchesOpenapi } from './openapi-contract';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { startWooCommerceStandIn, type WooCommerceStandIn } from './woocommerce-stand-in';
import { createTestSchema, pgSql, sqliteSql, TEST_STORE, type TestSql } from './test-store';
import { connectPg } from '../../relay/src/adapters/postgres/pg-database';

export const OPS_SHOP_SECRET = 'shop_secret_for_ops_endpoint_tests_0123';
export const OPS_SANDBOX_SECRET = 'sandbox_secret_for_ops_endpoint_tests';

export interface SignOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign for another path than the one requested (a replay on another endpoint). */
  signedPath?: string;
  /** Send no signature headers at all. */
  unsigned?: boolean;
}

export interface OpsAnswer {
  status: number;
  body: any;
}

export interface OpsRelay {
  relay: RelayHandle;
  shop: WooCommerceStandIn;
  /** Raw SQL on the relay's database, whichever store the suite runs on (PAYRELAY_TEST_STORE). */
  sql: TestSql;
  /** A request signed like the plugin's relay client (shared/request-signing.md). */
  signed(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown, options?: SignOptions): Promise<OpsAnswer>;
  /** Creates an order in the stand-in and a sandbox session for it through POST /v1/sessions, as the plugin does. */
  checkout(amount?: string): Promise<{ orderId: string; session: { session_id: string; checkout_url: string; status_token: string } }>;
  /** Clicks a button on the sandbox checkout page (without a browser): the signed webhook goes to the relay. */
  choose(checkoutUrl: string, action: 'pay' | 'decline'): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real relay (composition root, background worker ON, system clock) against the WooCommerce stand-in.
 * Worker retries are fast here so a shop that stays down dead-letters in milliseconds, not minutes.
 */
export async function startOpsRelay(env: Record<string, string> = {}): Promise<OpsRelay> {
  const shop = await startWooCommerceStandIn();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-ops-'));
  const schema = TEST_STORE === 'postgres' ? createTestSchema() : null;
  const config = loadConfig({
    ...(schema ? { PAYRELAY_DATABASE_URL: schema.url } : {}),
    PAYRELAY_PORT: '0',
    PAYRELAY_HOST: '127.0.0.1',
    PAYRELAY_DB: path.join(dir, 'relay.db'),
    WC_URL: shop.url,
    WC_CONSUMER_KEY: shop.consumerKey,
    WC_CONSUMER_SECRET: shop.consumerSecret,
    WC_TIMEOUT_MS: '1000',
    PAYRELAY_SHOP_SECRET: OPS_SHOP_SECRET,
    PAYRELAY_SANDBOX: '1',
    SANDBOX_WEBHOOK_SECRET: OPS_SANDBOX_SECRET,
    PAYRELAY_WORKER_POLL_MS: '20',
    PAYRELAY_WORKER_BASE_DELAY_MS: '5',
    PAYRELAY_WORKER_MAX_DELAY_MS: '20',
    PAYRELAY_WORKER_MAX_ATTEMPTS: '3',
    PAYRELAY_RECONCILE_INTERVAL_MS: '0',
    PAYRELAY_LOG_LEVEL: 'error',
    ...env,
  });
  const relay = await startRelay(config, { logger: silentLogger });
  const sql = schema ? pgSql(connectPg(schema.url)) : sqliteSql(relay.db);

  const signed: OpsRelay['signed'] = async (method, pathWithQuery, body, options = {}) => {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!options.unsigned) {
      headers['x-payrelay-timestamp'] = String(timestamp);
      headers['x-payrelay-signature'] = signShopRequest(options.secret ?? OPS_SHOP_SECRET, timestamp, method, options.signedPath ?? pathWithQuery, raw);
    }
    const response = await fetch(`${relay.url}${pathWithQuery}`, { method, headers, body: method === 'GET' ? undefined : raw });
    const answer = { status: response.status, body: await readBody(response) };
    // Every signed call the ops tests make is also a check of shared/openapi.yaml.
    assertMatchesOpenapi({ method, url: pathWithQuery, requestBody: body, status: answer.status, contentType: response.headers.get('content-type'), responseBody: answer.body });
    return answer;
  };

  let orders = 0;
  return {
    relay,
    shop,
    sql,
    signed,
    async checkout(amount = '19.99') {
      orders += 1;
      const orderId = shop.orders.createOrder({ total: amount, currency: 'EUR', payment_method: 'payrelay' });
      const answer = await signed('POST', '/v1/sessions', {
        order_id: orderId,
        order_key: `wc_order_ops_${orders}`,
        amount: Math.round(Number(amount) * 100),
        currency: 'EUR',
        customer: { email: 'ops.person@example.com', country: 'NL' },
        method: 'card',
        return_url: `${shop.url}/checkout/order-received/${orderId}`,
        cancel_url: `${shop.url}/cart`,
        site_url: shop.url,
      });
      if (answer.status !== 201) throw new Error(`POST /v1/sessions answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return { orderId, session: answer.body };
    },
    async choose(checkoutUrl, action) {
      const response = await fetch(checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ action, delivery: 'normal' }).toString(),
        redirect: 'manual',
      });
      if (response.status !== 303) throw new Error(`sandbox checkout answered ${response.status}`);
    },
    async close() {
      await relay.close();
      await shop.close();
      sql.close();
      schema?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
