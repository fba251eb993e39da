import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { openPostgres } from '../../relay/src/adapters/postgres/open-postgres';
import { createPostgresShopRegistry } from '../../relay/src/adapters/postgres/postgres-shop-registry';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteShopRegistry } from '../../relay/src/adapters/sqlite/sqlite-shop-registry';
import { registerShop } from '../../relay/src/app/register-shop';
import { loadConfig } from '../../relay/src/config/load-config';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { PaymentStatus } from '../../relay/src/domain/payment-status';
import { signShopRequest } from '../../relay/src/http/request-signature';
import type { Clock } from '../../relay/src/ports/clock';
import type { ShopRegistry } from '../../relay/src/ports/shop-registry';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import type { RelayHandle, RelayOverrides } from '../../relay/src/relay';
import { startRelayWithShops, type RelayWithShops } from '../../relay/src/relay-shops';
import { aSandboxEvent, aSession } from './builders';
import { readBody } from './read-body';
import { createTestSchema, pgSql, sqliteSql, TEST_STORE, type TestSchema, type TestSql } from './test-store';
import { startWooCommerceStandIn, type WooCommerceStandIn } from './woocommerce-stand-in';

/** One shop of a many-shops relay, as a test plays it: its secrets, its WooCommerce stand-in, its relay. */
export interface TestShop {
  id: string;
  shopSecret: string;
  sandboxSecret: string;
  woo: WooCommerceStandIn;
  relay: RelayHandle;
  /** Raw SQL on this shop's own store (its file, or its schema on PostgreSQL), for assertions. */
  sql: TestSql;
  /** An order at this shop and the relay's sandbox session for it, in this shop's store. */
  seed(): PaymentSession;
}

export interface ShopsRelay extends RelayWithShops {
  url: string;
  /** The environment-configured shop (id "env", no X-Payrelay-Shop). */
  env: TestShop;
  shop(id: string): TestShop;
  dir: string;
  /** The registry in the main database (SQLite file or PostgreSQL main schema), over this relay's connection. */
  registry: ShopRegistry;
  /** The relay's environment (what shops:add and registerShop are given). */
  relayEnv: Record<string, string>;
  /** Each test shop's WooCommerce stand-in, by shop id (a test that adds a shop itself sets its stand-in here). */
  woos: Map<string, WooCommerceStandIn>;
}

export interface ShopSpec {
  id: string;
  /** WooCommerce keys that are not the stand-in's (the shop answers 401). */
  badKeys?: boolean;
  settings?: Record<string, string>;
}

let counter = 0;

/**
 * The environment shop plus registered ones, each with its own WooCommerce stand-in, on one relay server: over a
 * SQLite file (a file per shop), or under PAYRELAY_TEST_STORE=postgres a schema of its own (a schema per shop).
 * Webhooks go through each shop's recorder as by default (PAYRELAY_INGEST_THREAD=1: a thread per shop on SQLite,
 * a process per shop on PostgreSQL; about 0.3 s more per relay started): with it off, a recorder working in the
 * main schema instead of the shop's went unseen. `env` may still turn it off for one test.
 * `joining`: a second relay of a fleet on the first one's PostgreSQL database (same configuration, same stand-ins;
 * it serves what the shared registry holds, and `specs` must be empty).
 */
export async function startShopsRelay(specs: ShopSpec[], opts: { clock?: Clock; background?: boolean; env?: Record<string, string>; joining?: ShopsRelay } = {}): Promise<ShopsRelay> {
  if (opts.joining) {
    if (specs.length > 0) throw new Error('a joining relay adds no shops: it serves the registry it shares');
    return joinShopsRelay(opts.joining, opts);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-shops-'));
  const schema: TestSchema | null = TEST_STORE === 'postgres' ? createTestSchema() : null;
  const envWoo = await startWooCommerceStandIn();
  const relayEnv: Record<string, string> = {
    PAYRELAY_PORT: '0',
    PAYRELAY_HOST: '127.0.0.1',
    PAYRELAY_DB: path.join(dir, 'relay.db'),
    ...(schema ? { PAYRELAY_DATABASE_URL: schema.url } : {}),
    WC_URL: envWoo.url,
    WC_CONSUMER_KEY: envWoo.consumerKey,
    WC_CONSUMER_SECRET: envWoo.consumerSecret,
    WC_TIMEOUT_MS: '1000',
    PAYRELAY_SHOP_SECRET: 'shop_secret_of_the_environment_shop_0',
    PAYRELAY_SANDBOX: '1',
    SANDBOX_WEBHOOK_SECRET: 'sandbox_secret_of_the_environment_shop',
    PAYRELAY_LOG_LEVEL: 'error',
    ...opts.env,
  };
  const config = loadConfig(relayEnv);
  const woos = new Map<string, WooCommerceStandIn>();
  const pgMain = schema ? openPostgres(schema.url) : null;
  const db = pgMain ? null : openDatabase(config.databasePath);
  const registry = pgMain ? createPostgresShopRegistry(pgMain) : createSqliteShopRegistry(db!);
  for (const spec of specs) {
    const woo = await startWooCommerceStandIn();
    woos.set(spec.id, woo);
    const added = registerShop(
      registry,
      {
        id: spec.id,
        settings: {
          WC_URL: woo.url,
          WC_CONSUMER_KEY: spec.badKeys ? 'ck_revoked_key_of_this_shop_000000000000' : woo.consumerKey,
          WC_CONSUMER_SECRET: spec.badKeys ? 'cs_revoked_secret_of_this_shop_00000000' : woo.consumerSecret,
          WC_TIMEOUT_MS: '1000',
          PAYRELAY_SHOP_SECRET: `shop_secret_of_shop_${spec.id}_0123456789`,
          PAYRELAY_SANDBOX: '1',
          SANDBOX_WEBHOOK_SECRET: `sandbox_secret_of_shop_${spec.id}_0123`,
          ...spec.settings,
        },
      },
      { env: relayEnv, config },
      Date.now(),
    );
    if (!added.ok) throw new Error(added.error.join('; '));
  }
  db?.close();
  pgMain?.close();
  const served = await startServed(relayEnv, opts);
  return shopsRelayOf(served, { dir, relayEnv, envWoo, woos, clock: opts.clock }, async () => {
    // The shops first: a shop that hangs would otherwise hold its relay's worker until the client timeout.
    await Promise.all([envWoo, ...woos.values()].map((woo) => woo.close()));
    await served.close();
    schema?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

interface ShopsRelayParts {
  dir: string;
  relayEnv: Record<string, string>;
  envWoo: WooCommerceStandIn;
  woos: Map<string, WooCommerceStandIn>;
  clock?: Clock;
}

function startServed(relayEnv: Record<string, string>, opts: { clock?: Clock; background?: boolean }): Promise<RelayWithShops> {
  const overrides: RelayOverrides = { clock: opts.clock, logger: silentLogger, background: opts.background ?? false, random: () => 0.5 };
  return startRelayWithShops(loadConfig(relayEnv), relayEnv, overrides);
}

/** Another relay on the first one's database, as a fleet runs: the shops it serves come from the shared registry. */
async function joinShopsRelay(first: ShopsRelay, opts: { clock?: Clock; background?: boolean }): Promise<ShopsRelay> {
  if (!first.relayEnv.PAYRELAY_DATABASE_URL) throw new Error('only relays on PostgreSQL share a database (one relay per SQLite file)');
  const served = await startServed(first.relayEnv, opts);
  return shopsRelayOf(served, { dir: first.dir, relayEnv: first.relayEnv, envWoo: first.env.woo, woos: first.woos, clock: opts.clock }, () => served.close());
}

function shopsRelayOf(served: RelayWithShops, parts: ShopsRelayParts, close: () => Promise<void>): ShopsRelay {
  const { relayEnv, envWoo, woos, clock: testClock } = parts;
  const opts = { clock: testClock };
  const testShop = (id: string, relay: RelayHandle, woo: WooCommerceStandIn, shopSecret: string, sandboxSecret: string): TestShop => ({
    id,
    shopSecret,
    sandboxSecret,
    woo,
    relay,
    // Over the shop relay's own connection (in its schema); closed with that relay.
    sql: relay.pg ? { ...pgSql(relay.pg), close: () => undefined } : sqliteSql(relay.db),
    seed() {
      counter += 1;
      const orderId = woo.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' });
      const now = (opts.clock ?? { now: () => Date.now() }).now();
      const sid = `ps_${id}_${counter}`;
      // A plain card payment of 19.99 EUR (builders' aSession), at this shop's sandbox and clock.
      const session = aSession({
        id: sid,
        merchantOrderId: orderId,
        orderKey: `wc_order_${sid}`,
        provider: 'sandbox',
        providerSessionId: sid,
        checkoutUrl: `${relay.url}/sandbox/checkout/${sid}`,
        returnUrl: 'http://shop.example/return',
        cancelUrl: 'http://shop.example/cancel',
        statusToken: `st_${sid}`,
        createdAt: now,
        expiresAt: now + 3600_000,
        updatedAt: now,
      });
      relay.stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
      return session;
    },
  });
  const env = testShop('env', served.relay, envWoo, relayEnv.PAYRELAY_SHOP_SECRET, relayEnv.SANDBOX_WEBHOOK_SECRET);
  // Looked up when asked: a shop added later (registry, shops API) is found too, with this relay's handle of it.
  const shop = (id: string): TestShop => {
    const relay = served.shops.get(id);
    const woo = woos.get(id);
    if (!relay || !woo) throw new Error(`shop ${id} is not served by this relay${woo ? '' : ' (nor one of the test shops)'}`);
    return testShop(id, relay, woo, `shop_secret_of_shop_${id}_0123456789`, `sandbox_secret_of_shop_${id}_0123`);
  };
  return {
    ...served,
    url: served.relay.url,
    env,
    dir: parts.dir,
    relayEnv,
    woos,
    registry: served.relay.pg ? createPostgresShopRegistry(served.relay.pg) : createSqliteShopRegistry(served.relay.db),
    shop,
    close,
  };
}

/** A sandbox webhook for a session, signed with `secret`, POSTed to `path` (`/webhooks/<shop>/sandbox`); `eventId` to deliver one event twice. */
export async function sendSandboxWebhook(base: string, pathname: string, secret: string, session: PaymentSession, status: PaymentStatus, nowMs = Date.now(), eventId?: string) {
  const body = JSON.stringify(aSandboxEvent(session, status, nowMs, eventId ? { id: eventId } : {}));
  const response = await fetch(`${base}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(secret, body, nowMs) }, body });
  return { status: response.status, body: await readBody(response) };
}

/** A shop-signed API call, as the plugin makes it: signed with `secret`, naming `shopId` (none: the environment shop). */
export async function callSigned(base: string, method: 'GET' | 'POST', pathname: string, secret: string, shopId: string | null, payload?: unknown, headers: Record<string, string> = {}, nowMs = Date.now()) {
  const raw = payload === undefined ? '' : JSON.stringify(payload);
  const timestamp = Math.floor(nowMs / 1000);
  const response = await fetch(`${base}${pathname}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-payrelay-timestamp': String(timestamp),
      'x-payrelay-signature': signShopRequest(secret, timestamp, method, pathname, raw),
      ...(shopId ? { 'x-payrelay-shop': shopId } : {}),
      ...headers,
    },
    body: method === 'POST' ? raw : undefined,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await readBody(response)) as any };
}
