import fs from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { PaymentStatus } from '../../relay/src/domain/payment-status';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { startRelay, type RelayHandle, type RelayOverrides } from '../../relay/src/relay';
import type { Clock } from '../../relay/src/ports/clock';
import { signShopRequest } from '../../relay/src/http/request-signature';
import type { SandboxEventBody } from '../../relay/src/providers/sandbox/sandbox-event-schema';
import { aSandboxEvent } from './builders';
import { readBody } from './read-body';
import { createTestSchema, pgSql, sqliteSql, TEST_STORE, type TestSql } from './test-store';
import { connectPg } from '../../relay/src/adapters/postgres/pg-database';
import { createPostgresAlarmStore } from '../../relay/src/adapters/postgres/postgres-alarm-store';
import { createPostgresOpsStore } from '../../relay/src/adapters/postgres/postgres-ops-store';
import { createSqliteAlarmStore } from '../../relay/src/adapters/sqlite/sqlite-alarm-store';
import { createSqliteOpsStore } from '../../relay/src/adapters/sqlite/sqlite-ops-store';
import type { AlarmStore } from '../../relay/src/ports/alarm-store';
import type { OpsStore } from '../../relay/src/ports/ops-store';
import { startWooCommerceStandIn, type WooCommerceStandIn } from './woocommerce-stand-in';

export const SANDBOX_SECRET = 'sandbox_test_secret_for_integration';
export const SHOP_SECRET = 'shop_secret_for_integration_tests_0123';

/** A clock the test moves; starts at the real time so OAuth timestamps at the stand-in stay valid. */
export class ManualClock implements Clock {
  private current = Date.now();
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface Harness {
  relay: RelayHandle;
  shop: WooCommerceStandIn;
  clock: ManualClock;
  /** The SQLite file (unused when the suite runs on PostgreSQL: see `sql`). */
  dbFile: string;
  /** Raw SQL on the relay's database, whichever store the suite runs on (PAYRELAY_TEST_STORE). */
  sql: TestSql;
  /** PAYRELAY_DATABASE_URL of the relay when it runs on PostgreSQL, else null. */
  databaseUrl: string | null;
  /**
   * Another connection takes the lock webhooks need (SQLite's write lock; on PostgreSQL, the inbox table) and
   * holds it until the returned function is called: the relay's wait (PAYRELAY_DB_BUSY_TIMEOUT_MS) runs out.
   */
  holdWriteLock(): () => void;
  /** The operator's and the alarms' stores over the relay's database (the relay keeps its own inside). */
  ops: OpsStore;
  alarms: AlarmStore;
  /** Creates a WooCommerce order and the relay's sandbox session for it. */
  seed(overrides?: Partial<PaymentSession>): PaymentSession;
  /** Signs and POSTs a sandbox event for a session. */
  send(session: PaymentSession, status: PaymentStatus, extra?: Partial<SandboxEventBody>): Promise<{ status: number; body: any; eventId: string }>;
  post(body: string, headers: Record<string, string>, provider?: string): Promise<{ status: number; body: any }>;
  /** Runs the outbox worker until nothing is pending, moving the clock over backoff waits. */
  drain(maxPasses?: number): Promise<void>;
  ourNotes(orderId: string): string[];
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}, overrides: RelayOverrides = {}): Promise<Harness> {
  const clock = new ManualClock();
  const shop = await startWooCommerceStandIn();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-'));
  const dbFile = path.join(dir, 'relay.db');
  const schema = TEST_STORE === 'postgres' ? createTestSchema() : null;
  const config = loadConfig({
    ...(schema ? { PAYRELAY_DATABASE_URL: schema.url } : {}),
    PAYRELAY_PORT: '0',
    PAYRELAY_HOST: '127.0.0.1',
    PAYRELAY_DB: dbFile,
    WC_URL: shop.url,
    WC_CONSUMER_KEY: shop.consumerKey,
    WC_CONSUMER_SECRET: shop.consumerSecret,
    WC_TIMEOUT_MS: '1000',
    PAYRELAY_SHOP_SECRET: SHOP_SECRET,
    PAYRELAY_SANDBOX: '1',
    SANDBOX_WEBHOOK_SECRET: SANDBOX_SECRET,
    PAYRELAY_WORKER_BASE_DELAY_MS: '1000',
    PAYRELAY_WORKER_MAX_ATTEMPTS: '8',
    PAYRELAY_LOG_LEVEL: 'error',
    PAYRELAY_DB_BUSY_TIMEOUT_MS: '1000',
    ...env,
  });
  const relay = await startRelay(config, { clock, logger: silentLogger, background: false, random: () => 0.5, ...overrides });
  let counter = 0;
  const pgConnection = schema ? connectPg(schema.url) : null;
  const sql = pgConnection ? pgSql(pgConnection) : sqliteSql(relay.db);

  const harness: Harness = {
    relay,
    shop,
    clock,
    dbFile,
    sql,
    databaseUrl: schema?.url ?? null,
    ops: pgConnection ? createPostgresOpsStore(pgConnection) : createSqliteOpsStore(relay.db),
    alarms: pgConnection ? createPostgresAlarmStore(pgConnection) : createSqliteAlarmStore(relay.db),
    holdWriteLock() {
      if (schema) {
        const locker = connectPg(schema.url);
        locker.exec('BEGIN; LOCK TABLE webhook_events IN EXCLUSIVE MODE');
        return () => (locker.exec('COMMIT'), locker.close());
      }
      const locker = new Database(dbFile);
      locker.exec('BEGIN IMMEDIATE');
      return () => (locker.exec('COMMIT'), locker.close());
    },
    seed(overrides = {}) {
      counter += 1;
      const amountMinor = overrides.amountMinor ?? 1999;
      const currency = overrides.currency ?? 'EUR';
      const orderId = shop.orders.createOrder({ total: (amountMinor / 100).toFixed(2), currency, payment_method: 'payrelay' });
      const id = `ps_test_${counter}_${Math.random().toString(36).slice(2, 8)}`;
      const session: PaymentSession = {
        id,
        merchantOrderId: orderId,
        orderKey: `wc_order_${id}`,
        provider: 'sandbox',
        providerSessionId: id,
        providerPaymentId: null,
        customerEmail: 'ann@example.com',
        customerCountry: 'NL',
        method: 'card',
        amountMinor,
        currency,
        status: 'created',
        refundedMinor: 0,
        livemode: false,
        checkoutUrl: `${relay.url}/sandbox/checkout/${id}`,
        returnUrl: 'http://shop.example/return',
        cancelUrl: 'http://shop.example/cancel',
        statusToken: 'st_x',
        createdAt: clock.now(),
        expiresAt: clock.now() + 3600_000,
        updatedAt: clock.now(),
        ...overrides,
      };
      relay.stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
      return session;
    },
    async send(session, status, extra = {}) {
      const event = aSandboxEvent(session, status, clock.now(), extra);
      const body = JSON.stringify(event);
      const answer = await harness.post(body, { 'payrelay-sandbox-signature': signSandboxEvent(SANDBOX_SECRET, body, clock.now()) });
      return { ...answer, eventId: event.id };
    },
    async post(body, headers, provider = 'sandbox') {
      const response = await fetch(`${relay.url}/webhooks/${provider}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: response.status, body: await readBody(response) };
    },
    async drain(maxPasses = 200) {
      for (let pass = 0; pass < maxPasses; pass += 1) {
        const ran = await relay.worker.runOnce();
        if (ran > 0) continue;
        const due = relay.worker.nextWakeAt();
        if (due === null) return;
        clock.advance(Math.max(1, due - clock.now()));
      }
      throw new Error('outbox did not drain');
    },
    ourNotes(orderId) {
      return shop.orders.notes(orderId).map((n) => n.note).filter((note) => note.includes('[Payrelay ref'));
    },
    async close() {
      await relay.close();
      await shop.close();
      sql.close();
      schema?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** What WooCommerce does before it calls the gateway's process_refund: its refund record exists. Its id. */
export function recordShopRefund(h: Harness, session: PaymentSession, amount: string): string {
  const made = h.shop.shop.createRefund(Number(session.merchantOrderId), { amount, reason: 'damaged', api_refund: false });
  if (!made.ok) throw new Error('stand-in refused the refund');
  return String(made.value.id);
}

/** The plugin's refund request: `POST /v1/orders/{id}/refunds` signed with the shop secret at the harness clock. */
export async function askRelayToRefund(h: Harness, session: PaymentSession, body: Record<string, unknown>): Promise<{ status: number; body: any; headers: Headers }> {
  const pathname = `/v1/orders/${session.merchantOrderId}/refunds`;
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(h.clock.now() / 1000);
  const response = await fetch(`${h.relay.url}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, 'POST', pathname, raw) },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}
